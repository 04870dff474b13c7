"""The one credential check of the Platform REST API and the Co-Scientist backend.

Accepted, as Platform and the CLIs use them (seqera-contract.md §1.8, §2.9):
- `Authorization: Bearer <access token>`: a JWT the mock issued, neither expired nor revoked;
- `Authorization: Bearer <PAT>`: a personal access token that was not deleted;
- `Authorization: Basic base64("@token:<token>")` with either kind (Nextflow's fallback scheme).
Scheme names are case-insensitive (RFC 9110 §11.1). Anything else is a 401 with a JSON message.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Concatenate, Literal, ParamSpec, TypeVar

from flask import request

from ..credentials import CredentialError, presented_token, same_secret
from ..directory import User
from ..http import challenge_header
from ..live import Platform, current_platform
from ..store import digest
from ..tokens import verify_access_token
from .pat_rules import pat_rules
from .responses import ApiError

MAX_HEADER_LENGTH = 8192
REALM = "Seqera Platform"

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Caller:
    """Who is calling, and with which kind of credential (and which PAT, for a PAT)."""

    user: User
    credential: Literal["access_token", "pat"]
    pat_id: int | None = None


def unauthorized(message: str, invalid_token: bool = True) -> ApiError:
    challenge = challenge_header("invalid_token" if invalid_token else None, realm=REALM)
    return ApiError(401, message, {"WWW-Authenticate": challenge})


def authenticate(platform: Platform) -> Caller:
    token = _presented_token()
    if token.count(".") == 2:
        caller = _access_token_caller(platform, token)
        if caller is None:
            raise unauthorized(
                "the access token is invalid, expired or revoked: sign in again to get a new one"
            )
        return caller
    caller = _pat_caller(platform, token)
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
        return view(authenticate(current_platform()), *args, **kwargs)

    return wrapper


def _presented_token() -> str:
    authorization = request.headers.get("Authorization")
    if not authorization:
        raise unauthorized(
            "missing credentials: send Authorization: Bearer <access token or personal access token>",
            invalid_token=False,
        )
    if len(authorization) > MAX_HEADER_LENGTH:
        raise unauthorized(f"the Authorization header is longer than {MAX_HEADER_LENGTH} characters")
    try:
        token = presented_token(basic_token=True)
    except CredentialError as error:
        raise unauthorized(str(error)) from None
    if token is None:
        raise unauthorized(
            'unsupported Authorization header: use "Bearer <token>" or "Basic " + base64("@token:<token>")'
        )
    return token


def _access_token_caller(platform: Platform, token: str) -> Caller | None:
    grant = verify_access_token(platform, token)
    return Caller(grant.user, "access_token") if grant else None


def _pat_caller(platform: Platform, token: str) -> Caller | None:
    rules = pat_rules()
    parsed = rules.read(token)
    if parsed is None:
        return None
    token_id, secret = parsed
    record = platform.store.find_pat(token_id)
    if record is None or not same_secret(digest(secret), record.secret_hash):
        return None
    if not rules.accepts(record):
        return None
    user = platform.directory.find_user(record.user_id)
    if user is None:
        return None
    platform.store.touch_pat(record.id, platform.now())
    return Caller(user, "pat", record.id)
