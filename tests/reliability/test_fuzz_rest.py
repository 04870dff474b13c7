"""schemathesis against the mock's own openapi.json: no 5xx, and every error is `{"message": ...}`.

`make test` generates a few cases per operation through the WSGI app; `make stress` sends many more
over HTTP to a served mock. Its generators (`as_strategy`) feed a plain hypothesis test. Cases without an Authorization header get a valid access token, so the
generated paths, queries and bodies reach the handlers instead of stopping at the 401.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_platform.app import create_app
from mock_platform.settings import Settings

from .conftest import SENDERS, STRESS
from .fuzzing import SENT
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
        yield {"app": app, "token": _token_in_process(app), "base_url": None}
        return
    served = start(data_dir)
    token = login(requests.Session(), served.issuer, "alice").tokens["access_token"]
    yield {"app": None, "token": token, "base_url": served.issuer, "served": served}
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
