"""The one credential check of the Platform REST API and the Co-Scientist backend.

Accepted, as Platform and the CLIs use them (seqera-contract.md §1.8, §2.9):
- `Authorization: Bearer <access token>`: a JWT the mock issued, neither expired nor revoked;
- `Authorization: Bearer <PAT>`: a personal access token that was not deleted;
- `Authorization: Basic base64("@token:<token>")` with either kind (Nextflow's fallback scheme).
Scheme names are case-insensitive (RFC 9110 §11.1). Anything else is a 401 with a JSON message.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Concatenate, Literal, ParamSpec, TypeVar

from flask import request

from ..directory import User
from ..runtime import Runtime, current_runtime
from ..store import digest
from ..tokens import verify_access_token
from . import pats
from .responses import ApiError

BASIC_USER = "@token"
MAX_HEADER_LENGTH = 8192
CHALLENGE = 'Bearer realm="Seqera Platform"'

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Caller:
    """Who is calling, and with which kind of credential (and which PAT, for a PAT)."""

    user: User
    credential: Literal["access_token", "pat"]
    pat_id: int | None = None


def unauthorized(message: str, invalid_token: bool = True) -> ApiError:
    challenge = f'{CHALLENGE}, error="invalid_token"' if invalid_token else CHALLENGE
    return ApiError(401, message, {"WWW-Authenticate": challenge})


def authenticate(runtime: Runtime, authorization: str | None) -> Caller:
    token = _presented_token(authorization)
    if token.count(".") == 2:
        caller = _access_token_caller(runtime, token)
        if caller is None:
            raise unauthorized(
                "the access token is invalid, expired or revoked: sign in again to get a new one"
            )
        return caller
    caller = _pat_caller(runtime, token)
    if caller is None:
        raise unauthorized(
            "the personal access token is unknown, malformed or deleted: "
            "create a new one (nextflow auth login, or POST /tokens)"
        )
    return caller


def authenticated(view: Callable[Concatenate[Caller, P], R]) -> Callable[P, R]:
    """Call the view with the authenticated `Caller` as its first argument."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        caller = authenticate(current_runtime(), request.headers.get("Authorization"))
        return view(caller, *args, **kwargs)

    return wrapper


def _presented_token(authorization: str | None) -> str:
    if not authorization:
        raise unauthorized(
            "missing credentials: send Authorization: Bearer <access token or personal access token>",
            invalid_token=False,
        )
    if len(authorization) > MAX_HEADER_LENGTH:
        raise unauthorized(f"the Authorization header is longer than {MAX_HEADER_LENGTH} characters")
    scheme, _, value = authorization.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value:
        return value
    if scheme.lower() == "basic" and value:
        return _basic_token(value)
    raise unauthorized(
        'unsupported Authorization header: use "Bearer <token>" or "Basic " + base64("@token:<token>")'
    )


def _basic_token(value: str) -> str:
    try:
        user, _, token = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, ValueError):
        user, token = "", ""
    if user != BASIC_USER or not token:
        raise unauthorized(
            'Basic credentials must be base64("@token:<token>") with an access token or personal '
            "access token; user names and passwords are not accepted"
        )
    return token


def _access_token_caller(runtime: Runtime, token: str) -> Caller | None:
    grant = verify_access_token(runtime, token)
    return Caller(grant.user, "access_token") if grant else None


def _pat_caller(runtime: Runtime, token: str) -> Caller | None:
    parsed = pats.decode(token)
    if parsed is None:
        return None
    token_id, secret = parsed
    record = runtime.store.find_pat(token_id)
    if record is None or not hmac.compare_digest(record.secret_hash, digest(secret)):
        return None
    if record.deleted_at is not None and not runtime.settings.has_defect("deleted-pat-accepted"):
        return None
    user = runtime.directory.find_user(record.user_id)
    if user is None:
        return None
    runtime.store.touch_pat(record.id, runtime.now())
    return Caller(user, "pat", record.id)
