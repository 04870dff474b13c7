"""Production serving: gunicorn, app built once in the master and forked into the workers.

Building the app before forking validates the configuration once, creates keys and schema once,
and lets workers share the imported code copy-on-write. Each worker then opens its own database
connections (a SQLite connection must never cross a fork).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from .runtime import Runtime
from .settings import Settings


class _Gunicorn(BaseApplication):
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def gunicorn_options(settings: Settings, runtime: Runtime) -> dict[str, Any]:
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    return {
        "bind": f"{host}:{settings.port}",
        "workers": settings.workers,
        "threads": settings.threads,
        "worker_class": "gthread" if settings.threads > 1 else "sync",
        "preload_app": True,
        "post_fork": lambda _server, _worker: runtime.store.engine.dispose(close=False),
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "timeout": 60,
        "graceful_timeout": 5,
        "keepalive": 5,
        "proc_name": "mock-platform",
    }


def run_gunicorn(app: Flask, settings: Settings) -> None:
    runtime: Runtime = app.extensions["mock_platform"]
    _Gunicorn(app, gunicorn_options(settings, runtime)).run()
