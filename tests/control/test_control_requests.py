"""GET /_mock/requests: what clients sent, field names kept and secrets masked."""

from __future__ import annotations

import base64
import json

import pytest
import requests

from tests.oidc_flows import authorize_params, refresh

from .helpers import bearer_get, control, create_pat

MASKED = "*** ("


def entries_for(mock_platform, path: str, method: str = "POST") -> list[dict]:
    return mock_platform.control.recent_requests(path=path, method=method)


def test_the_log_masks_verifiers_codes_refresh_tokens_passwords_and_pats(mock_platform, oidc_login):
    tokens = oidc_login()
    refreshed = refresh(mock_platform.issuer, tokens["refresh_token"]).json()
    with requests.Session() as browser:
        form = {
            **authorize_params(login_hint=None),
            "username": "alice",
            "password": "alice-password",
            "action": "login",
        }
        signed_in = browser.post(
            f"{mock_platform.issuer}/oauth/authorize", data=form, allow_redirects=False, timeout=10
        )
        browser.get(
            f"{mock_platform.issuer}/oauth/authorize",
            params=authorize_params(login_hint=None),
            timeout=10,
            allow_redirects=False,
        )
    pat = create_pat(mock_platform, refreshed["access_token"], "ci")
    bearer_get(mock_platform, "/user-info", pat)
    basic = base64.b64encode(f"@token:{refreshed['access_token']}".encode()).decode()
    requests.get(f"{mock_platform.issuer}/user-info", headers={"Authorization": f"Basic {basic}"}, timeout=10)

    log = mock_platform.control.recent_requests()
    text = json.dumps(log)
    for secret in (
        tokens["refresh_token"],
        tokens["access_token"],
        refreshed["refresh_token"],
        pat,
        "alice-password",
    ):
        assert secret not in text
    code_exchange, refresh_grant = entries_for(mock_platform, "/api/oauth/token")
    assert list(code_exchange["form"]) == ["grant_type", "client_id", "code", "code_verifier", "redirect_uri"]
    assert code_exchange["form"]["code_verifier"] == "*** (64 chars)"
    assert code_exchange["form"]["code"].startswith(MASKED)
    assert code_exchange["form"]["grant_type"] == "authorization_code"
    assert refresh_grant["form"]["refresh_token"].startswith(MASKED)
    [login_form] = entries_for(mock_platform, "/api/oauth/authorize")
    assert login_form["status"] == signed_in.status_code == 303
    assert login_form["form"]["username"] == "alice" and login_form["form"]["password"] == "*** (14 chars)"
    assert login_form["redirect"]["query"]["code"].startswith(MASKED)
    assert login_form["redirect"]["to"] == "http://127.0.0.1:41121/callback"
    assert "state" in login_form["redirect"]["query"] and not login_form["redirect"]["query"][
        "state"
    ].startswith(MASKED)
    session_use = entries_for(mock_platform, "/api/oauth/authorize", "GET")[-1]
    assert session_use["headers"]["Cookie"] == f"mock_platform_session_{mock_platform.port}=***"
    pat_use, basic_use = entries_for(mock_platform, "/api/user-info", "GET")
    tid = json.loads(base64.b64decode(pat).decode().split(".")[0])["tid"]
    assert pat_use["headers"]["Authorization"] == f"Bearer *** (personal access token, tid={tid})"
    assert (
        basic_use["headers"]["Authorization"]
        == f"Basic @token:*** (JWT, {len(refreshed['access_token'])} chars)"
    )
    [pat_creation] = entries_for(mock_platform, "/api/tokens")
    assert pat_creation["json"] == {"name": "ci"}
    assert pat_creation["headers"]["Authorization"].startswith("Bearer *** (JWT, ")


def test_a_client_secret_in_basic_auth_is_masked_but_the_client_id_shown(mock_platform, oidc_login):
    mock_platform.control.register_client(
        {
            "client-id": "web_app",
            "token-endpoint-auth-method": "client_secret_basic",
            "client-secret": "s3cret-s3cret",
            "allowed-flows": ["authorization_code"],
            "redirect-uris": ["https://app.example/callback"],
        }
    )
    oidc_login("web_app")

    [exchange] = entries_for(mock_platform, "/api/oauth/token")
    assert exchange["headers"]["Authorization"] == "Basic web_app:*** (13 chars)"


def test_a_token_sent_as_the_basic_user_name_is_masked(mock_platform, oidc_login):
    access_token = oidc_login()["access_token"]
    pat = create_pat(mock_platform, access_token, "as-user")

    requests.get(f"{mock_platform.issuer}/user-info", auth=(pat, ""), timeout=10)

    [call] = entries_for(mock_platform, "/api/user-info", method="GET")
    assert pat not in str(call)
    assert call["headers"]["Authorization"].startswith("Basic *** (personal access token, tid=")


def test_control_calls_and_health_checks_are_not_logged_and_faults_are_marked(mock_platform):
    requests.get(f"{mock_platform.base_url}/healthz", timeout=10)
    fault = mock_platform.control.add_fault("jwks", status=503)
    requests.get(f"{mock_platform.issuer}/.well-known/jwks.json", timeout=10)
    requests.get(f"{mock_platform.issuer}/.well-known/jwks.json", timeout=10)
    mock_platform.control.users()

    log = mock_platform.control.recent_requests()

    assert [(entry["path"], entry["endpoint"], entry["status"], entry.get("fault")) for entry in log] == [
        ("/api/.well-known/jwks.json", "oidc.jwks", 503, fault["id"]),
        ("/api/.well-known/jwks.json", "oidc.jwks", 200, None),
    ]


def test_the_log_can_be_filtered_limited_and_cleared(mock_platform):
    for path in ("/.well-known/jwks.json", "/.well-known/openid-configuration", "/.well-known/jwks.json"):
        requests.get(f"{mock_platform.issuer}{path}", params={"probe": path}, timeout=10)

    assert len(mock_platform.control.recent_requests(path="*/jwks.json")) == 2
    [last] = mock_platform.control.recent_requests(limit=1)
    assert last["query"] == {"probe": "/.well-known/jwks.json"}
    assert mock_platform.control.recent_requests(method="POST") == []
    mock_platform.control.clear_requests()
    assert mock_platform.control.recent_requests() == []
    assert (
        control(mock_platform, "GET", "/requests?limit=0")
        .json()["message"]
        .startswith("limit: must be a whole number from 1 to 200")
    )
    assert (
        "query: unknown field 'pth' (did you mean 'path'?)"
        in control(mock_platform, "GET", "/requests?pth=x").json()["message"]
    )


@pytest.mark.settings(request_log_size=0)
def test_with_the_log_off_the_endpoint_says_how_to_turn_it_on(mock_platform):
    requests.get(f"{mock_platform.issuer}/.well-known/jwks.json", timeout=10)

    response = control(mock_platform, "GET", "/requests")

    assert response.status_code == 409
    assert "MOCK_PLATFORM_REQUEST_LOG_SIZE" in response.json()["message"]
