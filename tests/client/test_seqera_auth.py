import json
import socket
import stat
import time
from urllib.parse import parse_qsl, urlsplit

import pytest
from click.testing import CliRunner

from client import seqera
from client.cli import cli
from client.errors import ClientError, RefreshFailed
from client.seqera import SeqeraSettings, Session, Store, write_private_file

ORGS = [
    {"org_id": 1, "org_name": "Acme", "org_type": "pro"},
    {"org_id": 2, "org_name": "Beta", "org_type": "academic"},
]


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def seqera_env(provider, monkeypatch):
    monkeypatch.setenv("SEQERA_AUTH_DOMAIN", f"{provider.url}/api/")
    monkeypatch.setenv("SEQERA_AI_BACKEND_URL", f"{provider.url}/ai")
    monkeypatch.setenv("SEQERA_AUTH_REDIRECT_PORT", str(free_port()))
    return provider


@pytest.fixture
def settings(seqera_env) -> SeqeraSettings:
    return SeqeraSettings.from_environment()


@pytest.fixture
def store(settings) -> Store:
    return Store(settings.config_dir)


def tokens(access: str, refresh: str | None = None, expires_in: int = 3600) -> dict:
    body = {"access_token": access, "token_type": "Bearer", "expires_in": expires_in}
    return {**body, "refresh_token": refresh} if refresh else body


def test_settings_defaults_point_at_the_local_mock(home):
    settings = SeqeraSettings.from_environment({})
    assert settings.auth_domain == "http://127.0.0.1:8080/api"
    assert settings.backend_url == "http://127.0.0.1:8080/ai"
    assert (settings.client_id, settings.audience, settings.redirect_port) == (
        "seqera_ai_cli",
        "platform",
        53682,
    )
    assert settings.callback_timeout == 120
    assert settings.config_dir == home / ".config" / "seqera-ai"


def test_settings_cap_the_callback_timeout_and_reject_bad_numbers():
    assert (
        SeqeraSettings.from_environment({"SEQERA_AUTH_CALLBACK_TIMEOUT_MS": "9000000"}).callback_timeout
        == 600
    )
    with pytest.raises(ClientError, match="SEQERA_AUTH_REDIRECT_PORT must be a whole number"):
        SeqeraSettings.from_environment({"SEQERA_AUTH_REDIRECT_PORT": "http"})


def test_private_file_is_0600_and_replaced_atomically(tmp_path):
    target = tmp_path / "seqera-ai" / "refresh-token"
    target.parent.mkdir()
    target.write_text("old")
    target.chmod(0o644)
    stale = target.with_name("refresh-token.tmp")
    stale.write_text("left over by a crash")
    stale.chmod(0o644)
    old_inode = target.stat().st_ino

    write_private_file(target, "new-token")

    assert target.read_text() == "new-token"
    assert mode(target) == 0o600
    assert target.stat().st_ino != old_inode
    assert not stale.exists()


def test_store_round_trip(tmp_path):
    store = Store(tmp_path / "seqera-ai")
    assert store.read_refresh_token() is None
    store.write_refresh_token("rt-1")
    assert store.read_refresh_token() == "rt-1"
    assert mode(store.refresh_token_file) == 0o600
    assert mode(store.refresh_token_file.parent) == 0o700
    store.delete_refresh_token()
    assert store.read_refresh_token() is None


def test_session_refreshes_with_the_seqera_cli_form_and_stores_the_rotated_token(settings, store, seqera_env):
    seqera_env.on("POST", "/api/token", body=tokens("access-1", "rt-2"))
    store.write_refresh_token("rt-1")
    session = Session(settings, store, {})
    assert session.access_token() == "access-1"
    assert session.access_token() == "access-1"
    (hit,) = seqera_env.hits_to("POST", "/api/token")
    assert hit.body == (
        "grant_type=refresh_token&refresh_token=rt-1&scope=openid+profile+email+offline_access&client_id=seqera_ai_cli"
    )
    assert store.read_refresh_token() == "rt-2"


def test_session_refreshes_again_with_less_than_five_minutes_left(settings, store, seqera_env):
    seqera_env.on("POST", "/api/token", body=tokens("short-lived", expires_in=299))
    store.write_refresh_token("rt-1")
    session = Session(settings, store, {})
    session.access_token()
    session.access_token()
    assert len(seqera_env.hits_to("POST", "/api/token")) == 2
    assert store.read_refresh_token() == "rt-1"


