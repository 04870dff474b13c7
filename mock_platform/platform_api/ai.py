"""The Co-Scientist backend endpoints the Seqera CLI calls (`SEQERA_AI_BACKEND_URL`), under `ai_path`.

The CLI sends the OIDC access token it got as `seqera_ai_cli` (or a PAT from SEQERA_ACCESS_TOKEN);
the real backend "validates Platform tokens", so the Platform API's credential check is used here too.
Only the organizations shape is known (seqera-contract.md §6.2); the other bodies are the mock's own.
"""

from __future__ import annotations

from flask import Blueprint, Response

from ..http import NO_STORE, json_response
from ..live import current_platform
from .auth import Caller, authenticated
from .service import SERVICE_INFO

bp = Blueprint("co_scientist", __name__)


@bp.get("/")
def health() -> Response:
    return json_response({"status": "ok"}, headers=NO_STORE)  # also served outside the blueprint


@bp.get("/v1/cli/organizations")
@authenticated
def organizations(caller: Caller) -> Response:
    orgs = current_platform().directory.organizations_of(caller.user.id)
    return json_response(
        {
            "organizations": [
                {"org_id": org.org_id, "org_name": org.name, "org_type": org.type} for org in orgs
            ]
        }
    )


@bp.get("/v1/cli/user-info")
@authenticated
def user_info(caller: Caller) -> Response:
    user = caller.user
    return json_response(
        {
            "user_id": user.id,
            "user_name": user.user_name,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
        }
    )


@bp.get("/v1/cli/service-info")
def service_info() -> Response:
    settings = current_platform().settings
    return json_response(
        {
            "service": "co-scientist-mock",
            "version": SERVICE_INFO["version"],
            "platform_api_url": settings.issuer,
        }
    )
