"""Fixtures for the client tests: an isolated home, a real HTTP stub server on 127.0.0.1, and the Seqera
CLI's environment pointed at a mock (`seqera_env`, for modules that define a `platform` fixture)."""

import json
import os
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from client.seqera import SeqeraSettings, Store

ENV_PREFIXES = ("NXF_", "TOWER_", "SEQERA_")


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every client test gets its own $HOME and none of the user's Nextflow / Seqera settings."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in list(os.environ):
        if name.startswith(ENV_PREFIXES) or name in ("DISPLAY", "WAYLAND_DISPLAY"):
            monkeypatch.delenv(name)
    return home


@dataclass
class Hit:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: str


Reply = tuple[int, str | dict | list, dict[str, str]]


class StubServer:
    """Answers fixed replies per (method, path) and records every request it gets."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Callable[[Hit], Reply]] = {}
        self.hits: list[Hit] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def on(
        self, method: str, path: str, status: int = 200, body: str | dict | list = "", **headers: str
    ) -> None:
        self.routes[(method, path)] = lambda hit: (status, body, headers)

    def handle(self, method: str, path: str, reply: Callable[[Hit], Reply]) -> None:
        self.routes[(method, path)] = reply

    def hits_to(self, method: str, path: str) -> list[Hit]:
        return [hit for hit in self.hits if (hit.method, hit.path) == (method, path)]

    def reply(self, hit: Hit) -> Reply:
        self.hits.append(hit)
        route = self.routes.get((hit.method, hit.path))
        return route(hit) if route else (404, {"message": "not found"}, {})

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def _handler_for(stub: StubServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            hit = Hit(
                method=self.command,
                path=url.path,
                query=dict(parse_qsl(url.query)),
                headers=dict(self.headers),
                body=self.rfile.read(length).decode(),
            )
            status, body, headers = stub.reply(hit)
            data = (body if isinstance(body, str) else json.dumps(body)).encode()
            self.send_response(status)
            if not isinstance(body, str):
                self.send_header("Content-Type", "application/json")
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = _serve

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def stub() -> Iterator[StubServer]:
    server = StubServer()
    yield server
    server.close()


@pytest.fixture
def provider(stub: StubServer) -> StubServer:
    """The stub as an OIDC provider under /api: discovery with authorize, token and revocation endpoints."""
    stub.on(
        "GET",
        "/api/.well-known/openid-configuration",
        body={
            "issuer": f"{stub.url}/api",
            "authorization_endpoint": f"{stub.url}/api/authorize",
            "token_endpoint": f"{stub.url}/api/token",
            "revocation_endpoint": f"{stub.url}/api/revoke",
            "userinfo_endpoint": f"{stub.url}/api/userinfo",
        },
    )
    return stub


def approving_browser(code: str = "the-code", seen: list[str] | None = None) -> Callable[[str], None]:
    """A 'browser' that plays an IdP approving at once: it calls the redirect_uri with code and state."""

    def browse(url: str) -> None:
        if seen is not None:
            seen.append(url)
        query = dict(parse_qsl(urlsplit(url).query))
        requests.get(query["redirect_uri"], params={"code": code, "state": query["state"]}, timeout=5)

    return browse


@pytest.fixture
def approve() -> Callable[..., Callable[[str], None]]:
    return approving_browser


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def seqera_env(platform, monkeypatch) -> Store:
    """The Seqera CLI's environment pointed at the module's `platform` mock; its store in the test's home."""
    monkeypatch.setenv("SEQERA_AUTH_DOMAIN", platform.issuer)
    monkeypatch.setenv("SEQERA_AI_BACKEND_URL", f"{platform.base_url}/ai")
    monkeypatch.setenv("SEQERA_AUTH_REDIRECT_PORT", str(free_port()))
    return Store(SeqeraSettings.from_environment().config_dir)
