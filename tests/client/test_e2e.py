"""End to end against the real mock (``mock_platform.testing.run_server``): both CLIs' whole lifecycles."""

import json

import pytest
import requests
from click.testing import CliRunner

from client import nextflow, seqera
from client.cli import cli
from client.nextflow import NextflowHome
from client.platform import decode_token_id
from client.seqera import SeqeraSettings
from mock_platform.testing import run_server


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    with run_server(tmp_path_factory.mktemp("mock-platform")) as server:
        yield server


@pytest.fixture
def nxf_home(home) -> NextflowHome:
    return NextflowHome(home / ".nextflow")


def saved_pat(home: NextflowHome) -> str:
    return nextflow.read_config(home.auth_file)["tower.accessToken"]


def user_info_status(platform, token: str) -> int:
    return requests.get(
        f"{platform.issuer}/user-info", headers={"Authorization": f"Bearer {token}"}, timeout=10
    ).status_code


def assert_nextflow_lifecycle(platform, nxf_home: NextflowHome, login_args: list[str], user: str) -> None:
    runner = CliRunner()
    login = runner.invoke(cli, ["nextflow", "login", "-u", platform.issuer, *login_args])
    assert login.exit_code == 0, login.output
    assert f"✔ Authentication successful ({user})" in login.stdout
    pat = saved_pat(nxf_home)
    assert decode_token_id(pat)
    assert user_info_status(platform, pat) == 200

    status = runner.invoke(cli, ["nextflow", "status"])
    assert status.exit_code == 0
    flat = " ".join(status.stdout.split())
    assert f"API endpoint {platform.issuer} nextflow config" in flat
    assert "API connection ✔ OK" in flat
    assert f"Authentication ✔ OK (user: {user}) nextflow config" in flat

    logout = runner.invoke(cli, ["nextflow", "logout"])
    assert logout.exit_code == 0, logout.output
    assert "✔ Token successfully deleted from Seqera Platform." in logout.stdout
    assert not nxf_home.auth_file.exists()
    assert user_info_status(platform, pat) == 401


@pytest.mark.browser
def test_nextflow_login_typing_credentials_on_the_login_page(platform, nxf_home):
    login_args = ["--browser", "playwright", "--username", "alice", "--password", "alice-password"]
    assert_nextflow_lifecycle(platform, nxf_home, login_args, "alice")


@pytest.mark.browser
def test_nextflow_login_with_login_hint_and_no_page(platform, nxf_home):
    assert_nextflow_lifecycle(
        platform, nxf_home, ["--browser", "playwright", "--login-hint", "bob@example.com"], "bob"
    )


def test_nextflow_login_over_plain_http_with_login_hint(platform, nxf_home):
    """login_hint needs no page, so an HTTP client that follows the redirect can be the browser."""
    nextflow.login(
        nxf_home,
        platform.issuer,
        lambda url: requests.get(url, timeout=10).raise_for_status(),
        timeout=10,
        extra_params={"login_hint": "alice"},
    )
    assert user_info_status(platform, saved_pat(nxf_home)) == 200


@pytest.mark.browser
def test_wrong_password_is_reported_from_the_login_page(platform, nxf_home):
    result = CliRunner().invoke(
        cli,
        [
            "nextflow",
            "login",
            "-u",
            platform.issuer,
            "--browser",
            "playwright",
            "--username",
            "alice",
            "--password",
            "wrong",
            "--timeout",
            "5",
        ],
    )
    assert result.exit_code == 1
    assert result.stderr == "Error: Sign-in rejected: Wrong username, e-mail or password.\n"
    assert not nxf_home.auth_file.exists()


def backend_orgs(platform, access_token: str) -> list[dict]:
    response = requests.get(
        f"{platform.base_url}/ai/v1/cli/organizations",
        headers={"Authorization": f"Bearer {access_token}"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["organizations"]


def refresh_grant(platform, refresh_token: str) -> requests.Response:
    token_endpoint = requests.get(f"{platform.issuer}/.well-known/openid-configuration", timeout=10).json()[
        "token_endpoint"
    ]
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": "seqera_ai_cli"}
    return requests.post(token_endpoint, data=form, timeout=10)


@pytest.mark.browser
def test_seqera_login_orgs_token_and_revoking_logout(platform, seqera_env):
    store = seqera_env
    runner = CliRunner()
    login = runner.invoke(cli, ["seqera", "login", "--browser", "playwright", "--login-hint", "bob"])
    assert login.exit_code == 0, login.output
    assert "[Login] ✓ Authentication successful!" in login.stdout
    first_refresh_token = store.read_refresh_token()
    metadata = json.loads(store.metadata_file.read_text())
    assert metadata["user"]["email"] == "bob@example.com"
    assert metadata["authDomain"] == platform.issuer
    assert metadata["audience"] == "platform"

    token = runner.invoke(cli, ["seqera", "token"])
    assert token.exit_code == 0, token.output
    access_token = token.stdout.strip()
    assert store.read_refresh_token() != first_refresh_token
    orgs = backend_orgs(platform, access_token)
    assert len(orgs) > 1
    assert metadata["selected_organization"] is None

    listed = runner.invoke(cli, ["seqera", "org", "list"])
    assert listed.exit_code == 0, listed.output
    assert [line.split()[0] for line in listed.stdout.splitlines()] == [str(org["org_id"]) for org in orgs]
    chosen = orgs[-1]
    switched = runner.invoke(cli, ["seqera", "org", "switch", str(chosen["org_id"])])
    assert switched.stdout == f"Organization set: {chosen['org_name']}\n"
    assert runner.invoke(cli, ["seqera", "org"]).stdout.startswith(
        f"Current organization: {chosen['org_name']}"
    )

    status = runner.invoke(cli, ["seqera", "status"])
    assert status.exit_code == 0, status.output
    assert f"✔ OK ({len(orgs)} organization(s) visible)" in status.stdout

    refresh_token = store.read_refresh_token()
    logout = runner.invoke(cli, ["seqera", "logout"])
    assert logout.exit_code == 0, logout.output
    assert "[Logout] ✓ Refresh token revoked" in logout.stdout
    assert store.read_refresh_token() is None
    assert not store.metadata_file.exists()
    assert refresh_grant(platform, refresh_token).status_code == 400


def test_seqera_login_auto_selects_a_single_org(platform, seqera_env):
    store = seqera_env
    seqera.login(
        SeqeraSettings.from_environment(),
        store,
        lambda url: requests.get(url, timeout=10).raise_for_status(),
        {"login_hint": "alice"},
        env={},
    )
    selected = json.loads(store.metadata_file.read_text())["selected_organization"]
    assert selected is not None
    assert selected["org_name"]
