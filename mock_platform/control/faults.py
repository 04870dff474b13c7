"""Fault injection: the next N (or a fraction of) calls to an endpoint answer with an error or a delay.

A fault names an OIDC endpoint (`token`, `authorize`, ...) or a path (`/user-info`, `/tokens*`). The
faults live in the store so every worker sees them; each worker keeps the parsed list and reloads it
only when `faults_version` moves, so a request costs one integer comparison while there are none.
Error codes are checked against the lists the RFCs allow at that endpoint; any other body can still
be sent verbatim with `body`.
"""

from __future__ import annotations

import fnmatch
import random
import re
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import Annotated, Any, Literal

from authlib.oauth2.rfc6749 import OAuth2Error
from flask import Flask, Response, current_app, g, request
from msgspec import Meta
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from ..app_gate import released
from ..errors import ERROR_TEXT_CHARACTERS
from ..http import JSON, challenge_header, json_response
from ..live import Platform, current_platform
from .inputs import BadInput, Body, Duration, Text, json_excerpt, read, seconds

CONTROL_PREFIX = "/_mock"
FAULT_CACHE = "mock_platform.faults"  # its key in app.extensions
AUTHORIZE_FAULT = "mock_platform_authorize_fault"
INJECTED = "mock_platform_fault"
MAX_DELAY = 30.0
MAX_COUNT = 1_000_000
UNLIMITED = "unlimited"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")

OIDC_ENDPOINTS = {
    "authorize": ("oidc.authorize",),
    "token": ("oidc.token",),
    "userinfo": ("oidc.userinfo",),
    "jwks": ("oidc.jwks",),
    "discovery": ("oidc.discovery", "oidc.authorization_server_metadata"),
    "revoke": ("oidc.revoke",),
    "end_session": ("oidc.end_session",),
}
# RFC 6749 §4.1.2.1, plus OpenID Connect Core 1.0 §3.1.2.6.
AUTHORIZE_ERRORS = (
    "invalid_request", "unauthorized_client", "access_denied", "unsupported_response_type",
    "invalid_scope", "server_error", "temporarily_unavailable", "interaction_required",
    "login_required", "account_selection_required", "consent_required", "invalid_request_uri",
    "invalid_request_object", "request_not_supported", "request_uri_not_supported",
    "registration_not_supported",
)  # fmt: skip
# RFC 6749 §5.2.
TOKEN_ERRORS = (
    "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
    "unsupported_grant_type", "invalid_scope",
)  # fmt: skip
# RFC 7009 §2.2.1 adds one code to the RFC 6749 §5.2 list.
REVOCATION_ERRORS = (*TOKEN_ERRORS, "unsupported_token_type")
# RFC 6750 §3.1, for userinfo and every Platform REST path.
BEARER_ERRORS = ("invalid_request", "invalid_token", "insufficient_scope")
BEARER_STATUS = {"invalid_request": 400, "invalid_token": 401, "insufficient_scope": 403}
ERRORS_BY_ENDPOINT: dict[str, tuple[str, ...]] = {
    "authorize": AUTHORIZE_ERRORS,
    "token": TOKEN_ERRORS,
    "revoke": REVOCATION_ERRORS,
    "userinfo": BEARER_ERRORS,
    "path": BEARER_ERRORS,
}
ERROR_CITATION = {
    "authorize": "RFC 6749 §4.1.2.1 and OpenID Connect Core §3.1.2.6",
    "token": "RFC 6749 §5.2",
    "revoke": "RFC 6749 §5.2 and RFC 7009 §2.2.1",
    "userinfo": "RFC 6750 §3.1",
    "path": "RFC 6750 §3.1",
}
DESCRIPTION = re.compile(f"^[{ERROR_TEXT_CHARACTERS}]{{1,500}}$")
HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$")
WILDCARD = re.compile(r"[*?\[]")
FRAMING_HEADERS = ("content-length", "transfer-encoding", "connection")


