"""Bad input never gets a 5xx (Nextflow retries those ten times), and every answer to it is one the
OpenAPI document allows (errors as `{"message": ...}`)."""

from __future__ import annotations

import string
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import bearer, login

HEADER_TEXT = st.text(alphabet=string.printable.strip() + " ", max_size=300)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    max_leaves=8,
)
PATHS = [
    "/user-info",
    "/tokens",
    "/tokens/{}",
    "/orgs?role={}",
    "/user/{}/workspaces",
    "/compute-envs?workspaceId={}",
    "/compute-envs/{}?workspaceId={}",
]
FUZZ = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def alice(platform):
    return bearer(login(platform)["access_token"])


@FUZZ
@given(header=HEADER_TEXT, scheme=st.sampled_from(["Bearer ", "Basic ", "bearer ", ""]))
def test_any_authorization_header(api, scheme, header):
    # requests refuses to send a header value with leading whitespace
    assert api.get("/user-info", headers={"Authorization": (scheme + header).lstrip()}).status_code == 401


@FUZZ
@given(body=JSON | st.fixed_dictionaries({"name": st.text(max_size=150)}))
def test_any_json_body_for_a_new_token(api, alice, body):
    assert api.post("/tokens", json=body, headers=alice).status_code in (200, 400, 409)


@FUZZ
@given(path=st.sampled_from(PATHS), value=st.text(alphabet=string.printable, max_size=40))
def test_any_path_or_query_value(api, alice, path, value):
    url = path.format(*[quote(value, safe="")] * path.count("{}"))
    for method in ("GET", "DELETE"):
        assert api.request(method, url, headers=alice).status_code < 500


@FUZZ
@given(
    form=st.dictionaries(st.sampled_from(["grant_type", "refresh_token", "client_id"]), st.text(max_size=80))
)
def test_any_web_session_form(api, form):
    assert api.post("/oauth/access_token", data=form).status_code in (400, 401)
