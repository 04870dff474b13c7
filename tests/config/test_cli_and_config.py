"""`mock-platform` commands and configuration errors: every bad input names where and what."""

from __future__ import annotations

import textwrap

import pytest
import requests
from click.testing import CliRunner

from mock_platform.cli import main
from mock_platform.errors import ConfigError
from mock_platform.settings import Settings
from mock_platform.testing import run_server
from tests.oidc_flows import endpoint, login_tokens, userinfo


@pytest.fixture
def cli(tmp_path, monkeypatch):
    for name in list(__import__("os").environ):
        if name.startswith("MOCK_PLATFORM_"):
            monkeypatch.delenv(name)

    def invoke(*args: str, env: dict[str, str] | None = None):
        return CliRunner().invoke(main, [*args], env=env, catch_exceptions=False)

    return invoke


def write(tmp_path, text: str):
    path = tmp_path / "mock.yml"
    path.write_text(textwrap.dedent(text))
    return path


def test_check_config_lists_what_would_be_served(cli, tmp_path):
    result = cli("check-config", "--data-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "issuer: http://127.0.0.1:8080/api" in result.output
    assert "client nextflow_cli: none, redirect http://127.0.0.1" in result.output
    assert "users: alice, bob, carol" in result.output
    assert result.output.rstrip().endswith("configuration OK")


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("clients:\n  - client-id: my_cli\n", "clients[0] (my_cli).redirect-uris: required"),
        (
            "clients:\n  - client-id: my_cli\n    redirect-uris: ['http://h/cb#x']\n",
            "clients[0] (my_cli).redirect-uris[0]: must be an absolute http(s) URI without user information or "
            "fragment (RFC 6749 §3.1.2), got 'http://h/cb#x'",
        ),
        (
            "clients:\n  - client-id: my_cli\n    redirect-uris: ['http://h/cb']\n    colour: blue\n",
            "clients[0] (my_cli): unknown key 'colour'; known keys: allowed-flows,",
        ),
        (
            "clients:\n  - client-id: my_cli\n    redirect_uris: ['http://h/cb']\n",
            "clients[0] (my_cli): unknown key 'redirect_uris' (did you mean 'redirect-uris'?)",
        ),
        (
            "clients:\n  - client-id: nextflow_cli\n    redirect-uris: ['http://a/cb']\n  - client-id: nextflow_cli\n"
            "    redirect-uris: ['http://b/cb']\n",
            "'nextflow_cli' is registered twice",
        ),
        (
            "users:\n  - id: 7\n    userName: dave\n    email: not-an-email\n    password: x\n",
            "users[3] (dave).email: must be an e-mail address, got 'not-an-email'",
        ),
        (
            "organizations:\n  - orgId: 9\n    name: lab\n    members: {alice: boss}\n",
            "organizations[2] (lab).members.alice: must be one of collaborator, member, owner, got 'boss'",
        ),
        (
            "users:\n  - id: 7\n    userName: dave\n    email: d@x.org\n    password: x\n    firstname: Dave\n",
            "users[3] (dave): unknown key 'firstname' (did you mean 'firstName'?)",
        ),
        (
            "settings:\n  port: eighty\n",
            "settings.port: expected a TCP port from 0 to 65535, got 'eighty'",
        ),
        (
            "settings:\n  code_lifetime: ten\n",
            "settings.code_lifetime: expected a positive whole number of seconds, got 'ten'",
        ),
        (
            "settings:\n  colour: blue\n",
            "unknown setting 'colour'; known settings: access_log, access_token_lifetime,",
        ),
        ("settings:\n  code-lifetme: 5\n", "unknown setting 'code-lifetme' (did you mean 'code_lifetime'?)"),
        (
            "settings:\n  code_lifetime: -5\n",
            "settings.code_lifetime: must be a positive whole number of seconds, got -5",
        ),
        (
            "clients: [oops\n",
            "mock.yml: line 2, column 1: not valid YAML: expected ',' or ']', but got '<stream end>' "
            "(while parsing a flow sequence at line 1, column 10)",
        ),
        (
            "- a list\n",
            "mock.yml: expected a mapping with settings:, clients:, users:, organizations:, got ['a list']",
        ),
        ("setings:\n  port: 80\n", "unknown top-level key 'setings' (did you mean 'settings'?)"),
    ],
)
def test_bad_config_files_name_the_file_the_key_and_the_problem(cli, tmp_path, config, message):
    path = write(tmp_path, config)
    result = cli("check-config", "--data-dir", str(tmp_path), "--config", str(path))
    assert result.exit_code == 1
    assert str(path) in result.output and message in result.output


