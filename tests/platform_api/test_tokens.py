"""Personal access tokens: creation rules, listing, deletion, isolation between users, and the defects."""

from __future__ import annotations

import base64
import binascii

import pytest
import requests

from mock_platform.testing import run_server

from .conftest import bearer, login


@pytest.fixture(scope="module")
def alice(platform):
    return bearer(login(platform)["access_token"])


@pytest.fixture(scope="module")
def bob(platform):
    return bearer(login(platform, "bob")["access_token"])


def create(api, headers, name):
    return api.post("/tokens", json={"name": name}, headers=headers)


def names(api, headers) -> list[str]:
    return [token["name"] for token in api.get("/tokens", headers=headers).json()["tokens"]]


def test_create_answers_200_with_the_pat_and_its_record(api, alice):
    response = create(api, alice, "create-shape")
    assert response.status_code == 200
    body = response.json()
    assert body["token"]["name"] == "create-shape"
    assert body["token"]["lastUsed"] is None
    assert body["token"]["dateCreated"].endswith("Z")


@pytest.mark.parametrize("length", [1, 50, 100])
def test_names_up_to_the_default_limit_are_accepted(api, alice, length):
    assert create(api, alice, "n" * length).status_code == 200


@pytest.mark.parametrize(
    "body",
    [{"name": "x" * 101}, {"name": ""}, {}, {"name": 123}, {"name": None}, ["name"], "name"],
    ids=["101-chars", "empty", "missing", "number", "null", "array", "string"],
)
def test_bad_names_are_400(api, alice, body):
    response = api.post("/tokens", json=body, headers=alice)
    assert response.status_code == 400
    assert "name" in response.json()["message"] or "JSON object" in response.json()["message"]


def test_a_body_that_is_not_json_is_400(api, alice):
    response = api.post("/tokens", data="name=x", headers={**alice, "Content-Type": "text/plain"})
    assert response.status_code == 400
    assert "JSON object" in response.json()["message"]


def test_the_name_limit_is_a_setting(start_platform, session_for):
    server = start_platform(token_name_max_length=50)
    api = session_for(server)
    headers = bearer(login(server)["access_token"])
    assert create(api, headers, "x" * 50).status_code == 200
    response = create(api, headers, "y" * 51)
    assert response.status_code == 400
    assert "the limit is 50" in response.json()["message"]
    schema = api.get("/openapi.json").json()["components"]["schemas"]["CreateAccessTokenRequest"]
    assert schema["properties"]["name"]["maxLength"] == 50


def test_duplicate_name_is_409_until_the_first_is_deleted(api, alice, bob):
    first = create(api, alice, "nextflow-auth-alice-2026-03-31-16-05")
    assert first.status_code == 200
    again = create(api, alice, "nextflow-auth-alice-2026-03-31-16-05")
    assert (again.status_code, again.json()) == (409, {"message": "Duplicated element"})
    assert create(api, bob, "nextflow-auth-alice-2026-03-31-16-05").status_code == 200, "names are per user"
    token_id = first.json()["token"]["id"]
    assert api.delete(f"/tokens/{token_id}", headers=alice).status_code == 204
    assert create(api, alice, "nextflow-auth-alice-2026-03-31-16-05").status_code == 200


def test_a_pat_may_create_another_pat(api, alice):
    pat = create(api, alice, "parent").json()["accessKey"]
    assert create(api, bearer(pat), "child").status_code == 200


@pytest.mark.parametrize("token_id", ["999999", str(2**63), str(2**70)])
def test_deleting_an_unknown_id_is_404(api, alice, token_id):
    response = api.delete(f"/tokens/{token_id}", headers=alice)
    assert response.status_code == 404
    assert "GET /tokens" in response.json()["message"]


def test_deleting_twice_is_404(api, alice):
    token_id = create(api, alice, "twice").json()["token"]["id"]
    assert api.delete(f"/tokens/{token_id}", headers=alice).status_code == 204
    assert api.delete(f"/tokens/{token_id}", headers=alice).status_code == 404


def test_users_cannot_see_or_delete_each_others_tokens(api, alice, bob):
    created = create(api, alice, "alice-private").json()
    token_id, pat = created["token"]["id"], created["accessKey"]
    assert "alice-private" not in names(api, bob)
    foreign = api.delete(f"/tokens/{token_id}", headers=bob)
    unknown = api.delete("/tokens/999998", headers=bob)
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json()["message"] == unknown.json()["message"].replace("999998", str(token_id))
    assert api.get("/user-info", headers=bearer(pat)).status_code == 200
    assert api.get("/user/1001/workspaces", headers=bob).status_code == 403
    assert api.delete("/tokens/delete-all", headers=bob).status_code == 204
    assert api.get("/user-info", headers=bearer(pat)).status_code == 200
    assert "alice-private" in names(api, alice)


def test_delete_all_removes_every_token_of_the_caller_only(start_platform, session_for):
    server = start_platform()
    api = session_for(server)
    alice, bob = bearer(login(server)["access_token"]), bearer(login(server, "bob")["access_token"])
    pats = [create(api, alice, f"a{i}").json()["accessKey"] for i in range(3)]
    kept = create(api, bob, "b").json()["accessKey"]
    assert api.delete("/tokens/delete-all", headers=bearer(pats[0])).status_code == 204
    assert names(api, alice) == []
    assert all(api.get("/user-info", headers=bearer(pat)).status_code == 401 for pat in pats)
    assert api.get("/user-info", headers=bearer(kept)).status_code == 200


# Deliberate defects break the contract on purpose, so these requests skip the OpenAPI check.


@pytest.fixture(scope="module")
def defective(tmp_path_factory):
    defects = "tokens-201,pat-not-tid,deleted-pat-accepted"
    with run_server(tmp_path_factory.mktemp("defective"), defects=defects) as server:
        yield server, bearer(login(server)["access_token"])


def create_unchecked(server, headers, name):
    return requests.post(server.issuer + "/tokens", json={"name": name}, headers=headers, timeout=10)


def test_defect_tokens_201(defective):
    assert create_unchecked(*defective, "created").status_code == 201


def test_defect_pat_not_tid(defective):
    server, headers = defective
    pat = create_unchecked(server, headers, "opaque").json()["accessKey"]
    with pytest.raises((binascii.Error, ValueError)):
        base64.b64decode(pat, validate=True).decode()
    user_info = requests.get(server.issuer + "/user-info", headers=bearer(pat), timeout=10)
    assert user_info.status_code == 200, "the token still works; only its format is wrong"


def test_defect_deleted_pat_accepted(defective):
    server, headers = defective
    created = create_unchecked(server, headers, "deleted").json()
    deleted = requests.delete(f"{server.issuer}/tokens/{created['token']['id']}", headers=headers, timeout=10)
    assert deleted.status_code == 204
    user_info = requests.get(server.issuer + "/user-info", headers=bearer(created["accessKey"]), timeout=10)
    assert user_info.status_code == 200
