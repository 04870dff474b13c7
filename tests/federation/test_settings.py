"""Federated sign-in settings: Platform's TOWER_OIDC_* names, which name wins, and one clear error each."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mock_platform.allow_list import AllowList
from mock_platform.cli import main
from mock_platform.errors import ConfigError
from mock_platform.federation import callback_url
from mock_platform.settings import Settings
from mock_platform.testing import upstream_client

ISSUER = "https://idp.example.com/realms/platform"
ROOT = Path(__file__).resolve().parents[2]


def test_an_operators_tower_oidc_variables_are_read_as_is():
    settings = Settings.load(
        environ={
            "TOWER_OIDC_ISSUER": ISSUER,
            "TOWER_OIDC_CLIENT": "platform",
            "TOWER_OIDC_SECRET": "s3cret-value",
        }
    )
    assert (settings.upstream_issuer, settings.upstream_client_id, settings.upstream_client_secret) == (
        ISSUER,
        "platform",
        "s3cret-value",
    )
    assert settings.upstream_create_users and settings.local_login
    assert settings.upstream_allow_list == frozenset()


def test_the_mock_platform_name_wins_over_platforms_when_both_are_set():
    settings = Settings.load(
        environ={
            "TOWER_OIDC_ISSUER": "https://shared.example.com",
            "MOCK_PLATFORM_UPSTREAM_ISSUER": ISSUER,
            "TOWER_OIDC_CLIENT": "from-tower",
            "MOCK_PLATFORM_UPSTREAM_CLIENT_ID": "from-mock",
        }
    )
    assert (settings.upstream_issuer, settings.upstream_client_id) == (ISSUER, "from-mock")


def test_the_allow_list_comes_from_the_environment_or_the_config_file(tmp_path):
    config = tmp_path / "mock.yml"
    config.write_text(
        f"settings:\n  upstream_issuer: {ISSUER}\n  upstream_client_id: platform\n"
        "  upstream_allow_list: ['*@example.com', someone@partner.example.net]\n"
    )
    assert Settings.load({"config": config}, environ={}).upstream_allow_list == {
        "*@example.com",
        "someone@partner.example.net",
    }
    from_env = Settings.load(
        environ={
            "TOWER_OIDC_ISSUER": ISSUER,
            "TOWER_OIDC_CLIENT": "platform",
            "MOCK_PLATFORM_UPSTREAM_ALLOW_LIST": "*@example.com, someone@partner.example.net",
        }
    )
    assert from_env.upstream_allow_list == {"*@example.com", "someone@partner.example.net"}


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"TOWER_OIDC_ISSUER": ISSUER},
            "upstream_client_id: required with upstream_issuer: set MOCK_PLATFORM_UPSTREAM_CLIENT_ID (or "
            "TOWER_OIDC_CLIENT) to the client id the upstream provider gave this server",
        ),
        (
            {"TOWER_OIDC_CLIENT": "platform"},
            "environment variable TOWER_OIDC_CLIENT: set for federated sign-in, but upstream_issuer is not: set "
            "MOCK_PLATFORM_UPSTREAM_ISSUER (or TOWER_OIDC_ISSUER) to the upstream provider's issuer",
        ),
        (
            {
                "TOWER_OIDC_ISSUER": ISSUER,
                "TOWER_OIDC_CLIENT": "p",
                "MOCK_PLATFORM_UPSTREAM_ALLOW_LIST": "example.com",
            },
            "environment variable MOCK_PLATFORM_UPSTREAM_ALLOW_LIST: 'example.com' is neither an e-mail address "
            "nor a pattern like *@example.com (leave the allow-list unset to let every address in)",
        ),
        (
            {"TOWER_OIDC_ISSUER": "idp.example.com", "TOWER_OIDC_CLIENT": "p"},
            "environment variable TOWER_OIDC_ISSUER: 'idp.example.com' must be an http(s) URL without query or "
            "fragment, exactly the issuer the provider's discovery document names",
        ),
        (
            {"MOCK_PLATFORM_LOCAL_LOGIN": "off"},
            "environment variable MOCK_PLATFORM_LOCAL_LOGIN: off leaves no way to sign in without an upstream "
            "provider: set MOCK_PLATFORM_UPSTREAM_ISSUER (or TOWER_OIDC_ISSUER), or turn local_login on",
        ),
        (
            {
                "TOWER_OIDC_ISSUER": ISSUER,
                "TOWER_OIDC_CLIENT": "p",
                "MOCK_PLATFORM_LOCAL_LOGIN": "off",
                "MOCK_PLATFORM_AUTO_LOGIN": "alice",
            },
            "environment variable MOCK_PLATFORM_AUTO_LOGIN: signs users in locally, which local_login off "
            "forbids; unset one of the two",
        ),
    ],
)
def test_bad_federation_settings_are_one_clear_error(environ, message):
    with pytest.raises(ConfigError) as raised:
        Settings.load(environ=environ)
    assert str(raised.value) == message


def test_check_config_shows_what_to_register_at_the_upstream(tmp_path, monkeypatch):
    for name, value in {"TOWER_OIDC_ISSUER": ISSUER, "TOWER_OIDC_CLIENT": "platform", "TOWER_OIDC_SECRET": "s3cret-value",
                        "MOCK_PLATFORM_UPSTREAM_ALLOW_LIST": "*@example.com"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["check-config", "--data-dir", str(tmp_path), "--port", "9090"])
    assert result.exit_code == 0, result.output
    assert (
        f"federated sign-in: {ISSUER} as client platform (with a secret); register the redirect URI "
        "http://127.0.0.1:9090/oauth/callback/oidc there; allow-list *@example.com; users created at first "
        "sign-in; password sign-in on"
    ) in result.output
    assert "s3cret-value" not in result.output


@pytest.mark.parametrize(
    ("entries", "email", "allowed"),
    [
        ([], "anyone@anywhere.example", True),
        (["*@example.com"], "alice@example.com", True),
        (["*@example.com"], "Alice@EXAMPLE.com", True),
        (["*@example.com"], "alice@example.com.evil.example", False),
        (["*@example.com"], "alice@sub.example.com", False),
        (["*@*.example.com"], "alice@sub.example.com", True),
        (["someone@partner.example.net"], "Someone@Partner.example.net", True),
        (["someone@partner.example.net"], "someone.else@partner.example.net", False),
        (["a.b@example.com"], "aXb@example.com", False),  # a dot is a dot, not any character
    ],
)
def test_allow_list_patterns(entries, email, allowed):
    assert AllowList(entries).allows(email) is allowed


def test_the_example_env_file_configures_federated_sign_in_and_is_the_one_the_readme_shows():
    text = (ROOT / "examples" / "sso.env").read_text()
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    settings = Settings.load(environ=dict(line.split("=", 1) for line in lines))
    assert settings.upstream_issuer == "https://keycloak.example.com/realms/platform"
    assert settings.upstream_client_id == "seqera-platform" and settings.upstream_client_secret
    assert settings.upstream_allow_list == {"*@example.com", "partner@another.example.net"}
    assert not settings.local_login
    assert "\n".join(["# examples/sso.env", *lines]) in (ROOT / "README.md").read_text()


def test_the_example_upstream_registers_the_mock_on_its_default_port():
    document = yaml.safe_load((ROOT / "examples" / "sso-upstream.yml").read_text())
    assert document["clients"] == [upstream_client(callback_url(Settings(port=8080)))]
