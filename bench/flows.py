"""One HTTP-level login per provider, over a raw `http.client` keep-alive connection.

A login is what a CLI does: authorize with PKCE S256 (signed in headlessly, in the way each provider
allows), the code exchange at the token endpoint, and one userinfo call with the access token. The
drivers parse as little as they can, so that the load generator spends its share of the two cores
on sending requests rather than on reading them.
"""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from mock_platform.pkce_login import CallbackError, PkceLogin

REDIRECT_URI = "http://127.0.0.1:53682/callback"
FORM = "application/x-www-form-urlencoded"


class FlowError(Exception):
    """A step answered something other than what a successful login gets."""


@dataclass(frozen=True)
class Provider:
    """Where a provider's endpoints are and how a headless client signs in there."""

    name: str
    base_url: str
    authorize_path: str
    token_path: str
    userinfo_path: str
    sign_in: str  # "hint" (login_hint in the query), "redirect" (no sign-in), "form", "interactions"
    sign_in_fields: dict[str, str] = field(default_factory=dict)
    scope: str = "openid profile email offline_access"
    client_id: str = "nextflow_cli"

    @property
    def host_port(self) -> tuple[str, int]:
        parts = urlsplit(self.base_url)
        return parts.hostname or "127.0.0.1", parts.port or 80


@dataclass(frozen=True)
class Tokens:
    access_token: str
    body: dict


class Connection:
    """A keep-alive HTTP/1.1 connection (one per load-generator process) and a browser's cookie jar.

    Each login starts with an empty jar, like a CLI opening a fresh browser, and the CLI's own calls
    (token, userinfo) carry no cookies.
    """

    def __init__(self, provider: Provider) -> None:
        self.provider = provider
        host, port = provider.host_port
        self.http = http.client.HTTPConnection(host, port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        body: str | None = None,
        headers: dict[str, str] | None = None,
        browser: bool = False,
    ) -> tuple[int, http.client.HTTPResponse, bytes]:
        """One request; `browser` requests send and keep cookies, as the browser half of a login does."""
        sent = dict(headers or {})
        if browser and self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if body is not None:
            sent["Content-Type"] = FORM
        try:
            self.http.request(method, path, body=body, headers=sent)
            response = self.http.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            self.http.close()  # the server closed a kept-alive connection: retry once on a new one
            self.http.request(method, path, body=body, headers=sent)
            response = self.http.getresponse()
            data = response.read()
        if browser:
            for cookie in response.msg.get_all("Set-Cookie") or ():
                name, _, rest = cookie.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response, data

    def close(self) -> None:
        self.http.close()


def _path_of(location: str) -> str:
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _code_from(login: PkceLogin, location: str) -> str:
    try:
        return login.code_from(location)
    except CallbackError as error:
        raise FlowError(str(error)) from None


def new_login(provider: Provider) -> PkceLogin:
    return PkceLogin(provider.client_id, None, REDIRECT_URI, scope=provider.scope)


def authorize(conn: Connection, login: PkceLogin) -> str:
    """Sign in and return the authorization code delivered to the callback."""
    provider = conn.provider
    query = login.authorize_query()
    if provider.sign_in == "hint":
        query.update(provider.sign_in_fields)
    if provider.sign_in == "interactions":
        query["prompt"] = "consent"
    path = f"{provider.authorize_path}?{urlencode(query)}"
    conn.cookies.clear()
    if provider.sign_in == "form":
        status, response, _ = conn.request("POST", path, urlencode(provider.sign_in_fields), browser=True)
    else:
        status, response, _ = conn.request("GET", path, browser=True)
    if provider.sign_in == "interactions":
        return _panva_interactions(conn, status, response, login)
    if status not in (302, 303):
        raise FlowError(f"authorize answered {status}")
    return _code_from(login, response.getheader("Location", ""))


def _panva_interactions(
    conn: Connection, status: int, response: http.client.HTTPResponse, login: PkceLogin
) -> str:
    """node-oidc-provider's dev interactions: login form, then consent form, each a POST and redirects."""
    forms = {
        "login": urlencode({"prompt": "login", "login": "alice", "password": "x"}),
        "consent": urlencode({"prompt": "consent"}),
    }
    for _ in range(12):
        if status not in (302, 303):
            raise FlowError(f"interaction step answered {status}")
        location = response.getheader("Location", "")
        if location.startswith(REDIRECT_URI):
            return _code_from(login, location)
        path = _path_of(location)
        if path.startswith("/interaction/"):
            status, response, page = conn.request("GET", path, browser=True)
            prompt = "login" if b'name="login"' in page else "consent"
            status, response, _ = conn.request("POST", path, forms[prompt], browser=True)
        else:
            status, response, _ = conn.request("GET", path, browser=True)
    raise FlowError("no callback after 12 interaction steps")


def exchange(conn: Connection, login: PkceLogin, code: str) -> Tokens:
    status, _, data = conn.request("POST", conn.provider.token_path, urlencode(login.token_form(code)))
    if status != 200:
        raise FlowError(f"token answered {status}: {data[:200]!r}")
    document = json.loads(data)
    return Tokens(document["access_token"], document)


def userinfo(conn: Connection, access_token: str) -> dict:
    status, _, data = conn.request(
        "GET", conn.provider.userinfo_path, headers={"Authorization": f"Bearer {access_token}"}
    )
    if status != 200:
        raise FlowError(f"userinfo answered {status}: {data[:200]!r}")
    return json.loads(data)


def login(conn: Connection) -> dict:
    """One whole login; returns the userinfo claims."""
    login = new_login(conn.provider)
    tokens = exchange(conn, login, authorize(conn, login))
    return userinfo(conn, tokens.access_token)
