"""Where the mock's CPU goes during a login: the app as `serve` builds it, driven in-process.

    python -m bench.profile [--flows 400] [--top 40] [--settings key=value ...]

Runs headless logins (authorize with login_hint, token, userinfo) straight through the WSGI app,
on one thread, so the figures are CPU time of the app alone: no sockets, no gunicorn, no other
processes on the machine in the way. Prints the app's CPU per login (median of five batches,
without the profiler), then cProfile's table for one more batch, by cumulative and by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask
from werkzeug.test import Client

from mock_platform.app import create_app
from mock_platform.pkce_login import PkceLogin
from mock_platform.settings import Settings

from .flows import REDIRECT_URI

BASE_URL = "http://127.0.0.1:8080"


class Timed:
    """WSGI middleware that adds up the CPU time spent inside the app, per endpoint."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app
        self.cpu: dict[str, float] = {}

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> Any:
        started = time.process_time()
        try:
            return list(self.app(environ, start_response))
        finally:
            endpoint = environ["PATH_INFO"].rsplit("/", 1)[-1]
            self.cpu[endpoint] = self.cpu.get(endpoint, 0.0) + time.process_time() - started


def login(client: Client, issuer_path: str) -> None:
    pkce = PkceLogin("nextflow_cli", "alice", REDIRECT_URI)
    response = client.get(f"{issuer_path}/oauth/authorize?{urlencode(pkce.authorize_query())}")
    code = pkce.code_from(response.headers["Location"])
    response = client.post(f"{issuer_path}/oauth/token", data=pkce.token_form(code))
    assert response.status_code == 200, response.text
    token = response.json["access_token"]
    response = client.get(f"{issuer_path}/userinfo", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text


def build(data_dir: Path, overrides: dict[str, str]) -> tuple[Flask, Timed, Client]:
    app = create_app(Settings.load({"data_dir": data_dir, "base_url": BASE_URL, **overrides}))
    timed = Timed(app.wsgi_app)
    app.wsgi_app = timed  # type: ignore[method-assign]
    return app, timed, app.test_client(use_cookies=False)  # a fresh browser per login


@dataclass
class Profile:
    best_ms: float  # CPU per login of the least disturbed batch (other processes share the cores)
    median_ms: float  # of the batches
    per_endpoint_ms: dict[str, float]  # the best batch's split by endpoint
    report: str  # cProfile tables of one more batch


def profile_logins(flows: int, overrides: dict[str, str], top: int = 40, batches: int = 5) -> Profile:
    """App CPU per login over `batches` batches of `flows` logins, then one profiled batch."""
    with tempfile.TemporaryDirectory() as scratch:
        app, timed, client = build(Path(scratch), overrides)
        issuer_path = app.extensions["mock_platform"].settings.api_path
        for _ in range(50):
            login(client, issuer_path)
        results = []
        for _ in range(batches):
            timed.cpu = {}
            for _ in range(flows):
                login(client, issuer_path)
            results.append({name: cpu / flows * 1000 for name, cpu in timed.cpu.items()})
        profiler = cProfile.Profile(time.process_time)  # CPU time: other processes do not count
        profiler.enable()
        for _ in range(flows):
            login(client, issuer_path)
        profiler.disable()
        app.extensions["mock_platform"].store.dispose()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    ordered = sorted(results, key=lambda split: sum(split.values()))
    return Profile(
        sum(ordered[0].values()), sum(ordered[len(ordered) // 2].values()), ordered[0], out.getvalue()
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--flows", type=int, default=400, help="logins per batch")
    parser.add_argument("--top", type=int, default=40, help="rows of each cProfile table")
    parser.add_argument("--settings", nargs="*", default=[], help="mock settings as key=value")
    parser.add_argument("--quiet", action="store_true", help="print only the CPU per login")
    args = parser.parse_args()
    overrides = dict(item.split("=", 1) for item in args.settings)
    result = profile_logins(args.flows, overrides, args.top)
    if not args.quiet:
        print(result.report)
    split = ", ".join(f"{name} {ms:.2f}" for name, ms in result.per_endpoint_ms.items())
    print(
        f"app CPU per login: best {result.best_ms:.2f} ms ({split}), "
        f"median {result.median_ms:.2f} ms, of 5 batches of {args.flows} logins"
    )


if __name__ == "__main__":
    main()
