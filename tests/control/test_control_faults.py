"""POST /_mock/faults: the next calls to an endpoint answer with an error, a body or a delay."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from mock_platform.testing import LoginFailed
from tests.oidc_flows import authorization_code, authorize, redeem, redirect_params

from .helpers import bearer_get, control

CLIENT_ENV_PREFIXES = ("NXF_", "TOWER_", "SEQERA_")


def run_nextflow_login(issuer: str, home: Path) -> subprocess.CompletedProcess[str]:
    """`platform-auth nextflow login --no-browser` as a user runs it; this test plays the browser."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(CLIENT_ENV_PREFIXES)}
    env["HOME"] = str(home)
    command = [sys.executable, "-m", "client", "nextflow", "login", "-u", issuer, "--no-browser"]
    command += ["--login-hint", "alice", "--timeout", "20"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=home
    ) as cli:
        assert cli.stdout is not None
        for line in cli.stdout:
            if line.startswith("http"):
                requests.get(line.strip(), timeout=20)  # authorize, then the redirect to the CLI's callback
                break
        stdout, stderr = cli.communicate(timeout=30)
    return subprocess.CompletedProcess(command, cli.returncode, stdout, stderr)


@pytest.mark.parametrize(
    ("fault", "printed"),
    [
        (
            {"status": 503, "body": {"message": "down for maintenance"}},
            'Error: Token exchange failed (HTTP 503): {"message": "down for maintenance"}',
        ),
        (
            {"error": "invalid_grant", "error_description": "the code was revoked"},
            'Error: Token exchange failed (HTTP 400): {"error": "invalid_grant", "error_description": "the code was revoked"}',
        ),
    ],
)
def test_a_token_endpoint_fault_makes_the_reference_client_print_the_error(
    mock_platform, tmp_path, fault, printed
):
    mock_platform.control.add_fault("token", **fault)

    result = run_nextflow_login(mock_platform.issuer, tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert printed in result.stderr
    assert not (tmp_path / ".nextflow" / "seqera-auth.config").exists()


def test_a_fault_answers_count_calls_then_the_endpoint_works_again(mock_platform):
    mock_platform.control.add_fault("jwks", status=503, count=2)
    jwks = f"{mock_platform.issuer}/.well-known/jwks.json"

    statuses = [requests.get(jwks, timeout=10).status_code for _ in range(3)]

    assert statuses == [503, 503, 200]
    assert mock_platform.control.faults() == []


def test_a_fraction_of_calls_fail_until_the_fault_is_deleted(mock_platform):
    fault = mock_platform.control.add_fault("discovery", status=500, fraction=0.5)
    discovery = f"{mock_platform.issuer}/.well-known/openid-configuration"

    failures = sum(requests.get(discovery, timeout=10).status_code == 500 for _ in range(100))

    assert 20 <= failures <= 80
    [listed] = mock_platform.control.faults()
    assert (listed["remaining"], listed["hits"]) == ("unlimited", failures)
    mock_platform.control.delete_fault(fault["id"])
    assert requests.get(discovery, timeout=10).status_code == 200


def test_a_delay_alone_slows_the_call_but_lets_it_through(mock_platform):
    mock_platform.control.add_fault("discovery", delay=0.4)

    started = time.monotonic()
    response = requests.get(f"{mock_platform.issuer}/.well-known/openid-configuration", timeout=10)

    assert response.status_code == 200 and time.monotonic() - started >= 0.4


def test_an_authorize_error_is_a_redirect_to_the_client_with_state(mock_platform):
    mock_platform.control.add_fault("authorize", error="login_required", error_description="session expired")

    response = authorize(mock_platform.issuer, state="the-state")

    assert redirect_params(response) == {
        "error": "login_required",
        "error_description": "session expired",
        "state": "the-state",
    }
    assert response.headers["Location"].startswith("http://127.0.0.1:41121/callback?")
    assert "code" in redirect_params(authorize(mock_platform.issuer))  # the next one succeeds


def test_an_authorize_fault_waits_for_a_valid_request_and_leaves_the_queue_alone(mock_platform):
    mock_platform.control.add_fault("authorize", error="access_denied")
    mock_platform.control.queue_identity("bob")

    unknown_client = authorize(mock_platform.issuer, client_id="nobody")
    denied = authorize(mock_platform.issuer)

    assert unknown_client.status_code == 400  # never redirected to an unvalidated URI
    assert redirect_params(denied)["error"] == "access_denied"
    assert [entry["user"] for entry in mock_platform.control.identities()] == ["bob"]


def test_an_authorize_status_fault_answers_without_a_redirect(mock_platform, oidc_login):
    mock_platform.control.add_fault(
        "authorize", status=502, body="<html>Bad gateway</html>", content_type="text/html"
    )

    with pytest.raises(LoginFailed, match="HTTP 502") as failure:
        oidc_login()

    assert failure.value.response.text == "<html>Bad gateway</html>"
    assert failure.value.response.headers["Content-Type"] == "text/html"


def test_userinfo_and_rest_faults_answer_as_rfc6750_bearer_errors(mock_platform, oidc_login):
    token = oidc_login()["access_token"]
    mock_platform.control.add_fault("userinfo", error="insufficient_scope")
    mock_platform.control.add_fault("user-info", error="invalid_token", error_description="token revoked")

    userinfo = bearer_get(mock_platform, "/userinfo", token)
    user_info = bearer_get(mock_platform, "/user-info", token)

    assert userinfo.status_code == 403
    assert userinfo.headers["WWW-Authenticate"] == 'Bearer realm="mock-platform", error="insufficient_scope"'
    assert user_info.status_code == 401
    assert user_info.json() == {"error": "invalid_token", "error_description": "token revoked"}
    assert 'error_description="token revoked"' in user_info.headers["WWW-Authenticate"]
    assert bearer_get(mock_platform, "/user-info", token).status_code == 200


def test_a_path_pattern_and_method_select_the_calls(mock_platform, oidc_login):
    token = oidc_login()["access_token"]
    mock_platform.control.add_fault(
        "/tokens*", method="DELETE", status=500, headers={"Retry-After": "3"}, count=5
    )

    listed = bearer_get(mock_platform, "/tokens", token)
    deleted = requests.delete(
        f"{mock_platform.issuer}/tokens/7", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )

    assert listed.status_code == 200
    assert deleted.status_code == 500 and deleted.headers["Retry-After"] == "3"
    assert "fault" in deleted.json()["message"]


@pytest.mark.settings(api_path="")
def test_paths_are_relative_to_the_api_root_in_the_cloud_shape_too(mock_platform, oidc_login):
    token = oidc_login()["access_token"]
    mock_platform.control.add_fault("/user-info", status=500)
    mock_platform.control.add_fault("revoke", error="unsupported_token_type")

    revoked = requests.post(
        f"{mock_platform.issuer}/oauth/revoke", data={"token": token, "client_id": "nextflow_cli"}, timeout=10
    )

    assert bearer_get(mock_platform, "/user-info", token).status_code == 500
    assert (revoked.status_code, revoked.json()["error"]) == (400, "unsupported_token_type")


def test_a_malformed_success_can_be_injected(mock_platform):
    mock_platform.control.add_fault("token", status=200, body={"token_type": "Bearer"})

    response = redeem(authorization_code(mock_platform.issuer))

    assert response.status_code == 200 and response.json() == {"token_type": "Bearer"}


def test_faults_are_listed_and_cleared(mock_platform):
    mock_platform.control.add_fault("token", error="invalid_client", count=2)
    mock_platform.control.add_fault("/user-info", status=500, count="unlimited")

    listed = mock_platform.control.faults()

    assert [(f["endpoint"], f["remaining"]) for f in listed] == [("token", 2), ("/user-info", "unlimited")]
    mock_platform.control.clear_faults()
    assert mock_platform.control.faults() == []
    assert control(mock_platform, "DELETE", f"/faults/{listed[0]['id']}").status_code == 404


def test_an_invalid_client_fault_answers_401_with_a_challenge(mock_platform):
    mock_platform.control.add_fault("token", error="invalid_client")

    response = redeem(authorization_code(mock_platform.issuer))

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"status": 500}, "endpoint: required, an OIDC endpoint name or a path"),
        (
            {"endpoint": "tokn", "status": 500},
            'endpoint: "tokn" is neither an OIDC endpoint (authorize, token,',
        ),
        (
            {"endpoint": "/no/such/path", "status": 500},
            "endpoint: no route answers any method /api/no/such/path",
        ),
        ({"endpoint": "/_mock/reset", "status": 500}, "faults cannot be injected into the control API"),
        (
            {"endpoint": "token", "error": "access_denied"},
            'error: "access_denied" is not an error code of the token endpoint (RFC 6749 §5.2: invalid_request,',
        ),
        (
            {"endpoint": "authorize", "error": "invalid_grant"},
            "(RFC 6749 §4.1.2.1 and OpenID Connect Core §3.1.2.6:",
        ),
        (
            {"endpoint": "userinfo", "error": "invalid_grant"},
            "(RFC 6750 §3.1: invalid_request, invalid_token, insufficient_scope)",
        ),
        ({"endpoint": "/user-info", "error": "server_error"}, "(RFC 6750 §3.1:"),
        (
            {"endpoint": "jwks", "error": "invalid_request"},
            "error: the jwks endpoint has no OAuth error response",
        ),
        (
            {"endpoint": "token", "error": "invalid_grant", "error_description": 'say "hi"'},
            "error_description: must be 1-500 printable ASCII characters without '\"' or '\\' (RFC 6749 §5.2), got",
        ),
        ({"endpoint": "token", "error_description": "why"}, "error_description: needs error"),
        ({"endpoint": "token", "status": 302}, "status: must be 400-599 (or 200-299 together with a body"),
        ({"endpoint": "token", "status": 200}, "status: must be 400-599"),
        ({"endpoint": "token", "status": 600}, "status: must be a whole number from 100 to 599, got 600"),
        ({"endpoint": "token", "body": {"a": 1}}, "status: required with body"),
        (
            {"endpoint": "token", "error": "invalid_grant", "body": {}},
            "body: give either error (and error_description) or body",
        ),
        (
            {"endpoint": "authorize", "error": "access_denied", "status": 400},
            "status: an authorize error is a redirect",
        ),
        ({"endpoint": "token", "delay": 31}, "delay: must be more than 0 and at most 30 seconds, got 31"),
        ({"endpoint": "token", "delay": "1h"}, "delay: must be more than 0 and at most 30 seconds, got 3600"),
        (
            {"endpoint": "token", "status": 500, "count": 0},
            'count: must be a whole number from 1 to 1000000 or "unlimited", got 0',
        ),
        (
            {"endpoint": "token", "status": 500, "fraction": 1.5},
            "fraction: must be a number (more than 0 and at most 1), got 1.5",
        ),
        ({"endpoint": "token", "status": 500, "method": "FETCH"}, "method: must be one of GET, POST, PUT"),
        (
            {"endpoint": "token", "status": 500, "headers": {"X-A": "1\r\nX-B: 2"}},
            'headers: "X-A" must be a header name',
        ),
        ({"endpoint": "token", "delay": 1, "headers": {"X-A": "1"}}, "headers: only with status or error"),
        ({"endpoint": "token"}, "give at least one of status, error, body or delay"),
        (
            {"endpoint": "token", "stauts": 500},
            "unknown field 'stauts' (did you mean 'status'?); known fields: body, content_type, count,",
        ),
    ],
)
def test_bad_faults_are_refused_with_a_message_naming_the_field(mock_platform, body, message):
    response = control(mock_platform, "POST", "/faults", body)

    assert response.status_code == 400
    assert message in response.json()["message"]
    assert mock_platform.control.faults() == []