def test_refused_refresh_deletes_the_stored_token(settings, store, seqera_env):
    seqera_env.on("POST", "/api/token", status=400, body='{"error":"invalid_grant"}')
    store.write_refresh_token("rt-1")
    with pytest.raises(RefreshFailed) as error:
        Session(settings, store, {}).access_token()
    assert str(error.value) == 'Token refresh failed: {"error":"invalid_grant"}'
    assert "login" in error.value.hint
    assert store.read_refresh_token() is None


def test_without_a_refresh_token_the_user_is_told_to_log_in(settings, store, seqera_env):
    with pytest.raises(ClientError, match="Not logged in"):
        Session(settings, store, {}).access_token()
    assert seqera_env.hits == []


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"SEQERA_ACCESS_TOKEN": "a", "SEQERA_TOKEN": "b", "TOWER_ACCESS_TOKEN": "c"}, "a"),
        ({"SEQERA_TOKEN": "b", "TOWER_ACCESS_TOKEN": "c"}, "b"),
        ({"TOWER_ACCESS_TOKEN": "c"}, "c"),
    ],
)
def test_environment_tokens_skip_oauth(settings, store, seqera_env, env, expected):
    store.write_refresh_token("rt-1")
    assert Session(settings, store, env).access_token() == expected
    assert seqera_env.hits == []


def login_stub(provider):
    provider.on("POST", "/api/token", body=tokens("access-1", "rt-1"))
    provider.on("GET", "/api/userinfo", body={"sub": "1001", "email": "alice@example.com"})
    return provider


def test_login_stores_the_refresh_token_and_selects_the_only_org(
    settings, store, seqera_env, approve, capsys
):
    login_stub(seqera_env).on("GET", "/ai/v1/cli/organizations", body={"organizations": ORGS[:1]})
    seen: list[str] = []
    before = int(time.time() * 1000)
    seqera.login(settings, store, approve("code", seen), {"login_hint": "alice"}, env={})

    authorize = dict(parse_qsl(urlsplit(seen[0]).query))
    assert seen[0].startswith(
        f"{seqera_env.url}/api/authorize?client_id=seqera_ai_cli&audience=platform&scope="
    )
    assert authorize["redirect_uri"] == f"http://127.0.0.1:{settings.redirect_port}/callback"
    assert authorize["login_hint"] == "alice"
    assert store.read_refresh_token() == "rt-1"
    assert mode(store.refresh_token_file) == 0o600
    metadata = json.loads(store.metadata_file.read_text())
    assert metadata["user"] == {"sub": "1001", "email": "alice@example.com"}
    assert before <= metadata["last_login"] <= int(time.time() * 1000)
    assert (metadata["authDomain"], metadata["audience"]) == (f"{seqera_env.url}/api", "platform")
    assert metadata["selected_organization"] == ORGS[0]
    assert (
        seqera_env.hits_to("GET", "/ai/v1/cli/organizations")[0].headers["Authorization"] == "Bearer access-1"
    )
    assert seqera_env.hits_to("POST", "/api/token")[0].body.startswith("grant_type=authorization_code&")
    assert "[Login] ✓ Organization set: Acme" in capsys.readouterr().out


def test_login_with_several_orgs_selects_none(settings, store, seqera_env, approve):
    login_stub(seqera_env).on("GET", "/ai/v1/cli/organizations", body={"organizations": ORGS})
    seqera.login(settings, store, approve(), env={})
    assert json.loads(store.metadata_file.read_text())["selected_organization"] is None


def test_login_needs_a_refresh_token(settings, store, seqera_env, approve):
    seqera_env.on("POST", "/api/token", body=tokens("access-1"))
    with pytest.raises(ClientError, match=r"^Token response missing refresh_token$"):
        seqera.login(settings, store, approve(), env={})
    assert store.read_refresh_token() is None


