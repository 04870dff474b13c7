"""The test-control API under /_mock/: identity queue, faults, tokens, clock, keys, users, clients,
request log, the Co-Scientist script and credits (/_mock/ai/), and reset; and the dev console at `/`
that shows them in a browser. Off (404, and no per-request hooks at all) with `control_api` off."""

from __future__ import annotations

from flask import Flask

from .. import oidc
from ..live import Platform
from . import co_scientist
from .console import console
from .faults import CONTROL_PREFIX, FAULT_CACHE, FaultCache, inject_fault, raise_injected_authorize_error
from .queued_sign_in import QueuedIdentitySignIn
from .request_log import record_request
from .views import bp

bp.register_blueprint(co_scientist.bp, url_prefix="/ai")


def init_app(app: Flask, platform: Platform) -> None:
    if not platform.settings.control_api:
        return
    app.extensions[FAULT_CACHE] = FaultCache()
    app.before_request(inject_fault)
    oidc.add_authorize_check(app, raise_injected_authorize_error)
    oidc.add_sign_in_source(app, QueuedIdentitySignIn())
    if platform.settings.request_log_size:
        app.after_request(record_request)
    app.register_blueprint(bp, url_prefix=CONTROL_PREFIX)
    app.add_url_rule("/", "console", console)


__all__ = ["CONTROL_PREFIX", "bp", "init_app"]
