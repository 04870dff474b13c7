"""Dynamic client registration (RFC 7591) behind an initial access token, over real HTTP."""

from __future__ import annotations

import base64
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import KeySet

from mock_platform.testing import run_server
from tests.oidc_flows import FORM, TIMEOUT, Authorization, authorize, endpoint, pkce_login, redeem, refresh

TOKEN = "initial-access-token-for-tests"
NATIVE = {
    "client_name": "My CLI",
    "application_type": "native",
    "redirect_uris": ["http://127.0.0.1/callback"],
    "token_endpoint_auth_method": "none",
    "grant_types": ["authorization_code", "refresh_token"],
    "post_logout_redirect_uris": ["http://127.0.0.1:49152/signed-out"],
}


@pytest.fixture(scope="module")
def platform():
    with run_server(registration_token=TOKEN) as server:
        yield server


def register(issuer: str, metadata: object, token: str | None = TOKEN) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(endpoint(issuer, "register"), json=metadata, headers=headers, timeout=TIMEOUT)


class HiddenFields(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") == "hidden":
            self.fields.append((found["name"] or "", found.get("value") or ""))


def consented_code(issuer: str, client_id: str, redirect_uri: str, verifier: str) -> Authorization:
    """Authorize a third-party client: the consent page, then Allow, as a person would."""
    page = authorize(issuer, client_id=client_id, redirect_uri=redirect_uri, verifier=verifier, state="st-1")
    assert page.status_code == 200 and "Allow access?" in page.text, page.text[:300]
    parser = HiddenFields()
    parser.feed(page.text)
    response = requests.post(
        endpoint(issuer, "authorize"),
        data=[*parser.fields, ("action", "allow")],
        headers=FORM,
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert response.status_code == 303, response.text[:300]
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == redirect_uri
    query = {key: values[0] for key, values in parse_qs(location.query).items()}
    assert query["state"] == "st-1"
    login = pkce_login(client_id=client_id, redirect_uri=redirect_uri, verifier=verifier, state="st-1")
    return Authorization(issuer, login, query["code"])


def test_discovery_advertises_the_registration_endpoint(platform):
    metadata = requests.get(endpoint(platform.issuer, "discovery"), timeout=TIMEOUT).json()
    assert metadata["registration_endpoint"] == f"{platform.issuer}/oauth/register"


def test_registration_is_refused_without_a_configured_token():
    with run_server() as server:
        response = register(server.issuer, NATIVE)
    assert response.status_code == 403
    assert response.json()["error"] == "access_denied"
    assert "MOCK_PLATFORM_REGISTRATION_TOKEN" in response.json()["error_description"]


@pytest.mark.parametrize("token", [None, "wrong-token-123", TOKEN + "x"])
def test_a_missing_or_wrong_initial_access_token_is_refused(platform, token):
    response = register(platform.issuer, NATIVE, token=token)
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_registered_native_client_logs_in_after_consent_and_refreshes(platform):
    response = register(platform.issuer, NATIVE)
    assert response.status_code == 201, response.text
    assert response.headers["Cache-Control"] == "no-store"
    registered = response.json()
    client_id = registered["client_id"]
    assert "client_secret" not in registered
    assert registered["scope"] == "openid profile email offline_access"
    assert registered["grant_types"] == ["authorization_code", "refresh_token"]
    assert registered["redirect_uris"] == NATIVE["redirect_uris"]
    assert registered["post_logout_redirect_uris"] == NATIVE["post_logout_redirect_uris"]

    auth = consented_code(platform.issuer, client_id, "http://127.0.0.1:49152/callback", "v" * 43)
    tokens = redeem(auth).json()
    keys = KeySet.import_key_set(requests.get(endpoint(platform.issuer, "jwks"), timeout=TIMEOUT).json())
    claims = jwt.decode(tokens["id_token"], keys).claims
    assert claims["aud"] == client_id and claims["iss"] == platform.issuer
    rotated = refresh(platform.issuer, tokens["refresh_token"], client_id=client_id)
    assert rotated.status_code == 200, rotated.text

    listed = {client["client-id"]: client for client in platform.control.clients()}
    assert listed[client_id]["third-party"] is True
    signed_out = requests.get(
        endpoint(platform.issuer, "logout"),
        params={
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": "http://127.0.0.1:49152/signed-out",
            "state": "bye",
        },
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert signed_out.status_code == 302, signed_out.text[:300]
    assert signed_out.headers["Location"] == "http://127.0.0.1:49152/signed-out?state=bye"


def test_a_registered_confidential_client_must_authenticate_at_the_token_endpoint(platform):
    response = register(platform.issuer, {"redirect_uris": ["https://app.example/callback"]})
    assert response.status_code == 201, response.text
    registered = response.json()
    assert registered["token_endpoint_auth_method"] == "client_secret_basic"  # RFC 7591 §2 default
    client_id, secret = registered["client_id"], registered["client_secret"]

    auth = consented_code(platform.issuer, client_id, "https://app.example/callback", "w" * 43)
    without_secret = redeem(auth)
    assert without_secret.status_code == 401
    assert without_secret.json()["error"] == "invalid_client"
    auth = consented_code(platform.issuer, client_id, "https://app.example/callback", "w" * 43)
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    fields = {
        "grant_type": "authorization_code",
        "code": auth.code,
        "code_verifier": auth.verifier,
        "redirect_uri": auth.redirect_uri,
    }
    response = requests.post(
        endpoint(platform.issuer, "token"),
        data=fields,
        headers={"Authorization": f"Basic {basic}"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("metadata", "error", "hint"),
    [
        ({}, "invalid_redirect_uri", "redirect_uris"),
        ({"redirect_uris": "https://app.example/cb"}, "invalid_redirect_uri", "redirect_uris"),
        ({"redirect_uris": ["https://app.example/cb#frag"]}, "invalid_redirect_uri", "fragments"),
        ({"redirect_uris": ["http://app.example/cb"]}, "invalid_redirect_uri", "https"),
        (
            {"redirect_uris": ["http://localhost/cb"], "application_type": "native"},
            "invalid_redirect_uri",
            "127.0.0.1",
        ),
        (
            {"redirect_uris": ["https://a.example/cb"], "response_types": ["token"]},
            "invalid_client_metadata",
            "code",
        ),
        (
            {"redirect_uris": ["https://a.example/cb"], "grant_types": ["client_credentials"]},
            "invalid_client_metadata",
            "grant_types",
        ),
        (
            {"redirect_uris": ["https://a.example/cb"], "scope": "openid admin"},
            "invalid_client_metadata",
            "scope",
        ),
        (
            {"redirect_uris": ["https://a.example/cb"], "token_endpoint_auth_method": "private_key_jwt"},
            "invalid_client_metadata",
            "client_secret_basic",
        ),
        (
            {"redirect_uris": ["https://a.example/cb"], "jwks_uri": "https://a.example/jwks"},
            "invalid_client_metadata",
            "jwks_uri",
        ),
        (
            {"redirect_uris": ["https://a.example/cb"], "default_max_age": 60},
            "invalid_client_metadata",
            "default_max_age",
        ),
        (
            {"redirect_uris": ["https://a.example/cb"], "scope": ["openid"]},
            "invalid_client_metadata",
            "a string",
        ),
        (
            {
                "redirect_uris": ["https://a.example/cb"],
                "post_logout_redirect_uris": ["https://a.example/x#y"],
            },
            "invalid_client_metadata",
            "post-logout-redirect-uris[0]: must be an absolute http(s) URI without user information or fragment "
            "(RFC 6749 section 3.1.2), got 'https://a.example/x#y'",
        ),
        (
            {"redirect_uris": ["https://a.example/cb"], "scope": "openid offline_access"},
            "invalid_client_metadata",
            "refresh_token",
        ),
        (["not", "an", "object"], "invalid_client_metadata", "JSON object"),
    ],
)
def test_bad_metadata_is_refused_with_the_rfc_7591_error(platform, metadata, error, hint):
    response = register(platform.issuer, metadata)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == error
    assert hint in response.json()["error_description"]


def test_registered_clients_survive_a_restart(tmp_path):
    with run_server(tmp_path, registration_token=TOKEN) as server:
        client_id = register(server.issuer, NATIVE).json()["client_id"]
    with run_server(tmp_path, registration_token=TOKEN) as server:
        auth = consented_code(server.issuer, client_id, "http://127.0.0.1:50000/callback", "x" * 43)
        assert redeem(auth).status_code == 200


def test_the_request_log_masks_the_initial_access_token(platform):
    register(platform.issuer, NATIVE)
    entries = platform.control.recent_requests(path="/api/oauth/register")
    assert entries, "the registration was not logged"
    assert all(TOKEN not in str(entry) for entry in entries)
    assert entries[-1]["headers"]["Authorization"].startswith("Bearer ***")


def test_a_confidential_clients_refresh_token_needs_its_secret_everywhere(platform):
    metadata = {
        "redirect_uris": ["https://app.example/callback"],
        "grant_types": ["authorization_code", "refresh_token"],
    }
    registered = register(platform.issuer, metadata).json()
    client_id, secret = registered["client_id"], registered["client_secret"]
    auth = consented_code(platform.issuer, client_id, "https://app.example/callback", "z" * 43)
    tokens = requests.post(
        endpoint(platform.issuer, "token"),
        data={"grant_type": "authorization_code", "code": auth.code, "code_verifier": auth.verifier,
              "redirect_uri": auth.redirect_uri},
        auth=(client_id, secret),
        timeout=TIMEOUT,
    ).json()  # fmt: skip

    web_session = requests.post(
        f"{platform.issuer}/oauth/access_token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        timeout=TIMEOUT,
    )

    assert web_session.status_code == 401
    assert "confidential client" in web_session.json()["message"]
    with_secret = requests.post(
        endpoint(platform.issuer, "token"),
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        auth=(client_id, secret),
        timeout=TIMEOUT,
    )
    assert with_secret.status_code == 200, with_secret.text
