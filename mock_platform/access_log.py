"""The opt-in access log (`access_log`): one line per request on the server's log, secrets masked as
the request log masks them, so it can stay on while real CLIs log in."""

from __future__ import annotations

import logging
import re
import time

from flask import Flask, Response, g, request

from .control.request_log import describe_redirect, mask_fields
from .live import Platform

log = logging.getLogger("mock_platform.access")
UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")


def init_app(app: Flask, platform: Platform) -> None:
    if platform.settings.access_log:
        app.before_request(_start_clock)
        app.after_request(_write_line)


def _start_clock() -> None:
    g.access_log_start = time.perf_counter()


def _write_line(response: Response) -> Response:
    started = g.get("access_log_start", time.perf_counter())
    log.info(access_line(response, (time.perf_counter() - started) * 1000))
    return response


def access_line(response: Response, milliseconds: float) -> str:
    """`127.0.0.1 "GET /api/oauth/authorize?client_id=nextflow_cli&..." 303 4.1 ms -> http://127.0.0.1:53682/callback`"""
    target = request.path
    if request.args:
        fields = mask_fields(request.args)
        target += "?" + "&".join(
            f"{name}={value}"
            for name, values in fields.items()
            for value in (values if isinstance(values, list) else [values])
        )
    line = f'{request.remote_addr or "-"} "{request.method} {target}" {response.status_code} {milliseconds:.1f} ms'
    if location := response.headers.get("Location"):
        line += f" -> {describe_redirect(location)['to']}"
    return UNPRINTABLE.sub(lambda match: f"\\x{ord(match.group()):02x}", line)
