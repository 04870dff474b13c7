"""`POST /oauth/access_token`: Nextflow's run-time refresh, with cookies, rotation and reuse detection."""

from __future__ import annotations

import re

import pytest

from ..oidc_flows import refresh
from .conftest import advance_clock, bearer, login

JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def web_refresh(api, refresh_token: str):
    # As lib-httpx sends it: form, no client_id.
    return api.post(
        "/oauth/access_token", data={"grant_type": "refresh_token", "refresh_token": refresh_token}
    )


def test_refresh_sets_the_cookies_and_rotates(api, platform):
    tokens = login(platform)
    response = web_refresh(api, tokens["refresh_token"])
    assert response.status_code == 200
    access, rotated = response.cookies["JWT"], response.cookies["JWT_REFRESH_TOKEN"]
    assert JWT.match(access)
    assert response.json() == {"access_token": access, "refresh_token": rotated}
    assert rotated != tokens["refresh_token"]
    assert "no-store" in response.headers["Cache-Control"]
    assert api.get("/user-info", headers=bearer(access)).json()["user"]["userName"] == "alice"
    assert web_refresh(api, rotated).status_code == 200


def test_reusing_a_rotated_token_is_401_and_revokes_the_family(api, platform):
    tokens = login(platform)
    fresh = web_refresh(api, tokens["refresh_token"]).json()
    reused = web_refresh(api, tokens["refresh_token"])
    assert reused.status_code == 401
    assert "already used" in reused.json()["message"]
    assert web_refresh(api, fresh["refresh_token"]).status_code == 401
    assert api.get("/user-info", headers=bearer(fresh["access_token"])).status_code == 401


def test_rotation_is_shared_with_the_oidc_refresh_grant(api, platform):
    tokens = login(platform)
    via_oidc = refresh(platform.issuer, tokens["refresh_token"])
    assert via_oidc.status_code == 200
    via_web = web_refresh(api, via_oidc.json()["refresh_token"])
    assert via_web.status_code == 200
    stale = refresh(platform.issuer, via_oidc.json()["refresh_token"])
    assert (stale.status_code, stale.json()["error"]) == (400, "invalid_grant")
    assert web_refresh(api, via_web.json()["refresh_token"]).status_code == 401, "the family is revoked"


@pytest.mark.parametrize("token", ["garbage", "x" * 5000])
def test_unknown_refresh_token_is_401(api, token):
    response = web_refresh(api, token)
    assert response.status_code == 401
    assert "sign in again" in response.json()["message"]


def test_expired_refresh_token_is_401(start_platform, session_for):
    server = start_platform(refresh_token_lifetime=3600)
    api = session_for(server)
    tokens = login(server)
    advance_clock(server, 3601)
    assert web_refresh(api, tokens["refresh_token"]).status_code == 401


@pytest.mark.parametrize(
    ("data", "headers"),
    [
        ({"refresh_token": "x"}, FORM),
        ({"grant_type": "password", "refresh_token": "x"}, FORM),
        ({"grant_type": "refresh_token"}, FORM),
        ('{"grant_type": "refresh_token", "refresh_token": "x"}', {"Content-Type": "application/json"}),
    ],
    ids=["no-grant-type", "other-grant-type", "no-refresh-token", "json-body"],
)
def test_malformed_requests_are_400(api, data, headers):
    response = api.post("/oauth/access_token", data=data, headers=headers)
    assert response.status_code == 400


def test_get_is_405(api):
    assert api.get("/oauth/access_token").status_code == 405
