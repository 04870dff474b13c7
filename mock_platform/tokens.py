"""Access and refresh tokens, minted, stored and checked in one place for the OIDC and Platform endpoints.

Nextflow sends an access token as `Bearer` only when it has exactly two dots, so every access token
the mock issues is a compact JWS. Each one is also recorded (by digest) in the store, so it can be
revoked; checking a token means verifying the signature against the published keys, the issuer
and expiry against the mock clock, and then its record.

Refresh tokens rotate on every use, whether at the OIDC token endpoint or at Platform's web-session
`POST /oauth/access_token`; presenting a rotated one revokes its whole grant (RFC 9700 §4.14.2).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from authlib.oidc.core.util import create_half_hash
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from .directory import User
from .live import Platform
from .store import CodeRecord, TokenRecord, digest

ACCESS_TOKEN_TYPE = "at+jwt"
ID_TOKEN_TYPE = "JWT"
ALGORITHM = "RS256"


@dataclass(frozen=True)
class Subject:
    """Who a grant is for: the user, when they signed in, and extra claims per token kind."""

    user: User
    auth_time: int
    claims: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def get_user_id(self) -> str:
        return self.user.sub

    def extra(self, target: str) -> dict[str, Any]:
        return dict(self.claims.get(target) or {})


@dataclass(frozen=True)
class AccessGrant:
    """A verified access token: its record, its user and its claims."""

    record: TokenRecord
    user: User
    claims: Mapping[str, Any]


class GrantRejected(Exception):
    """A code or refresh token that may not be used: revoked, or used already (the grant is then revoked)."""


def new_secret() -> str:
    """256 random bits in URL-unreserved characters (safe through the CLI's double URL-decoding)."""
    return secrets.token_urlsafe(32)


def sign(claims: Mapping[str, Any], key: RSAKey, typ: str, kid: str | None = None) -> str:
    """A compact JWS; `kid` names another key than the signing one only in deliberately broken tokens."""
    return jwt.encode({"alg": ALGORITHM, "kid": kid or key.kid, "typ": typ}, dict(claims), key)


def access_token_claims(
    platform: Platform, *, client_id: str, subject: Subject, scope: str, now: int, lifetime: int
) -> dict[str, Any]:
    return {
        "iss": platform.settings.issuer,
        "sub": subject.user.sub,
        "aud": client_id,
        "client_id": client_id,
        "scope": scope,
        "iat": now,
        "exp": now + lifetime,
        "auth_time": subject.auth_time,
        "jti": secrets.token_hex(16),
        **subject.extra("access_token"),
    }


def id_token_claims(
    platform: Platform,
    *,
    client_id: str,
    subject: Subject,
    scope: str,
    now: int,
    lifetime: int,
    nonce: str | None = None,
    access_token: str | None = None,
) -> dict[str, Any]:
    """An ID token's claims (Core §2, §3.1.3.6), for the token endpoint and the control API alike."""
    claims: dict[str, Any] = {
        "iss": platform.settings.issuer,
        "aud": client_id,
        "azp": client_id,
        "iat": now,
        "exp": now + lifetime,
        "auth_time": subject.auth_time,
    }
    if nonce:
        claims["nonce"] = nonce
    if access_token:
        claims["at_hash"] = create_half_hash(access_token, ALGORITHM).decode("ascii")
    return {**claims, **subject.user.claims_for_scope(scope), **subject.extra("id_token")}


def token_row(
    platform: Platform,
    *,
    grant_id: str,
    client_id: str,
    subject: Subject,
    scope: str,
    access_token: str,
    access_expires_at: float,
    refresh_token: str | None,
    issued_at: float,
) -> dict[str, Any]:
    """The stored record of an access token and its refresh token: secrets as digests only."""
    return {
        "grant_id": grant_id,
        "client_id": client_id,
        "user_id": subject.user.id,
        "scope": scope,
        "auth_time": subject.auth_time,
        "claims": dict(subject.claims),
        "access_hash": digest(access_token),
        "access_expires_at": access_expires_at,
        "refresh_hash": digest(refresh_token) if refresh_token else None,
        "refresh_expires_at": platform.now() + platform.settings.refresh_token_lifetime
        if refresh_token
        else None,
        "issued_at": issued_at,
    }


def verify_access_token(platform: Platform, token: str) -> AccessGrant | None:
    """The grant behind a bearer JWT we issued, or None when it is forged, expired, revoked or meant
    for another audience.

    The mock issues access tokens with `aud` = the client id, for every resource it serves (userinfo,
    the Platform API, the Co-Scientist backend): the Seqera CLI's `audience=platform` names that same
    resource, so the mock ignores it and issues the same tokens to both CLIs. A token is accepted only
    when its `aud` (a string, or a list: RFC 7519 §4.1.3) names the client it was issued to.
    """
    if token.count(".") != 2:
        return None
    try:
        decoded = jwt.decode(token, platform.keyring.verification_keys, algorithms=["RS256"])
    except (JoseError, ValueError, TypeError):
        return None
    claims = decoded.claims
    now = platform.now()
    expires = claims.get("exp")
    if (
        claims.get("iss") != platform.settings.issuer
        or not isinstance(expires, int | float)
        or expires <= now
    ):
        return None
    record = platform.store.find_token(access=token)
    if record is None or record.revoked_at is not None or record.access_expires_at <= now:
        return None
    if not names_audience(claims.get("aud"), record.client_id):
        return None
    user = platform.directory.find_user(record.user_id)
    if user is None:
        return None
    return AccessGrant(record=record, user=user, claims=claims)


def names_audience(aud: Any, client_id: str) -> bool:
    """Whether an `aud` claim, a string or a list of strings, is for `client_id` (the mock's audience)."""
    return aud == client_id or (isinstance(aud, list) and client_id in aud)


def mint_token_response(
    platform: Platform,
    *,
    client_id: str,
    subject: Subject,
    scope: str,
    lifetime: int | None = None,
    include_refresh_token: bool = True,
) -> dict[str, Any]:
    """An RFC 6749 §5.1 token response: a signed access JWT, and a refresh token with offline_access."""
    lifetime = lifetime or platform.settings.access_token_lifetime
    claims = access_token_claims(
        platform,
        client_id=client_id,
        subject=subject,
        scope=scope,
        now=int(platform.now()),
        lifetime=lifetime,
    )
    token = {
        "access_token": sign(claims, platform.keyring.signing_key, ACCESS_TOKEN_TYPE),
        "token_type": "Bearer",
        "expires_in": lifetime,
        "scope": scope,
    }
    if include_refresh_token and "offline_access" in scope.split():
        token["refresh_token"] = new_secret()
    return token


def save_token_response(
    platform: Platform,
    token: Mapping[str, Any],
    *,
    grant_id: str,
    client_id: str,
    subject: Subject,
    rotated: TokenRecord | None = None,
    code: CodeRecord | None = None,
) -> None:
    """Record a minted response, in the same transaction as using up what it was minted from: the
    authorization `code`, or the refresh token `rotated` when the response carries its successor.

    Raises GrantRejected (and revokes the grant) when another request used that up first: a replay.
    """
    now = platform.now()
    refresh = token.get("refresh_token")
    values = token_row(
        platform,
        grant_id=grant_id,
        client_id=client_id,
        subject=subject,
        scope=token["scope"],
        access_token=token["access_token"],
        access_expires_at=now + token["expires_in"],
        refresh_token=refresh,
        issued_at=now,
    )
    settings = platform.settings
    if code is not None and settings.single_use_codes:
        # The one place a replayed code is caught: the claim and the new tokens are one transaction.
        if platform.store.claim_code_and_save_token(code.code_hash, now, **values) is None:
            platform.store.revoke_grant(grant_id, now)
            raise GrantRejected("authorization code was already used; the tokens issued from it are revoked")
    elif (
        rotated is None
        or refresh is None
        or not settings.detect_refresh_reuse
        or rotated.refresh_rotated_at is not None  # reused within refresh_reuse_grace
    ):
        platform.store.save_token(**values)
    elif platform.store.rotate_and_save_token(rotated.id, now, **values) is None:
        if settings.refresh_reuse_grace:  # a concurrent refresh rotated it a moment ago
            platform.store.save_token(**values)
        else:
            platform.store.revoke_grant(grant_id, now)
            raise GrantRejected(
                "refresh token was already used (rotated); every token of this grant is now revoked"
            )


def find_refresh_token(platform: Platform, refresh_token: str) -> TokenRecord | None:
    """The live record of a refresh token; None when unknown or expired.

    Raises GrantRejected when it was revoked, or rotated more than refresh_reuse_grace seconds ago
    (then its grant is revoked).
    """
    now = platform.now()
    record = platform.store.find_token(refresh=refresh_token)
    if record is None or record.refresh_expires_at is None or record.refresh_expires_at <= now:
        return None
    if record.refresh_revoked_at is not None:
        raise GrantRejected("refresh token was revoked")
    if (
        record.refresh_rotated_at is not None
        and now - record.refresh_rotated_at > platform.settings.refresh_reuse_grace
        and platform.settings.detect_refresh_reuse
    ):
        platform.store.revoke_grant(record.grant_id, now)
        raise GrantRejected(
            "refresh token was already used (rotated); every token of this grant is now revoked"
        )
    return record


def subject_of(platform: Platform, record: TokenRecord) -> Subject | None:
    user = platform.directory.find_user(record.user_id)
    if user is None:
        return None
    return Subject(user, record.auth_time, record.claims or {})


def refresh_public_client_tokens(platform: Platform, refresh_token: str) -> dict[str, Any] | None:
    """Trade a refresh token for a new access token and its successor, keeping client, grant and scope,
    with no client authentication: so only for refresh tokens of public clients.

    Only grants with offline_access hold refresh tokens, so the response always has a successor.
    None when the token is unknown, expired or its user is gone; GrantRejected as find_refresh_token,
    and for a confidential client's token (its secret is needed, at the token endpoint).
    """
    record = find_refresh_token(platform, refresh_token)
    subject = subject_of(platform, record) if record else None
    if record is None or subject is None:
        return None
    client = platform.query_client(record.client_id)
    if client is None or not client.is_public:
        raise GrantRejected("this refresh token belongs to a confidential client: use the token endpoint")
    token = mint_token_response(platform, client_id=record.client_id, subject=subject, scope=record.scope)
    save_token_response(
        platform, token, grant_id=record.grant_id, client_id=record.client_id, subject=subject, rotated=record
    )
    return token
