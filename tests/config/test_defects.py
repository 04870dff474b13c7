"""The deliberate-defects table: each name is a policy value or exactly one flawed variant, and the
strict classes stay as they are unless their defect is on."""

from __future__ import annotations

import pytest

from mock_platform import create_app
from mock_platform.defects import DEFECTS, flawed_variant, registered_variants, with_defects
from mock_platform.errors import ConfigError
from mock_platform.oidc.server import SERVER, PlatformAuthorizationServer
from mock_platform.settings import Settings


def test_every_defect_is_a_policy_value_or_exactly_one_flawed_variant(tmp_path):
    create_app(Settings(data_dir=tmp_path))  # imports every module that registers a variant
    variants = registered_variants()
    for name, defect in DEFECTS.items():
        expected = 0 if defect.policies else 1
        assert len(variants.get(name, [])) == expected, name


def test_a_policy_defect_overrides_what_was_configured(tmp_path):
    settings = Settings(data_dir=tmp_path, single_use_codes=True, defects=frozenset({"code-reusable"}))
    assert settings.single_use_codes is False


def test_a_variant_is_switched_in_only_when_its_defect_is_on(tmp_path):
    strict = create_app(Settings(data_dir=tmp_path / "strict")).extensions[SERVER]
    flawed = create_app(Settings(data_dir=tmp_path / "flawed", defects=frozenset({"open-redirect"})))
    assert type(strict) is PlatformAuthorizationServer
    server = flawed.extensions[SERVER]
    assert isinstance(server, PlatformAuthorizationServer) and type(server) is not PlatformAuthorizationServer
    assert with_defects(PlatformAuthorizationServer, {"tokens-201"}) is PlatformAuthorizationServer


def test_an_unknown_defect_is_refused_at_load():
    with pytest.raises(ConfigError, match=r"unknown defect\(s\) bogus; known: code-reusable"):
        Settings.load({"defects": "bogus"}, environ={})
    with pytest.raises(ValueError, match="not a defect that takes a flawed variant"):
        flawed_variant("code-reusable")
