"""Client secrets with characters outside ASCII, at the token and revocation endpoints: a wrong one is
invalid_client, a right one works, never a 500 (issue 18, finding 2: hmac.compare_digest on str)."""

from __future__ import annotations

import base64

import pytest
import requests

from mock_platform.testing import oidc_login

TIMEOUT = 10
UNICODE_SECRET = "s\u00e9same-ouvre-toi-\U0001f511"
CLIENTS = [
    {
        "client-id": "basic_app",
        "token-endpoint-auth-method": "client_secret_basic",
        "client-secret": "ascii-secret-1234",
        "redirect-uris": ["http://127.0.0.1/callback"],
    },
    {
        "client-id": "post_app",
        "token-endpoint-auth-method": "client_secret_post",
        "client-secret": "ascii-secret-1234",
        "redirect-uris": ["http://127.0.0.1/callback"],
    },
    {
        "client-id": "unicode_app",
        "token-endpoint-auth-method": "client_secret_basic",
        "client-secret": UNICODE_SECRET,
        "redirect-uris": ["http://127.0.0.1/callback"],
    },
]


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    from mock_platform.testing import run_server

    with run_server(tmp_path_factory.mktemp("non-ascii"), clients=CLIENTS) as server:
        yield server


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.mark.parametrize("endpoint", ["token", "revoke"])
@pytest.mark.parametrize("secret", ["\u00e9", "ascii-secret-123\u00e9", "\U0001f4a5", "\u202e", "\u0000"])
def test_a_wrong_non_ascii_secret_is_invalid_client(platform, endpoint, secret):
    fields = {"grant_type": "authorization_code", "code": "x"} if endpoint == "token" else {"token": "x"}
    url = f"{platform.issuer}/oauth/{endpoint}"

    by_basic = requests.post(url, data=fields, headers=basic("basic_app", secret), timeout=TIMEOUT)
    by_form = requests.post(
        url, data={**fields, "client_id": "post_app", "client_secret": secret}, timeout=TIMEOUT
    )

    for response in (by_basic, by_form):
        assert response.status_code == 401, response.text
        assert response.json()["error"] == "invalid_client"


def test_a_right_non_ascii_secret_logs_in_and_revokes(platform):
    tokens = oidc_login(platform, "unicode_app", scope="openid offline_access")

    revoked = requests.post(
        f"{platform.issuer}/oauth/revoke",
        data={"token": tokens["refresh_token"]},
        headers=basic("unicode_app", UNICODE_SECRET),
        timeout=TIMEOUT,
    )

    assert revoked.status_code == 200


@pytest.mark.parametrize("endpoint", ["token", "revoke"])
def test_basic_credentials_that_are_not_base64_text_are_invalid_client(platform, endpoint):
    """Found by the fuzzer: base64 has ASCII characters only, and Python's decoder raises on others."""
    url = f"{platform.issuer}/oauth/{endpoint}"
    header = "Basic " + base64.b64encode(b"basic_app:x").decode() + "\u00e9\u00e8"

    response = requests.post(
        url, data={"token": "x"}, headers={"Authorization": header.encode("latin-1")}, timeout=TIMEOUT
    )

    assert response.status_code == 401, response.text
    assert response.json()["error"] == "invalid_client"
    assert "ASCII" in response.json()["error_description"]
