"""schemathesis against the mock's own openapi.json: no 5xx, and every error is `{"message": ...}`.

`make test` generates a few cases per operation through the WSGI app; `make stress` sends many more
over HTTP to a served mock. Its generators (`as_strategy`) feed a plain hypothesis test. Cases without an Authorization header get a valid access token, so the
generated paths, queries and bodies reach the handlers instead of stopping at the 401.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from importlib import resources
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
import requests
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_platform.app import create_app
from mock_platform.settings import Settings

from .conftest import EXAMPLES, SENDERS, STRESS
from .fuzzing import (
    HEADER_CHARACTERS,
    NASTY,
    SENT,
    InProcess,
    OverHttp,
    Request,
    basic,
    deep_bodies,
    encode,
    no_server_error,
    pairs,
    routing_error,
)
from .served import login, start

REST_EXAMPLES = 4000 if STRESS else 80  # cases over all 15 operations
WELL_FORMED = {"message"}


@pytest.fixture(scope="module", params=SENDERS)
def rest_target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The WSGI app (`make test`), or a served mock over HTTP (`make stress`)."""
    data_dir = tmp_path_factory.mktemp("rest")
    if request.param == "in-process":
        app = create_app(Settings(data_dir=data_dir, base_url="http://127.0.0.1:8080"))
        sender = InProcess(app.test_client(use_cookies=False))
        yield {"app": app, "token": _token_in_process(app), "base_url": None, "sender": sender}
        return
    served = start(data_dir)
    token = login(requests.Session(), served.issuer, "alice").tokens["access_token"]
    sender = OverHttp(served.base_url)
    yield {"app": None, "token": token, "base_url": served.issuer, "served": served, "sender": sender}
    sender.close()
    served.stop()


@pytest.fixture(scope="module")
def operations(rest_target: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Cases for every operation of the document the mock serves (schemathesis' generators).

    (schemathesis' own pytest integration, `from_fixture`, fails on pytest 9: it sets Node._nodeid.)
    """
    if rest_target["app"] is not None:
        schema = schemathesis.openapi.from_wsgi("/api/openapi.json", rest_target["app"])
    else:
        schema = schemathesis.openapi.from_url(f"{rest_target['base_url']}/openapi.json")
    return st.one_of([result.ok().as_strategy() for result in schema.get_all_operations()])


def _token_in_process(app: Flask) -> str:
    from urllib.parse import parse_qs, urlencode, urlsplit

    client = app.test_client()
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    query = urlencode({"client_id": "nextflow_cli", "response_type": "code", "scope": "openid offline_access",
                       "redirect_uri": "http://127.0.0.1:41121/callback", "state": "s" * 12, "login_hint": "alice",
                       "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method": "S256"})  # fmt: skip
    code = parse_qs(urlsplit(client.get(f"/api/oauth/authorize?{query}").headers["Location"]).query)["code"][
        0
    ]
    response = client.post("/api/oauth/token", data={"grant_type": "authorization_code", "code": code, "client_id": "nextflow_cli",
                           "redirect_uri": "http://127.0.0.1:41121/callback", "code_verifier": verifier})  # fmt: skip
    return response.json["access_token"]


@settings(
    max_examples=REST_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
@given(data=st.data())
def test_rest_api(
    operations: st.SearchStrategy[Any], rest_target: dict[str, Any], data: st.DataObject
) -> None:
    case = data.draw(operations)
    headers = dict(case.headers or {})
    if not any(name.lower() == "authorization" for name in headers):
        headers["Authorization"] = f"Bearer {rest_target['token']}"
    case.headers = headers
    SENT["schemathesis"] += 1
    response = case.call()
    status = response.status_code
    assert status < 500, f"{status} for {case.method} {case.formatted_path}: {response.text[:300]}"
    if status >= 400:
        document = response.json()
        assert isinstance(document, dict) and set(document) == WELL_FORMED, (
            f"{status} {case.method} {case.formatted_path}: {response.text[:300]}"
        )


# Every operation of the document, with hostile values in every field: path parameters, query,
# credentials and body, beyond what the schema allows (deep nesting, characters outside ASCII, ids
# beyond 64 bits), sent as raw requests.
OPENAPI = json.loads(resources.files("mock_platform.platform_api").joinpath("openapi.json").read_text())
QUERY_NAMES = ["workspaceId", "max", "offset", "search", "attributes", "org_id", "limit", "cursor", "name"]


def operations_of(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(method, path under the server root) of every operation, each under its own server's path."""
    root = urlsplit(document["servers"][0]["url"]).path
    found = []
    for path, item in document["paths"].items():
        prefix = urlsplit(item["servers"][0]["url"]).path if "servers" in item else root
        found += [(method.upper(), prefix.rstrip("/") + path) for method in item if method in METHODS]
    return found


METHODS = ("get", "post", "put", "delete", "patch")
hostile = st.one_of(
    st.sampled_from(NASTY),
    st.text(alphabet=HEADER_CHARACTERS, min_size=1, max_size=30),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
# What an HTTP header can carry: a line break would end it (clients refuse to send one).
hostile_in_header = hostile.filter(lambda text: "\r" not in text and "\n" not in text)


@settings(
    max_examples=EXAMPLES * 2,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    operation=st.sampled_from(operations_of(OPENAPI)),
    data=st.data(),
    credential=st.sampled_from(["valid", "valid", "unicode", "basic-unicode", "basic-valid", "none"]),
    body_kind=st.sampled_from(["deep", "unicode", "none"]),
)
def test_rest_api_hostile_fields(
    rest_target: dict[str, Any],
    operation: tuple[str, str],
    data: st.DataObject,
    credential: str,
    body_kind: str,
) -> None:
    method, template = operation
    path = re.sub(r"\{[^}]+\}", lambda _: quote(data.draw(hostile), safe=""), template)
    token = rest_target["token"]
    authorization = {
        "valid": f"Bearer {token}",
        "unicode": f"Bearer {data.draw(hostile_in_header)}",
        "basic-unicode": basic("@token", data.draw(hostile)),
        "basic-valid": basic("@token", token),
        "none": None,
    }[credential]
    headers = [("Content-Type", "application/json")]
    if authorization is not None:
        headers.append(("Authorization", authorization))
    body: bytes | None = None
    if body_kind == "deep":
        body = data.draw(deep_bodies(["name", "organization_id", "content", "cwd"]))
    elif body_kind == "unicode":
        body = json.dumps({data.draw(hostile): data.draw(hostile), "name": data.draw(hostile)}).encode()
    request = Request(method, path, encode(data.draw(pairs(QUERY_NAMES))), tuple(headers), body)
    reply = rest_target["sender"].send(request)
    no_server_error(request, reply)
    if reply.status >= 400 and not routing_error(request, reply):
        document = reply.json()
        assert isinstance(document, dict) and set(document) == WELL_FORMED, (
            f"{reply.status} for {request.describe()}: {reply.body[:300]!r}"
        )
