import base64
import json
import re
import stat
from datetime import datetime

import pytest
from click.testing import CliRunner

from client import nextflow
from client.cli import cli
from client.nextflow import (
    INCLUDE_LINE,
    NextflowHome,
    access_token,
    add_include_line,
    read_config,
    remove_include_line,
    render_auth_config,
    resolve_endpoint,
    token_name,
    write_auth_config,
)

PAT = base64.b64encode(b'{"tid":42}.0123456789abcdef0123456789abcdef01234567').decode()
AUTH_TEXT = f"""// Seqera Platform configuration
tower {{
    accessToken = '{PAT}'
    endpoint = 'https://api.cloud.seqera.io'
    enabled = true
}}
"""


@pytest.fixture
def nxf_home(home, monkeypatch) -> NextflowHome:
    path = home / "nxf"
    monkeypatch.setenv("NXF_HOME", str(path))
    return NextflowHome(path)


def save_login(home: NextflowHome, endpoint: str) -> None:
    write_auth_config(home, {"accessToken": PAT, "endpoint": endpoint, "enabled": True})


def test_home_defaults_to_dot_nextflow(home):
    assert NextflowHome.from_environment({}).path == home / ".nextflow"
    assert NextflowHome.from_environment({"NXF_HOME": "/x"}).path.as_posix() == "/x"


def test_auth_config_text_is_exactly_what_nextflow_writes():
    tower = {"accessToken": PAT, "endpoint": "https://api.cloud.seqera.io", "enabled": True}
    assert render_auth_config(tower) == AUTH_TEXT


def test_auth_file_is_owner_only_even_when_replacing_a_readable_one(nxf_home):
    nxf_home.path.mkdir(parents=True)
    nxf_home.auth_file.write_text("old")
    nxf_home.auth_file.chmod(0o644)
    save_login(nxf_home, "https://api.cloud.seqera.io")
    assert stat.S_IMODE(nxf_home.auth_file.stat().st_mode) == 0o600
    assert nxf_home.auth_file.read_text() == AUTH_TEXT


def test_include_line_is_added_once_and_removed(nxf_home):
    nxf_home.path.mkdir(parents=True)
    nxf_home.config_file.write_text("process.executor = 'local'")
    save_login(nxf_home, "https://h")
    save_login(nxf_home, "https://h")
    assert nxf_home.config_file.read_text() == f"process.executor = 'local'\n\n{INCLUDE_LINE}\n"
    remove_include_line(nxf_home.config_file)
    assert nxf_home.config_file.read_text() == "process.executor = 'local'\n"


def test_include_line_in_an_empty_config(tmp_path):
    config = tmp_path / "config"
    add_include_line(config)
    assert config.read_text() == f"\n{INCLUDE_LINE}\n"
    remove_include_line(config)
    assert config.read_text() == ""


def test_read_config_handles_blocks_dotted_keys_and_comments(tmp_path):
    config = tmp_path / "config"
    config.write_text(
        "// comment\n"
        "tower {\n"
        "    endpoint = 'http://127.0.0.1:8080/api'  // local mock\n"
        '    workspaceId = "12345"\n'
        "    enabled = true\n"
        "}\n"
        "process {\n    executor = 'slurm'\n}\n"
        "tower.computeEnvId = 'ce-1'\n"
        "docker.enabled = false\n"
        "includeConfig 'other.config'\n"
    )
    assert read_config(config) == {
        "tower.endpoint": "http://127.0.0.1:8080/api",
        "tower.workspaceId": "12345",
        "tower.enabled": True,
        "process.executor": "slurm",
        "tower.computeEnvId": "ce-1",
        "docker.enabled": False,
    }


def test_auth_file_settings_override_the_main_config(nxf_home):
    nxf_home.path.mkdir(parents=True)
    nxf_home.config_file.write_text("tower.endpoint = 'https://old'\ntower.workspaceId = '1'\n")
    save_login(nxf_home, "https://new")
    assert nxf_home.tower_config() == {
        "endpoint": "https://new",
        "workspaceId": "1",
        "accessToken": PAT,
        "enabled": True,
    }


