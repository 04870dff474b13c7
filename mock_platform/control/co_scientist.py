"""/_mock/ai/...: the Co-Scientist backend's script and credits (a blueprint nested in the control API's)."""

from __future__ import annotations

from typing import Annotated, Any

import yaml
from flask import Blueprint, Response, request
from msgspec import Meta

from ..co_scientist.script import ScriptError, parse_script
from ..co_scientist.views import active_script
from ..http import json_response
from ..live import Platform, current_platform
from ..request_bodies import TooDeep, load_yaml
from ..validation import JSON
from .inputs import BadInput, Body, json_body, read

bp = Blueprint("co_scientist", __name__)

MAX_CREDITS = 10**12
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


def script_view(platform: Platform) -> dict[str, Any]:
    script = active_script(platform)
    return {"source": script.source, **script.document}


@bp.get("/script")
def get_script() -> Response:
    """The assistant's script in use and where it comes from (control API, ai_script setting, built-in)."""
    return json_response(script_view(current_platform()))


@bp.put("/script")
def put_script() -> Response:
    """Replace the script: {"replies": [{"match", "say" | "steps", "delay"}]}, as JSON or YAML."""
    platform = current_platform()
    if request.mimetype in YAML_TYPES:
        try:
            document = load_yaml(request.get_data(as_text=True))
        except (yaml.YAMLError, TooDeep) as error:
            raise BadInput(f"the body is not valid YAML: {error}") from None
    else:
        document = request.get_json(force=True, silent=True)
    try:
        parse_script(document, "control API", JSON)
    except ScriptError as error:
        raise BadInput(str(error)) from None
    platform.store.set_ai_script(document)
    return json_response(script_view(platform))


@bp.delete("/script")
def delete_script() -> Response:
    """Back to the ai_script setting's script, or the built-in reply."""
    platform = current_platform()
    platform.store.set_ai_script(None)
    return json_response(script_view(platform))


def credits_view(balance: int | None) -> dict[str, Any]:
    return {"balance": balance, "unlimited": balance is None}


@bp.get("/credits")
def get_credits() -> Response:
    """The credit balance (null: unlimited, the default)."""
    return json_response(credits_view(current_platform().store.ai_credits()))


class CreditsBody(Body):
    balance: Annotated[
        Annotated[int, Meta(ge=0, le=MAX_CREDITS)] | None,
        Meta(description="a whole number of credits (0: every message gets 429), or null for unlimited"),
    ]


@bp.put("/credits")
def put_credits() -> Response:
    """Set the balance: {"balance": N} (each message takes one; at 0 messages get 429) or null."""
    balance = read(json_body(), CreditsBody).balance
    current_platform().store.set_ai_credits(balance)
    return json_response(credits_view(balance))
