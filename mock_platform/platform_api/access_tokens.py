"""Personal access tokens: `POST|GET /tokens`, `DELETE /tokens/{id}`, `DELETE /tokens/delete-all`.

Platform answers `POST /tokens` with 200 (Nextflow rejects any other status) and a duplicate name
of the same user with 409 "Duplicated element". Nextflow names its PATs to the minute
(`nextflow-auth-<user>-<yyyy-MM-dd-HH-mm>`), so two logins in one minute collide.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from .. import pats
from ..http import json_response, no_content
from ..live import current_platform
from ..store import DuplicateName, PatRecord
from .auth import Caller, authenticated
from .pat_rules import pat_rules
from .responses import ApiError, iso_date

bp = Blueprint("platform_tokens", __name__)


def token_view(record: PatRecord) -> dict[str, Any]:
    """Platform's `AccessToken`; `basicAuth` is deprecated there and always null here."""
    return {
        "id": record.id,
        "name": record.name,
        "basicAuth": None,
        "dateCreated": iso_date(record.date_created),
        "lastUsed": iso_date(record.last_used),
    }


@bp.post("/tokens")
@authenticated
def create_token(caller: Caller) -> Response:
    platform = current_platform()
    limit = platform.settings.token_name_max_length
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, 'the request body must be a JSON object such as {"name": "my-token"}')
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise ApiError(400, f'name is required: send {{"name": "<1 to {limit} characters>"}}')
    if len(name) > limit:
        raise ApiError(
            400,
            f"name is {len(name)} characters long; the limit is {limit} "
            "(setting token_name_max_length): choose a shorter name",
        )
    secret = pats.new_secret()
    try:
        record = platform.store.create_pat(caller.user.id, name, secret, platform.now())
    except DuplicateName:
        raise ApiError(409, "Duplicated element") from None
    rules = pat_rules()
    access_key = rules.spell(record.id, secret)
    return json_response({"accessKey": access_key, "token": token_view(record)}, rules.created_status)


@bp.get("/tokens")
@authenticated
def list_tokens(caller: Caller) -> Response:
    records = current_platform().store.list_pats(caller.user.id)
    return json_response({"tokens": [token_view(record) for record in records]})


@bp.delete("/tokens/delete-all")
@authenticated
def delete_all_tokens(caller: Caller) -> Response:
    platform = current_platform()
    platform.store.delete_pats(caller.user.id, platform.now())
    return no_content()


@bp.delete("/tokens/<int:token_id>")
@authenticated
def delete_token(caller: Caller, token_id: int) -> Response:
    platform = current_platform()
    # Another user's token gets the same answer as a missing one, so ids reveal nothing.
    if token_id > pats.MAX_ID or not platform.store.delete_pats(caller.user.id, platform.now(), token_id):
        raise ApiError(
            404,
            f"you have no personal access token with id {token_id} (deleted already?): "
            "list yours with GET /tokens",
        )
    return no_content()
