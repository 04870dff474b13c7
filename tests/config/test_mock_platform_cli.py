"""`mock-platform` for a new user: `--version`, `--json` for scripts, a busy port that says how to pick
another for both ways of starting, a banner that names the switches that matter, and the opt-in access log."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from mock_platform.cli import main
from tests.serve_process import MOCK_PLATFORM, free_port, wait_healthy

SCRIPTS = str(Path(sys.executable).parent)
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith("MOCK_PLATFORM_")}
NO_SETTINGS: dict[str, str | None] = {k: None for k in os.environ if k.startswith("MOCK_PLATFORM_")}


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), env=NO_SETTINGS)


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"mock-platform {version('mock-platform')}\n"


def test_users_as_json(tmp_path):
    result = invoke("users", "--json", "--data-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    users = json.loads(result.stdout)["users"]
    assert users[1] == {
        "id": 1002,
        "userName": "bob",
        "email": "bob@example.com",
        "organizations": [{"name": "acme", "role": "member"}, {"name": "beta-labs", "role": "owner"}],
        "accessTokens": [],
    }
    assert [user["userName"] for user in users] == ["alice", "bob", "carol"]


def test_seeded_tokens_as_json(tmp_path):
    """alice's seeded PAT (mock_platform/data/directory.yml), in all three JSON documents."""
    flags = ("--data-dir", str(tmp_path))
    users = json.loads(invoke("users", "--json", *flags).stdout)["users"]
    assert users[0]["accessTokens"] == [{"name": "legacy-ci", "tid": 4242}]
    [token] = json.loads(invoke("users", "--tokens", "--json", *flags).stdout)["tokens"]
    assert (token["userName"], token["tid"], token["name"], token["state"]) == (
        "alice",
        4242,
        "legacy-ci",
        "live",
    )
    assert invoke("users", "--tokens", *flags).stdout == "\t".join(map(str, token.values())) + "\n"
    checked = json.loads(invoke("check-config", "--json", *flags).stdout)
    assert checked["seededAccessTokens"] == [{"userName": "alice", "name": "legacy-ci", "tid": 4242}]
    assert checked["coScientistScript"]["cannedReplies"] >= 0


def test_check_config_as_json_and_as_text_say_the_same(tmp_path):
    flags = ("--data-dir", str(tmp_path), "--defects", "code-reusable", "--api-path", "")
    document = json.loads(invoke("check-config", "--json", *flags).stdout)
    assert document["ok"] is True
    assert document["issuer"] == "http://127.0.0.1:8080"
    assert document["store"].startswith("sqlite:///") and document["store"].endswith("mock-platform.db")
    assert {
        "clientId": "seqera_ai_cli",
        "tokenEndpointAuthMethod": "none",
        "redirectUris": ["http://127.0.0.1/callback"],
        "scopes": ["openid", "profile", "email", "offline_access"],
    } in document["clients"]
    assert document["users"] == ["alice", "bob", "carol"]
    assert document["defects"] == [
        {
            "name": "code-reusable",
            "meaning": "authorization codes can be redeemed more than once",
        }
    ]
    text = invoke("check-config", *flags).stdout.splitlines()
    assert text[0] == "issuer: http://127.0.0.1:8080"
    assert (
        "client seqera_ai_cli: none, redirect http://127.0.0.1/callback, scopes openid profile email offline_access"
        in text
    )
    assert text[-2:] == [f"defects: code-reusable ({document['defects'][0]['meaning']})", "configuration OK"]


def test_check_config_json_errors_stay_one_line_on_stderr(tmp_path):
    result = invoke("check-config", "--json", "--data-dir", str(tmp_path), "--auto-login", "nobody")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: auto_login: no user 'nobody'")


def test_a_busy_port_says_how_to_choose_another_for_make_run_and_serve(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = invoke("serve", "--port", str(port), "--data-dir", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot listen on 127.0.0.1:{port}: Address already in use")
    assert result.stderr.endswith(
        f"; stop whatever uses that port, or choose another: MOCK_PLATFORM_PORT={port + 1} make run, "
        f"or mock-platform serve --port {port + 1}\n"
    )


def serve_and_stop(
    tmp_path: Path, env: dict[str, str], *args: str, requests_to_send: tuple[str, ...] = ()
) -> str:
    """Start `mock-platform serve`, send GET requests to the given paths, stop it; return everything it printed."""
    port = free_port()
    command = [str(MOCK_PLATFORM), "serve", "--port", str(port), "--data-dir", str(tmp_path), *args]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_healthy(base_url, process)
        for path in requests_to_send:
            requests.get(base_url + path, timeout=10, allow_redirects=False)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
    return output.replace(str(port), "PORT")


def test_the_banner_names_auto_login_the_console_and_how_to_reach_the_clis(tmp_path):
    without_venv = os.pathsep.join(p for p in CLEAN_ENV.get("PATH", "").split(os.pathsep) if p != SCRIPTS)
    output = serve_and_stop(tmp_path, {**CLEAN_ENV, "PATH": without_venv}, "--auto-login", "carol")
    lines = output.splitlines()
    assert (
        "mock-platform: auto-login ON: every authorize signs in carol without a page "
        "(MOCK_PLATFORM_AUTO_LOGIN), so curl can finish a CLI's login"
    ) in lines
    assert (
        "mock-platform: dev console: http://127.0.0.1:PORT/ (endpoints, users, clients, recent requests)"
    ) in lines
    activation = [line for line in lines if "puts mock-platform and platform-auth on PATH" in line]
    assert activation == [
        f"mock-platform: in another shell, `. {Path(SCRIPTS, 'activate').relative_to(Path.cwd())}` puts "
        "mock-platform and platform-auth on PATH"
    ] or activation == [
        f"mock-platform: in another shell, `. {Path(SCRIPTS, 'activate')}` puts mock-platform and "
        "platform-auth on PATH"
    ]


def test_no_activation_hint_when_the_clis_are_on_path_and_no_console_without_the_control_api(tmp_path):
    on_path = f"{SCRIPTS}{os.pathsep}{CLEAN_ENV.get('PATH', '')}"
    output = serve_and_stop(tmp_path, {**CLEAN_ENV, "PATH": on_path}, "--no-control-api")
    assert "on PATH" not in output
    assert "dev console" not in output
    assert "auto-login" not in output


@pytest.mark.parametrize("enabled", [True, False], ids=["--access-log", "default"])
def test_the_access_log_is_one_masked_line_per_request_and_off_by_default(tmp_path, enabled):
    secret = "a-secret-access-token-that-must-not-be-printed"
    output = serve_and_stop(
        tmp_path,
        CLEAN_ENV,
        *(["--access-log"] if enabled else []),
        requests_to_send=(f"/api/userinfo?access_token={secret}", "/api/oauth/authorize?client_id=x%0Ay"),
    )
    access = [line for line in output.splitlines() if "mock_platform.access INFO" in line]
    if not enabled:
        assert access == []
        return
    assert "mock-platform: access log ON: one line per request, secrets masked" in output
    assert secret not in output
    userinfo = next(line for line in access if "/api/userinfo" in line)
    assert re.search(
        rf'127\.0\.0\.1 "GET /api/userinfo\?access_token=\*\*\* \({len(secret)} chars\)" 401 \d+\.\d ms$',
        userinfo,
    )
    authorize = next(line for line in access if "/api/oauth/authorize" in line)
    assert '"GET /api/oauth/authorize?client_id=x\\x0ay" 400' in authorize  # no line break from a request
    assert [line for line in access if "/healthz" in line]  # health checks too: every request
