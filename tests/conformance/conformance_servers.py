"""Servers the conformance tests point the suite at: the mock over TLS (a private CA made with trustme),
a static TLS site, a CONNECT proxy, and an in-process suite run that returns its exit status and report.

The TLS mock serves the app with werkzeug's ssl_context; once `mock_platform.testing.run_server`
can serve TLS itself (issue 13), `tls_mock` should become a thin call to it.
"""

from __future__ import annotations

import datetime
import json
import select
import socket
import socketserver
import ssl
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import trustme
from werkzeug.serving import make_server

from mock_platform.app import create_app
from mock_platform.settings import Settings
from tests.one_page_server import one_page_server
from tests.paths import ROOT

SUITE = ROOT / "conformance"


@dataclass(frozen=True)
class TlsMock:
    issuer: str
    ca_file: Path
    port: int


def certificate_context(authority: trustme.CA, *names: str, **validity: Any) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(*names, **validity).configure_cert(context)
    return context


@contextmanager
def tls_mock(data_dir: Path, host: str = "127.0.0.1", **settings: Any) -> Iterator[TlsMock]:
    """The mock on https://{host}:<free port> (listening on 127.0.0.1), its certificate from a new CA."""
    authority = trustme.CA()
    ca_file = data_dir / "ca.pem"
    data_dir.mkdir(parents=True, exist_ok=True)
    authority.cert_pem.write_to_path(str(ca_file))
    sock = socket.create_server(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    resolved = Settings.load(
        {
            "data_dir": data_dir,
            "host": "127.0.0.1",
            "port": port,
            "base_url": f"https://{host}:{port}",
            **settings,
        },
        environ={},
    )
    app = create_app(resolved)
    context = certificate_context(authority, host, "127.0.0.1", "localhost")
    server = make_server("127.0.0.1", port, app, threaded=True, fd=sock.fileno(), ssl_context=context)
    sock.close()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield TlsMock(resolved.issuer, ca_file, port)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        app.extensions["mock_platform"].store.dispose()


def discovery_document(api_url: str) -> bytes:
    return json.dumps(
        {
            "issuer": api_url,
            "authorization_endpoint": f"{api_url}/oauth/authorize",
            "token_endpoint": f"{api_url}/oauth/token",
        }
    ).encode()


@contextmanager
def tls_site(ca_dir: Path, *names: str, **validity: Any) -> Iterator[tuple[str, Path]]:
    """An https server on 127.0.0.1 serving a discovery document at /api; (API URL, CA file).

    `names` are the certificate's names (default 127.0.0.1); `validity` is trustme's not_before/not_after.
    """
    authority = trustme.CA()
    ca_file = ca_dir / "site-ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    context = certificate_context(authority, *(names or ("127.0.0.1",)), **validity)

    def page(port: int) -> tuple[bytes, str]:
        return discovery_document(f"https://127.0.0.1:{port}/api"), "application/json"

    with one_page_server(page, context) as port:
        yield f"https://127.0.0.1:{port}/api", ca_file


def expired() -> dict[str, datetime.datetime]:
    now = datetime.datetime.now(datetime.UTC)
    return {"not_before": now - datetime.timedelta(days=30), "not_after": now - datetime.timedelta(days=1)}


@dataclass
class ConnectProxy:
    """An HTTP CONNECT proxy on 127.0.0.1 that sends every tunnel to 127.0.0.1 (any host name), and
    remembers which host:port each client asked for: names that resolve nowhere but here."""

    port: int = 0
    tunnels: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def connect_proxy() -> Iterator[ConnectProxy]:
    proxy = ConnectProxy()

    class Tunnel(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            request = self.rfile.readline().decode("latin-1").split()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            if len(request) < 2 or request[0] != "CONNECT":
                self.wfile.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                return
            proxy.tunnels.append(request[1])
            try:
                upstream = socket.create_connection(
                    ("127.0.0.1", int(request[1].rsplit(":", 1)[1])), timeout=10
                )
            except OSError:
                self.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                return
            self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            self.wfile.flush()
            with upstream:
                _pump(self.connection, upstream)

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Tunnel)
    server.daemon_threads = True
    proxy.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()


def _pump(client: socket.socket, upstream: socket.socket) -> None:
    sockets = [client, upstream]
    while True:
        readable, _, broken = select.select(sockets, [], sockets, 30)
        if broken or not readable:
            return
        for source in readable:
            data = source.recv(65536)
            if not data:
                return
            (upstream if source is client else client).sendall(data)


@dataclass(frozen=True)
class SuiteRun:
    exit_status: int
    report: dict[str, Any]
    report_path: Path

    def results(self) -> dict[str, str]:
        return {case["id"]: case["result"] for case in self.report["cases"]}

    def case(self, case_id: str) -> Mapping[str, Any]:
        return next(case for case in self.report["cases"] if case["id"] == case_id)


def run_suite(scratch: Path, *args: str, name: str = "run") -> SuiteRun:
    """Run the conformance suite in this process (`args` as on the command line); its exit status and report."""
    report = scratch / f"{name}.json"
    exit_status = pytest.main(
        [
            str(SUITE),
            "-q",
            "-p",
            "no:cacheprovider",
            f"--basetemp={scratch / name}",
            f"--report={report}",
            *args,
        ]
    )
    return SuiteRun(int(exit_status), json.loads(report.read_text(encoding="utf-8")), report)
