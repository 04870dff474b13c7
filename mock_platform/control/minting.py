"""POST /_mock/tokens: tokens for a user and client without a browser, good or deliberately broken.

A good token is stored like one from the token endpoint, so it works at userinfo and the REST API.
A broken one (`wrong_key`, a foreign `iss`, an unpublished `kid`) is not stored: nothing the mock
issued looks like it. `expired` tokens are stored with their past expiry, as a real provider would
still know them; with `refresh_token` they let a test drive a client's refresh-on-expiry path.
"""

from __future__ import annotations

import uuid
from typing import Any

from ..runtime import Runtime
from ..tokens import (
    ACCESS_TOKEN_TYPE,
    ID_TOKEN_TYPE,
    Subject,
    access_token_claims,
    id_token_claims,
    new_secret,
    sign,
    token_row,
)
from .identity import claim_targets, find_user
from .inputs import BadInput, check_fields, flag, integer, shown, text

FIELDS = (
    "user", "client_id", "scope", "expired", "wrong_key", "kid", "iss", "aud", "exp", "lifetime", "claims",
    "id_token", "id_token_claims", "userinfo_claims", "nonce", "refresh_token",
)  # fmt: skip
DEFAULT_SCOPE = "openid profile email"
EXPIRED_AGO = 600  # beyond the clock-skew leeway clients commonly allow (60-300 s)
MAX_LIFETIME = 10 * 365 * 86400


def mint(runtime: Runtime, document: dict[str, Any]) -> dict[str, Any]:
    check_fields(document, FIELDS, "")
    user = find_user(runtime, document.get("user"))
    client_id = text(document, "client_id", default="nextflow_cli") or ""
    client = runtime.query_client(client_id)
    if client is None:
        raise BadInput(
            f"client_id: no client {shown(client_id)}; registered: {', '.join(sorted(runtime.all_clients()))}"
        )
    scope = text(document, "scope", default=DEFAULT_SCOPE) or ""
    if unknown := [s for s in scope.split() if s not in client.allowed_scopes]:
        raise BadInput(
            f"scope: {', '.join(unknown)} not allowed for {client_id}; allowed: {' '.join(client.allowed_scopes)}"
        )
    extra = claim_targets(document, flat_targets=("access_token",))
    now = int(runtime.now())
    issued_at, expires = _times(runtime, document, now)
    issuer = text(document, "iss", default=runtime.settings.issuer)
    audience = _audience(document.get("aud"))
    wrong_key = flag(document, "wrong_key")
    signing_key = runtime.keyring.signing_key
    kid = text(document, "kid", default=signing_key.kid)
    broken = wrong_key or issuer != runtime.settings.issuer or kid != signing_key.kid
    key = runtime.unpublished_key() if wrong_key else signing_key
    want_refresh = flag(document, "refresh_token")
    if want_refresh and broken:
        raise BadInput(
            "refresh_token: only for a token the mock stores (not with wrong_key, kid or a foreign iss)"
        )
    nonce = text(document, "nonce")
    if nonce is not None and not flag(document, "id_token"):
        raise BadInput("nonce: only with id_token: true")

    subject = Subject(user, issued_at, extra)
    granted: dict[str, Any] = {
        "client_id": client_id,
        "subject": subject,
        "scope": scope,
        "now": issued_at,
        "lifetime": expires - issued_at,
    }
    claims = access_token_claims(runtime, **granted)
    chosen = {"iss": issuer} | ({"aud": audience} if audience is not None else {})
    claims.update(chosen)
    access_token = sign(claims, key, ACCESS_TOKEN_TYPE, kid=kid)
    result: dict[str, Any] = {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": max(expires - now, 0),
        "scope": scope,
        "claims": claims,
        "stored": not broken,
    }
    if flag(document, "id_token"):
        id_claims = id_token_claims(runtime, **granted, nonce=nonce, access_token=access_token)
        id_claims.update(chosen)
        result["id_token"] = sign(id_claims, key, ID_TOKEN_TYPE, kid=kid)
        result["id_token_claims"] = id_claims
    if not broken:
        refresh_token = new_secret() if want_refresh else None
        runtime.store.save_token(
            **token_row(
                runtime,
                grant_id=uuid.uuid4().hex,
                client_id=client_id,
                subject=subject,
                scope=scope,
                access_token=access_token,
                access_expires_at=float(expires),
                refresh_token=refresh_token,
                issued_at=float(issued_at),
            )
        )
        if refresh_token:
            result["refresh_token"] = refresh_token
    return result


def _times(runtime: Runtime, document: dict[str, Any], now: int) -> tuple[int, int]:
    """(iat, exp) from one of `expired`, `exp` (seconds since the epoch, mock clock) or `lifetime`."""
    expired = flag(document, "expired")
    exp = integer(document, "exp", minimum=1, maximum=2**53)
    lifetime = integer(document, "lifetime", minimum=1, maximum=MAX_LIFETIME)
    if sum((expired, exp is not None, lifetime is not None)) > 1:
        raise BadInput("give at most one of expired, exp and lifetime")
    default = runtime.settings.access_token_lifetime
    if expired:
        return now - EXPIRED_AGO - default, now - EXPIRED_AGO
    if exp is not None:
        return min(now, exp - 1), exp
    return now, now + (lifetime or default)


def _audience(value: Any) -> str | list[str] | None:
    if value is None or (isinstance(value, str) and value):
        return value
    if isinstance(value, list) and value and all(isinstance(item, str) and item for item in value):
        return value
    raise BadInput(f"aud: must be a string or a list of strings, got {shown(value)}")
