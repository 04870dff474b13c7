"""Bad input never gets a 5xx (Nextflow retries those ten times) nor a body that is not `{"message"}`."""

from __future__ import annotations

import string

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import bearer, login

HEADER_TEXT = st.text(alphabet=string.printable.strip() + " ", max_size=300)
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


def assert_handled(response: requests.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert set(response.json()) == {"message"}


@FUZZ
@given(header=HEADER_TEXT, scheme=st.sampled_from(["Bearer ", "Basic ", "bearer ", ""]))
def test_any_authorization_header(platform, scheme, header):
    response = requests.get(
        platform.issuer + "/user-info", headers={"Authorization": scheme + header}, timeout=10
    )
    assert response.status_code == 401
    assert set(response.json()) == {"message"}


@FUZZ
@given(
    body=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
        max_leaves=8,
    )
    | st.fixed_dictionaries({"name": st.text(max_size=150)})
)
def test_any_json_body_for_a_new_token(platform, alice, body):
    response = requests.post(platform.issuer + "/tokens", json=body, headers=alice, timeout=10)
    assert_handled(response)


@FUZZ
@given(path=st.sampled_from(PATHS), value=st.text(alphabet=string.printable, max_size=40))
def test_any_path_or_query_value(platform, alice, path, value):
    url = platform.issuer + path.format(*[requests.utils.quote(value, safe="")] * path.count("{}"))
    assert_handled(requests.get(url, headers=alice, timeout=10))
    assert_handled(requests.delete(url, headers=alice, timeout=10))


@FUZZ
@given(
    form=st.dictionaries(st.sampled_from(["grant_type", "refresh_token", "client_id"]), st.text(max_size=80))
)
def test_any_web_session_form(platform, form):
    assert_handled(requests.post(platform.issuer + "/oauth/access_token", data=form, timeout=10))
