"""Building blocks for the provider tests: one authorize request, one code, one token request.

The happy path goes through the reference client (client.flow), exactly as the CLIs do; these
helpers exist for the negative cases, which need to send what no correct client sends. The
parameters themselves come from the mock's one headless-login helper (`PkceLogin`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from client.callback import CallbackServer
from mock_platform.pkce_login import PkceLogin

SCOPES = "openid profile email offline_access"
REDIRECT_URI = "http://127.0.0.1:41121/callback"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
TIMEOUT = 10


@dataclass
class Authorization:
    """A code delivered to the callback, and the login it answers."""

    issuer: str
    login: PkceLogin
    code: str

    @property
    def client_id(self) -> str:
        return self.login.client_id

    @property
    def verifier(self) -> str:
        return self.login.verifier

    @property
    def redirect_uri(self) -> str:
        return self.login.redirect_uri


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


def pkce_login(
    *,
    client_id: str = "nextflow_cli",
    redirect_uri: str = REDIRECT_URI,
    verifier: str | None = None,
    state: str | None = None,
    login_hint: str | None = "alice",
) -> PkceLogin:
    login = PkceLogin(client_id, login_hint, redirect_uri, scope=SCOPES)
    login.verifier = verifier or login.verifier
    login.state = state or login.state
    return login


def authorize_params(
    *,
    client_id: str = "nextflow_cli",
    redirect_uri: str = REDIRECT_URI,
    verifier: str | None = None,
    state: str | None = None,
    login_hint: str | None = "alice",
    **extra: str | None,
) -> dict[str, str]:
    """The CLI's authorize parameters (in its order), plus `extra`; a None value drops a parameter."""
    login = pkce_login(
        client_id=client_id, redirect_uri=redirect_uri, verifier=verifier, state=state, login_hint=login_hint
    )
    return login.authorize_query(**extra)


def authorize(
    issuer: str, session: requests.Session | None = None, **params: str | None
) -> requests.Response:
    http = session or requests
    return http.get(
        endpoint(issuer, "authorize") + "?" + urlencode(authorize_params(**params)),
        allow_redirects=False,
        timeout=TIMEOUT,
    )


def password_sign_in(
    issuer: str, browser: requests.Session, user: str = "alice", **params: str | None
) -> requests.Response:
    """A sign-in on the login page (its form POSTed, as a browser sends it), which starts a browser
    session in `browser`, unlike a login_hint sign-in."""
    form = {
        **authorize_params(login_hint=None, **params),
        "username": user,
        "password": f"{user}-password",
        "action": "login",
    }
    return browser.post(endpoint(issuer, "authorize"), data=form, allow_redirects=False, timeout=TIMEOUT)


def redirect_params(response: requests.Response) -> dict[str, str]:
    assert response.status_code in (302, 303), (
        f"expected a redirect, got {response.status_code}: {response.text[:300]}"
    )
    return {key: values[0] for key, values in parse_qs(urlsplit(response.headers["Location"]).query).items()}


def authorization_code(issuer: str, **params: str | None) -> Authorization:
    """A fresh code for `login_hint` (alice by default), signed in headlessly."""
    login = pkce_login(
        client_id=params.pop("client_id", None) or "nextflow_cli",
        redirect_uri=params.pop("redirect_uri", None) or REDIRECT_URI,
        verifier=params.pop("verifier", None),
        login_hint=params.pop("login_hint", "alice"),
    )
    response = requests.get(
        endpoint(issuer, "authorize"),
        params=login.authorize_query(**params),
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert response.status_code in (302, 303), (
        f"expected a redirect, got {response.status_code}: {response.text[:300]}"
    )
    return Authorization(issuer, login, login.code_from(response.headers["Location"]))


def token_request(issuer: str, fields: dict[str, str | None] | str) -> requests.Response:
    body = (
        fields if isinstance(fields, str) else urlencode({k: v for k, v in fields.items() if v is not None})
    )
    return requests.post(endpoint(issuer, "token"), data=body, headers=FORM, timeout=TIMEOUT)


def redeem(auth: Authorization, **overrides: str | None) -> requests.Response:
    return token_request(auth.issuer, {**auth.login.token_form(auth.code), **overrides})


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


class BrowserLogin:
    """A login whose code a real loopback listener receives, as the CLI's does."""

    def __init__(self, issuer: str, **extra: str) -> None:
        self.issuer = issuer
        self.pkce = pkce_login(login_hint=None)
        self.listener = CallbackServer(self.pkce.state)
        self.pkce.redirect_uri = self.listener.redirect_uri
        self.url = endpoint(issuer, "authorize") + "?" + urlencode(self.pkce.authorize_query(**extra))

    def authorization(self, code: str) -> Authorization:
        return Authorization(self.issuer, self.pkce, code)


def sign_in(page, username: str, password: str) -> None:
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[value=login]")
