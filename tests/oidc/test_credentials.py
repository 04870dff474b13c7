"""Reading presented credentials (mock_platform/credentials.py), in a request context and no server."""

from __future__ import annotations

import base64

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from mock_platform.credentials import CredentialError, basic_credentials, presented_token

FORM = "application/x-www-form-urlencoded"
app = Flask(__name__)
tokens = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=60)


def basic(text: str) -> str:
    return "Basic " + base64.b64encode(text.encode()).decode()


def read(headers: dict[str, str] | None = None, *, method: str = "GET", **options: bool) -> str | None:
    with app.test_request_context("/", method=method, headers=headers or {}):
        return presented_token(**options)


@given(token=tokens, scheme=st.sampled_from(["Bearer", "bearer", "BEARER", "bEaReR"]))
def test_a_bearer_token_is_read_whatever_the_case_of_the_scheme(token, scheme):
    assert read({"Authorization": f"  {scheme}   {token}  "}) == token


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer   ", "Token abc", "Digest abc", "abc"])
def test_no_usable_bearer_header_means_no_token(header):
    assert read({"Authorization": header}) is None


def test_basic_at_token_is_read_only_where_the_endpoint_allows_it():
    header = {"Authorization": basic("@token:the-pat")}
    assert read(header, basic_token=True) == "the-pat"
    assert read(header) is None


@pytest.mark.parametrize(
    "header",
    [basic("alice:alice-password"), basic("@token:"), basic("@token"), "Basic !!!", "Basic " + "QQ" * 3],
)
def test_other_basic_credentials_are_refused_with_what_to_send(header):
    with pytest.raises(CredentialError, match=r'base64\("@token:<token>"\)'):
        read({"Authorization": header}, basic_token=True)


def test_the_form_field_is_read_only_from_a_form_post_where_the_endpoint_allows_it():
    with app.test_request_context("/", method="POST", data={"access_token": "t1"}, content_type=FORM):
        assert presented_token(form_field=True) == "t1"
        assert presented_token() is None
    with app.test_request_context("/", method="POST", json={"access_token": "t1"}):
        assert presented_token(form_field=True) is None
    with app.test_request_context("/", method="GET", data={"access_token": "t1"}, content_type=FORM):
        assert presented_token(form_field=True) is None  # a body only with POST (RFC 6750 §2.2)
    with app.test_request_context("/?access_token=t1", method="GET"):
        assert presented_token(form_field=True) is None  # never the query string (RFC 6750 §2.3)


def test_a_token_in_the_header_and_the_form_is_refused():
    with (
        app.test_request_context(
            "/",
            method="POST",
            data={"access_token": "t2"},
            content_type=FORM,
            headers={"Authorization": "Bearer t1"},
        ),
        pytest.raises(CredentialError, match="in one place only"),
    ):
        presented_token(form_field=True)


@given(user=st.text().filter(lambda text: ":" not in text), password=st.text())
def test_basic_credentials_round_trip(user, password):
    encoded = base64.b64encode(f"{user}:{password}".encode()).decode()
    assert basic_credentials(encoded) == (user, password)


@pytest.mark.parametrize(
    "value",
    [
        base64.b64encode(b"no-colon").decode(),
        base64.b64encode(b"\xff\xfe:password").decode(),
        "not base64!",
        base64.b64encode(b"user:pw").decode().rstrip("="),
        "",
    ],
    ids=["no-colon", "not-utf8", "not-base64", "unpadded", "empty"],
)
def test_anything_else_is_not_basic_credentials(value):
    assert basic_credentials(value) is None
