"""The pytest plugin as a downstream project meets it: a test file in a fresh directory, run by pytest."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

DOWNSTREAM_TESTS = """
import pytest
import requests

SERVERS = set()


def test_a_test_changes_the_mock(mock_platform):
    SERVERS.add(mock_platform.port)
    mock_platform.control.create_user("dave")
    mock_platform.control.add_fault("jwks", status=500, count="unlimited")


def test_the_next_test_gets_it_reset_on_the_same_server(mock_platform, oidc_login):
    SERVERS.add(mock_platform.port)
    assert len(SERVERS) == 1
    assert [user["userName"] for user in mock_platform.control.users()] == ["alice", "bob", "carol"]
    assert requests.get(mock_platform.issuer + "/.well-known/jwks.json", timeout=10).status_code == 200
    mock_platform.control.queue_identity("bob", claims={"role": "admin"})
    tokens = oidc_login(user=None)
    userinfo = requests.get(
        mock_platform.issuer + "/userinfo",
        headers={"Authorization": "Bearer " + tokens["access_token"]},
        timeout=10,
    ).json()
    assert (userinfo["sub"], userinfo["role"]) == ("1002", "admin")


@pytest.mark.settings(control_token="downstream-control-token")
def test_a_server_with_a_control_token_gets_it_sent(mock_platform):
    assert requests.get(mock_platform.base_url + "/_mock/users", timeout=10).status_code == 401
    assert mock_platform.control.users()[0]["userName"] == "alice"


@pytest.mark.settings(api_path="", access_token_lifetime=60)
def test_the_settings_marker_gives_a_test_its_own_server(mock_platform, oidc_login):
    assert mock_platform.port not in SERVERS
    assert mock_platform.issuer == mock_platform.base_url
    assert oidc_login()["expires_in"] == 60


@pytest.mark.settings(tls=True)
def test_the_settings_marker_serves_https(mock_platform, oidc_login):
    assert mock_platform.issuer.startswith("https://127.0.0.1:")
    assert mock_platform.ca_file.is_file()
    assert oidc_login()["token_type"] == "Bearer"
    mock_platform.control.create_user("erin")
    discovery = requests.get(
        mock_platform.issuer + "/.well-known/openid-configuration", verify=mock_platform.verify, timeout=10
    )
    assert discovery.json()["issuer"] == mock_platform.issuer


def test_the_factory_adds_clients_and_users(mock_platform_factory, oidc_login):
    server = mock_platform_factory(
        clients=[{"client-id": "my_cli", "redirect-uris": ["http://127.0.0.1/cb"]}],
        users=[{"id": 2001, "userName": "zoe", "email": "zoe@example.com", "password": "zoe-pw"}],
    )
    tokens = oidc_login("my_cli", user="zoe", server=server)
    assert tokens["token_type"] == "Bearer"
"""

BROWSER_TESTS = """
def test_chromium_page_shows_the_login_page(mock_platform, chromium_page):
    chromium_page.goto(
        mock_platform.issuer + "/oauth/authorize?client_id=nextflow_cli&response_type=code&scope=openid"
        "&redirect_uri=http://127.0.0.1:5000/cb&state=s&code_challenge=" + "a" * 43 + "&code_challenge_method=S256"
    )
    assert chromium_page.locator("#login-form").count() == 1
"""


def run_downstream(tmp_path: Path, tests: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_downstream.py").write_text(textwrap.dedent(tests), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "MOCK_PLATFORM_"))}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_downstream.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_fixtures_work_in_a_downstream_project(tmp_path):
    result = run_downstream(tmp_path, DOWNSTREAM_TESTS)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 passed" in result.stdout


@pytest.mark.browser
def test_chromium_page_works_in_a_downstream_project(tmp_path):
    result = run_downstream(tmp_path, BROWSER_TESTS)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
