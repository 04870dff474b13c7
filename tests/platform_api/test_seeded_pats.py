"""Seeded personal access tokens over HTTP: accepted like minted ones, listed, deleted, and what a
restart, a reset and a changed seed do with them."""

from __future__ import annotations

import pytest
import requests
import yaml

from mock_platform import pats
from mock_platform.errors import ConfigError
from mock_platform.live import Platform
from mock_platform.settings import Settings
from mock_platform.testing import RunningServer, run_server

from .conftest import basic, bearer

# alice's seeded token in mock_platform/data/directory.yml, as the README's users table gives it
LEGACY_CI = "eyJ0aWQiOiA0MjQyfS43OWFiYzNmYzhmZTQ0MzYzNjg2YzE4NWU3NThlYWFmNzQ3YTAxMTA1"
TIMEOUT = 10


def user_info(server: RunningServer, token: str) -> int:
    return requests.get(f"{server.issuer}/user-info", headers=bearer(token), timeout=TIMEOUT).status_code


def token_ids(server: RunningServer, token: str) -> list[int]:
    response = requests.get(f"{server.issuer}/tokens", headers=bearer(token), timeout=TIMEOUT)
    return [listed["id"] for listed in response.json()["tokens"]]


def mint(server: RunningServer, token: str, name: str) -> dict:
    response = requests.post(
        f"{server.issuer}/tokens", json={"name": name}, headers=bearer(token), timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_the_shipped_token_works_everywhere_a_minted_pat_does(api):
    me = api.get("/user-info", headers=bearer(LEGACY_CI))
    assert me.status_code == 200 and me.json()["user"]["userName"] == "alice"
    assert api.get("/user-info", headers=basic(LEGACY_CI)).json()["user"]["id"] == 1001
    assert api.get("/user/1001/workspaces", headers=bearer(LEGACY_CI)).status_code == 200
    assert api.get("/compute-envs", headers=bearer(LEGACY_CI)).json()["computeEnvs"]
    organizations = api.get(api.ai("/v1/cli/organizations"), headers=bearer(LEGACY_CI))
    assert [org["org_name"] for org in organizations.json()["organizations"]] == ["acme"]
    backend_user = api.get(api.ai("/v1/cli/user-info"), headers=bearer(LEGACY_CI)).json()["user"]
    assert backend_user["userName"] == "alice"
    session = api.post(api.ai("/v1/cli/sessions"), json={"cwd": "/work"}, headers=bearer(LEGACY_CI))
    assert session.status_code == 200 and session.json()["session_id"]


def test_it_is_listed_as_platform_lists_tokens_without_its_secret(api):
    listing = api.get("/tokens", headers=bearer(LEGACY_CI))
    [token] = [token for token in listing.json()["tokens"] if token["id"] == 4242]
    assert (token["name"], token["dateCreated"]) == ("legacy-ci", "2026-01-05T09:00:00Z")
    secret = pats.decode(LEGACY_CI)[1]
    assert LEGACY_CI not in listing.text and secret not in listing.text


def test_a_changed_secret_or_a_tampered_token_is_refused(api):
    _, secret = pats.decode(LEGACY_CI)
    other_secret = pats.encode(4242, secret[:-1] + ("0" if secret[-1] != "0" else "1"))
    assert api.get("/user-info", headers=bearer(other_secret)).status_code == 401
    assert api.get("/user-info", headers=bearer(LEGACY_CI[:-1] + "A")).status_code == 401


def test_its_name_is_taken_and_minted_ids_come_after_its_tid(platform, api):
    taken = api.post("/tokens", json={"name": "legacy-ci"}, headers=bearer(LEGACY_CI))
    assert (taken.status_code, taken.json()) == (409, {"message": "Duplicated element"})
    assert mint(platform, LEGACY_CI, "after-the-seed")["token"]["id"] > 4242


def test_deleted_it_stays_deleted_across_a_restart_and_a_reset_brings_it_back(tmp_path):
    with run_server(tmp_path) as server:
        minted = mint(server, LEGACY_CI, "laptop")["accessKey"]
        deleted = requests.delete(f"{server.issuer}/tokens/4242", headers=bearer(LEGACY_CI), timeout=TIMEOUT)
        assert deleted.status_code == 204
        assert user_info(server, LEGACY_CI) == 401
        assert 4242 not in token_ids(server, minted)
    with run_server(tmp_path) as server:
        assert user_info(server, LEGACY_CI) == 401, "Platform never brings a deleted token back"
        assert user_info(server, minted) == 200
        server.control.reset()
        assert user_info(server, LEGACY_CI) == 200, "a reset goes back to the seed"
        assert user_info(server, minted) == 401


def test_a_changed_seed_replaces_the_seeded_tokens_and_keeps_minted_ones(tmp_path):
    with run_server(tmp_path / "data") as server:
        minted = mint(server, LEGACY_CI, "laptop")["accessKey"]
    replacement = pats.encode(17, pats.new_secret())
    bobs = pats.encode(18, pats.new_secret())
    users = [
        {"userName": "alice", "access-tokens": [{"name": "from-config", "token": replacement}]},
        {"userName": "bob", "access-tokens": [{"name": "legacy-ci", "token": bobs}]},
    ]
    with run_server(tmp_path / "data", users=users) as server:
        assert user_info(server, LEGACY_CI) == 401, "the seed no longer has it"
        assert user_info(server, minted) == 200
        assert (user_info(server, replacement), user_info(server, bobs)) == (200, 200)
        assert token_ids(server, replacement) == [17, pats.decode(minted)[0]]
        assert token_ids(server, bobs) == [18]


def test_a_config_token_of_a_user_it_defines_works(tmp_path):
    token = pats.encode(99, pats.new_secret())
    dave = {"id": 2001, "userName": "dave", "email": "dave@example.net", "password": "dave-password"}
    with run_server(
        tmp_path, users=[{**dave, "access-tokens": [{"name": "old-laptop", "token": token}]}]
    ) as server:
        response = requests.get(f"{server.issuer}/user-info", headers=bearer(token), timeout=TIMEOUT)
        assert response.json()["user"]["userName"] == "dave"


def settings_with(tmp_path, users: list[dict]) -> Settings:
    config = tmp_path / "mock.yml"
    config.write_text(yaml.safe_dump({"users": users}), encoding="utf-8")
    return Settings.load({"data_dir": tmp_path / "data", "config": config}, environ={})


def test_a_seeded_tid_that_a_live_minted_pat_holds_is_refused_at_start(tmp_path):
    with run_server(tmp_path / "data") as server:
        minted_id = mint(server, LEGACY_CI, "laptop")["token"]["id"]
    users = [
        {"userName": "bob", "access-tokens": [{"name": "old", "token": pats.encode(minted_id, "a" * 40)}]}
    ]
    with pytest.raises(ConfigError) as refused:
        Platform(settings_with(tmp_path, users))
    assert str(refused.value) == (
        f"directory (seed + {tmp_path / 'mock.yml'}): users[1] (bob).access-tokens[0] (old).token: "
        f"tid {minted_id} is already the id of a personal access token minted on this mock ('laptop' of "
        f"user 1001); give the seeded token a tid above {minted_id}, the highest id in use, or start from "
        "an empty store (a new data dir)"
    )


def test_a_seeded_name_that_a_live_minted_pat_of_the_user_has_is_refused_at_start(tmp_path):
    with run_server(tmp_path / "data") as server:
        minted_id = mint(server, LEGACY_CI, "laptop")["token"]["id"]
    users = [{"userName": "alice", "access-tokens": [{"name": "laptop", "token": pats.encode(1, "a" * 40)}]}]
    with pytest.raises(
        ConfigError, match=r"users\[0\] \(alice\).access-tokens\[0\] \(laptop\).name: "
    ) as refused:
        Platform(settings_with(tmp_path, users))
    assert "'laptop' is already the name of a personal access token minted on this mock" in str(refused.value)
    assert f"id {minted_id}; give the seeded token another name" in str(refused.value)
