"""The code + PKCE login as `nextflow auth login` drives it, and what the tokens contain."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import urlencode

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import KeySet

from client.flow import login
from tests.oidc_flows import (
    authorization_code,
    authorize,
    endpoint,
    login_tokens,
    redirect_params,
    userinfo,
)


class FollowRedirects:
    """A 'browser' without a page: follows the authorize redirect to the loopback listener."""

    def __init__(self) -> None:
        self.authorize_urls: list[str] = []

    def __call__(self, url: str) -> None:
        self.authorize_urls.append(url)
        response = requests.get(url, allow_redirects=False, timeout=10)
        assert response.status_code in (302, 303), response.text
        requests.get(response.headers["Location"], timeout=10)


def verify(token: str, issuer: str) -> dict:
    keys = KeySet.import_key_set(requests.get(endpoint(issuer, "jwks"), timeout=10).json())
    return jwt.decode(token, keys, algorithms=["RS256"]).claims


def test_full_login_as_lib_platform_oidc_drives_it(live_platform):
    browser = FollowRedirects()
    tokens = login(live_platform.issuer, "nextflow_cli", browser, extra_params={"login_hint": "alice"})
    (url,) = browser.authorize_urls
    assert url.startswith(f"{live_platform.issuer}/oauth/authorize?client_id=nextflow_cli&response_type=code")
    assert "&scope=openid+profile+email+offline_access&redirect_uri=http%3A%2F%2F127.0.0.1%3A" in url
    assert tokens["token_type"] == "Bearer"
    assert tokens["access_token"].count(".") == 2  # Nextflow sends Bearer only for JWT-shaped tokens
    assert tokens["expires_in"] == 3600
    assert tokens["scope"] == "openid profile email offline_access"
    assert tokens["refresh_token"] and tokens["id_token"]


def test_tokens_verify_against_the_published_jwks(live_platform):
    issuer = live_platform.issuer
    tokens = login_tokens(issuer, nonce="n-0S6_WzA2Mj")
    id_token = verify(tokens["id_token"], issuer)
    access = verify(tokens["access_token"], issuer)
    assert id_token["iss"] == issuer and access["iss"] == issuer
    assert id_token["aud"] == "nextflow_cli" and id_token["azp"] == "nextflow_cli"
    assert id_token["sub"] == access["sub"] == "1001"
    assert id_token["nonce"] == "n-0S6_WzA2Mj"
    assert id_token["exp"] > id_token["iat"] and isinstance(id_token["auth_time"], int)
    digest = hashlib.sha256(tokens["access_token"].encode()).digest()
    assert id_token["at_hash"] == base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()
    assert access["client_id"] == "nextflow_cli" and access["aud"] == "nextflow_cli"
    assert access["scope"] == "openid profile email offline_access" and access["jti"]
    header = jwt.decode(
        tokens["id_token"], KeySet.import_key_set(requests.get(endpoint(issuer, "jwks"), timeout=10).json())
    ).header
    assert header["alg"] == "RS256" and header["kid"]


def test_userinfo_matches_the_id_token(live_platform):
    issuer = live_platform.issuer
    tokens = login_tokens(issuer, login_hint="bob@example.com")
    response = userinfo(issuer, tokens["access_token"])
    assert response.status_code == 200
    claims = response.json()
    assert claims["sub"] == verify(tokens["id_token"], issuer)["sub"] == "1002"
    assert claims["email"] == "bob@example.com" and claims["email_verified"] is True
    assert claims["preferred_username"] == "bob"


def test_userinfo_claims_follow_the_scope(live_platform):
    tokens = login_tokens(live_platform.issuer, scope="openid email")
    claims = userinfo(live_platform.issuer, tokens["access_token"]).json()
    assert set(claims) == {"sub", "email", "email_verified"}
    assert "refresh_token" not in tokens  # no offline_access, no refresh token


def test_state_is_echoed_byte_for_byte(live_platform):
    state = "A-z_0.9~" * 14 + "+/= é"
    response = authorize(live_platform.issuer, state=state)
    assert redirect_params(response)["state"] == state


def test_unknown_parameters_such_as_audience_are_ignored(live_platform):
    tokens = login_tokens(
        live_platform.issuer,
        client_id="seqera_ai_cli",
        audience="platform",
        redirect_uri="http://127.0.0.1:53682/callback",
        extra="foobar",
    )
    assert tokens["refresh_token"]


def test_codes_are_long_unreserved_and_single_line(live_platform):
    code = authorization_code(live_platform.issuer).code
    assert len(code) >= 43
    assert set(code) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


@pytest.mark.parametrize("user", ["alice", "ALICE", "alice@example.com"])
def test_login_hint_accepts_user_name_or_email(live_platform, user):
    tokens = login_tokens(live_platform.issuer, login_hint=user)
    assert userinfo(live_platform.issuer, tokens["access_token"]).json()["sub"] == "1001"


def test_userinfo_by_post_header_and_post_body(live_platform):
    issuer = live_platform.issuer
    token = login_tokens(issuer)["access_token"]
    by_header = requests.post(
        endpoint(issuer, "userinfo"), headers={"Authorization": f"bearer {token}"}, timeout=10
    )
    by_body = requests.post(
        endpoint(issuer, "userinfo"),
        data=urlencode({"access_token": token}),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert by_header.status_code == by_body.status_code == 200
    assert by_header.json() == by_body.json()


def test_userinfo_rejects_missing_and_bad_tokens(live_platform):
    issuer = live_platform.issuer
    missing = requests.get(endpoint(issuer, "userinfo"), timeout=10)
    assert missing.status_code == 401
    assert (
        missing.headers["WWW-Authenticate"].startswith("Bearer")
        and "error=" not in missing.headers["WWW-Authenticate"]
    )
    tokens = login_tokens(issuer)
    for bad in ("garbage", tokens["access_token"][:-4] + "AAAA", tokens["id_token"], tokens["refresh_token"]):
        response = userinfo(issuer, bad)
        assert response.status_code == 401, bad
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    in_query = requests.get(
        endpoint(issuer, "userinfo") + "?access_token=" + tokens["access_token"], timeout=10
    )
    assert in_query.status_code == 401
