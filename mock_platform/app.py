"""The app factory: `create_app(settings)` builds one fake Platform with its own state."""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from . import access_log, co_scientist, control, federation, oidc, platform_api
from .base_path import StripBasePath
from .http import json_response
from .live import Platform, current_platform
from .request_bodies import BoundedJSONProvider
from .settings import Settings

log = logging.getLogger("mock_platform")

HTML_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # no URL leaves the mock; its own form POSTs keep their Origin
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
MAX_BODY_BYTES = 256 * 1024


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer built once per key.

    Flask builds a new serializer to open and again to save the session of every request, cookie
    or not; that was a tenth of a token request's CPU time.
    """

    def __init__(self) -> None:
        self._serializer: tuple[Any, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        cached = self._serializer
        if cached is None or cached[0] != keys:
            cached = self._serializer = (keys, super().get_signing_serializer(app))
        return cached[1]


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.load()
    if not settings.serves_tls:
        # authlib accepts plain http only when the request's Host is a loopback name; the operator
        # chose http here, or a proxy in front terminates TLS, and clients may arrive under another
        # name (a compose service, the proxy's). Every URL the mock hands out comes from the
        # settings, never from the Host or X-Forwarded-* headers.
        os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")
    platform = Platform(settings)
    app = Flask(__name__, static_folder=None)
    app.extensions["mock_platform"] = platform
    app.secret_key = platform.session_secret
    app.session_interface = SessionInterface()
    app.config.update(
        SESSION_COOKIE_NAME=session_cookie_name(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_base_url.startswith("https://"),
        SESSION_COOKIE_PATH=settings.cookie_path,
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=settings.session_lifetime),
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
    )
    app.json = BoundedJSONProvider(app)  # request bodies nested too deep are invalid JSON
    access_log.init_app(app, platform)  # first: its clock starts before any other hook
    app.before_request(platform.sync)
    app.before_request(_routing_redirect)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    app.add_url_rule("/healthz", "healthz", _healthz)
    oidc.init_app(app, platform)
    platform_api.init_app(app, platform)
    co_scientist.init_app(app, platform)
    control.init_app(app, platform)
    federation.init_app(app, platform)
    app.jinja_env.globals["base_path"] = settings.base_path  # before request.path in form actions
    if settings.base_path:
        app.wsgi_app = StripBasePath(app.wsgi_app, settings.base_path)  # type: ignore[method-assign]
    return app


def session_cookie_name(settings: Settings) -> str:
    """One name per port: browsers keep cookies per host, not per port, so two mocks on one host (a
    platform and the upstream provider it signs users in through) would overwrite each other's session."""
    base = urlsplit(settings.public_base_url)
    return f"mock_platform_session_{base.port or (443 if base.scheme == 'https' else 80)}"


def _healthz() -> Response:
    return json_response({"status": "ok"})


def _routing_redirect() -> Response | None:
    """werkzeug's 308 from `/api//tokens` to `/api/tokens`, as JSON and on the configured base URL.

    Nextflow builds `//tokens` from `-url http://host/api/` (contract §1.9) and follows the redirect.
    werkzeug's own answer is an HTML page whose Location comes from the request's Host header, and
    routing redirects bypass Flask's error handlers, so it is answered here, before dispatch.
    """
    redirect = request.routing_exception
    if not isinstance(redirect, RequestRedirect):
        return None
    target = urlsplit(redirect.new_url)
    location = current_platform().settings.public_base_url + target.path
    if target.query:
        location += "?" + target.query
    message = f"{request.path} is served at {target.path}: follow the redirect"
    return json_response({"message": message}, redirect.code, {"Location": location})


def _security_headers(response: Response) -> Response:
    if response.mimetype == "text/html":  # set, not defaulted: an injected fault cannot lift them
        for name, value in HTML_SECURITY_HEADERS.items():
            response.headers[name] = value
    return response


def _http_error(error: HTTPException) -> Response:
    """Routing and protocol errors (404, 405, 413, ...) as JSON, never an HTML page or a trace."""
    headers = {}
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    message = f"{error.name}: {request.method} {request.path}"
    if error.code == 413:
        message = f"request body larger than {MAX_BODY_BYTES} bytes"
    return json_response({"message": message}, error.code or 500, headers)


def _unexpected_error(error: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.path)
    return json_response({"message": "internal error in the mock; see its log", "error": "server_error"}, 500)