def test_missing_config_file(cli, tmp_path):
    result = cli("check-config", "--config", str(tmp_path / "nope.yml"))
    assert result.exit_code == 1 and "config file not found" in result.output


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MOCK_PLATFORM_PORT": "abc"}, "environment variable MOCK_PLATFORM_PORT"),
        ({"MOCK_PLATFORM_HEADLESS_LOGIN": "maybe"}, "expected on/off"),
        (
            {"MOCK_PLATFORM_CODE_LIFETIME": "ten"},
            "environment variable MOCK_PLATFORM_CODE_LIFETIME: expected a positive whole number of seconds, "
            "got 'ten'",
        ),
        (
            {"MOCK_PLATFORM_API_PATH": "api/"},
            "environment variable MOCK_PLATFORM_API_PATH: must be empty, or a path that starts with '/' and "
            "does not end with '/', got 'api/'",
        ),
        (
            {"MOCK_PLATFORM_CODE_LIFETIME": "-5"},
            "environment variable MOCK_PLATFORM_CODE_LIFETIME: must be a positive",
        ),
        (
            {"MOCK_PLATFORM_WORKERS": "0"},
            "environment variable MOCK_PLATFORM_WORKERS: must be a positive whole number, got '0'",
        ),
        ({"MOCK_PLATFORM_DATABASE_URL": "nonsense"}, "database_url: not a SQLAlchemy URL"),
        ({"MOCK_PLATFORM_DATABASE_URL": "mysql+nosuchdriver://h/db"}, "check the dialect+driver part"),
        ({"MOCK_PLATFORM_BASE_URL": "http://h:1/sub?x=1"}, "scheme://host[:port] with an optional path"),
        ({"MOCK_PLATFORM_DEFECTS": "pkce-not-verified,bogus"}, "unknown defect(s) bogus"),
        ({"MOCK_PLATFORM_AUTO_LOGIN": "nobody"}, "auto_login"),
        (
            {"MOCK_PLATFORM_REGISTRATION_TOKEN": "has space"},
            "MOCK_PLATFORM_REGISTRATION_TOKEN: must be 8 to 200 printable characters",
        ),
    ],
)
def test_bad_environment_is_reported(cli, tmp_path, env, message):
    result = cli("check-config", "--data-dir", str(tmp_path), env=env)
    assert result.exit_code == 1
    assert message in result.output


def test_settings_precedence_file_then_env_then_flags(tmp_path):
    path = write(tmp_path, "settings:\n  code_lifetime: 30\n  access-token-lifetime: 600\n")
    settings = Settings.load(
        {"config": path, "access_token_lifetime": 900},
        environ={"MOCK_PLATFORM_CODE_LIFETIME": "45", "MOCK_PLATFORM_HEADLESS_LOGIN": "off"},
    )
    assert (settings.code_lifetime, settings.access_token_lifetime, settings.headless_login) == (
        45,
        900,
        False,
    )
    with pytest.raises(ConfigError, match="option --code-lifetime: must be a positive"):
        Settings.load({"code_lifetime": 0}, environ={})


def test_config_file_adds_clients_and_users(tmp_path):
    path = write(
        tmp_path,
        """
        clients:
          - client-id: my_cli
            redirect-uris: ["http://127.0.0.1/cb"]
        users:
          - id: 2001
            userName: dave
            email: dave@example.net
            password: dave-password
            claims: {team: core}
        """,
    )
    with run_server(tmp_path / "data", config=path) as server:
        tokens = login_tokens(
            server.issuer, client_id="my_cli", redirect_uri="http://127.0.0.1:5000/cb", login_hint="dave"
        )
        assert userinfo(server.issuer, tokens["access_token"]).json()["preferred_username"] == "dave"


def test_users_command(cli, tmp_path):
    result = cli("users", "--data-dir", str(tmp_path))
    assert result.exit_code == 0
    assert "1001\talice\talice@example.com\tacme (owner)" in result.output


def test_keys_rotate_publishes_the_new_key_and_keeps_the_old(cli, tmp_path):
    with run_server(tmp_path) as server:
        old_kid = requests.get(endpoint(server.issuer, "jwks"), timeout=10).json()["keys"][0]["kid"]
        old_tokens = login_tokens(server.issuer)
        result = cli("keys", "rotate", "--data-dir", str(tmp_path))
        assert result.exit_code == 0 and "new signing key" in result.output
        kids = [
            key["kid"] for key in requests.get(endpoint(server.issuer, "jwks"), timeout=10).json()["keys"]
        ]
        assert len(kids) == 2 and old_kid in kids
        new_tokens = login_tokens(server.issuer)
        from joserfc import jws

        assert jws.extract_compact(new_tokens["id_token"].encode()).protected["kid"] != old_kid
        assert userinfo(server.issuer, old_tokens["access_token"]).status_code == 200


def test_headless_login_off_shows_the_page(tmp_path):
    with run_server(tmp_path, headless_login=False) as server:
        from tests.oidc_flows import authorize

        response = authorize(server.issuer)
        assert response.status_code == 200 and 'id="login-form"' in response.text


def test_auto_login_signs_in_without_a_hint(tmp_path):
    with run_server(tmp_path, auto_login="bob") as server:
        tokens = login_tokens(server.issuer, login_hint=None, prompt="login")
        assert userinfo(server.issuer, tokens["access_token"]).json()["sub"] == "1002"


def test_the_database_is_readable_by_its_owner_only(cli, tmp_path):
    data_dir = tmp_path / "shared"
    data_dir.mkdir(mode=0o755)
    assert cli("check-config", "--data-dir", str(data_dir)).exit_code == 0
    assert (data_dir / "mock-platform.db").stat().st_mode & 0o777 == 0o600