@pytest.mark.parametrize(
    ("url", "tower", "env", "expected"),
    [
        (
            "127.0.0.1:8080/api/",
            {"endpoint": "https://cfg"},
            {},
            ("https://127.0.0.1:8080/api", "command line"),
        ),
        ("http://h/api", {}, {}, ("http://h/api", "command line")),
        (
            None,
            {"endpoint": "https://cfg/"},
            {"TOWER_API_ENDPOINT": "https://env"},
            ("https://cfg", "nextflow config"),
        ),
        (
            None,
            {"endpoint": "-"},
            {"TOWER_API_ENDPOINT": "https://env"},
            ("https://env", "env var $TOWER_API_ENDPOINT"),
        ),
        (None, {"endpoint": ""}, {}, ("https://api.cloud.seqera.io", "default")),
    ],
    ids=["url wins, scheme added", "http kept", "config", "dash means unset", "default"],
)
def test_endpoint_precedence(url, tower, env, expected):
    assert resolve_endpoint(url, tower, env) == expected


def test_access_token_precedence():
    env = {"TOWER_ACCESS_TOKEN": "from-env"}
    assert access_token({"accessToken": "from-config"}, env) == ("from-config", "nextflow config")
    assert access_token({}, env) == ("from-env", "env var $TOWER_ACCESS_TOKEN")
    assert access_token({"accessToken": "c"}, {**env, "TOWER_WORKFLOW_ID": "w"}) == (
        "from-env",
        "env var $TOWER_ACCESS_TOKEN",
    )
    assert access_token({}, {}) == (None, "not set")


def test_token_name():
    assert token_name("alice", datetime(2026, 3, 31, 16, 5, 59)) == "nextflow-auth-alice-2026-03-31-16-05"


def platform_stub(provider):
    provider.on(
        "POST", "/api/token", body={"access_token": "eyJh.eyJz.sig", "refresh_token": "rt", "expires_in": 60}
    )
    provider.on("GET", "/api/user-info", body={"user": {"id": 7, "userName": "alice"}})
    provider.on("POST", "/api/tokens", body={"accessKey": PAT, "token": {"id": 42}})
    return provider


def test_login_saves_the_pat_from_post_tokens(nxf_home, provider, approve, capsys):
    stub = platform_stub(provider)
    nextflow.login(nxf_home, f"{stub.url}/api/", approve(), timeout=5)

    assert nxf_home.auth_file.read_text() == AUTH_TEXT.replace(
        "https://api.cloud.seqera.io", f"{stub.url}/api"
    )
    assert INCLUDE_LINE in nxf_home.config_file.read_text()
    (create,) = stub.hits_to("POST", "/api/tokens")
    assert create.headers["Authorization"] == "Bearer eyJh.eyJz.sig"
    assert re.fullmatch(r"nextflow-auth-.+-\d{4}-\d\d-\d\d-\d\d-\d\d", json.loads(create.body)["name"])
    assert "✔ Authentication successful (alice)" in capsys.readouterr().out


def test_login_refuses_when_already_logged_in(nxf_home, stub):
    save_login(nxf_home, "https://h")
    result = CliRunner().invoke(cli, ["nextflow", "login", "-u", f"{stub.url}/api", "--no-browser"])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: Authentication token is already configured in Nextflow config. "
        f"Run 'platform-auth nextflow logout' to remove {nxf_home.auth_file} first.\n"
    )
    assert stub.hits == []


