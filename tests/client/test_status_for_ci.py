"""`platform-auth ... status` as a CI check, against a real mock: exit 0 when the login works, 1 when
logging in (again) is the fix, 3 when the server is not usable; `--json` for scripts; `--version`."""

import json
import socket
from importlib.metadata import version

import pytest
import requests
from click.testing import CliRunner

from client import nextflow, seqera
from client.cli import cli
from client.platform import decode_token_id


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def closed_url() -> str:
    return f"http://127.0.0.1:{free_port()}"


def open_with_requests(url: str) -> None:
    """What curl -L does with the printed URL: follow the mock's redirect to the client's callback."""
    requests.get(url, timeout=10)


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def nxf_home(home, monkeypatch) -> nextflow.NextflowHome:
    monkeypatch.setenv("NXF_HOME", str(home / "nxf"))
    return nextflow.NextflowHome(home / "nxf")


@pytest.fixture
def seqera_env(mock_platform, monkeypatch):
    monkeypatch.setenv("SEQERA_AUTH_DOMAIN", mock_platform.issuer)
    monkeypatch.setenv("SEQERA_AI_BACKEND_URL", f"{mock_platform.base_url}/ai")
    monkeypatch.setenv("SEQERA_AUTH_REDIRECT_PORT", str(free_port()))
    return mock_platform


def seqera_login() -> seqera.Store:
    settings = seqera.SeqeraSettings.from_environment()
    store = seqera.Store(settings.config_dir)
    seqera.login(settings, store, open_with_requests, {"login_hint": "bob"})
    return store


def test_platform_auth_prints_its_version():
    assert invoke("--version").stdout == f"platform-auth {version('mock-platform')}\n"


def test_nextflow_status_exits_0_when_the_platform_accepts_the_token(mock_platform, nxf_home):
    nextflow.login(nxf_home, mock_platform.issuer, open_with_requests, 10, {"login_hint": "alice"})
    result = invoke("nextflow", "status")
    assert result.exit_code == 0, result.output
    assert "✔ OK (user: alice)" in result.stdout
    document = json.loads(invoke("nextflow", "status", "--json").stdout)
    assert (document["ok"], document["exitCode"], document["problem"]) == (True, 0, None)
    assert document["endpoint"] == mock_platform.issuer
    assert document["reachable"] is True
    assert document["user"]["userName"] == "alice"
    assert {"setting": "Authentication", "value": "✔ OK (user: alice)", "source": "nextflow config"} in (
        document["settings"]
    )


