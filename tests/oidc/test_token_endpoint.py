"""The token endpoint: single-use codes bound to client and redirect URI; RFC 6749 §5.2 errors."""

from __future__ import annotations

import base64

import requests

from tests.oidc_flows import FORM, authorization_code, endpoint, redeem, refresh, token_request, userinfo

ERROR_CHARSET = {chr(c) for c in (0x20, 0x21, *range(0x23, 0x5C), *range(0x5D, 0x7F))}


def assert_oauth_error(response: requests.Response, error: str, status: int = 400) -> None:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["error"] == error, body
    assert set(body.get("error_description", "")) <= ERROR_CHARSET


def test_code_replay_is_refused_and_revokes_the_tokens_it_gave(live_platform):
    auth = authorization_code(live_platform.issuer)
    first = redeem(auth)
    assert first.status_code == 200
    tokens = first.json()
    assert_oauth_error(redeem(auth), "invalid_grant")
    assert userinfo(live_platform.issuer, tokens["access_token"]).status_code == 401
    assert_oauth_error(refresh(live_platform.issuer, tokens["refresh_token"]), "invalid_grant")


def test_replay_with_a_wrong_verifier_does_not_revoke_anything(live_platform):
    auth = authorization_code(live_platform.issuer)
    tokens = redeem(auth).json()
    assert_oauth_error(redeem(auth, code_verifier="x" * 43), "invalid_grant")
    assert userinfo(live_platform.issuer, tokens["access_token"]).status_code == 200


def test_redirect_uri_must_match_the_authorize_request(live_platform):
    auth = authorization_code(live_platform.issuer, redirect_uri="http://127.0.0.1:41121/callback")
    assert_oauth_error(redeem(auth, redirect_uri="http://127.0.0.1:41122/callback"), "invalid_grant")
    assert_oauth_error(redeem(auth, redirect_uri=None), "invalid_grant")
    assert redeem(auth).status_code == 200


def test_code_is_bound_to_its_client(live_platform):
    auth = authorization_code(live_platform.issuer)
    assert_oauth_error(redeem(auth, client_id="seqera_ai_cli"), "invalid_grant")
    unknown = redeem(auth, client_id="no_such_client")
    assert unknown.status_code in (400, 401) and unknown.json()["error"] == "invalid_client"
    assert redeem(auth).status_code == 200


def test_a_public_client_cannot_use_a_secret(live_platform):
    auth = authorization_code(live_platform.issuer)
    assert_oauth_error(redeem(auth, client_secret="bogus"), "invalid_client", status=401)
    basic = requests.post(
        endpoint(live_platform.issuer, "token"),
        data=f"grant_type=authorization_code&code={auth.code}&code_verifier={auth.verifier}",
        headers={**FORM, "Authorization": "Basic " + base64.b64encode(b"nextflow_cli:").decode()},
        timeout=10,
    )
    assert_oauth_error(basic, "invalid_client", status=401)
    assert basic.headers["WWW-Authenticate"].startswith("Basic")


def test_a_grant_type_with_quotes_and_non_ascii_is_refused_with_a_clean_description(live_platform):
    """A grant_type holding characters that error_description may not carry gets a description without them."""
    response = token_request(live_platform.issuer, {"grant_type": 'foo\\"é', "client_id": "nextflow_cli"})
    assert_oauth_error(response, "unsupported_grant_type")


def test_bad_requests_are_400_json_never_500(live_platform):
    url = endpoint(live_platform.issuer, "token")
    as_json = requests.post(url, json={"grant_type": "authorization_code"}, timeout=10)
    assert_oauth_error(as_json, "invalid_request")
    duplicated = requests.post(
        url, data="grant_type=authorization_code&code=a&code=b", headers=FORM, timeout=10
    )
    assert_oauth_error(duplicated, "invalid_request")
    in_query = requests.post(url + "?grant_type=authorization_code", data="", headers=FORM, timeout=10)
    assert_oauth_error(in_query, "invalid_request")
    get = requests.get(url + "?grant_type=authorization_code", timeout=10)
    assert_oauth_error(get, "invalid_request", status=405)
    huge = requests.post(url, data="grant_type=" + "x" * 300_000, headers=FORM, timeout=10)
    assert huge.status_code == 413 and huge.json()["message"]


def test_error_responses_are_not_cacheable(live_platform):
    response = redeem(authorization_code(live_platform.issuer), code_verifier="y" * 43)
    assert "no-store" in response.headers["Cache-Control"]


def test_a_client_reaching_the_mock_under_another_host_name_is_served(live_platform):
    """A container reaching the mock as `platform:8080` sends that Host; URLs still come from settings."""
    auth = authorization_code(live_platform.issuer)
    response = requests.post(
        endpoint(live_platform.issuer, "token"),
        data={
            "grant_type": "authorization_code",
            "client_id": auth.client_id,
            "code": auth.code,
            "code_verifier": auth.verifier,
            "redirect_uri": auth.redirect_uri,
        },
        headers={"Host": "platform:8080"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    discovery = requests.get(
        endpoint(live_platform.issuer, "discovery"), headers={"Host": "platform:8080"}, timeout=10
    )
    assert discovery.json()["issuer"] == live_platform.issuer
