"""Discovery and JWKS: what the CLIs and generic OIDC libraries read before logging in."""

from __future__ import annotations

import re

import requests

from mock_platform.testing import run_server
from tests.oidc_flows import endpoint

ENDPOINT_KEYS = (
    "authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "jwks_uri",
    "revocation_endpoint",
    "end_session_endpoint",
)


def first_string_after(text: str, key: str) -> str:
    """What lib-platform-oidc's extractJsonString reads: the first quoted value after the first key."""
    match = re.search(rf'"{key}"\s*:\s*"([^"]*)"', text)
    assert match, f"{key} not found"
    return match.group(1)


def test_discovery_has_the_contract_fields(live_platform):
    response = requests.get(endpoint(live_platform.issuer, "discovery"), timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    doc = response.json()
    issuer = live_platform.issuer
    assert doc["issuer"] == issuer
    assert doc["authorization_endpoint"] == f"{issuer}/oauth/authorize"
    assert doc["userinfo_endpoint"] == f"{issuer}/userinfo"
    assert doc["jwks_uri"] == f"{issuer}/.well-known/jwks.json"
    assert doc["response_types_supported"] == ["code"]
    assert doc["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert "none" in doc["token_endpoint_auth_methods_supported"]
    assert set(doc["scopes_supported"]) >= {"openid", "profile", "email", "offline_access"}
    assert doc["subject_types_supported"] == ["public"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert {"sub", "email", "email_verified", "name"} <= set(doc["claims_supported"])


def test_rfc8414_metadata_matches(live_platform):
    oidc = requests.get(endpoint(live_platform.issuer, "discovery"), timeout=10).json()
    for url in (
        f"{live_platform.issuer}/.well-known/oauth-authorization-server",
        f"{live_platform.base_url}/.well-known/oauth-authorization-server/api",
    ):
        response = requests.get(url, timeout=10)
        assert response.status_code == 200, url
        assert response.json() == oidc


def test_cloud_shape_serves_everything_at_the_root(tmp_path):
    with run_server(tmp_path, api_path="") as server:
        assert server.issuer == server.base_url
        doc = requests.get(f"{server.base_url}/.well-known/openid-configuration", timeout=10).json()
        assert doc["issuer"] == server.base_url
        assert doc["token_endpoint"] == f"{server.base_url}/oauth/token"
        assert requests.get(doc["jwks_uri"], timeout=10).status_code == 200


def test_health(live_platform):
    response = requests.get(f"{live_platform.base_url}/healthz", timeout=10)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_discovery_at_the_server_root_says_where_the_api_is(live_platform):
    response = requests.get(f"{live_platform.base_url}/.well-known/openid-configuration", timeout=10)
    assert response.status_code == 404
    assert f"nextflow auth login -url {live_platform.issuer}" in response.json()["message"]
