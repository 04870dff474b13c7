"""The client side of the contract: PKCE, the loopback listener, authorize URLs built like the CLIs.

`Flow` reproduces the exact request the CLI sends (catalog "R0"): parameter order, form encoding
(space as `+`), a fresh 43-character verifier, a 22-character state and a listener bound to
`127.0.0.1:0` serving `/callback`. Tests change one thing at a time with `flow.params(...)`.
"""

from __future__ import annotations

import base64
import hashlib
import math
import secrets
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, quote_plus

UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
CLI_SCOPE = "openid profile email offline_access"
SEQERA_AUDIENCE = "platform"
SEQERA_PORTS = range(53682, 53692)
LISTENER_PAGE = (
    b'<html><head><link rel="icon" href="data:,"></head>'
    b"<body><h2>Conformance suite listener: callback received.</h2></body></html>"
)
BROWSER_NOISE = ("/favicon.ico",)

Pairs = list[tuple[str, str]]


# PKCE (RFC 7636) -----------------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def new_verifier(length: int = 43) -> str:
    """32 random octets as base64url (43 characters, as the CLIs do), or any length of unreserved."""
    if length == 43:
        return b64url(secrets.token_bytes(32))
    return "".join(secrets.choice(UNRESERVED) for _ in range(length))


def s256(verifier: str) -> str:
    return b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def new_state() -> str:
    return b64url(secrets.token_bytes(16))


# strength of codes and tokens (RFC 6749 §10.10, as the OIDF suite estimates it) --------------------


def shannon_bits(value: str) -> float:
    if not value:
        return 0.0
    counts = Counter(value)
    per_char = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    return per_char * len(value)


def is_vschar(value: str) -> bool:
    return all(0x20 <= ord(c) <= 0x7E for c in value)


def is_unreserved(value: str) -> bool:
    return all(c in UNRESERVED for c in value)


def cli_scan(text: str, key: str) -> str | None:
    """The Java CLI's `extractJsonString`: first `"key"`, then the next quoted string, no unescaping."""
    at = text.find(f'"{key}"')
    if at < 0:
        return None
    colon = text.find(":", at + len(key) + 2)
    start = text.find('"', colon + 1) if colon >= 0 else -1
    end = text.find('"', start + 1) if start >= 0 else -1
    return text[start + 1 : end] if end >= 0 else None


# the loopback listener -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    method: str
    path: str
    raw_query: str
    at: float

    @property
    def params(self) -> Pairs:
        return parse_qsl(self.raw_query, keep_blank_values=True)

    def param(self, name: str) -> str | None:
        values = [value for key, value in self.params if key == name]
        return values[0] if values else None

    @property
    def names(self) -> list[str]:
        return [key for key, _ in self.params]


class Listener:
    """A real loopback HTTP server that records every request it gets, on any path."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.hits: list[Hit] = []
        self._arrived = threading.Condition()
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        server_class = type(
            "_Server", (ThreadingHTTPServer,), {"address_family": family, "daemon_threads": True}
        )
        self._server = server_class((host, port), _handler(self))
        self.host = host
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()

    @classmethod
    def on_any_of(cls, ports: Iterable[int]) -> Listener:
        for port in ports:
            try:
                return cls(port=port)
            except OSError:
                continue
        raise OSError("no free port in the range the client uses")

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def redirect_uri(self) -> str:
        return f"{self.base_url}/callback"

    def record(self, hit: Hit) -> None:
        with self._arrived:
            self.hits.append(hit)
            self._arrived.notify_all()

    def wait(self, after: int = 0, timeout: float = 0.0) -> Hit | None:
        """The first hit after the `after`-th one, waiting up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.hits) <= after:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._arrived.wait(remaining)
            return self.hits[after]

    def close(self) -> None:
        if not self._thread.is_alive():
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _handler(listener: Listener) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            path, _, query = self.path.partition("?")
            if path not in BROWSER_NOISE:
                listener.record(Hit(self.command, path, query, time.time()))
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=UTF-8")
            self.send_header("Content-Length", str(len(LISTENER_PAGE)))
            self.send_header("Referrer-Policy", "no-referrer")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(LISTENER_PAGE)

        do_GET = do_POST = do_HEAD = _serve

        def log_message(self, format: str, *args: object) -> None:
            """Silent: the report carries what matters."""

    return Handler


# the authorization request -------------------------------------------------------------------------


def encode_pairs(pairs: Sequence[tuple[str, str]], space: str = "+") -> str:
    """Form encoding as Java's URLEncoder (and the Seqera CLI's URLSearchParams) produce it."""
    encoded = (f"{quote_plus(name, safe='')}={quote_plus(value, safe='')}" for name, value in pairs)
    text = "&".join(encoded)
    return text if space == "+" else text.replace("+", quote(" "))


@dataclass
class Flow:
    """One authorization attempt: client, listener, PKCE pair and state."""

    client_id: str
    listener: Listener
    verifier: str = field(default_factory=new_verifier)
    state: str = field(default_factory=new_state)
    scope: str = CLI_SCOPE
    audience: str | None = None

    @property
    def challenge(self) -> str:
        return s256(self.verifier)

    @property
    def redirect_uri(self) -> str:
        return self.listener.redirect_uri

    def params(
        self, *, drop: Iterable[str] = (), extra: Sequence[tuple[str, str]] = (), **changes: str
    ) -> Pairs:
        """R0 in the CLI's order; `changes` replace values, `drop` removes names, `extra` appends pairs."""
        base: Pairs = [
            ("client_id", self.client_id),
            ("response_type", "code"),
            ("scope", self.scope),
            ("redirect_uri", self.redirect_uri),
            ("state", self.state),
            ("code_challenge", self.challenge),
            ("code_challenge_method", "S256"),
        ]
        if self.audience is not None:  # the Seqera CLI: client_id, audience, scope, response_type, ...
            base.insert(1, ("audience", self.audience))
        dropped = set(drop)
        pairs = [(name, changes.get(name, value)) for name, value in base if name not in dropped]
        return pairs + list(extra)

    def exchange_pairs(self, code: str) -> Pairs:
        """The token request body fields in the CLI's order."""
        if self.audience is not None:
            return [
                ("grant_type", "authorization_code"),
                ("code", code),
                ("code_verifier", self.verifier),
                ("redirect_uri", self.redirect_uri),
                ("client_id", self.client_id),
            ]
        return [
            ("grant_type", "authorization_code"),
            ("client_id", self.client_id),
            ("code", code),
            ("code_verifier", self.verifier),
            ("redirect_uri", self.redirect_uri),
        ]


def change_pairs(
    pairs: Sequence[tuple[str, str]], *, drop: Iterable[str] = (), **changes: str | None
) -> Pairs:
    """Replace (or, with None, remove) fields of an encoded-in-order body."""
    dropped = set(drop) | {name for name, value in changes.items() if value is None}
    return [
        (name, str(changes[name]) if name in changes else value)
        for name, value in pairs
        if name not in dropped
    ]