def test_logout_deletes_the_pat_then_the_local_files(nxf_home, stub):
    stub.on("GET", "/api/user-info", body={"user": {"id": 7, "userName": "alice"}})
    stub.on("DELETE", "/api/tokens/42", status=204)
    save_login(nxf_home, f"{stub.url}/api")
    result = CliRunner().invoke(cli, ["nextflow", "logout"])
    assert result.exit_code == 0, result.output
    assert "Token is valid for user: alice" in result.stdout
    assert "✔ Token successfully deleted from Seqera Platform." in result.stdout
    assert stub.hits_to("DELETE", "/api/tokens/42")[0].headers["Authorization"] == f"Bearer {PAT}"
    assert not nxf_home.auth_file.exists()
    assert INCLUDE_LINE not in nxf_home.config_file.read_text()


def test_logout_cleans_up_even_when_the_server_fails(nxf_home, stub):
    stub.on("DELETE", "/api/tokens/42", status=500, body={"message": "boom"})
    save_login(nxf_home, f"{stub.url}/api")
    result = CliRunner().invoke(cli, ["nextflow", "logout"])
    assert result.exit_code == 0
    assert "Failed to validate token:" in result.stderr
    assert "Error removing token: Failed to delete token: boom" in result.stderr
    assert not nxf_home.auth_file.exists()
    assert INCLUDE_LINE not in nxf_home.config_file.read_text()


def test_logout_without_login(nxf_home):
    result = CliRunner().invoke(cli, ["nextflow", "logout"])
    assert result.exit_code == 0
    assert result.stdout == "No previous login found.\n"


def test_status_reports_endpoint_connection_user_workspace_and_compute_env(nxf_home, stub):
    stub.on("GET", "/api/service-info", body={"serviceInfo": {"version": "1"}})
    stub.on("GET", "/api/user-info", body={"user": {"id": 7, "userName": "alice"}})
    stub.on(
        "GET",
        "/api/user/7/workspaces",
        body={
            "orgsAndWorkspaces": [
                {
                    "orgName": "acme",
                    "workspaceId": 55,
                    "workspaceName": "genomics",
                    "workspaceFullName": "Genomics Lab",
                    "roles": ["owner"],
                }
            ]
        },
    )
    stub.on(
        "GET",
        "/api/compute-envs",
        body={
            "computeEnvs": [
                {"id": "ce", "name": "batch", "platform": "aws-batch", "primary": True, "workDir": "s3://w"}
            ]
        },
    )
    save_login(nxf_home, f"{stub.url}/api")
    nxf_home.config_file.write_text(nxf_home.config_file.read_text() + "tower.workspaceId = '55'\n")

    result = CliRunner().invoke(cli, ["nextflow", "status"])
    assert result.exit_code == 0
    rows = {line.split("  ")[0]: " ".join(line.split()) for line in result.stdout.splitlines()[2:]}
    assert rows["API endpoint"] == f"API endpoint {stub.url}/api nextflow config"
    assert rows["API connection"] == "API connection ✔ OK"
    assert rows["Authentication"] == "Authentication ✔ OK (user: alice) nextflow config"
    assert rows["Workflow monitoring"] == "Workflow monitoring Yes nextflow config"
    assert rows["Default workspace"] == "Default workspace 55 nextflow config"
    assert rows["Workspace name"] == "Workspace name acme / genomics"
    assert rows["Workspace role(s)"] == "Workspace role(s) owner"
    assert rows["Compute environment"] == "Compute environment batch [aws-batch] workspace"
    assert stub.hits_to("GET", "/api/compute-envs")[0].query == {"workspaceId": "55"}


def test_status_when_not_logged_in_and_unreachable(nxf_home, stub):
    url = stub.url
    stub.close()
    result = CliRunner().invoke(cli, ["nextflow", "status", "-u", f"{url}/api"])
    assert result.exit_code == 1  # not logged in comes first: logging in is the fix
    assert result.stderr == (
        "Error: Not logged in: no access token in the Nextflow config or $TOWER_ACCESS_TOKEN; "
        "run 'platform-auth nextflow login'\n"
    )
    assert " ".join(result.stdout.split()).count("API connection ERROR") == 1
    assert "Authentication Not set not set" in " ".join(result.stdout.split())
