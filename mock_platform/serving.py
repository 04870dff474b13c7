"""Production serving: gunicorn, app built once in the master and forked into the workers.

Building the app before forking validates the configuration once, creates keys and schema once,
and lets workers share the imported code copy-on-write. Each worker then opens its own database
connections (a SQLite connection must never cross a fork).
"""

from __future__ import annotations

import socket
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from werkzeug.serving import make_server

from .errors import ConfigError
from .live import Platform
from .settings import Settings


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
        raise ConfigError(
            f"cannot listen on {host}:{port}: {error.strerror}; stop whatever uses that port or pass --port"
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


def run_gunicorn(app: Flask, settings: Settings, sock: socket.socket) -> None:
    platform: Platform = app.extensions["mock_platform"]
    _Gunicorn(app, gunicorn_options(settings, platform, sock)).run()


def run_werkzeug(app: Flask, sock: socket.socket) -> None:
    host, port = sock.getsockname()[:2]
    server = make_server(host, port, app, threaded=True, fd=sock.fileno())
    server.serve_forever()
