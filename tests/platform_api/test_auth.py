"""The one credential check: Bearer JWT, Bearer PAT, Basic @token:, and everything that must fail."""

from __future__ import annotations

import base64
import string
import time

import pytest
import requests

from mock_platform import pats
from mock_platform.platform_api import ApiError
from mock_platform.platform_api.auth import authenticate
from mock_platform.tokens import Subject, access_token_claims, sign, verify_access_token

from ..oidc_flows import endpoint
from .conftest import advance_clock, basic, bearer, login


@pytest.fixture(scope="module")
def alice(platform):
    return login(platform)


@pytest.fixture
def pat(api, alice, request):
    response = api.post("/tokens", json={"name": request.node.name}, headers=bearer(alice["access_token"]))
    assert response.status_code == 200
    return response.json()["accessKey"]


def user_id(api, headers: dict[str, str]) -> int | None:
    response = api.get("/user-info", headers=headers)
    return response.json()["user"]["id"] if response.status_code == 200 else None


def authenticate_with(platform, headers: dict[str, str]):
    with platform.app.test_request_context(headers=headers):
        return authenticate(platform.platform)


def test_the_check_tells_which_credential_was_used(platform, alice, pat):
    by_access_token = authenticate_with(platform, bearer(alice["access_token"]))
    by_pat = authenticate_with(platform, basic(pat))
    assert (by_access_token.user.id, by_access_token.credential, by_access_token.pat_id) == (
        1001,
        "access_token",
        None,
    )
    assert (by_pat.user.id, by_pat.credential, by_pat.pat_id) == (1001, "pat", pats.decode(pat)[0])
    with pytest.raises(ApiError) as error:
        authenticate_with(platform, {})
    assert error.value.status == 401


def test_basic_at_token_with_either_kind(api, alice, pat):
    assert user_id(api, basic(alice["access_token"])) == 1001
    assert user_id(api, basic(pat)) == 1001


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "Bearer"])
def test_scheme_names_are_case_insensitive(api, alice, scheme):
    assert user_id(api, {"Authorization": f"{scheme} {alice['access_token']}"}) == 1001


def test_missing_credentials(api):
    response = api.get("/user-info")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="Seqera Platform"'
    assert "Authorization: Bearer" in response.json()["message"]


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer garbage",
        "Bearer a.b.c",
        "Token abc",
        "Basic !!!",
        "Basic " + base64.b64encode(b"alice:alice-password").decode(),
        "Basic " + base64.b64encode(b"@token:").decode(),
        "Basic " + base64.b64encode(b"@token:garbage").decode(),
        "Bearer " + "x" * 9000,
    ],
)
def test_anything_else_is_401(api, header):
    response = api.get("/user-info", headers={"Authorization": header})
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_id_token_is_not_an_access_token(api, alice):
    assert api.get("/user-info", headers=bearer(alice["id_token"])).status_code == 401


def test_access_token_signed_with_an_unpublished_key(api, platform, alice):
    live = platform.platform
    grant = verify_access_token(live, alice["access_token"])
    assert grant is not None
    forged = sign(dict(grant.claims), live.unpublished_key(), "at+jwt")
    assert api.get("/user-info", headers=bearer(forged)).status_code == 401


def test_access_token_with_claims_the_mock_did_not_record(api, platform):
    live = platform.platform
    subject = Subject(live.directory.find_user("alice"), int(time.time()))
    claims = access_token_claims(
        live, client_id="nextflow_cli", subject=subject, scope="openid", now=int(time.time()), lifetime=600
    )
    unrecorded = sign(claims, live.keyring.signing_key, "at+jwt")
    assert api.get("/user-info", headers=bearer(unrecorded)).status_code == 401


def test_expired_access_token(start_platform, session_for):
    server = start_platform(access_token_lifetime=600)
    api = session_for(server)
    tokens = login(server)
    response = api.post("/tokens", json={"name": "survives-expiry"}, headers=bearer(tokens["access_token"]))
    pat = response.json()["accessKey"]
    advance_clock(server, 601)
    assert api.get("/user-info", headers=bearer(tokens["access_token"])).status_code == 401
    assert api.get("/user-info", headers=basic(tokens["access_token"])).status_code == 401
    assert user_id(api, bearer(pat)) == 1001, "PATs do not expire"


def revoke(platform, token: str) -> None:
    response = requests.post(
        endpoint(platform.issuer, "revoke"), data={"token": token, "client_id": "nextflow_cli"}, timeout=10
    )
    assert response.status_code == 200


def test_pat_outlives_the_revoked_grant_that_created_it(api, platform):
    tokens = login(platform)
    pat = api.post("/tokens", json={"name": "outlives-revocation"}, headers=bearer(tokens["access_token"]))
    revoke(platform, tokens["refresh_token"])
    assert api.get("/user-info", headers=bearer(tokens["access_token"])).status_code == 401
    assert user_id(api, bearer(pat.json()["accessKey"])) == 1001, "the CLI keeps only the PAT"


def test_every_one_character_change_of_a_pat_is_rejected(api, pat):
    alphabet = string.ascii_letters + string.digits + "+/"
    for index, character in enumerate(pat.rstrip("=")):
        replacement = alphabet[(alphabet.index(character) + 1) % len(alphabet)]
        tampered = pat[:index] + replacement + pat[index + 1 :]
        assert user_id(api, bearer(tampered)) is None, f"accepted with position {index} changed"


def test_padding_is_optional_but_nothing_else_is(api, pat):
    assert user_id(api, bearer(pat.rstrip("="))) == 1001
    assert user_id(api, bearer(pat + "A")) is None
    assert user_id(api, bearer(pat[:-4])) is None


def test_last_used_is_updated_on_use(api, alice, pat):
    def last_used() -> str | None:
        listed = api.get("/tokens", headers=bearer(alice["access_token"])).json()["tokens"]
        return next(
            token["lastUsed"] for token in listed if token["name"] == "test_last_used_is_updated_on_use"
        )

    assert last_used() is None
    assert user_id(api, bearer(pat)) == 1001
    assert last_used() is not None
