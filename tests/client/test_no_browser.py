"""`--no-browser` says what opening the URL with curl takes, and the README's recipe works: with
MOCK_PLATFORM_AUTO_LOGIN the URL opened by a plain HTTP client finishes the login."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from client.cli import cli

from .test_status_for_ci import free_port

PLATFORM_AUTH = Path(sys.executable).with_name("platform-auth")


def test_the_printed_url_comes_with_what_curl_needs(mock_platform):
    result = CliRunner().invoke(
        cli, ["nextflow", "login", "-u", mock_platform.issuer, "--no-browser", "--timeout", "0.5"]
    )
    lines = result.stdout.splitlines()
    assert lines[lines.index("Open this URL in a browser to sign in:") + 1].startswith(
        f"{mock_platform.issuer}/oauth/authorize?client_id=nextflow_cli&"
    )
    assert result.stderr.splitlines() == [
        "Waiting up to 0.5 s (--timeout) for the browser to come back. curl or another program gets the "
        "sign-in page instead and the login waits in vain, unless the server signs a user in without a "
        "page: start the mock with MOCK_PLATFORM_AUTO_LOGIN=alice, or add --login-hint alice to this command.",
        "Error: Authentication timed out waiting for browser callback",
    ]


def test_no_note_when_the_url_signs_a_user_in_by_itself(mock_platform):
    result = CliRunner().invoke(
        cli,
        [
            "nextflow",
            "login",
            "-u",
            mock_platform.issuer,
            "--no-browser",
            "--timeout",
            "0.2",
            "--login-hint",
            "bob",
        ],
    )
    assert result.stderr == "Error: Authentication timed out waiting for browser callback\n"


@pytest.mark.settings(auto_login="alice")
def test_with_auto_login_a_plain_http_client_finishes_seqera_login(mock_platform, home):
    env = {
        **os.environ,
        "HOME": str(home),
        "SEQERA_AUTH_DOMAIN": mock_platform.issuer,
        "SEQERA_AI_BACKEND_URL": f"{mock_platform.base_url}/ai",
        "SEQERA_AUTH_REDIRECT_PORT": str(free_port()),
    }
    process = subprocess.Popen(
        [str(PLATFORM_AUTH), "seqera", "login", "--no-browser", "--timeout", "30"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]
        url = lines[2].strip()
        assert lines[1] == "Open this URL in a browser to sign in:\n" and url.startswith(mock_platform.issuer)
        landed = requests.get(url, timeout=10)  # what `curl -sL "$URL"` does
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert landed.status_code == 200
    assert process.returncode == 0, err
    assert "[Login] ✓ Authentication successful!" in out
    assert (home / ".config" / "seqera-ai" / "refresh-token").is_file()
