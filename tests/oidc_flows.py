"""Building blocks for the provider tests: one authorize request, one code, one token request.

The happy path goes through the reference client (client.flow), exactly as the CLIs do; these
helpers exist for the negative cases, which need to send what no correct client sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from client.pkce import compute_challenge, generate_state, generate_verifier

SCOPES = "openid profile email offline_access"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
TIMEOUT = 10


@dataclass
class Authorization:
    issuer: str
    client_id: str
    code: str
    verifier: str
    redirect_uri: str
    state: str


def endpoint(issuer: str, name: str) -> str:
    return {
        "authorize": f"{issuer}/oauth/authorize",
        "token": f"{issuer}/oauth/token",
        "revoke": f"{issuer}/oauth/revoke",
        "userinfo": f"{issuer}/userinfo",
        "logout": f"{issuer}/oauth/logout",
        "register": f"{issuer}/oauth/register",
        "jwks": f"{issuer}/.well-known/jwks.json",
        "discovery": f"{issuer}/.well-known/openid-configuration",
    }[name]


def authorize_params(
    *,
    client_id: str = "nextflow_cli",
    redirect_uri: str = "http://127.0.0.1:41121/callback",
    verifier: str | None = None,
    state: str | None = None,
    login_hint: str | None = "alice",
    **extra: str | None,
) -> dict[str, str]:
    """The CLI's authorize parameters (in its order), plus `extra`; a None value drops a parameter."""
    params: dict[str, str | None] = {
        "client_id": client_id,
        "response_type": "code",
        "scope": SCOPES,
        "redirect_uri": redirect_uri,
        "state": state or generate_state(),
        "code_challenge": compute_challenge(verifier or generate_verifier()),
        "code_challenge_method": "S256",
        "login_hint": login_hint,
    }
    params.update(extra)
    return {key: value for key, value in params.items() if value is not None}


def authorize(
    issuer: str, session: requests.Session | None = None, **params: str | None
) -> requests.Response:
    http = session or requests
    return http.get(
        endpoint(issuer, "authorize") + "?" + urlencode(authorize_params(**params)),
        allow_redirects=False,
        timeout=TIMEOUT,
    )


def redirect_params(response: requests.Response) -> dict[str, str]:
    assert response.status_code in (302, 303), (
        f"expected a redirect, got {response.status_code}: {response.text[:300]}"
    )
    return {key: values[0] for key, values in parse_qs(urlsplit(response.headers["Location"]).query).items()}


def authorization_code(issuer: str, **params: str | None) -> Authorization:
    """A fresh code for `login_hint` (alice by default), signed in headlessly."""
    verifier = params.pop("verifier", None) or generate_verifier()
    state = generate_state()
    redirect_uri = params.pop("redirect_uri", None) or "http://127.0.0.1:41121/callback"
    client_id = params.pop("client_id", None) or "nextflow_cli"
    response = authorize(
        issuer, verifier=verifier, state=state, redirect_uri=redirect_uri, client_id=client_id, **params
    )
    query = redirect_params(response)
    assert "code" in query, f"no code in the callback: {query}"
    return Authorization(issuer, client_id, query["code"], verifier, redirect_uri, state)


def token_request(issuer: str, fields: dict[str, str | None] | str) -> requests.Response:
    body = (
        fields if isinstance(fields, str) else urlencode({k: v for k, v in fields.items() if v is not None})
    )
    return requests.post(endpoint(issuer, "token"), data=body, headers=FORM, timeout=TIMEOUT)


def redeem(auth: Authorization, **overrides: str | None) -> requests.Response:
    fields: dict[str, str | None] = {
        "grant_type": "authorization_code",
        "client_id": auth.client_id,
        "code": auth.code,
        "code_verifier": auth.verifier,
        "redirect_uri": auth.redirect_uri,
    }
    fields.update(overrides)
    return token_request(auth.issuer, fields)


def login_tokens(issuer: str, **params: str | None) -> dict:
    response = redeem(authorization_code(issuer, **params))
    assert response.status_code == 200, response.text
    return response.json()


def refresh(
    issuer: str, refresh_token: str, client_id: str = "nextflow_cli", **extra: str
) -> requests.Response:
    return token_request(
        issuer,
        {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id, **extra},
    )


def userinfo(issuer: str, access_token: str) -> requests.Response:
    return requests.get(
        endpoint(issuer, "userinfo"), headers={"Authorization": f"Bearer {access_token}"}, timeout=TIMEOUT
    )
