"""Run the mock inside a test process, drive its control API, and log in without a browser.

    from mock_platform.testing import oidc_login, run_server

    with run_server(tmp_path, access_token_lifetime=600) as platform:
        platform.control.queue_identity("bob", claims={"role": "admin"})
        tokens = oidc_login(platform)                     # code + PKCE, no browser
        platform.control.add_fault("token", status=503)   # the next token request fails

`run_federated(...)` starts a mock that signs users in through a second mock, as an Enterprise
install signs them in through its identity provider.

Settings come only from the keyword arguments (never from MOCK_PLATFORM_* variables), so a test
sees the same server wherever it runs.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import requests
import yaml
from flask import Flask
from werkzeug.serving import BaseWSGIServer

from .app import create_app
from .clients import LOOPBACK_AUTHORITY, Client
from .live import Platform
from .pkce_login import DEFAULT_SCOPE, CallbackError, PkceLogin
from .serving import wsgi_server
from .settings import Settings

TIMEOUT = 10.0
UNUSED_CALLBACK_PORT = 53682
UPSTREAM_CLIENT_ID = "mock-platform"
UPSTREAM_CLIENT_SECRET = "mock-platform-upstream-secret"


class ControlError(Exception):
    """A /_mock/ call failed; `status` is the HTTP status and `message` the server's explanation."""

    def __init__(self, method: str, path: str, status: int, message: str) -> None:
        super().__init__(f"{method} {path} failed (HTTP {status}): {message}")
        self.status = status
        self.message = message


class LoginFailed(Exception):
    """`oidc_login` did not get tokens; `response` is the HTTP response that stopped it."""

    def __init__(self, message: str, response: requests.Response) -> None:
        super().__init__(message)
        self.response = response


