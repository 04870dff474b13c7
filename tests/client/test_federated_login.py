"""`platform-auth` (the reference client) through a federated mock: the login, and each way it fails."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from client.cli import cli
from client.nextflow import NextflowHome, read_config
from mock_platform.testing import UPSTREAM_CLIENT_ID

from ..oidc_flows import TIMEOUT

pytestmark = pytest.mark.browser


def nextflow_login(platform, username: str, password: str = "") -> object:
    return CliRunner().invoke(
        cli,
        ["nextflow", "login", "-u", platform.issuer, "--browser", "playwright", "--username", username,
         "--password", password or f"{username}-password", "--timeout", str(TIMEOUT)],
    )  # fmt: skip


def test_platform_auth_logs_in_through_the_upstream_sign_in_form(start_federation, home):
    federation = start_federation(local_login=False)
    login = nextflow_login(federation.platform, "dana")
    assert login.exit_code == 0, login.output
    assert "✔ Authentication successful (dana.smith)" in login.stdout
    assert read_config(NextflowHome(home / ".nextflow").auth_file)["tower.accessToken"]
    status = CliRunner().invoke(cli, ["nextflow", "status"])
    assert "Authentication ✔ OK (user: dana.smith)" in " ".join(status.stdout.split())


def refuse_at_upstream(federation) -> None:
    federation.upstream.control.add_fault("authorize", error="access_denied", error_description="not today")


def break_id_token(federation) -> None:
    minted = federation.upstream.control.mint_token(
        "alice", client_id=UPSTREAM_CLIENT_ID, scope="openid email profile", id_token=True, wrong_key=True
    )
    body = {key: minted[key] for key in ("access_token", "token_type", "id_token")}
    federation.upstream.control.add_fault("token", status=200, body=body)


FAILURES = {
    "upstream refuses": (
        {},
        refuse_at_upstream,
        "the identity provider did not sign you in: access_denied (not today)",
    ),
    "upstream unreachable": (
        {"upstream_issuer": "http://127.0.0.1:9/api"},
        None,
        "the identity provider at http://127.0.0.1:9/api cannot be reached (connection refused)",
    ),
    "bad id token": ({}, break_id_token, "the ID token of the identity provider was rejected: its signature"),
    "not on the allow-list": (
        {"upstream_allow_list": "*@example.org"},
        None,
        "alice@example.com is not on the allow-list",
    ),
    "unknown user, creation off": (
        {"upstream_create_users": False},
        None,
        "no user of this Platform has the e-mail address Dana.Smith@corp.example",
    ),
}


@pytest.mark.parametrize("case", FAILURES)
def test_platform_auth_reports_why_a_federated_login_failed(start_federation, home, case):
    settings, arrange, reason = FAILURES[case]
    federation = start_federation(local_login=False, **settings)
    if arrange:
        arrange(federation)
    login = nextflow_login(federation.platform, "dana" if "creation" in case else "alice")
    assert login.exit_code == 1
    assert login.stderr.startswith(f"Error: Authentication error: {reason}")
    assert not NextflowHome(home / ".nextflow").auth_file.exists()
