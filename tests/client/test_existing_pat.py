"""The ADR's verification 4, "existing PAT in seqera-auth.config continues to work": a PAT made
before the OIDC login existed (the mock's seeded `legacy-ci` of alice), in a `seqera-auth.config`
written by hand as an older Nextflow left it (contract §3.1), against the real mock."""

from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from client.cli import cli
from mock_platform.testing import run_server

LEGACY_CI = "eyJ0aWQiOiA0MjQyfS43OWFiYzNmYzhmZTQ0MzYzNjg2YzE4NWU3NThlYWFmNzQ3YTAxMTA1"  # tid 4242


@pytest.fixture
def platform(tmp_path):
    with run_server(tmp_path / "mock-platform") as server:
        yield server


def bearer_status(url: str, token: str) -> int:
    return requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code


def test_a_hand_written_seqera_auth_config_with_a_pat_from_before_the_switch(platform, home: Path):
    nxf_home = home / ".nextflow"
    nxf_home.mkdir()
    auth_file = nxf_home / "seqera-auth.config"
    auth_file.write_text(
        "// Seqera Platform configuration\n"
        "tower {\n"
        f"    accessToken = '{LEGACY_CI}'\n"
        f"    endpoint = '{platform.issuer}'\n"
        "    enabled = true\n"
        "    workspaceId = '75887156211589'  // acme / genomics [Genomics Lab]\n"
        "}\n",
        encoding="utf-8",
    )
    (nxf_home / "config").write_text("process.executor = 'local'\n\nincludeConfig 'seqera-auth.config'\n")
    runner = CliRunner()

    status = runner.invoke(cli, ["nextflow", "status"])
    assert status.exit_code == 0, status.output
    flat = " ".join(status.stdout.split())
    assert "API connection ✔ OK" in flat
    assert "Authentication ✔ OK (user: alice) nextflow config" in flat
    assert "Workspace name acme / genomics" in flat and "Workspace role(s) owner" in flat

    # what Nextflow's runtime does with tower.accessToken: REST calls with the PAT as Bearer
    assert bearer_status(f"{platform.issuer}/compute-envs?workspaceId=75887156211589", LEGACY_CI) == 200

    logout = runner.invoke(cli, ["nextflow", "logout"])
    assert logout.exit_code == 0, logout.output
    assert " - Token is valid for user: alice" in logout.stdout
    assert "✔ Token successfully deleted from Seqera Platform." in logout.stdout
    deletes = platform.control.recent_requests(path="/api/tokens/*", method="DELETE")
    assert [entry["path"] for entry in deletes] == ["/api/tokens/4242"], "the tid decoded from the PAT"
    assert not auth_file.exists()
    assert (nxf_home / "config").read_text() == "process.executor = 'local'\n"
    assert bearer_status(f"{platform.issuer}/user-info", LEGACY_CI) == 401


def test_ci_uses_the_seeded_pat_from_the_environment_without_any_login(platform):
    env = {"TOWER_API_ENDPOINT": platform.issuer, "TOWER_ACCESS_TOKEN": LEGACY_CI}
    status = CliRunner().invoke(cli, ["nextflow", "status"], env=env)
    assert status.exit_code == 0, status.output
    assert "Authentication ✔ OK (user: alice) env var $TOWER_ACCESS_TOKEN" in " ".join(status.stdout.split())

    env = {"SEQERA_ACCESS_TOKEN": LEGACY_CI, "SEQERA_AI_BACKEND_URL": f"{platform.base_url}/ai"}
    organizations = CliRunner().invoke(cli, ["seqera", "org", "list"], env=env)
    assert organizations.exit_code == 0, organizations.output
    assert "acme" in organizations.stdout
    assert platform.control.recent_requests(path="/api/oauth/*") == [], "no OIDC login happened"
