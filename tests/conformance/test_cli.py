"""`python -m conformance save-login`: a session saved once is what `--login storage-state` reuses."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version

import pytest
import requests

from conformance.__main__ import main
from mock_platform.testing import run_server

pytestmark = pytest.mark.browser


def test_a_saved_login_drives_the_suite_against_a_provider_url(tmp_path):
    state = tmp_path / "login.json"
    with run_server(tmp_path / "data") as server:
        saved = main(
            ["save-login", "--platform-url", server.issuer, "--output", str(state), "--headless",
             "--username", "alice", "--password", "alice-password"]
        )  # fmt: skip
        assert saved == 0
        cookies = json.loads(state.read_text())["cookies"]
        assert any(cookie["name"] == f"mock_platform_session_{server.port}" for cookie in cookies)
        server.control.clear_requests()  # forget save-login's own sign-in

        result = subprocess.run(
            [sys.executable, "-m", "pytest", "--pyargs", "conformance", "-q", "-p", "no:cacheprovider",
             "--platform-url", server.issuer, "--login", "storage-state", "--storage-state", str(state),
             "--case", "AUTHZ-01"],
            capture_output=True, text=True, timeout=180, cwd=tmp_path,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
        assert "1 passed" in result.stdout
        authorizations = server.control.recent_requests(path="/api/oauth/authorize")
        assert authorizations, "the suite never reached the provider"
        assert all(entry["method"] == "GET" for entry in authorizations), "the suite signed in again"


def test_an_unreachable_provider_is_one_line_not_a_traceback(capsys):
    code = main(["save-login", "--platform-url", "http://127.0.0.1:1/api", "--headless",
                 "--username", "a", "--password", "b"])  # fmt: skip
    assert code == 1
    error = capsys.readouterr().err
    assert error.startswith(
        "Error: cannot reach the provider: connection refused: nothing listens on 127.0.0.1:1"
    )
    assert "(http://127.0.0.1:1/api/.well-known/openid-configuration)" in error
    assert len(error.splitlines()) == 1


def test_a_window_without_a_display_is_refused_up_front(monkeypatch, capsys):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert main(["save-login", "--platform-url", "http://127.0.0.1:1/api"]) == 2
    error = capsys.readouterr().err
    assert "--headless --username U --password P" in error
    assert len(error.splitlines()) == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["compare", "only-one.json"],
            "Error: Missing argument 'SECOND'. (see python -m conformance compare --help)",
        ),
        (
            ["save-login"],
            "Error: Missing option '--platform-url'. (see python -m conformance save-login --help)",
        ),
        (["nonsense"], "Error: No such command 'nonsense'. (see python -m conformance --help)"),
        (
            ["save-login", "--platform-url", "x", "--client-id", "other"],
            "Error: Invalid value for '--client-id'",
        ),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(argv, message, capsys):
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert error.startswith(message)
    assert len(error.splitlines()) == 1


def test_version_and_help_as_the_other_two_clis(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"python -m conformance {version('mock-platform')}\n"
    assert main(["-h"]) == 0
    assert "save-login" in capsys.readouterr().out


def test_the_module_runs_as_a_program(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "conformance", "compare", "a.json", "b.json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("Error: cannot read report a.json")


def test_the_platform_url_may_come_from_the_environment(monkeypatch, capsys):
    monkeypatch.setenv("CONFORMANCE_PLATFORM_URL", "http://127.0.0.1:1/api")
    assert main(["save-login", "--headless", "--username", "a", "--password", "b"]) == 1
    assert "nothing listens on 127.0.0.1:1" in capsys.readouterr().err


def test_login_url_prints_where_the_clis_sign_in_starts(tmp_path, capsys):
    with run_server(tmp_path / "data") as server:
        assert main(["login-url", "--platform-url", server.issuer, "--client-id", "seqera_ai_cli"]) == 0
        url = capsys.readouterr().out.strip()
        page = requests.get(url, timeout=10)
    assert url.startswith(f"{server.issuer}/oauth/authorize?client_id=seqera_ai_cli&audience=platform&")
    assert (
        "redirect_uri=http%3A%2F%2F127.0.0.1%3A53682%2Fcallback" in url
        and "code_challenge_method=S256" in url
    )
    assert page.status_code == 200 and 'name="password"' in page.text  # the sign-in page, not an error