class ControlClient:
    """The /_mock/ API of a running mock, one method per endpoint; non-2xx answers raise ControlError.

    `token`: the mock's control token (MOCK_PLATFORM_CONTROL_TOKEN), sent as a Bearer token.
    """

    def __init__(
        self, base_url: str, timeout: float = TIMEOUT, token: str | None = None, verify: bool | str = True
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.verify = verify  # per request: REQUESTS_CA_BUNDLE would override a session's verify
        self.http = requests.Session()
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"

    def call(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> Any:
        url = f"{self.base_url}/_mock{path}"
        response = self.http.request(
            method,
            url,
            json=body,
            params=_present(**(params or {})),
            timeout=self.timeout,
            verify=self.verify,
        )
        if not response.ok:
            try:
                message = response.json().get("message") or response.text
            except ValueError:
                message = response.text
            raise ControlError(method, f"/_mock{path}", response.status_code, message)
        return response.json()

    # identity queue

    def queue_identity(
        self,
        user: str | int | Mapping[str, Any],
        *,
        client_id: str | None = None,
        claims: Mapping[str, Any] | None = None,
        id_token_claims: Mapping[str, Any] | None = None,
        access_token_claims: Mapping[str, Any] | None = None,
        userinfo_claims: Mapping[str, Any] | None = None,
        count: int = 1,
    ) -> dict[str, Any]:
        """Who signs in at the next `count` authorizations (of `client_id`, else of any client).

        `user` is a userName, email or id, or a new user as a mapping (`{"userName": "dave", ...}`);
        `claims` go into the id_token, the access token and userinfo, the others into one of them.
        """
        return self.call(
            "POST",
            "/identity",
            _present(
                user=user,
                client_id=client_id,
                claims=claims,
                id_token_claims=id_token_claims,
                access_token_claims=access_token_claims,
                userinfo_claims=userinfo_claims,
                count=count,
            ),
        )

    def identities(self) -> list[dict[str, Any]]:
        return self.call("GET", "/identity")["identities"]

    def clear_identities(self) -> None:
        self.call("DELETE", "/identity")

    # faults

    def add_fault(
        self,
        endpoint: str,
        *,
        status: int | None = None,
        error: str | None = None,
        error_description: str | None = None,
        body: Any = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        delay: float | str | None = None,
        count: int | str | None = None,
        fraction: float | None = None,
        method: str | None = None,
    ) -> dict[str, Any]:
        """Make the next `count` calls (default 1; "unlimited") or a `fraction` of calls to `endpoint` fail.

        `endpoint` is authorize, token, userinfo, jwks, discovery, revoke, end_session, or a path
        relative to the API root (`/user-info`, `/tokens*`).
        """
        return self.call(
            "POST",
            "/faults",
            _present(
                endpoint=endpoint,
                status=status,
                error=error,
                error_description=error_description,
                body=body,
                content_type=content_type,
                headers=headers,
                delay=delay,
                count=count,
                fraction=fraction,
                method=method,
            ),
        )

    def faults(self) -> list[dict[str, Any]]:
        return self.call("GET", "/faults")["faults"]

    def delete_fault(self, fault_id: int) -> None:
        self.call("DELETE", f"/faults/{fault_id}")

    def clear_faults(self) -> None:
        self.call("DELETE", "/faults")

    # tokens, clock, keys

    def mint_token(
        self,
        user: str | int = "alice",
        *,
        client_id: str | None = None,
        scope: str | None = None,
        expired: bool = False,
        wrong_key: bool = False,
        kid: str | None = None,
        iss: str | None = None,
        aud: str | list[str] | None = None,
        exp: int | None = None,
        lifetime: int | None = None,
        claims: Mapping[str, Any] | None = None,
        id_token: bool = False,
        id_token_claims: Mapping[str, Any] | None = None,
        userinfo_claims: Mapping[str, Any] | None = None,
        nonce: str | None = None,
        refresh_token: bool = False,
    ) -> dict[str, Any]:
        """An access token (and id_token, refresh token) for `user`, good or deliberately broken."""
        return self.call(
            "POST",
            "/tokens",
            _present(
                user=user,
                client_id=client_id,
                scope=scope,
                expired=expired or None,
                wrong_key=wrong_key or None,
                kid=kid,
                iss=iss,
                aud=aud,
                exp=exp,
                lifetime=lifetime,
                claims=claims,
                id_token=id_token or None,
                id_token_claims=id_token_claims,
                userinfo_claims=userinfo_claims,
                nonce=nonce,
                refresh_token=refresh_token or None,
            ),
        )

    def clock(self) -> dict[str, Any]:
        return self.call("GET", "/clock")

    def advance_clock(self, seconds: float | str) -> dict[str, Any]:
        """Move the mock's clock forward: seconds, or "15m", "2h", "1d"."""
        return self.call("POST", "/clock", {"advance": seconds})

    def reset_clock(self) -> dict[str, Any]:
        return self.call("DELETE", "/clock")

    def rotate_keys(self) -> dict[str, Any]:
        return self.call("POST", "/keys/rotate")

    # users and clients

    def users(self) -> list[dict[str, Any]]:
        return self.call("GET", "/users")["users"]

    def user(self, user_name: str) -> dict[str, Any]:
        return self.call("GET", f"/users/{user_name}")

    def create_user(self, user_name: str, **fields: Any) -> dict[str, Any]:
        """`fields` as in directory.yml (email, password, firstName, claims, ...) plus
        `organizations={"acme": "member"}` and `workspaces={"acme/genomics": "launch"}`."""
        return self.call("POST", "/users", {"userName": user_name, **fields})

    def update_user(self, user_name: str, **fields: Any) -> dict[str, Any]:
        """Change the given fields; a role of None removes that membership."""
        return self.call("PUT", f"/users/{user_name}", fields)

    def delete_user(self, user_name: str) -> None:
        self.call("DELETE", f"/users/{user_name}")

    def clients(self) -> list[dict[str, Any]]:
        return self.call("GET", "/clients")["clients"]

    def register_client(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        """A client in the shape of clients.yml (`client-id`, `redirect-uris`, ...)."""
        return self.call("POST", "/clients", entry)

    # Co-Scientist backend

    def ai_script(self) -> dict[str, Any]:
        """The assistant's script in use, with its `source` (control API, ai_script setting, built-in)."""
        return self.call("GET", "/ai/script")

    def set_ai_script(self, script: Mapping[str, Any]) -> dict[str, Any]:
        """Canned replies: `{"replies": [{"match": REGEX, "say": TEXT} or {"steps": [...]}, ...]}`."""
        return self.call("PUT", "/ai/script", script)

    def clear_ai_script(self) -> dict[str, Any]:
        """Back to the ai_script setting's script, or the built-in reply."""
        return self.call("DELETE", "/ai/script")

    def ai_credits(self) -> dict[str, Any]:
        return self.call("GET", "/ai/credits")

    def set_ai_credits(self, balance: int | None) -> dict[str, Any]:
        """Each message takes one credit; at 0 messages get 429. None: unlimited (the default)."""
        return self.call("PUT", "/ai/credits", {"balance": balance})

    # request log, reset

    def recent_requests(
        self, *, limit: int | None = None, path: str | None = None, method: str | None = None
    ) -> list[dict[str, Any]]:
        """Logged requests, oldest first; `path` is a pattern such as "/api/oauth/*"."""
        return self.call("GET", "/requests", params={"limit": limit, "path": path, "method": method})[
            "requests"
        ]

    def clear_requests(self) -> None:
        self.call("DELETE", "/requests")

    def reset(self) -> None:
        self.call("POST", "/reset")


def _present(**fields: Any) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


@dataclass(frozen=True)
class RunningServer:
    settings: Settings
    app: Flask
    ca_file: Path | None = None  # with tls=True: the CA clients must trust ({data_dir}/tls/ca.pem)

    @property
    def base_url(self) -> str:
        return self.settings.public_base_url

    @property
    def issuer(self) -> str:
        return self.settings.issuer

    @property
    def port(self) -> int:
        return self.settings.port

    @property
    def platform(self) -> Platform:
        return self.app.extensions["mock_platform"]

    @property
    def verify(self) -> bool | str:
        """`requests`' verify= for this server: its CA file over https, else the default trust."""
        return str(self.ca_file) if self.ca_file else True

    @cached_property
    def control(self) -> ControlClient:
        return ControlClient(self.base_url, token=self.settings.control_token or None, verify=self.verify)


@contextlib.contextmanager
def run_server(
    data_dir: Path | str | None = None,
    *,
    clients: list[Mapping[str, Any]] | None = None,
    users: list[Mapping[str, Any]] | None = None,
    organizations: list[Mapping[str, Any]] | None = None,
    listener: socket.socket | None = None,
    **settings: Any,
) -> Iterator[RunningServer]:
    """Serve a fresh app on 127.0.0.1:<free port> in a background thread until the block ends.

    `clients`, `users` and `organizations` are added to the seed as a config file would add them.
    With `tls=True` it speaks https with the local CA of the data dir (`.ca_file`, `.verify`);
    `tls_cert=`/`tls_key=` serve a given certificate instead. `listener`, a socket bound on
    127.0.0.1, is served instead of a new one (when the port must be known before the server
    starts); the server closes it.
    """
    with tempfile.TemporaryDirectory(prefix="mock-platform-") as scratch:
        if clients or users or organizations:
            if settings.get("config"):
                raise ValueError("give clients/users/organizations or config, not both")
            document = _present(clients=clients, users=users, organizations=organizations)
            settings["config"] = Path(scratch) / "config.yml"
            settings["config"].write_text(yaml.safe_dump(document), encoding="utf-8")
        sock = listener or socket.create_server(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        resolved = Settings.load(
            {"data_dir": Path(data_dir or scratch), "host": "127.0.0.1", "port": port, **settings}, environ={}
        )
        certificate = None
        if resolved.serves_tls:
            from .tls import server_certificate

            certificate = server_certificate(resolved)
        app = create_app(resolved)
        server = wsgi_server(app, sock, certificate.ssl_context() if certificate else None)
        sock.close()  # the server holds its own duplicate of the descriptor
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        thread = threading.Thread(
            target=server.serve_forever,
            # how long shutdown() waits, which every test that starts its own server pays: 100 idle
            # wake-ups a second cost well under 1 % of a core
            kwargs={"poll_interval": 0.01},
            name=f"mock-platform:{port}",
            daemon=True,
        )
        thread.start()
        try:
            yield RunningServer(resolved, app, certificate.trust_anchor if certificate else None)
        finally:
            _stop(server, thread)
            app.extensions["mock_platform"].store.dispose()


@dataclass(frozen=True)
class Federation:
    """Two mocks: `platform`, which the CLIs log in to, signs users in through `upstream`."""

    platform: RunningServer
    upstream: RunningServer


@contextlib.contextmanager
def run_federated(
    data_dir: Path | str | None = None,
    *,
    upstream_users: list[Mapping[str, Any]] | None = None,
    upstream_settings: Mapping[str, Any] | None = None,
    **settings: Any,
) -> Iterator[Federation]:
    """A mock whose sign-in goes to a second mock, as an Enterprise install's goes to its IdP:

        with run_federated(local_login=False, upstream_allow_list="*@example.com") as federation:
            federation.platform.issuer         # what the CLIs log in to
            federation.upstream.control        # the identity provider's control API

    The upstream has the seed directory plus `upstream_users`, and the platform registered as its
    confidential client (UPSTREAM_CLIENT_ID, in its config file, so a reset keeps it); `settings` go
    to the platform (and may replace its upstream_* settings), `upstream_settings` to the upstream.
    """
    listener = socket.create_server(("127.0.0.1", 0))
    callback = f"http://127.0.0.1:{listener.getsockname()[1]}/oauth/callback/oidc"
    with contextlib.ExitStack() as stack:
        stack.callback(listener.close)
        upstream = stack.enter_context(
            run_server(clients=[upstream_client(callback)], users=upstream_users, **(upstream_settings or {}))
        )
        platform = stack.enter_context(
            run_server(
                data_dir,
                listener=listener,
                **{
                    "upstream_issuer": upstream.issuer,
                    "upstream_client_id": UPSTREAM_CLIENT_ID,
                    "upstream_client_secret": UPSTREAM_CLIENT_SECRET,
                    **settings,
                },
            )
        )
        yield Federation(platform, upstream)


def upstream_client(redirect_uri: str) -> dict[str, Any]:
    """The registration of a federated mock at its upstream, as an IdP administrator would make it."""
    return {
        "client-id": UPSTREAM_CLIENT_ID,
        "client-name": "Seqera Platform (mock)",
        "token-endpoint-auth-method": "client_secret_basic",
        "client-secret": UPSTREAM_CLIENT_SECRET,
        "redirect-uris": [redirect_uri],
        "allowed-flows": ["authorization_code_pkce"],
        "allowed-scopes": ["openid", "profile", "email"],
    }


def _stop(server: BaseWSGIServer, thread: threading.Thread) -> None:
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    if thread.is_alive():
        raise RuntimeError("the mock-platform server thread did not stop within 10 s")


def oidc_login(
    server: RunningServer,
    client_id: str = "nextflow_cli",
    user: str | None = "alice",
    scope: str = DEFAULT_SCOPE,
    *,
    redirect_uri: str | None = None,
    nonce: str | None = None,
    extra_params: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The authorization code + PKCE flow over HTTP, no browser: returns the token response.

    `user` becomes `login_hint`, which signs that user in without a page; with `user=None` the
    sign-in comes from a queued identity or the auto-login user instead.
    """
    client = server.platform.query_client(client_id)
    if client is None:
        raise ValueError(f"no client {client_id!r} is registered with the mock")
    login = PkceLogin(client_id, user, redirect_uri or default_redirect_uri(client), scope=scope, nonce=nonce)
    with requests.Session() as http:
        discovery = http.get(
            f"{server.issuer}/.well-known/openid-configuration", timeout=TIMEOUT, verify=server.verify
        )
        if discovery.status_code != 200:
            raise LoginFailed(
                f"discovery answered HTTP {discovery.status_code}: {discovery.text[:300]}", discovery
            )
        metadata = discovery.json()
        authorize = http.get(
            metadata["authorization_endpoint"],
            params=login.authorize_query(**(extra_params or {})),
            allow_redirects=False,
            timeout=TIMEOUT,
            verify=server.verify,
        )
        location = authorize.headers.get("Location", "")
        if authorize.status_code not in (302, 303) or not location.startswith(login.redirect_uri):
            raise LoginFailed(
                f"authorize answered HTTP {authorize.status_code} instead of redirecting to {login.redirect_uri} "
                f"(a sign-in page means nobody could be signed in headlessly): {authorize.text[:300]}",
                authorize,
            )
        try:
            code = login.code_from(location)
        except CallbackError as error:
            raise LoginFailed(
                f"authorize redirected without a code for this login: {error}", authorize
            ) from None
        form = login.token_form(code)
        auth = None
        if client.token_endpoint_auth_method == "client_secret_basic":
            # RFC 6749 §2.3.1: both form-encoded first (requests would send a secret as Latin-1)
            auth = (quote(client_id, safe=""), quote(client.client_secret or "", safe=""))
        elif client.token_endpoint_auth_method == "client_secret_post":
            form["client_secret"] = client.client_secret or ""
        token = http.post(
            metadata["token_endpoint"], data=form, auth=auth, timeout=TIMEOUT, verify=server.verify
        )
        if token.status_code != 200:
            raise LoginFailed(
                f"the token endpoint answered HTTP {token.status_code}: {token.text[:500]}", token
            )
        return token.json()


def default_redirect_uri(client: Client) -> str:
    """The client's first redirect URI; a loopback one gets a port (RFC 8252 §7.3) and a path."""
    parts = urlsplit(client.redirect_uris[0])
    authority = LOOPBACK_AUTHORITY.match(parts.netloc)
    if authority is None or authority["port"]:
        return client.redirect_uris[0]
    path = parts.path if parts.path not in ("", "/") else "/callback"
    netloc = f"{authority['host']}:{UNUSED_CALLBACK_PORT}"
    return urlunsplit((parts.scheme, netloc, path, parts.query, ""))
