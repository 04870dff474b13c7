"""Small helpers for the control-API tests: verified token claims and bearer calls."""

from __future__ import annotations

from typing import Any

import requests
from joserfc import jwt
from joserfc.jwk import KeySet

from mock_platform.testing import RunningServer

TIMEOUT = 10


def published_keys(server: RunningServer) -> KeySet:
    return KeySet.import_key_set(
        requests.get(f"{server.issuer}/.well-known/jwks.json", timeout=TIMEOUT).json()
    )


def verified_claims(server: RunningServer, token: str) -> dict[str, Any]:
    """The claims of a JWT whose signature checks out against the mock's JWKS, as a client checks it."""
    return dict(jwt.decode(token, published_keys(server), algorithms=["RS256"]).claims)


def bearer_get(server: RunningServer, path: str, token: str) -> requests.Response:
    return requests.get(
        f"{server.issuer}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT
    )


def control(server: RunningServer, method: str, path: str, body: Any = None) -> requests.Response:
    """A raw /_mock/ call, for the tests that look at status codes and messages themselves."""
    return requests.request(method, f"{server.base_url}/_mock{path}", json=body, timeout=TIMEOUT)


def create_pat(server: RunningServer, access_token: str, name: str) -> str:
    """A personal access token made the way Nextflow makes one after its login."""
    response = requests.post(
        f"{server.issuer}/tokens",
        json={"name": name},
        headers={"Authorization": f"Bearer {access_token}"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text
    return response.json()["accessKey"]
