"""A WSGI tap in front of the mock the checker runs: every exchange with its raw values, and aliases.

The mock's own request log (`/_mock/requests`) masks secrets by field name and keeps only their
length. The checker needs the values (to compare verifiers across logins, to find a printed token
in the client's output, to tell which refresh token was replayed), so it wraps the app it runs
in-process. Every secret that passes is registered in `Secrets`, and the report shows exchanges
only through `Secrets.mask`, so a secret is masked wherever it turns up (a header, a path, stdout).

Aliases serve an endpoint at a second path and can make the default path answer 404: that is how
the non-default-paths scenario moves the token endpoint without touching the mock. A hanging path
holds its requests until the scenario ends (the mock's own fault delay would keep a request running
into the next scenario).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import io
import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .secrets import Secrets

SOURCE_HEADER = "X-Client-Check"  # "browser" or "checker"; absent: the client under check
SECRET_FIELDS = {
    "code": "code",
    "code_verifier": "verifier",
    "refresh_token": "refresh token",
    "access_token": "access token",
    "id_token": "ID token",
    "token": "token",
    "client_secret": "client secret",
    "accessKey": "PAT",
    "password": "password",
}
KEPT_HEADERS = ("Authorization", "Content-Type", "User-Agent", "Accept")
HANG = 600.0  # the longest a hanging request waits if the scenario never releases it

StartResponse = Callable[..., Any]


@dataclass
class Exchange:
    number: int
    source: str
    method: str
    path: str
    routed: str
    query: str
    headers: dict[str, str]
    body: bytes
    status: int = 0
    location: str | None = None
    content_type: str = ""
    document: Any = None

    @cached_property
    def params(self) -> dict[str, list[str]]:
        return parse_qs(self.query, keep_blank_values=True)

    @cached_property
    def form(self) -> dict[str, list[str]]:
        if not self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            return {}
        return parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)

    def field(self, name: str) -> str | None:
        values = self.form.get(name)
        return values[0] if values else None

    @property
    def bearer(self) -> str | None:
        scheme, _, credential = self.headers.get("Authorization", "").partition(" ")
        return credential.strip() if scheme.lower() == "bearer" else None

    def describe(self) -> str:
        """`POST /api/oauth/token grant_type=refresh_token refresh_token=... -> 200` (mask before showing)."""
        target = self.path + (f"?{self.query}" if self.query else "")
        fields = " ".join(f"{name}={values[0]}" for name, values in self.form.items())
        credential = self.headers.get("Authorization")
        parts = [self.method, target, fields, f"Authorization: {credential}" if credential else ""]
        return " ".join(part for part in parts if part) + f" -> {self.status}"


@dataclass
class Tap:
    app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
    secrets: Secrets
    exchanges: list[Exchange] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)
    blocked: dict[str, str] = field(default_factory=dict)
    hanging: set[str] = field(default_factory=set)
    _released: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def release(self) -> None:
        """Answer every hanging request at once (503), so the mock can stop."""
        self._released.set()

    def since(self, number: int, source: str = "client") -> list[Exchange]:
        with self._lock:
            return [e for e in self.exchanges if e.number >= number and e.source == source]

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.exchanges)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        body = _read_body(environ)
        path = environ.get("PATH_INFO", "")
        routed = self.aliases.get(path, path)
        environ["PATH_INFO"] = routed
        headers = {name: environ[key] for name in KEPT_HEADERS if (key := _environ_key(name)) in environ}
        with self._lock:
            exchange = Exchange(
                number=len(self.exchanges),
                source=environ.get("HTTP_" + SOURCE_HEADER.upper().replace("-", "_"), "client"),
                method=environ.get("REQUEST_METHOD", "GET"),
                path=path,
                routed=routed,
                query=environ.get("QUERY_STRING", ""),
                headers=headers,
                body=body,
            )
            self.exchanges.append(exchange)
        self._register_request(exchange)
        if path in self.blocked:
            return _answer(exchange, 404, self.blocked[path], start_response)
        if path in self.hanging:
            self._released.wait(HANG)
            return _answer(exchange, 503, "the checker let this request hang", start_response)

        def record_start(status: str, response_headers: list[tuple[str, str]], *rest: Any) -> Any:
            exchange.status = int(status.split()[0])
            named = {name.lower(): value for name, value in response_headers}
            exchange.location = named.get("location")
            exchange.content_type = named.get("content-type", "")
            if exchange.location:
                for code in parse_qs(urlsplit(exchange.location).query).get("code", []):
                    self.secrets.add("code", code)
            return start_response(status, response_headers, *rest)

        result = self.app(environ, record_start)
        if "json" not in exchange.content_type:
            return result
        try:
            payload = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        try:
            exchange.document = json.loads(payload)
        except ValueError:
            return [payload]
        self._register_document(exchange.document)
        return [payload]

    def _register_request(self, exchange: Exchange) -> None:
        for name, values in [*exchange.params.items(), *exchange.form.items()]:
            if name in SECRET_FIELDS:
                for value in values:
                    self.secrets.add(SECRET_FIELDS[name], value)
        scheme, _, credential = exchange.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "basic":
            with contextlib.suppress(binascii.Error, UnicodeDecodeError):
                _, _, credential = base64.b64decode(credential.strip()).decode().partition(":")
        self.secrets.add("credential", credential.strip())

    def _register_document(self, document: Any) -> None:
        if isinstance(document, dict):
            for key, value in document.items():
                if key in SECRET_FIELDS:
                    self.secrets.add(SECRET_FIELDS[key], value)
                self._register_document(value)
        elif isinstance(document, list):
            for item in document:
                self._register_document(item)


def _environ_key(header: str) -> str:
    return "CONTENT_TYPE" if header == "Content-Type" else "HTTP_" + header.upper().replace("-", "_")


def _read_body(environ: dict[str, Any]) -> bytes:
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    length = environ.get("CONTENT_LENGTH")
    if length:
        body = stream.read(int(length))
    elif environ.get("wsgi.input_terminated"):
        body = stream.read()
    else:
        return b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _answer(exchange: Exchange, status: int, message: str, start_response: StartResponse) -> Iterable[bytes]:
    exchange.status = status
    payload = json.dumps({"message": message}).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
    start_response(f"{status} {HTTPStatus(status).phrase}", headers)
    return [payload]
