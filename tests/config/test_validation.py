"""Declared types checked by msgspec, and the messages built from them (mock_platform/validation.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any, Literal

import pytest
from msgspec import Meta, Struct, inspect

from mock_platform.errors import ConfigError
from mock_platform.settings import DECLARED, ENV_PREFIX, Settings
from mock_platform.validation import JSON, closest, convert, describe, unknown_names


class Env(Struct, forbid_unknown_fields=True, rename="camel"):
    name: Annotated[str, Meta(min_length=1)]
    work_dir: str = "/tmp/work"


class Person(Struct, forbid_unknown_fields=True, rename="camel"):
    user_name: str
    age: Annotated[int, Meta(ge=0, le=150)] = 0
    roles: dict[str, Literal["owner", "member"]] = {}
    envs: list[Env] = []

    def __post_init__(self) -> None:
        if self.user_name == "root":
            raise ValueError("userName: root is reserved")


class Team(Struct, forbid_unknown_fields=True):
    people: list[Person] = []


def message(document: Any, target: Any = Team, **options: Any) -> str:
    with pytest.raises(ValueError) as refused:
        convert(document, target, **options)
    return str(refused.value)


@pytest.mark.parametrize(
    ("info", "text"),
    [
        (Annotated[int, Meta(ge=1, le=1000)], "a whole number from 1 to 1000"),
        (Annotated[int, Meta(gt=0)], "a positive whole number"),
        (Annotated[float, Meta(gt=0, le=1)], "a number (more than 0 and at most 1)"),
        (Annotated[int, Meta(ge=5)], "a whole number (at least 5)"),
        (Annotated[str, Meta(min_length=1)], "a non-empty string"),
        (Literal["a", "b"], "one of a, b"),
        (Annotated[int, Meta(ge=1, le=9)] | Literal["all"] | None, 'a whole number from 1 to 9 or "all"'),
        (list[Annotated[str, Meta(min_length=1)]], "a list of non-empty strings"),
        (list[Env], "a list of mappings with name, ..."),
        (Annotated[str, Meta(description="an e-mail address")], "an e-mail address"),
        (bool, "true or false"),
    ],
)
def test_declared_types_are_described_in_words(info, text):
    assert describe(inspect.type_info(info)) == text


def test_unknown_names_suggest_the_nearest_known_one_ignoring_case_and_dashes():
    assert closest("redirect_uris", ["client-id", "redirect-uris"]) == "redirect-uris"
    assert closest("USERNAME", ["userName", "email"]) == "userName"
    assert closest("colour", ["client-id", "redirect-uris"]) is None
    assert unknown_names(["stauts", "x"], ["status", "body"], "field") == (
        "unknown fields 'stauts' (did you mean 'status'?), 'x'; known fields: body, status"
    )


def test_messages_name_the_path_with_item_labels_and_the_value_given():
    people = [{"userName": "ann"}, {"userName": "bob", "age": 200}]
    assert message({"people": people}, where="team.yml: ") == (
        "team.yml: people[1] (bob).age: must be a whole number from 0 to 150, got 200"
    )
    assert message({"people": [{"userName": "ann", "age": "ten"}]}, where="team.yml: ") == (
        "team.yml: people[0] (ann).age: expected a whole number from 0 to 150, got 'ten'"
    )
    assert message({"people": [{"userName": "ann", "envs": [{"workDir": "/w"}]}]}) == (
        "people[0] (ann).envs[0].name: required, a non-empty string"
    )


def test_a_bad_value_inside_a_mapping_is_named_by_its_key():
    document = {"people": [{"userName": "ann", "roles": {"acme": "owner", "beta": "boss"}}]}

    assert message(document) == "people[0] (ann).roles.beta: must be one of member, owner, got 'boss'"


def test_unknown_keys_are_all_listed_with_suggestions():
    document = {"people": [{"userName": "ann", "usrName": "x", "colour": "red"}]}

    assert message(document) == (
        "people[0] (ann): unknown keys 'usrName' (did you mean 'userName'?), 'colour'; "
        "known keys: age, envs, roles, userName"
    )


def test_a_types_own_check_is_reported_at_its_key_and_json_wording_is_used_for_json():
    assert message({"people": [{"userName": "root"}]}) == "people[0] (root).userName: root is reserved"
    assert message({"people": "ann"}, words=JSON, show=repr) == (
        "people: expected a list of JSON objects with userName, ..., got 'ann'"
    )
    assert message({"people": [{"userName": "ann"}], 7: 1}) == "every key must be a string, got 7"


def test_every_setting_is_read_from_text_as_its_declared_type_says():
    settings = Settings.load(
        environ={
            f"{ENV_PREFIX}HEADLESS_LOGIN": "off",
            f"{ENV_PREFIX}CONTROL_API": "Yes",
            f"{ENV_PREFIX}PORT": " 9090 ",
            f"{ENV_PREFIX}DEFECTS": "code-reusable, tokens-201,",
            f"{ENV_PREFIX}DATA_DIR": "/tmp/mock-data",
        }
    )

    assert (settings.headless_login, settings.control_api, settings.port) == (False, True, 9090)
    assert settings.defects == frozenset({"code-reusable", "tokens-201"})
    assert settings.data_dir == Path("/tmp/mock-data")


def test_a_yaml_number_where_the_setting_is_text_is_taken_as_text(tmp_path):
    path = tmp_path / "mock.yml"
    path.write_text("settings:\n  auto_login: 1001\n  registration-token: 12345678\n")

    settings = Settings.load({"config": path}, environ={})

    assert (settings.auto_login, settings.registration_token) == ("1001", "12345678")


def declared_kind(name: str) -> inspect.Type:
    info = inspect.type_info(DECLARED[name])
    while isinstance(info, inspect.Metadata | inspect.UnionType):
        info = info.type if isinstance(info, inspect.Metadata) else info.types[0]
    return info


def takes_any_text(name: str) -> bool:
    kind = declared_kind(name)
    return isinstance(kind, inspect.StrType | inspect.CustomType | inspect.FrozenSetType) and not getattr(
        kind, "pattern", None
    )


# Driven by the declared types, so a setting added later is covered without a change here.
@pytest.mark.parametrize("name", [f.name for f in dataclasses.fields(Settings) if not takes_any_text(f.name)])
def test_every_setting_refuses_a_value_of_the_wrong_kind_naming_its_variable(name):
    variable = f"{ENV_PREFIX}{name.upper()}"

    with pytest.raises(ConfigError) as refused:
        Settings.load(environ={variable: "not valid here/"})

    assert str(refused.value).startswith(f"environment variable {variable}: ")
    assert "got 'not valid here/'" in str(refused.value)


def test_settings_built_directly_are_checked_like_loaded_ones():
    with pytest.raises(ConfigError, match=r"^port: must be a TCP port from 0 to 65535, got 70000$"):
        Settings(port=70000)
    with pytest.raises(ConfigError, match=r"^ai_path: must differ from api_path$"):
        Settings(ai_path="/api")
