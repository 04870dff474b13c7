"""The OpenAPI 3.1 document: well-formed, served with this server's URLs, and complete (every
documented operation is exercised here, and the checker really rejects what does not match)."""

from __future__ import annotations

import json
from importlib import resources

import pytest
import requests
from jsonschema import Draft202012Validator

from .conftest import basic, bearer, login
from .openapi_check import METHODS, OpenApiChecker, documented_responses


@pytest.fixture(scope="module")
def document():
    return json.loads(resources.files("mock_platform.platform_api").joinpath("openapi.json").read_text())


def refs(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def test_document_is_well_formed(document):
    assert document["openapi"] == "3.1.0"
    for name, schema in document["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema), name
    for ref in refs(document):
        node = document
        for part in ref.removeprefix("#/").split("/"):
            assert part in node, f"unresolved $ref {ref}"
            node = node[part]
    operation_ids = [
        operation["operationId"]
        for item in document["paths"].values()
        for method, operation in item.items()
        if method in METHODS
    ]
    assert len(operation_ids) == len(set(operation_ids))


def test_served_copy_has_this_servers_urls(api, platform, document):
    served = api.get("/openapi.json").json()
    assert served["servers"][0]["url"] == platform.issuer
    assert served["paths"]["/v1/cli/organizations"]["servers"][0]["url"] == platform.base_url + "/ai"
    session_list = served["paths"]["/v1/cli/sessions"]["get"]["servers"]
    assert [server["url"] for server in session_list] == [platform.base_url + "/ai", platform.base_url]
    assert served["paths"].keys() == document["paths"].keys()
    assert served["components"] == document["components"]


def test_checker_rejects_what_the_document_does_not_say(api, platform):
    checker = OpenApiChecker(api.get("/openapi.json").json())
    headers = bearer(login(platform)["access_token"])
    good = requests.get(platform.issuer + "/user-info", headers=headers, timeout=10)
    checker.check(good)
    bad_body = requests.get(platform.issuer + "/user-info", headers=headers, timeout=10)
    bad_body._content = json.dumps({"user": {"id": "1001"}}).encode()
    with pytest.raises(AssertionError, match="does not match the schema"):
        checker.check(bad_body)
    bad_status = requests.get(platform.issuer + "/user-info", headers=headers, timeout=10)
    bad_status.status_code = 201
    with pytest.raises(AssertionError, match="status not documented"):
        checker.check(bad_status)


def test_every_documented_operation_is_exercised(start_platform, session_for):
    server = start_platform()
    api = session_for(server)
    api.checker.seen.clear()
    tokens = login(server)
    alice, bob = bearer(tokens["access_token"]), bearer(login(server, "bob")["access_token"])
    genomics = "?workspaceId=75887156211589"
    created = api.post("/tokens", json={"name": "tour"}, headers=alice).json()
    calls = [
        ("GET", "/user-info", alice),
        ("GET", "/user-info", {}),
        ("POST", "/tokens", basic(created["accessKey"])),
        ("POST", "/tokens", {**alice, "Content-Type": "application/json"}),
        ("GET", "/tokens", alice),
        ("GET", "/orgs", alice),
        ("GET", "/orgs?role=nope", alice),
        ("GET", "/user/1001/workspaces", alice),
        ("GET", "/user/1001/workspaces", bob),
        ("GET", "/compute-envs" + genomics, alice),
        ("GET", "/compute-envs?workspaceId=x", alice),
        ("GET", "/compute-envs?workspaceId=89712300011001", alice),
        ("GET", "/compute-envs/4G3n0m1csAwsBatch" + genomics, alice),
        ("GET", "/compute-envs/nope" + genomics, alice),
        ("GET", "/compute-envs/nope?workspaceId=x", alice),
        ("GET", "/compute-envs/nope?workspaceId=89712300011001", alice),
        ("GET", "/service-info", {}),
        ("GET", "/openapi.json", {}),
        ("DELETE", f"/tokens/{created['token']['id']}", alice),
        ("DELETE", f"/tokens/{created['token']['id']}", alice),
        ("DELETE", "/tokens/delete-all", bob),
    ]
    for method, url, headers in calls:
        api.request(method, url, headers=headers)
    api.post("/tokens", json={"name": "dup"}, headers=alice)
    api.post("/tokens", json={"name": "dup"}, headers=alice)
    form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    api.post("/oauth/access_token", data=form)
    api.post("/oauth/access_token", data=form)  # a reuse: 401, and alice's grant is revoked
    api.post("/oauth/access_token", data={"grant_type": "password"})
    documented = documented_responses(api.checker.document, exclude_tag="co-scientist")
    assert documented - api.checker.seen == set(), "documented but never seen"
    assert ("get", "/user-info", 401) in api.checker.seen
