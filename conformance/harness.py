"""What a test does against the provider: authorize through a login driver, exchange, refresh, revoke.

`OAuth` is handed to each test (fixture `oauth`); it owns the test's listeners and closes them when
the test ends. Token endpoint requests are sent byte for byte as the CLI sends them (field order,
form encoding, no Authorization header) unless a test changes a field.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import requests

from .checks import Check, Secrets
from .idtoken import IdTokenError, parse_compact
from .login import BrowserDriver, HintDriver, Navigation
from .oauth import CLI_SCOPE, SEQERA_AUDIENCE, SEQERA_PORTS, Flow, Listener, Pairs, change_pairs, encode_pairs
from .target import Discovery, Http, Target

Driver = HintDriver | BrowserDriver


NO_REFRESH_TOKEN = "the login returned no refresh_token (see REF-01)"


def refresh_token_of(check: Check, tokens: Tokens) -> str:
    """The login's refresh token; without one the case is not run (REF-01 judges that)."""
    check.needs(tokens.refresh_token, NO_REFRESH_TOKEN)
    return tokens.refresh_token or ""


class NoCode(AssertionError):
    """The provider did not send an authorization code to the listener."""


@dataclass
class Authorization:
    flow: Flow
    navigation: Navigation
    url: str

    @property
    def hit(self) -> Any:
        return self.navigation.hit

    @property
    def code(self) -> str | None:
        return self.hit.param("code") if self.hit else None

    @property
    def error(self) -> str | None:
        if self.hit is not None:
            return self.hit.param("error")
        return None


@dataclass
class Tokens:
    flow: Flow
    response: requests.Response
    body: dict[str, Any]
    received_at: float = field(default_factory=time.time)

    @property
    def access_token(self) -> str:
        return self.body.get("access_token", "")

    @property
    def refresh_token(self) -> str | None:
        return self.body.get("refresh_token")

    @property
    def id_token(self) -> str | None:
        return self.body.get("id_token")

    @property
    def id_claims(self) -> dict[str, Any]:
        """The id_token's claims, unverified (the IDT cases verify them)."""
        if not self.id_token:
            return {}
        try:
            return parse_compact(self.id_token).claims
        except IdTokenError:
            return {}


@dataclass
class Session:
    """What every test shares: target, discovery, drivers, options, secrets."""

    target: Target
    discovery: Discovery
    driver: Driver
    ui_driver: Driver
    probe: HintDriver
    options: Any
    secrets: Secrets

    @property
    def http(self) -> Http:
        return self.target.http

    @property
    def client_id(self) -> str:
        return self.options.client_id


