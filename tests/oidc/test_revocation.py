"""RFC 7009 revocation for public clients, and RP-initiated logout."""

from __future__ import annotations

import requests

from tests.oidc_flows import authorize, endpoint, login_tokens, password_sign_in, refresh, userinfo

from .test_token_endpoint import assert_oauth_error


def revoke(issuer: str, token: str, hint: str | None = "refresh_token", client_id: str = "nextflow_cli"):
    fields = {"token": token, "client_id": client_id}
    if hint:
        fields["token_type_hint"] = hint
    return requests.post(endpoint(issuer, "revoke"), data=fields, timeout=10)


def test_revoking_the_refresh_token_ends_the_grant(live_platform):
    issuer = live_platform.issuer
    tokens = login_tokens(issuer)
    assert revoke(issuer, tokens["refresh_token"]).status_code == 200
    assert_oauth_error(refresh(issuer, tokens["refresh_token"]), "invalid_grant")
    assert userinfo(issuer, tokens["access_token"]).status_code == 401


def test_revoking_an_access_token_keeps_the_refresh_token(live_platform):
    issuer = live_platform.issuer
    tokens = login_tokens(issuer)
    assert revoke(issuer, tokens["access_token"], hint="bogus").status_code == 200
    assert userinfo(issuer, tokens["access_token"]).status_code == 401
    assert refresh(issuer, tokens["refresh_token"]).status_code == 200


def test_another_client_cannot_revoke(live_platform):
    issuer = live_platform.issuer
    tokens = login_tokens(issuer)
    assert revoke(issuer, tokens["refresh_token"], client_id="seqera_ai_cli").status_code == 400
    assert refresh(issuer, tokens["refresh_token"]).status_code == 200


def test_revocation_needs_post(live_platform):
    response = requests.get(
        endpoint(live_platform.issuer, "revoke") + "?token=x&client_id=nextflow_cli", timeout=10
    )
    assert response.status_code == 405


def test_logout_without_a_hint_asks_first_and_never_redirects(live_platform):
    """RP-Initiated Logout §6: without an id_token_hint anybody could end the session, so the user confirms."""
    browser = requests.Session()
    assert password_sign_in(live_platform.issuer, browser).status_code == 303  # alice signs in
    params = {"post_logout_redirect_uri": "http://attacker.example/", "client_id": "nextflow_cli"}
    logout = endpoint(live_platform.issuer, "logout")

    asked = browser.get(logout, params=params, allow_redirects=False, timeout=10)
    assert asked.status_code == 200 and "Sign out of Seqera Platform?" in asked.text
    assert authorize(live_platform.issuer, browser, login_hint=None).status_code == 302  # still signed in

    cross_site = browser.post(
        logout, data={**params, "action": "sign-out"}, headers={"Sec-Fetch-Site": "cross-site"}, timeout=10
    )
    assert cross_site.status_code == 403

    confirmed = browser.post(logout, data={**params, "action": "sign-out"}, allow_redirects=False, timeout=10)
    assert confirmed.status_code == 200 and "signed out" in confirmed.text
    assert "Location" not in confirmed.headers
    assert authorize(live_platform.issuer, browser, login_hint=None).status_code == 200  # the login page


def test_logout_with_a_bad_id_token_hint_is_an_error_page(live_platform):
    response = requests.get(
        endpoint(live_platform.issuer, "logout"),
        params={"id_token_hint": "x.y.z"},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 400 and "Location" not in response.headers


def test_logout_refuses_an_access_token_as_the_id_token_hint(live_platform):
    """Both are signed by the same key; only the token type tells an access token from an id_token."""
    access_token = login_tokens(live_platform.issuer)["access_token"]
    response = requests.get(
        endpoint(live_platform.issuer, "logout"),
        params={"id_token_hint": access_token, "post_logout_redirect_uri": "http://127.0.0.1:5000/bye"},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 400 and "Location" not in response.headers
    assert "id_token_hint is an access token" in response.text


def test_logout_with_id_token_hint_returns_to_a_registered_uri_with_state(tmp_path):
    from mock_platform.testing import run_server

    config = tmp_path / "mock.yml"
    config.write_text(
        "clients:\n  - client-id: web_app\n    redirect-uris: ['http://127.0.0.1/cb']\n"
        "    post-logout-redirect-uris: ['http://127.0.0.1:9000/bye']\n"
    )
    with run_server(tmp_path / "data", config=config) as server:
        tokens = login_tokens(server.issuer, client_id="web_app", redirect_uri="http://127.0.0.1:9000/cb")
        params = {
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": "http://127.0.0.1:9000/bye",
            "state": "s 1",
        }
        response = requests.get(
            endpoint(server.issuer, "logout"), params=params, allow_redirects=False, timeout=10
        )
        assert response.status_code == 302
        assert response.headers["Location"] == "http://127.0.0.1:9000/bye?state=s+1"
        params["post_logout_redirect_uri"] = "http://127.0.0.1:9000/elsewhere"
        other = requests.get(
            endpoint(server.issuer, "logout"), params=params, allow_redirects=False, timeout=10
        )
        assert other.status_code == 200 and "Location" not in other.headers
