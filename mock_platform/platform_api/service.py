"""`GET /service-info` (no authentication) and this API's own OpenAPI document."""

from __future__ import annotations

import copy
import functools
import json
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response

from ..http import json_response
from ..live import current_platform

bp = Blueprint("platform_service", __name__)

# What the mock claims to be: a Platform release with the API version whose shapes it copies.
SERVICE_INFO = {
    "version": "26.1.0-mock",
    "apiVersion": "1.187.0",
    "commitId": "mock",
    "authTypes": ["oidc"],
    "loginPath": "/login",
    "heartbeatInterval": 60,
    "userWorkspaceEnabled": True,
    "allowInstanceCredentials": False,
    "allowLocalRepos": False,
    "waveEnabled": False,
    "seqeraCloud": False,
}


@bp.get("/service-info")
def service_info() -> Response:
    return json_response({"serviceInfo": SERVICE_INFO})


@functools.cache
def openapi_document() -> dict[str, Any]:
    return json.loads(resources.files(__package__).joinpath("openapi.json").read_text(encoding="utf-8"))


@bp.get("/openapi.json")
def openapi() -> Response:
    """The packaged document with this server's settings: the issuer, the URL of every server object
    marked `x-mock-server` (the Co-Scientist backend, the server root) and the token name limit."""
    settings = current_platform().settings
    document = copy.deepcopy(openapi_document())
    document["servers"] = [{"url": settings.issuer, "description": "Platform API root (the issuer)"}]
    request_schema = document["components"]["schemas"]["CreateAccessTokenRequest"]
    request_schema["properties"]["name"]["maxLength"] = settings.token_name_max_length
    base = urlsplit(settings.public_base_url)
    origin = f"{base.scheme}://{base.netloc}"  # the CLI's session list drops the base URL's path too
    urls = {"co-scientist": settings.public_base_url + settings.ai_path, "root": origin}
    for item in document["paths"].values():
        for holder in (item, *item.values()):
            for server in holder.get("servers", []) if isinstance(holder, dict) else ():
                server["url"] = urls[server["x-mock-server"]]
    return json_response(document, headers={"Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*"})
