"""POST /_mock/tokens: tokens for a user and client without a browser, good or deliberately broken.

A good token is stored like one from the token endpoint, so it works at userinfo and the REST API.
A broken one (`wrong_key`, a foreign `iss`, an unpublished `kid`, an `aud` that does not name the
client) is not stored: nothing the mock issued looks like it. `expired` tokens are stored with their
past expiry, as a real provider would still know them; with `refresh_token` they let a test drive a
client's refresh-on-expiry path.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from msgspec import Meta

from ..live import Platform
from ..tokens import (
    ACCESS_TOKEN_TYPE,
    ID_TOKEN_TYPE,
    Subject,
    access_token_claims,
    id_token_claims,
    names_audience,
    new_secret,
    sign,
    token_row,
)
from .identity import ClaimFields, UserReference, claim_targets, find_user
from .inputs import BadInput, Text, json_excerpt, read

DEFAULT_SCOPE = "openid profile email"
EXPIRED_AGO = 600  # beyond the clock-skew leeway clients commonly allow (60-300 s)
MAX_LIFETIME = 10 * 365 * 86400


class MintRequest(ClaimFields, kw_only=True):
    user: UserReference
    client_id: Text = "nextflow_cli"
    scope: Text = DEFAULT_SCOPE
    expired: bool = False
    exp: Annotated[int, Meta(ge=1, le=2**53)] | None = None  # seconds since the epoch, mock clock
    lifetime: Annotated[int, Meta(ge=1, le=MAX_LIFETIME)] | None = None
    wrong_key: bool = False
    kid: Text | None = None
    iss: Text | None = None
    aud: (
        Annotated[
            Text | Annotated[list[Text], Meta(min_length=1)],
            Meta(description="a string or a list of strings"),
        ]
        | None
    ) = None
    id_token: bool = False
    nonce: Text | None = None
    refresh_token: bool = False

    def __post_init__(self) -> None:
        if sum((self.expired, self.exp is not None, self.lifetime is not None)) > 1:
            raise ValueError("give at most one of expired, exp and lifetime")
        if self.nonce is not None and not self.id_token:
            raise ValueError("nonce: only with id_token: true")


def mint(platform: Platform, document: dict[str, Any]) -> dict[str, Any]:
    request = read(document, MintRequest)
    user = find_user(platform, request.user)
    client_id = request.client_id
    client = platform.query_client(client_id)
    if client is None:
        raise BadInput(
            f"client_id: no client {json_excerpt(client_id)}; registered: {', '.join(sorted(platform.all_clients()))}"
        )
    scope = request.scope
    if unknown := [s for s in scope.split() if s not in client.allowed_scopes]:
        raise BadInput(
            f"scope: {', '.join(unknown)} not allowed for {client_id}; allowed: {' '.join(client.allowed_scopes)}"
        )
    extra = claim_targets(request, flat_targets=("access_token",))
    now = int(platform.now())
    issued_at, expires = _times(platform, request, now)
    issuer = request.iss or platform.settings.issuer
    audience = request.aud
    wrong_key = request.wrong_key
    signing_key = platform.keyring.signing_key
    kid = request.kid or signing_key.kid
    foreign_audience = audience is not None and not names_audience(audience, client_id)
    broken = wrong_key or issuer != platform.settings.issuer or kid != signing_key.kid or foreign_audience
    key = platform.unpublished_key() if wrong_key else signing_key
    want_refresh = request.refresh_token
    if want_refresh and broken:
        raise BadInput(
            "refresh_token: only for a token the mock stores (not with wrong_key, kid, a foreign iss, "
            "or an aud without the client id)"
        )
    nonce = request.nonce

    subject = Subject(user, issued_at, extra)
    granted: dict[str, Any] = {
        "client_id": client_id,
        "subject": subject,
        "scope": scope,
        "now": issued_at,
        "lifetime": expires - issued_at,
    }
    claims = access_token_claims(platform, **granted)
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
    if request.id_token:
        id_claims = id_token_claims(platform, **granted, nonce=nonce, access_token=access_token)
        id_claims.update(chosen)
        result["id_token"] = sign(id_claims, key, ID_TOKEN_TYPE, kid=kid)
        result["id_token_claims"] = id_claims
    if not broken:
        refresh_token = new_secret() if want_refresh else None
        platform.store.save_token(
            **token_row(
                platform,
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


def _times(platform: Platform, request: MintRequest, now: int) -> tuple[int, int]:
    """(iat, exp) from one of `expired`, `exp` (seconds since the epoch, mock clock) or `lifetime`."""
    default = platform.settings.access_token_lifetime
    if request.expired:
        return now - EXPIRED_AGO - default, now - EXPIRED_AGO
    if request.exp is not None:
        return min(now, request.exp - 1), request.exp
    return now, now + (request.lifetime or default)