class OAuth:
    def __init__(self, session: Session, stack: ExitStack) -> None:
        self.session = session
        self.stack = stack
        self.discovery = session.discovery
        self.http = session.http
        self.secrets = session.secrets
        self.client_id = session.client_id

    # flows ---------------------------------------------------------------------------------------

    def listener(self, host: str = "127.0.0.1", port: int = 0) -> Listener:
        listener = Listener(host, port)
        self.stack.callback(listener.close)
        return listener

    def flow(self, *, client_id: str | None = None, port: int = 0, **fields: Any) -> Flow:
        """A fresh flow as the configured CLI starts one (the Seqera CLI: port 53682 and up, audience)."""
        client_id = client_id or self.client_id
        seqera = client_id == "seqera_ai_cli"
        if seqera and port == 0:
            listener = Listener.on_any_of(SEQERA_PORTS)
            self.stack.callback(listener.close)
        else:
            listener = self.listener(port=port)
        flow = Flow(client_id, listener, audience=SEQERA_AUDIENCE if seqera else None, **fields)
        self.secrets.add(flow.verifier)
        return flow

    @property
    def authorization_endpoint(self) -> str:
        return self.discovery["authorization_endpoint"]

    def url(self, pairs: Pairs, space: str = "+") -> str:
        """The authorization request URL with these parameters."""
        return f"{self.authorization_endpoint}?{encode_pairs(pairs, space)}"

    @property
    def token_endpoint(self) -> str:
        return self.discovery["token_endpoint"]

    def authorize(
        self,
        flow: Flow,
        pairs: Pairs | None = None,
        *,
        space: str = "+",
        method: str = "GET",
        driver: Driver | None = None,
        sign_in: bool = True,
        fresh: bool = False,
        cancel: bool = False,
    ) -> Authorization:
        driver = driver or self.session.driver
        pairs = flow.params() if pairs is None else pairs
        if method == "POST":
            url = self.authorization_endpoint
            navigation = driver.navigate(
                url, listener=flow.listener, method="POST", form=pairs, sign_in=sign_in, fresh=fresh
            )
        else:
            url = self.url(pairs, space)
            navigation = driver.navigate(
                url, listener=flow.listener, sign_in=sign_in, fresh=fresh, cancel=cancel
            )
        for hit in navigation.hits:
            self.secrets.add(hit.param("code"))
        if self.http.observer is not None:
            self.http.observer.navigation(method, url, navigation)
        return Authorization(flow, navigation, url)

    def login(self, flow: Flow | None = None, pairs: Pairs | None = None, **kwargs: Any) -> Authorization:
        """An authorization that must end with a code at the listener."""
        flow = flow or self.flow()
        authorization = self.authorize(flow, pairs, **kwargs)
        if not authorization.code:
            error = authorization.error
            detail = f"error={error} ({authorization.hit.param('error_description')})" if error else ""
            raise NoCode(
                f"no authorization code reached the listener {detail or authorization.navigation.describe(self.secrets)}"
            )
        return authorization

    # token endpoint ------------------------------------------------------------------------------

    def token_request(self, pairs: Pairs, headers: dict[str, str] | None = None) -> requests.Response:
        return self.http.form(self.token_endpoint, encode_pairs(pairs), headers)

    def exchange(
        self,
        flow: Flow,
        code: str,
        *,
        headers: dict[str, str] | None = None,
        extra: Sequence[tuple[str, str]] = (),
        **changes: str | None,
    ) -> requests.Response:
        pairs = change_pairs(flow.exchange_pairs(code), **changes) + list(extra)
        return self.token_request(pairs, headers)

    def tokens(self, flow: Flow | None = None, pairs: Pairs | None = None, **kwargs: Any) -> Tokens:
        """Log in and exchange the code as the CLI does; the exchange must answer 200 JSON."""
        authorization = self.login(flow, pairs, **kwargs)
        authorization.flow.listener.close()  # the Seqera CLI's ten ports are few; this flow is done
        response = self.exchange(authorization.flow, authorization.code or "")
        return self.parse_tokens(authorization.flow, response)

    def parse_tokens(self, flow: Flow, response: requests.Response) -> Tokens:
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code != 200 or not isinstance(body, dict) or not body.get("access_token"):
            raise AssertionError(
                f"the code exchange failed: HTTP {response.status_code} {self.secrets.redact(response.text[:200])}"
            )
        return Tokens(flow, response, body)

    def refresh(
        self,
        refresh_token: str,
        *,
        client_id: str | None = "",
        scope: str | None = "",
        extra: Sequence[tuple[str, str]] = (),
    ) -> requests.Response:
        """The refresh grant: client_id as configured; the Seqera CLI also sends its scope."""
        client_id = self.client_id if client_id == "" else client_id
        if scope == "":
            scope = CLI_SCOPE if self.client_id == "seqera_ai_cli" else None
        pairs: Pairs = [("grant_type", "refresh_token"), ("refresh_token", refresh_token)]
        if scope is not None:
            pairs.append(("scope", scope))
        if client_id is not None:
            pairs.append(("client_id", client_id))
        return self.token_request(pairs + list(extra))

    def revoke(
        self, token: str, *, hint: str | None = None, client_id: str | None = "", method: str = "POST"
    ) -> requests.Response:
        endpoint = self.discovery["revocation_endpoint"]
        pairs: Pairs = [("token", token)]
        if hint:
            pairs.append(("token_type_hint", hint))
        pairs.append(("client_id", self.client_id if client_id == "" else client_id or ""))
        if method == "GET":
            return self.http.get(f"{endpoint}?{encode_pairs(pairs)}")
        return self.http.form(endpoint, encode_pairs(pairs))

    # resources -----------------------------------------------------------------------------------

    def userinfo(
        self,
        token: str | None,
        *,
        method: str = "GET",
        scheme: str = "Bearer",
        where: str = "header",
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        endpoint = self.discovery["userinfo_endpoint"]
        headers = dict(headers or {})
        if token and where == "header":
            headers["Authorization"] = f"{scheme} {token}"
        if where == "body":
            return self.http.form(endpoint, encode_pairs([("access_token", token or "")]), headers)
        if where == "query":
            return self.http.request(method, f"{endpoint}?{encode_pairs([('access_token', token or '')])}")
        return self.http.request(method, endpoint, headers=headers)

    def attempt(self, url: str, *, listener: Listener | None = None) -> Navigation:
        """A request the provider should refuse or answer without a login (catalog mode H/B).

        Plain HTTP without a session first; only when the provider asks for a sign-in before it
        validates the request does the configured driver sign in and go on.
        """
        navigation = self.session.probe.navigate(url, listener=listener, sign_in=False, fresh=True)
        if navigation.login_ui:
            navigation = self.session.driver.navigate(url, listener=listener, sign_in=True)
        if self.http.observer is not None:
            self.http.observer.navigation("GET", url, navigation)
        return navigation