def test_logout_revokes_then_deletes_the_local_state(store, seqera_env):
    seqera_env.on("POST", "/api/revoke")
    store.write_refresh_token("rt-1")
    store.write_metadata({"user": None})
    result = CliRunner().invoke(cli, ["seqera", "logout"])
    assert result.exit_code == 0, result.output
    assert seqera_env.hits_to("POST", "/api/revoke")[0].body == (
        "token=rt-1&token_type_hint=refresh_token&client_id=seqera_ai_cli"
    )
    assert not store.refresh_token_file.exists()
    assert not store.metadata_file.exists()


def test_logout_deletes_the_local_state_even_when_revocation_fails(store, seqera_env):
    seqera_env.on("POST", "/api/revoke", status=503, body="down")
    store.write_refresh_token("rt-1")
    result = CliRunner().invoke(cli, ["seqera", "logout"])
    assert result.exit_code == 0
    assert "Could not revoke the refresh token: Token revocation failed (HTTP 503): down" in result.stderr
    assert not store.refresh_token_file.exists()


def test_org_commands(store, seqera_env, monkeypatch):
    seqera_env.on("GET", "/ai/v1/cli/organizations", body={"organizations": ORGS})
    monkeypatch.setenv("SEQERA_ACCESS_TOKEN", "env-token")
    runner = CliRunner()

    assert runner.invoke(cli, ["seqera", "org"]).stdout.startswith("No organization selected.")
    switched = runner.invoke(cli, ["seqera", "org", "switch", "2"])
    assert switched.exit_code == 0
    assert switched.stdout == "Organization set: Beta\n"
    assert runner.invoke(cli, ["seqera", "org"]).stdout == "Current organization: Beta (2)\n"
    assert runner.invoke(cli, ["seqera", "org", "list"]).stdout == "  1  Acme  [pro]\n* 2  Beta  [academic]\n"
    missing = runner.invoke(cli, ["seqera", "org", "switch", "3"])
    assert (missing.exit_code, missing.stderr) == (
        1,
        "Error: Organization 3 not found; see 'platform-auth seqera org list'\n",
    )
    assert runner.invoke(cli, ["seqera", "org", "clear"]).exit_code == 0
    assert json.loads(store.metadata_file.read_text())["selected_organization"] is None
    assert {hit.headers["Authorization"] for hit in seqera_env.hits} == {"Bearer env-token"}


def test_token_prints_a_refreshed_access_token(store, seqera_env):
    seqera_env.on("POST", "/api/token", body=tokens("access-9", "rt-2"))
    store.write_refresh_token("rt-1")
    result = CliRunner().invoke(cli, ["seqera", "token"])
    assert (result.exit_code, result.stdout) == (0, "access-9\n")
    assert store.read_refresh_token() == "rt-2"


def test_token_after_a_refused_refresh_is_one_error_line(store, seqera_env):
    seqera_env.on(
        "POST", "/api/token", status=400, body='{"error": "invalid_grant",\n "error_description": "used"}'
    )
    store.write_refresh_token("rt-1")
    result = CliRunner().invoke(cli, ["seqera", "token"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(
        'Error: Token refresh failed: {"error": "invalid_grant", "error_description"'
    )
    assert result.stderr.count("\n") == 1
    assert "run 'platform-auth seqera login' again" in result.stderr


def test_status_when_not_logged_in(seqera_env):
    result = CliRunner().invoke(cli, ["seqera", "status"])
    assert result.exit_code == 1
    assert "Credentials" in result.stdout
    assert result.stderr == "Error: Not logged in to Seqera; run 'platform-auth seqera login'\n"


def test_status_when_logged_in_checks_the_session_live(store, seqera_env):
    seqera_env.on("POST", "/api/token", body=tokens("access-1", "rt-2"))
    seqera_env.on("GET", "/ai/v1/cli/organizations", body={"organizations": ORGS})
    store.write_refresh_token("rt-1")
    store.write_metadata({"user": {"email": "alice@example.com"}, "selected_organization": ORGS[0]})
    result = CliRunner().invoke(cli, ["seqera", "status"])
    assert result.exit_code == 0, result.output
    rows = {line.split("  ")[0]: line.split("  ")[-1].strip() for line in result.stdout.splitlines()}
    assert rows["User"] == "alice@example.com"
    assert rows["Organization"] == "Acme (1)"
    assert rows["Credentials"] == f"refresh token in {store.refresh_token_file}"
    assert rows["Session"] == "✔ OK (2 organization(s) visible)"