@dataclass(frozen=True)
class Fault:
    id: int
    endpoint: str
    endpoint_names: tuple[str, ...]
    pattern: re.Pattern[str] | None
    method: str | None
    status: int | None
    error: str | None
    error_description: str | None
    body: Any
    content_type: str | None
    headers: dict[str, str]
    delay: float | None
    fraction: float | None
    remaining: int | None
    hits: int

    @property
    def kind(self) -> str:
        return self.endpoint if self.endpoint in OIDC_ENDPOINTS else "path"

    @property
    def redirects(self) -> bool:
        """An authorize error goes back to the client's redirect_uri, as a real provider's would."""
        return self.kind == "authorize" and self.error is not None

    @property
    def answers(self) -> bool:
        return self.status is not None or self.error is not None

    def matches(self, endpoint: str | None, path: str, relative: str, method: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        if self.pattern is None:
            return endpoint in self.endpoint_names
        return bool(self.pattern.match(relative) or self.pattern.match(path))

    def wait(self) -> None:
        if self.delay:
            with released():
                time.sleep(self.delay)

    def response(self) -> Response:
        headers = {"Cache-Control": "no-store", **self.headers}
        if self.error is not None:
            status = self.status or self._error_status()
            if self.kind in ("userinfo", "path"):
                headers.setdefault("WWW-Authenticate", challenge_header(self.error, self.error_description))
            elif status == 401:
                headers.setdefault("WWW-Authenticate", 'Basic realm="mock-platform"')
            document = {"error": self.error}
            if self.error_description:
                document["error_description"] = self.error_description
            return json_response(document, status, headers)
        status = self.status or 500
        if isinstance(self.body, str):
            headers.setdefault("Content-Type", self.content_type or "text/plain; charset=utf-8")
            return Response(self.body, status=status, headers=headers)
        body = self.body
        if body is None:
            body = {
                "message": f"{_reason(status)} (fault {self.id} injected through POST {CONTROL_PREFIX}/faults)"
            }
        return json_response(body, status, {"Content-Type": self.content_type or JSON, **headers})

    def _error_status(self) -> int:
        if self.kind in ("userinfo", "path"):
            return BEARER_STATUS[self.error or "invalid_request"]
        return 401 if self.error == "invalid_client" else 400

    def view(self) -> dict[str, Any]:
        spec = {
            "id": self.id,
            "endpoint": self.endpoint,
            "method": self.method,
            "status": self.status,
            "error": self.error,
            "error_description": self.error_description,
            "body": self.body,
            "content_type": self.content_type,
            "headers": self.headers or None,
            "delay": self.delay,
            "fraction": self.fraction,
        }
        return {
            **{key: value for key, value in spec.items() if value is not None},
            "remaining": UNLIMITED if self.remaining is None else self.remaining,
            "hits": self.hits,
        }


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def fault_from_row(row: dict[str, Any]) -> Fault:
    spec = row["spec"]
    endpoint = spec["endpoint"]
    pattern = None if endpoint in OIDC_ENDPOINTS else re.compile(fnmatch.translate(spec["path"]))
    return Fault(
        id=row["id"],
        endpoint=endpoint,
        endpoint_names=OIDC_ENDPOINTS.get(endpoint, ()),
        pattern=pattern,
        method=spec.get("method"),
        status=spec.get("status"),
        error=spec.get("error"),
        error_description=spec.get("error_description"),
        body=spec.get("body"),
        content_type=spec.get("content_type"),
        headers=spec.get("headers") or {},
        delay=spec.get("delay"),
        fraction=spec.get("fraction"),
        remaining=row["remaining"],
        hits=row["hits"],
    )


# parsing a POST /_mock/faults body ---------------------------------------------------------------


class FaultRequest(Body):
    endpoint: Annotated[str, Meta(min_length=1, description="an OIDC endpoint name or a path")]
    method: Text | None = None
    count: Annotated[int, Meta(ge=1, le=MAX_COUNT)] | Literal["unlimited"] | None = None
    fraction: Annotated[float, Meta(gt=0, le=1)] | None = None
    status: Annotated[int, Meta(ge=100, le=599)] | None = None
    error: Text | None = None
    error_description: (
        Annotated[
            str,
            Meta(
                pattern=DESCRIPTION.pattern,
                description="1-500 printable ASCII characters without '\"' or '\\' (RFC 6749 §5.2)",
            ),
        ]
        | None
    ) = None
    body: Any = None
    content_type: Text | None = None
    headers: dict[str, str] | None = None
    delay: Duration | None = None

    def __post_init__(self) -> None:
        if self.method is not None:
            self.method = self.method.upper()
            if self.method not in METHODS:
                raise ValueError(
                    f"method: must be one of {', '.join(METHODS)}, got {json_excerpt(self.method)}"
                )
        for name, value in (self.headers or {}).items():
            if not HEADER_NAME.match(name) or any(character in value for character in "\r\n"):
                raise ValueError(
                    f"headers: {json_excerpt(name)} must be a header name with a one-line string value"
                )
            if name.lower() in FRAMING_HEADERS:
                raise ValueError(f"headers: {name} is set by the server from the body and cannot be injected")
        self.delay = seconds(self.delay, "delay", maximum=MAX_DELAY)


def parse_fault(document: dict[str, Any], app: Flask, api_path: str) -> tuple[dict[str, Any], int | None]:
    """The stored spec of a fault and how many calls it answers (None: until deleted)."""
    fault = read(document, FaultRequest)
    endpoint, method, status, error = fault.endpoint, fault.method, fault.status, fault.error
    spec: dict[str, Any] = {"endpoint": endpoint, "method": method}
    if endpoint not in OIDC_ENDPOINTS:
        spec["path"] = _checked_path(endpoint, method, app, api_path)
    kind = endpoint if endpoint in OIDC_ENDPOINTS else "path"
    body, description = fault.body, fault.error_description

    if error is not None:
        allowed = ERRORS_BY_ENDPOINT.get(kind, ())
        if not allowed:
            raise BadInput(
                f"error: the {endpoint} endpoint has no OAuth error response; send status (and body) instead"
            )
        if error not in allowed:
            raise BadInput(
                f"error: {json_excerpt(error)} is not an error code of the {endpoint} endpoint "
                f"({ERROR_CITATION[kind]}: {', '.join(allowed)}); to send anything else use status and body"
            )
        if body is not None:
            raise BadInput("body: give either error (and error_description) or body, not both")
    if description is not None and error is None:
        raise BadInput("error_description: needs error")
    if kind == "authorize" and error is not None and status is not None:
        raise BadInput(
            "status: an authorize error is a redirect back to the client; give error (for the redirect) "
            "or status (for an HTTP response from the authorize endpoint), not both"
        )
    if status is not None and not (400 <= status <= 599 or (200 <= status <= 299 and body is not None)):
        raise BadInput(
            f"status: must be 400-599 (or 200-299 together with a body, for a malformed success), got {status}"
        )
    if body is not None and status is None:
        raise BadInput("status: required with body")
    if fault.content_type is not None and body is None:
        raise BadInput("content_type: only with body")
    if fault.headers and status is None and error is None:
        raise BadInput("headers: only with status or error (they are added to the injected response)")
    if status is None and error is None and fault.delay is None:
        raise BadInput("give at least one of status, error, body or delay")

    if fault.count is None:
        count = None if fault.fraction is not None else 1
    else:
        count = None if fault.count == UNLIMITED else fault.count
    spec.update(
        status=status,
        error=error,
        error_description=description,
        body=body,
        content_type=fault.content_type,
        headers=fault.headers or {},
        delay=fault.delay,
        fraction=fault.fraction,
    )
    return {key: value for key, value in spec.items() if value is not None}, count


def _checked_path(endpoint: str, method: str | None, app: Flask, api_path: str) -> str:
    """A path relative to the API root; without wildcards it must be one the mock serves."""
    if not endpoint.startswith("/"):
        if not re.match(r"^[A-Za-z0-9._~-]+$", endpoint):
            raise BadInput(_endpoint_help(endpoint))
        path = "/" + endpoint
        if not _routes(path, method, app, api_path):
            raise BadInput(_endpoint_help(endpoint))
        return path
    if endpoint == CONTROL_PREFIX or endpoint.startswith(CONTROL_PREFIX + "/"):
        raise BadInput(f"endpoint: faults cannot be injected into the control API ({CONTROL_PREFIX}/)")
    if not WILDCARD.search(endpoint) and not _routes(endpoint, method, app, api_path):
        where = f"{api_path}{endpoint} or {endpoint}" if api_path else endpoint
        raise BadInput(
            f"endpoint: no route answers {method or 'any method'} {where}; check the path "
            "(relative to the API root), or use wildcards (*) to match paths by pattern"
        )
    return endpoint


def _routes(path: str, method: str | None, app: Flask, api_path: str) -> bool:
    adapter = app.url_map.bind("mock-platform")
    for candidate in dict.fromkeys((api_path + path, path)):
        try:
            adapter.match(candidate, method=method or "GET")
        except RequestRedirect:
            return True
        except MethodNotAllowed:
            if method is None:
                return True
        except NotFound:
            continue
        else:
            return True
    return False


def _endpoint_help(endpoint: str) -> str:
    return (
        f"endpoint: {json_excerpt(endpoint)} is neither an OIDC endpoint ({', '.join(OIDC_ENDPOINTS)}) nor a "
        "Platform path the mock serves; give a name, or a path relative to the API root such as "
        '"/user-info" or "/tokens*"'
    )


# applying faults -----------------------------------------------------------------------------------


class FaultCache:
    """This worker's parsed copy of the stored faults, reloaded when `faults_version` moves."""

    def __init__(self) -> None:
        self._version = -1
        self._faults: tuple[Fault, ...] = ()
        self._lock = threading.Lock()

    def current(self, platform: Platform) -> tuple[Fault, ...]:
        version = platform.state.faults_version
        if version != self._version:
            with self._lock:
                if version != self._version:
                    self._faults = tuple(fault_from_row(row) for row in platform.store.list_faults())
                    self._version = version
        return self._faults


def is_control_path(path: str) -> bool:
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")


def inject_fault() -> Response | None:
    """before_request: answer with the first matching fault, or let the request through."""
    platform = current_platform()
    faults = current_app.extensions[FAULT_CACHE].current(platform)
    if not faults or is_control_path(request.path):
        return None
    path = request.path
    api_path = platform.settings.api_path
    relative = path[len(api_path) :] if api_path and path.startswith(api_path + "/") else path
    for fault in faults:
        if not fault.matches(request.endpoint, path, relative, request.method):
            continue
        if fault.fraction is not None and random.random() >= fault.fraction:  # noqa: S311 - not a secret
            continue
        if fault.redirects:
            g.setdefault(AUTHORIZE_FAULT, fault)
            fault.wait()
            return None
        if not platform.store.consume_fault(fault.id):
            continue  # another worker used its last call meanwhile
        g.setdefault(INJECTED, fault.id)
        fault.wait()
        return fault.response() if fault.answers else None
    return None


def raise_injected_authorize_error() -> None:
    """An authorize check (oidc.add_authorize_check): runs once client and redirect_uri are validated,
    so the injected error goes back to the client."""
    fault: Fault | None = g.pop(AUTHORIZE_FAULT, None)
    if fault is None or not current_platform().store.consume_fault(fault.id):
        return
    g.setdefault(INJECTED, fault.id)
    raise OAuth2Error(error=fault.error, description=fault.error_description)
