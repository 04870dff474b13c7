"""TOWER_AUTH_DOMAIN and TOWER_AUTH_CLIENT_ID, the Auth0 settings the ADR deprecates: `platform-auth
nextflow login|logout|status` say once that they are ignored, and otherwise do exactly the same."""

import pytest
import requests
from click.testing import CliRunner

from client import nextflow
from client.cli import cli
from client.nextflow import NextflowHome
from mock_platform.testing import run_server

LEGACY_CI = "eyJ0aWQiOiA0MjQyfS43OWFiYzNmYzhmZTQ0MzYzNjg2YzE4NWU3NThlYWFmNzQ3YTAxMTA1"
REASON = "deprecated and ignored: login goes through the Seqera Platform's own OIDC provider, not Auth0"


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    with run_server(tmp_path_factory.mktemp("mock-platform")) as server:
        yield server


def nextflow_command(*args: str, env: dict[str, str]):
    return CliRunner().invoke(cli, ["nextflow", *args], env=env)


@pytest.mark.parametrize(
    ("deprecated", "warning"),
    [
        (
            {"TOWER_AUTH_DOMAIN": "seqera.eu.auth0.com"},
            f"WARNING: TOWER_AUTH_DOMAIN is {REASON}; unset it.\n",
        ),
        ({"TOWER_AUTH_CLIENT_ID": "Xy12"}, f"WARNING: TOWER_AUTH_CLIENT_ID is {REASON}; unset it.\n"),
        (
            {"TOWER_AUTH_DOMAIN": "seqera.eu.auth0.com", "TOWER_AUTH_CLIENT_ID": "Xy12"},
            f"WARNING: TOWER_AUTH_DOMAIN and TOWER_AUTH_CLIENT_ID are {REASON}; unset them.\n",
        ),
        ({"TOWER_AUTH_DOMAIN": ""}, ""),
    ],
)
def test_status_warns_once_and_shows_the_same_table(platform, deprecated, warning):
    env = {"TOWER_API_ENDPOINT": platform.issuer, "TOWER_ACCESS_TOKEN": LEGACY_CI}
    plain = nextflow_command("status", env=env)
    warned = nextflow_command("status", env={**env, **deprecated})
    assert (plain.exit_code, warned.exit_code) == (0, 0)
    assert warned.stdout == plain.stdout and "user: alice" in plain.stdout
    assert (plain.stderr, warned.stderr) == ("", warning)


def test_logout_warns_once_and_carries_on(platform):
    result = nextflow_command("logout", env={"TOWER_AUTH_CLIENT_ID": "Xy12"})
    assert result.exit_code == 0
    assert result.stdout == "No previous login found.\n"
    assert result.stderr == f"WARNING: TOWER_AUTH_CLIENT_ID is {REASON}; unset it.\n"


def test_login_warns_once_and_logs_in_with_nextflow_cli_at_the_platform(platform, home, capsys):
    def log_in(env: dict[str, str]) -> tuple[str, str]:
        nextflow.login(
            NextflowHome(home / ".nextflow"),
            platform.issuer,
            lambda url: requests.get(url, timeout=10).raise_for_status(),
            timeout=10,
            extra_params={"login_hint": "alice"},
            env=env,
        )
        output = capsys.readouterr()
        nextflow.logout(NextflowHome(home / ".nextflow"), env={})
        capsys.readouterr()
        return output.out, output.err

    platform.control.clear_requests()
    warned_out, warned_err = log_in(
        {"TOWER_AUTH_DOMAIN": "seqera.eu.auth0.com", "TOWER_AUTH_CLIENT_ID": "Xy12"}
    )
    authorizations = platform.control.recent_requests(path="/api/oauth/authorize", method="GET")
    plain_out, plain_err = log_in({})

    assert warned_err == f"WARNING: TOWER_AUTH_DOMAIN and TOWER_AUTH_CLIENT_ID are {REASON}; unset them.\n"
    assert plain_err == ""
    assert warned_out == plain_out and "✔ Authentication successful (alice)" in warned_out
    assert [entry["query"]["client_id"] for entry in authorizations] == ["nextflow_cli"]
