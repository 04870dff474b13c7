"""`POST /oauth/access_token`: Platform's web-session refresh, which Nextflow calls at run time.

On a 401 with a refresh token configured, Nextflow's HTTP client posts
`grant_type=refresh_token&refresh_token=...` (form, no client_id) and takes the new access token
from the `JWT` cookie (and the refresh token from `JWT_REFRESH_TOKEN`), or from the JSON body
(seqera-contract.md §5.1). The refresh token rotates exactly as at the OIDC token endpoint.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from ..http import json_response
from ..live import current_platform
from ..tokens import GrantRejected, refresh_public_client_tokens
from .responses import ApiError

bp = Blueprint("platform_web_session", __name__)

SIGN_IN_AGAIN = "sign in again to get a new one"


@bp.post("/oauth/access_token")
def access_token() -> Response:
    platform = current_platform()
    if request.mimetype != "application/x-www-form-urlencoded":
        raise ApiError(400, "send a form-encoded body (application/x-www-form-urlencoded)")
    if request.form.get("grant_type") != "refresh_token":
        raise ApiError(400, "grant_type must be refresh_token (the only grant this endpoint serves)")
    refresh_token = request.form.get("refresh_token")
    if not refresh_token:
        raise ApiError(400, "refresh_token is required: send refresh_token=<your refresh token>")
    try:
        token = refresh_public_client_tokens(platform, refresh_token)
    except GrantRejected as error:
        raise ApiError(401, f"{error}: {SIGN_IN_AGAIN}") from None
    if token is None:
        raise ApiError(401, f"the refresh token is unknown or expired: {SIGN_IN_AGAIN}")
    response = json_response(
        {"access_token": token["access_token"], "refresh_token": token["refresh_token"]},
        headers={"Pragma": "no-cache"},
    )
    cookies = {
        "JWT": (token["access_token"], token["expires_in"]),
        "JWT_REFRESH_TOKEN": (token["refresh_token"], platform.settings.refresh_token_lifetime),
    }
    secure = platform.settings.public_base_url.startswith("https://")
    path = platform.settings.cookie_path
    for name, (value, lifetime) in cookies.items():
        response.set_cookie(
            name, value, max_age=lifetime, path=path, secure=secure, httponly=True, samesite="Lax"
        )
    return response
