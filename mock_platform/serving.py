"""Production serving: gunicorn, app built once in the master and forked into the workers (one by default).

Building the app before forking validates the configuration once, creates keys and schema once,
and lets workers share the imported code copy-on-write. Each worker then opens its own database
connections (a SQLite connection must never cross a fork).
"""

from __future__ import annotations

import gc
import logging
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from werkzeug.serving import BaseWSGIServer, make_server

from .app_gate import AppGate
from .errors import ConfigError
from .live import Platform
from .settings import Settings

if TYPE_CHECKING:
    from .tls import ServerCertificate


class _Gunicorn(BaseApplication):
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        # gunicorn >= 25.1 opens a control socket in $HOME/.gunicorn unless told not to: nothing
        # here uses it, and the Docker image's user has no home.
        if "control_socket_disable" in self.cfg.settings:
            self.cfg.set("control_socket_disable", True)

    def load(self) -> Flask:
        return self.application


def listen(host: str, port: int) -> socket.socket:
    """Bind before building the app, so a busy port fails at once and port 0 resolves to a real one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family, backlog=2048)
    except OSError as error:
        other = port + 1 if 0 < port < 65535 else 8081
        raise ConfigError(
            f"cannot listen on {host}:{port}: {error.strerror}; stop whatever uses that port, or choose "
            f"another: MOCK_PLATFORM_PORT={other} make run, or mock-platform serve --port {other}"
        ) from None


def gunicorn_options(settings: Settings, platform: Platform, sock: socket.socket) -> dict[str, Any]:
    return {
        "bind": f"fd://{sock.fileno()}",
        "workers": settings.workers,
        "threads": settings.threads,
        "worker_class": "gthread" if settings.threads > 1 else "sync",
        "preload_app": True,
        "post_fork": lambda _server, _worker: platform.store.after_fork(),
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "timeout": 60,
        "graceful_timeout": 5,
        "keepalive": 5,
        # gunicorn's default (4094) refuses an authorize URL with a long state or claims request;
        # 8190 is its maximum and what a proxy in front of Platform typically allows.
        "limit_request_line": 8190,
        "proc_name": "mock-platform",
    }


def run_gunicorn(
    app: Flask, settings: Settings, sock: socket.socket, certificate: ServerCertificate | None = None
) -> None:
    platform: Platform = app.extensions["mock_platform"]
    app.wsgi_app = AppGate(app.wsgi_app, app.config["MAX_CONTENT_LENGTH"])  # type: ignore[method-assign]
    options = gunicorn_options(settings, platform, sock)
    if certificate is not None:
        options.update(certfile=str(certificate.cert_file), keyfile=str(certificate.key_file))
    # The app's objects, made once here, would otherwise be copied into every worker as soon as its
    # garbage collector walks them; frozen, they stay shared pages (gunicorn forks after this).
    gc.collect()
    gc.freeze()
    _Gunicorn(app, options).run()


def run_werkzeug(app: Flask, sock: socket.socket, ssl_context: ssl.SSLContext | None = None) -> None:
    wsgi_server(app, sock, ssl_context).serve_forever()


def wsgi_server(app: Flask, sock: socket.socket, ssl_context: ssl.SSLContext | None = None) -> BaseWSGIServer:
    """werkzeug's threaded server on the bound `sock`, speaking https with `ssl_context`.

    The TLS handshake runs on each connection's thread, on its first read. werkzeug's own
    `ssl_context=` wraps the listening socket, whose accept() then shakes hands on the one thread
    that accepts, so a client that connects and sends nothing would stall every other client.
    """
    host, port = sock.getsockname()[:2]
    server = make_server(host, port, app, threaded=True, fd=sock.fileno())
    if ssl_context is not None:
        server.socket = ssl_context.wrap_socket(
            server.socket, server_side=True, do_handshake_on_connect=False
        )
        server.ssl_context = ssl_context  # werkzeug's handler reads it: wsgi.url_scheme https
    return server


@contextmanager
def refused_handshakes_unlogged() -> Iterator[None]:
    """Within the block, werkzeug's "SSL error occurred" lines are dropped: it logs each failed TLS
    handshake as an error, which is noise where a client is expected to refuse the certificate."""

    def keep(record: logging.LogRecord) -> bool:
        return "SSL error occurred" not in record.getMessage()

    logger = logging.getLogger("werkzeug")
    logger.addFilter(keep)
    try:
        yield
    finally:
        logger.removeFilter(keep)