def test_nextflow_status_exits_1_when_not_logged_in_or_the_pat_is_deleted(mock_platform, nxf_home):
    result = invoke("nextflow", "status", "-u", mock_platform.issuer, "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert (document["ok"], document["exitCode"], document["user"]) == (False, 1, None)
    assert document["problem"].startswith("Not logged in")
    assert result.stderr.endswith("; run 'platform-auth nextflow login'\n")

    nextflow.login(nxf_home, mock_platform.issuer, open_with_requests, 10, {"login_hint": "alice"})
    pat = nextflow.read_config(nxf_home.auth_file)["tower.accessToken"]
    deleted = requests.delete(
        f"{mock_platform.issuer}/tokens/{decode_token_id(pat)}",
        headers={"Authorization": f"Bearer {pat}"},
        timeout=10,
    )
    assert deleted.status_code == 204
    result = invoke("nextflow", "status")
    assert result.exit_code == 1
    assert "✘ Connection check failed" in result.stdout
    assert result.stderr == (
        "Error: Seqera authentication failed — check tower.accessToken or TOWER_ACCESS_TOKEN; log in "
        "again: 'platform-auth nextflow logout', then 'platform-auth nextflow login'\n"
    )


def test_nextflow_status_exits_3_when_the_platform_cannot_be_reached(mock_platform, nxf_home):
    nextflow.login(nxf_home, mock_platform.issuer, open_with_requests, 10, {"login_hint": "alice"})
    unreachable = f"{closed_url()}/api"
    result = invoke("nextflow", "status", "-u", unreachable)
    assert result.exit_code == 3
    assert "API connection ERROR" in " ".join(result.stdout.split())
    assert result.stderr.startswith(f"Error: Cannot connect to {unreachable}/user-info")
    document = json.loads(invoke("nextflow", "status", "-u", unreachable, "--json").stdout)
    assert (document["ok"], document["exitCode"], document["reachable"]) == (False, 3, False)


def test_seqera_status_and_org_list_as_json(seqera_env):
    store = seqera_login()
    result = invoke("seqera", "status", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["ok"], document["exitCode"], document["problem"]) == (True, 0, None)
    assert document["authDomain"] == seqera_env.issuer
    assert document["credentials"] == f"refresh token in {store.refresh_token_file}"
    assert document["user"]["email"] == "bob@example.com"
    assert document["organizationsVisible"] == 2
    listed = json.loads(invoke("seqera", "org", "list", "--json").stdout)["organizations"]
    assert [(org["org_name"], org["selected"]) for org in listed] == [("acme", False), ("beta-labs", False)]
    chosen = listed[1]["org_id"]
    assert invoke("seqera", "org", "switch", str(chosen)).exit_code == 0
    listed = json.loads(invoke("seqera", "org", "list", "--json").stdout)["organizations"]
    assert [org["selected"] for org in listed] == [False, True]


def test_seqera_status_exits_1_when_the_refresh_token_is_revoked(seqera_env):
    store = seqera_login()
    revoked = requests.post(
        f"{seqera_env.issuer}/oauth/revoke",
        data={"token": store.read_refresh_token(), "client_id": "seqera_ai_cli"},
        timeout=10,
    )
    assert revoked.status_code == 200
    result = invoke("seqera", "status", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["problem"].startswith("Token refresh failed")
    assert result.stderr.endswith("run 'platform-auth seqera login' again\n")


def test_seqera_status_exits_3_when_the_backend_cannot_be_reached(seqera_env, monkeypatch):
    seqera_login()
    monkeypatch.setenv("SEQERA_AI_BACKEND_URL", f"{closed_url()}/ai")
    result = invoke("seqera", "status")
    assert result.exit_code == 3
    assert "Cannot connect to" in result.stderr


def test_an_endpoint_that_is_not_an_http_url_is_refused_before_any_call(nxf_home):
    result = invoke("nextflow", "login", "-u", "htp://x", "--no-browser")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: Invalid URL 'htp://x' from -u/--url: the scheme must be http or https, not 'htp'; "
        "give one like http://127.0.0.1:8080/api\n"
    )
    assert "names no host" in invoke("nextflow", "status", "-u", "https://:8080/api").stderr
    assert "port is not a number" in invoke("nextflow", "status", "-u", "http://h:99999/api").stderr


def test_a_bare_host_still_gets_https_as_in_nextflow():
    assert nextflow.resolve_endpoint("platform.example.com/api", {}, {}) == (
        "https://platform.example.com/api",
        "command line",
    )


def test_seqera_settings_refuse_a_url_that_is_not_http(monkeypatch):
    monkeypatch.setenv("SEQERA_AUTH_DOMAIN", "127.0.0.1:8080/api")
    result = invoke("seqera", "status")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Invalid URL '127.0.0.1:8080/api' from $SEQERA_AUTH_DOMAIN: ")


def test_a_failed_discovery_names_the_url_and_what_the_mock_said(mock_platform, nxf_home):
    result = invoke("nextflow", "login", "-u", mock_platform.base_url, "--no-browser")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: OIDC discovery failed: HTTP 404; URL tried: {mock_platform.base_url}/.well-known/"
        f"openid-configuration (the server says: no API here: the API root and issuer is {mock_platform.issuer}"
    )
