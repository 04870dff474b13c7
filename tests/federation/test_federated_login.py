"""A federated login over HTTP: the platform is a relying party of its upstream, and issues its own tokens."""

from __future__ import annotations

import requests
from joserfc import jwt
from joserfc.jwk import KeySet

from mock_platform.testing import UPSTREAM_CLIENT_ID

from ..oidc_flows import TIMEOUT, endpoint, userinfo
from .flows import HttpLogin, upstream_location


def test_authorize_goes_to_the_upstream_with_pkce_nonce_and_the_login_hint(federation):
    platform, upstream = federation.platform, federation.upstream
    response = HttpLogin(platform, login_hint="bob").authorize()
    assert response.status_code == 302
    assert response.headers["Location"].startswith(endpoint(upstream.issuer, "authorize") + "?")
    query = upstream_location(response)
    assert query.pop("state") and query.pop("nonce") and query.pop("code_challenge")
    assert query == {
        "response_type": "code",
        "client_id": UPSTREAM_CLIENT_ID,
        "redirect_uri": f"{platform.base_url}/oauth/callback/oidc",
        "scope": "openid email profile",
        "login_hint": "bob",
        "code_challenge_method": "S256",
    }


def test_the_login_ends_with_the_platforms_own_tokens(federation):
    platform, upstream = federation.platform, federation.upstream
    login = HttpLogin(platform, login_hint="bob")
    tokens = login.tokens(login.run())
    keys = KeySet.import_key_set(requests.get(endpoint(platform.issuer, "jwks"), timeout=TIMEOUT).json())
    id_token = jwt.decode(tokens["id_token"], keys)
    assert id_token.claims["iss"] == platform.issuer
    assert id_token.claims["aud"] == "nextflow_cli"
    assert id_token.claims["email"] == "bob@example.com"
    assert userinfo(platform.issuer, tokens["access_token"]).json()["email"] == "bob@example.com"
    assert userinfo(upstream.issuer, tokens["access_token"]).status_code == 401  # not the upstream's token
    [exchange] = upstream.control.recent_requests(path="/api/oauth/token")
    assert exchange["form"]["code_verifier"].startswith("***")  # the platform redeemed its code with PKCE
    assert exchange["headers"]["Authorization"].startswith("Basic ")  # and its client secret


def test_the_session_then_signs_in_without_the_upstream(federation):
    login = HttpLogin(federation.platform, login_hint="bob")
    login.tokens(login.run())
    federation.upstream.control.clear_requests()
    again = login.run()
    assert again.status_code == 302 and login.tokens(again)
    assert federation.upstream.control.recent_requests() == []


def test_the_upstream_jwks_is_kept_and_fetched_again_after_a_key_rotation(start_federation):
    federation = start_federation(local_login=False)

    def log_in_and_count_jwks_fetches() -> int:
        login = HttpLogin(federation.platform, login_hint="bob")
        assert login.tokens(login.run())
        return len(federation.upstream.control.recent_requests(path="/api/.well-known/jwks.json"))

    assert log_in_and_count_jwks_fetches() == 1
    assert log_in_and_count_jwks_fetches() == 1
    federation.upstream.control.rotate_keys()  # a kid the kept JWKS lacks: fetched again
    assert log_in_and_count_jwks_fetches() == 2


def test_prompt_none_without_a_session_answers_login_required_without_the_upstream(federation):
    response = HttpLogin(federation.platform).authorize(prompt="none")
    assert response.headers["Location"].startswith("http://127.0.0.1:41121/callback?error=login_required")


def test_the_password_form_signs_nobody_in_with_local_login_off(federation):
    login = HttpLogin(federation.platform, login_hint=None)
    response = login.http.post(
        endpoint(federation.platform.issuer, "authorize"),
        data={
            **login.pkce.authorize_query(),
            "username": "alice",
            "password": "alice-password",
            "action": "login",
        },
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert response.status_code == 303
    assert response.headers["Location"].startswith(endpoint(federation.upstream.issuer, "authorize"))


def test_with_local_login_on_login_hint_still_signs_in_locally(start_federation):
    federation = start_federation()
    login = HttpLogin(federation.platform, login_hint="alice")
    response = login.authorize()
    assert response.headers["Location"].startswith("http://127.0.0.1:41121/callback?code=")
    assert federation.upstream.control.recent_requests(path="/api/oauth/*") == []


def test_the_sign_in_page_button_goes_to_the_upstream(start_federation):
    federation = start_federation()
    login = HttpLogin(federation.platform, login_hint=None)
    page = login.authorize()
    assert page.status_code == 200
    assert '<button type="submit" name="action" value="external"' in page.text
    assert "Sign in with OpenID Connect" in page.text
    chosen = login.http.post(
        endpoint(federation.platform.issuer, "authorize"),
        data={**login.pkce.authorize_query(), "action": "external"},
        headers={"Origin": federation.platform.base_url},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert chosen.status_code == 303
    assert chosen.headers["Location"].startswith(endpoint(federation.upstream.issuer, "authorize"))
    assert "login_hint" not in upstream_location(chosen)


def test_the_cloud_shape_serves_the_callback_beside_its_own_oauth_paths(start_federation):
    federation = start_federation(local_login=False, api_path="")
    assert federation.platform.issuer == federation.platform.base_url
    login = HttpLogin(federation.platform, login_hint="bob")
    assert login.tokens(login.run())
