"""The request log behind GET /_mock/requests: what clients sent, with every secret masked.

Field names are always kept (a test asserts that `code_verifier` was sent); the values of secrets
become "*** (43 chars)", and credentials in Authorization say what they were (a JWT, a personal
access token and its id, Basic with its user name) so a test can still tell them apart.

A field is secret by its name, compared without case, `-` or `_` (`PASSWORD`, `Code`, `access-token`,
`apiKey`): one of SECRET_NAMES, or a name ending in one of SECRET_ENDINGS (`registration_access_token`,
`x_client_secret`). Whatever its name, a value that is a JWT or a personal access token is masked as
one. Names that only mention a secret (`token_type_hint`, `code_challenge`, `exit_code`) stay in clear.
"""

from __future__ import annotations

import base64
import binascii
import functools
import logging
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from flask import Response, g, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from .. import pats, request_bodies
from ..credentials import basic_credentials
from ..live import current_platform
from ..store import StoreError
from .faults import INJECTED, is_control_path
from .logged_jwts import logged_jwts

# Field names as is_secret_field compares them: lower case, letters and digits only.
SECRET_NAMES = frozenset(
    {"code", "authcode", "authorizationcode", "devicecode", "usercode", "idtokenhint", "pwd"}
)
SECRET_ENDINGS = (
    "token", "tokens", "secret", "password", "passwd", "passphrase", "verifier", "assertion", "apikey",
    "accesskey", "privatekey", "secretkey", "sessionkey", "credential", "credentials", "cookie",
)  # fmt: skip
SPELLING = re.compile(r"[^a-z0-9]")
LOGGED_HEADERS = (
    "Accept", "Authorization", "Content-Type", "Cookie", "Origin", "Traceparent", "User-Agent",
    "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto",
)  # fmt: skip
NOT_LOGGED = ("/healthz", "/")  # health checks and the dev console
# Read straight from the WSGI environ: ten lookups through werkzeug's Headers cost more than the insert.
ENVIRON_KEYS = tuple(
    (name, "CONTENT_TYPE" if name == "Content-Type" else "HTTP_" + name.upper().replace("-", "_"))
    for name in LOGGED_HEADERS
)

log = logging.getLogger("mock_platform.control")


def masked(value: str) -> str:
    return f"*** ({len(value)} chars)"


def describe_credential(value: str) -> str:
    if _is_jwt(value):
        return f"*** (JWT, {len(value)} chars)"
    if pat := pats.decode(value):
        return f"*** (personal access token, tid={pat[0]})"
    return masked(value)


def mask_authorization(header: str) -> str:
    scheme, _, credential = header.strip().partition(" ")
    credential = credential.strip()
    if not credential:
        return describe_credential(scheme) if scheme else header
    if scheme.lower() == "basic" and (credentials := basic_credentials(credential)):
        user, password = credentials
        return f"{scheme} {_basic_user(user)}:{describe_credential(password)}"
    return f"{scheme} {describe_credential(credential)}"


def _basic_user(user: str) -> str:
    """The user part of Basic credentials when it names a client or Platform's `@token`; some
    clients put the token itself there."""
    if user == "@token" or current_platform().query_client(user) is not None:
        return user
    return describe_credential(user) if user else user


def mask_cookies(header: str) -> str:
    names = [part.split("=", 1)[0].strip() for part in header.split(";") if part.strip()]
    return "; ".join(f"{name}=***" for name in names)


@functools.lru_cache(maxsize=1024)
def is_secret_field(name: str) -> bool:
    form = SPELLING.sub("", name.lower())
    return form in SECRET_NAMES or form.endswith(SECRET_ENDINGS)


def mask_value(value: str) -> str:
    """A value of a field whose name says nothing: masked when it is a JWT or a personal access token."""
    return describe_credential(value) if _is_jwt(value) or pats.decode(value) else value


def mask_fields(fields: MultiDict[str, str]) -> dict[str, Any]:
    """Every key; a list where a key was sent more than once (so a test can catch duplicates)."""
    result: dict[str, Any] = {}
    for key in fields:
        secret = is_secret_field(key)
        values = [masked(value) if secret else mask_value(value) for value in fields.getlist(key)]
        result[key] = values if len(values) > 1 else values[0]
    return result


def mask_json(document: Any) -> Any:
    """Request bodies nest at most request_bodies.MAX_DEPTH levels, so recursion is safe here."""
    if isinstance(document, dict):
        return {
            key: masked(str(value)) if value is not None and is_secret_field(key) else mask_json(value)
            for key, value in document.items()
        }
    if isinstance(document, list):
        return [mask_json(item) for item in document]
    if isinstance(document, str):
        return mask_value(document)
    return document


def describe_redirect(location: str) -> dict[str, Any]:
    parts = urlsplit(location)
    target = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    query = MultiDict(parse_qsl(parts.query, keep_blank_values=True))
    return {"to": target, "query": mask_fields(query)} if query else {"to": target}


def record_request(response: Response) -> Response:
    """after_request: one masked entry per request (none for the control API itself or /healthz)."""
    if is_control_path(request.path) or request.path in NOT_LOGGED:
        return response
    platform = current_platform()
    try:
        platform.store.log_request(
            describe(response, platform.now()), keep=platform.settings.request_log_size
        )
    except StoreError:  # a busy or broken store must not turn the client's answer into a 500
        log.warning("could not log %s %s", request.method, request.path, exc_info=True)
    return response


def describe(response: Response, now: float) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "time": datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "method": request.method,
        "path": request.path,
        "endpoint": request.endpoint,
        "status": response.status_code,
    }
    if request.args:
        entry["query"] = mask_fields(request.args)
    environ = request.environ
    headers = {name: value for name, key in ENVIRON_KEYS if (value := environ.get(key)) is not None}
    if "Authorization" in headers:
        headers["Authorization"] = mask_authorization(headers["Authorization"])
    if "Cookie" in headers:
        headers["Cookie"] = mask_cookies(headers["Cookie"])
    entry["headers"] = headers
    entry.update(_body())
    if jwts := logged_jwts(mask_json):
        entry["jwts"] = jwts
    if location := response.headers.get("Location"):
        entry["redirect"] = describe_redirect(location)
    if INJECTED in g:
        entry["fault"] = g.get(INJECTED)
    return entry


def _body() -> dict[str, Any]:
    try:
        if request.mimetype == "application/x-www-form-urlencoded" and request.form:
            return {"form": mask_fields(request.form)}
        if request.is_json:
            document = request.get_json(silent=True)
            return {"json": mask_json(document)} if document is not None else {"body": "(not valid JSON)"}
    except HTTPException:  # a body over the size limit: the response already says so
        return {"body": "(unreadable)"}
    return {}


def _is_jwt(value: str) -> bool:
    if value.count(".") != 2:
        return False
    try:
        header = request_bodies.loads(base64.urlsafe_b64decode(value.split(".", 1)[0] + "==="))
    except (binascii.Error, ValueError):
        return False
    return isinstance(header, dict) and "alg" in header
