"""Refresh: rotation on every use, reuse revokes the family, scope may narrow but never widen."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests
from joserfc import jwt
from joserfc.jwk import KeySet

from mock_platform.testing import run_server
from tests.oidc_flows import endpoint, login_tokens, refresh, userinfo

from .test_token_endpoint import assert_oauth_error


def test_refresh_rotates_and_returns_a_fresh_id_token(live_platform):
    issuer = live_platform.issuer
    tokens = login_tokens(issuer)
    response = refresh(issuer, tokens["refresh_token"])
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    fresh = response.json()
    assert fresh["refresh_token"] != tokens["refresh_token"]
    assert fresh["access_token"] != tokens["access_token"]
    assert fresh["token_type"] == "Bearer" and fresh["expires_in"] > 0
    keys = KeySet.import_key_set(requests.get(endpoint(issuer, "jwks"), timeout=10).json())
    old_claims = jwt.decode(tokens["id_token"], keys).claims
    new_claims = jwt.decode(fresh["id_token"], keys).claims
    for claim in ("iss", "sub", "aud", "auth_time"):
        assert new_claims[claim] == old_claims[claim]
    assert userinfo(issuer, fresh["access_token"]).status_code == 200


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(live_platform):
    issuer = live_platform.issuer
    tokens = login_tokens(issuer)
    fresh = refresh(issuer, tokens["refresh_token"]).json()
    assert_oauth_error(refresh(issuer, tokens["refresh_token"]), "invalid_grant")
    assert_oauth_error(refresh(issuer, fresh["refresh_token"]), "invalid_grant")
    assert userinfo(issuer, fresh["access_token"]).status_code == 401


def test_scope_can_narrow_but_not_widen(live_platform):
    issuer = live_platform.issuer
    tokens = login_tokens(issuer, scope="openid email offline_access")
    assert_oauth_error(refresh(issuer, tokens["refresh_token"], scope="openid profile"), "invalid_scope")
    narrowed = refresh(issuer, tokens["refresh_token"], scope="openid offline_access")
    assert narrowed.status_code == 200
    assert narrowed.json()["scope"] == "openid offline_access"


def test_refresh_token_is_bound_to_its_client(live_platform):
    issuer = live_platform.issuer
    tokens = login_tokens(issuer)
    assert_oauth_error(refresh(issuer, tokens["refresh_token"], client_id="seqera_ai_cli"), "invalid_grant")
    assert refresh(issuer, tokens["refresh_token"]).status_code == 200


def test_garbage_refresh_token(live_platform):
    response = refresh(live_platform.issuer, "garbage")
    assert_oauth_error(response, "invalid_grant")
    assert response.json()["error_description"] == "refresh token is unknown or expired: sign in again"


def test_seqera_cli_refresh_with_scope(live_platform):
    issuer = live_platform.issuer
    tokens = login_tokens(issuer, client_id="seqera_ai_cli", redirect_uri="http://127.0.0.1:53682/callback")
    response = refresh(
        issuer,
        tokens["refresh_token"],
        client_id="seqera_ai_cli",
        scope="openid profile email offline_access",
    )
    assert response.status_code == 200
    assert {"access_token", "refresh_token", "expires_in"} <= set(response.json())


def test_a_reuse_grace_lets_two_processes_refresh_at_once_and_still_ends_later():
    """Two Seqera CLI processes started together both refresh with the stored token."""
    with run_server(refresh_reuse_grace=10) as server:
        tokens = login_tokens(server.issuer)
        with ThreadPoolExecutor(max_workers=2) as pool:
            both = list(pool.map(lambda _: refresh(server.issuer, tokens["refresh_token"]), range(2)))
        assert [response.status_code for response in both] == [200, 200], [r.text for r in both]
        for response in both:
            assert userinfo(server.issuer, response.json()["access_token"]).status_code == 200

        server.control.advance_clock(11)
        assert_oauth_error(refresh(server.issuer, tokens["refresh_token"]), "invalid_grant")
        for response in both:  # a reuse after the grace is a replay: the whole login ends
            assert_oauth_error(refresh(server.issuer, response.json()["refresh_token"]), "invalid_grant")
