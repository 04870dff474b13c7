"""`python -m conformance save-login`: a session saved once is what `--login storage-state` reuses."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

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
        assert any(cookie["name"] == "mock_platform_session" for cookie in cookies)
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
    assert "cannot reach http://127.0.0.1:1/api" in capsys.readouterr().err


def test_a_window_without_a_display_is_refused_up_front(monkeypatch, capsys):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    with pytest.raises(SystemExit) as exit_info:
        main(["save-login", "--platform-url", "http://127.0.0.1:1/api"])
    assert exit_info.value.code == 2
    assert "--headless --username U --password P" in capsys.readouterr().err
