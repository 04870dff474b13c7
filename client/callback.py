"""Loopback redirect listener (``OidcCallbackServer``; RFC 8252 §7.3): receives the authorization code."""

import errno
import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self, cast
from urllib.parse import unquote_plus, urlsplit

from . import defects
from .errors import LoginError

HOST = "127.0.0.1"
CALLBACK_PATH = "/callback"
SUCCESS_HTML = "<html><body><h2>Login successful! You can close this tab.</h2></body></html>"
ERROR_HTML = "<html><body><h2>Authentication failed: {}</h2></body></html>"
NOT_FOUND_HTML = "<html><body><h2>Not Found</h2></body></html>"
TIMEOUT_MESSAGE = "Authentication timed out waiting for browser callback"
DEFAULT_TIMEOUT = 300.0


def parse_query(query: str) -> dict[str, str]:
    """Split on '&' and form-decode each pair with a name before its '='; a repeated name keeps the last."""
    params = {}
    for pair in query.split("&"):
        name, separator, value = pair.partition("=")
        if separator and name:
            params[unquote_plus(name)] = unquote_plus(value)
    return params


class CallbackServer:
    """Serves ``/callback`` on 127.0.0.1 until stopped; the first callback settles the result.

    ``port=0`` lets the OS pick (Nextflow); a fixed port with ``fallback_ports=9`` tries the next nine
    ports when it is taken (Seqera CLI).
    """

    def __init__(self, expected_state: str, port: int = 0, fallback_ports: int = 0) -> None:
        self._expected_state = expected_state
        self._lock = threading.Lock()
        self._settled = threading.Event()
        self.stopped = threading.Event()
        self._code: str | None = None
        self._error: str | None = None
        self._server = _bind(port, fallback_ports)
        self._server.callback = self
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="oidc-callback",
            daemon=True,
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def redirect_uri(self) -> str:
        host = "localhost" if defects.active("localhost-redirect") else HOST
        return f"http://{host}:{self.port}{CALLBACK_PATH}"

    def wait(self, timeout: float = DEFAULT_TIMEOUT) -> str:
        """Block until the first callback, then return its code or raise its error."""
        if not self._settled.wait(timeout):
            raise LoginError(TIMEOUT_MESSAGE)
        if self._error is not None:
            raise LoginError(self._error)
        return cast(str, self._code)

    def stop(self) -> None:
        self.stopped.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def handle(self, params: dict[str, str]) -> tuple[int, str]:
        """Check a callback in lib-platform-oidc's order: error, then state, then code."""
        error = params.get("error")
        if error is not None:
            description = params.get("error_description", error)
            self._settle(error=f"Authentication error: {description}")
            shown = description if defects.active("error-page-unescaped") else html.escape(description)
            return 400, ERROR_HTML.format(shown)
        if params.get("state") != self._expected_state and not defects.active("state-not-checked"):
            self._settle(error="OAuth state mismatch")
            return 400, ERROR_HTML.format("state mismatch")
        code = params.get("code")
        if not code:
            self._settle(error="Callback missing authorization code")
            return 400, ERROR_HTML.format("missing authorization code")
        self._settle(code=code)
        return 200, SUCCESS_HTML

    def _settle(self, code: str | None = None, error: str | None = None) -> None:
        with self._lock:
            if not self._settled.is_set():
                self._code, self._error = code, error
                self._settled.set()


class _LoopbackServer(ThreadingHTTPServer):
    # Without SO_REUSEPORT a taken port fails with EADDRINUSE, which is what the port fallback needs.
    allow_reuse_port = False
    # stop() joins the handler threads, so a page still being written reaches the browser before
    # the process exits: settling the login first and exiting at once is lib-platform-oidc's bug
    # (contract §4.1), which `mock-platform check-client` caught here on the error path (CLI-14).
    daemon_threads = False
    callback: CallbackServer


class _Handler(BaseHTTPRequestHandler):
    server: _LoopbackServer
    timeout = 5  # a connection that never sends its request cannot hold the exit up for longer

    def __getattr__(self, name: str):
        # Any method gets the same answer, as a JDK HttpServer context gives it.
        if name.startswith("do_"):
            return self._respond
        raise AttributeError(name)

    def _respond(self) -> None:
        url = urlsplit(self.path)
        if url.path.startswith(CALLBACK_PATH):
            answer = self.server.callback.handle(parse_query(url.query))
            if defects.active("callback-closed-early"):
                self.server.callback.stopped.wait(10)
                return  # the connection closes with nothing written
            self._send(*answer)
        else:
            self._send(404, NOT_FOUND_HTML)

    def _send(self, status: int, page: str) -> None:
        body = page.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the terminal for the CLI's own output."""


def _bind(port: int, fallback_ports: int) -> _LoopbackServer:
    last = port + fallback_ports
    for candidate in range(port, last + 1):
        try:
            host = "0.0.0.0" if defects.active("listens-on-all-interfaces") else HOST
            return _LoopbackServer((host, candidate), _Handler)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise LoginError(
                    f"Cannot start the callback server on {HOST}:{candidate}: {exc.strerror}"
                ) from exc
    raise LoginError(f"Cannot start the callback server: ports {port}-{last} on {HOST} are all in use")
