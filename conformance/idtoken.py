"""ID token validation with joserfc (never a hand-made verifier), and forgeries for the self-tests.

`validate_id_token` follows OIDC Core §3.1.3.7: RS256 only, the key chosen by `kid` among the
published RSA keys, signature verified by joserfc, then iss, aud, exp, iat (and nonce) checked by
joserfc's claims registry with a five-minute leeway. `forgeries` builds the tokens IDT-15 and
SEC-04 must see rejected: tampered payload or signature, `alg=none`, HS256 keyed with the RSA
public key, unknown kid, wrong iss/aud, expired.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

LEEWAY = 300
ALGORITHM = "RS256"


class IdTokenError(Exception):
    """The token must be rejected; the message says why."""


@dataclass(frozen=True)
class Compact:
    header: dict[str, Any]
    claims: dict[str, Any]
    signature: bytes
    parts: tuple[str, str, str]


def _b64decode(segment: str) -> bytes:
    if "=" in segment or "+" in segment or "/" in segment:
        raise IdTokenError("segment is not unpadded base64url")
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError) as error:
        raise IdTokenError(f"segment is not base64url: {error}") from None


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def parse_compact(token: str) -> Compact:
    """Split a compact JWS and decode its header and claims, without verifying anything."""
    parts = token.split(".")
    if len(parts) != 3:
        raise IdTokenError(f"not a compact JWS: {len(parts)} dot-separated parts instead of 3")
    try:
        header = json.loads(_b64decode(parts[0]))
        claims = json.loads(_b64decode(parts[1]))
    except ValueError as error:
        raise IdTokenError(f"header or payload is not JSON: {error}") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise IdTokenError("header and payload must be JSON objects")
    return Compact(header, claims, _b64decode(parts[2]), (parts[0], parts[1], parts[2]))


def select_key(header: dict[str, Any], keys: list[dict[str, Any]]) -> dict[str, Any]:
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise IdTokenError("the header has no kid")
    matching = [key for key in keys if key.get("kid") == kid]
    if len(matching) != 1:
        raise IdTokenError(f"kid {kid!r} matches {len(matching)} published keys instead of exactly one")
    key = matching[0]
    if key.get("kty") != "RSA" or key.get("use", "sig") != "sig" or key.get("alg", ALGORITHM) != ALGORITHM:
        raise IdTokenError(f"key {kid!r} is not an RSA signing key for RS256")
    return key


def verify_signature(token: str, key: dict[str, Any]) -> dict[str, Any]:
    """Verify the RS256 signature with joserfc; the verified claims."""
    try:
        public = RSAKey.import_key({k: v for k, v in key.items() if k in ("kty", "n", "e", "kid")})
        return dict(jwt.decode(token, public, algorithms=[ALGORITHM]).claims)
    except (JoseError, ValueError, TypeError) as error:
        raise IdTokenError(f"signature does not verify: {type(error).__name__}: {error}") from None


def validate_id_token(
    token: str,
    *,
    keys: list[dict[str, Any]],
    issuer: str,
    client_id: str,
    now: float,
    nonce: str | None = None,
    leeway: int = LEEWAY,
) -> dict[str, Any]:
    """The verified claims of a valid id_token; IdTokenError for anything a client must reject."""
    compact = parse_compact(token)
    alg = compact.header.get("alg")
    if alg != ALGORITHM:
        raise IdTokenError(f"alg is {alg!r}; only {ALGORITHM} is accepted")
    if "crit" in compact.header:
        raise IdTokenError(f"unsupported critical header parameters {compact.header['crit']!r}")
    claims = verify_signature(token, select_key(compact.header, keys))
    registry = jwt.JWTClaimsRegistry(
        now=int(now),
        leeway=leeway,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
    )
    try:
        registry.validate(claims)
    except JoseError as error:
        raise IdTokenError(f"claims rejected: {type(error).__name__}: {error}") from None
    if nonce is not None and claims.get("nonce") != nonce:
        raise IdTokenError("nonce does not match the one sent")
    if isinstance(claims.get("aud"), list) and len(claims["aud"]) > 1 and claims.get("azp") != client_id:
        raise IdTokenError("several audiences but azp is not the client")
    return claims


def at_hash(access_token: str) -> str:
    """OIDC Core §3.1.3.6: base64url of the left half of SHA-256 of the access token (RS256)."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return b64url(digest[: len(digest) // 2])


# forgeries ---------------------------------------------------------------------------------------


def _segment(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def sign(header: dict[str, Any], claims: dict[str, Any], key: RSAKey) -> str:
    return jwt.encode(header, claims, key, algorithms=[ALGORITHM])


def public_pem(jwk: dict[str, Any]) -> bytes:
    return RSAKey.import_key({k: jwk[k] for k in ("kty", "n", "e")}).as_pem(private=False)


def forgeries(
    genuine: str, *, published: dict[str, Any], signer: RSAKey, issuer: str, client_id: str, now: float
) -> dict[str, str]:
    """Tokens a relying party must reject, derived from a genuine one signed with `published`'s key.

    The wrong-iss, wrong-aud and expired variants are signed with `signer` (the trusted key in the
    self-test, so only the claim is wrong; a stray key against a live provider). The HS256 variant
    uses the published RSA key's PEM as the HMAC secret, the algorithm-confusion attack (RFC 8725 §2.1).
    """
    compact = parse_compact(genuine)
    header, claims = compact.header, compact.claims
    stray = RSAKey.generate_key(2048, private=True)
    kid = published.get("kid", "")
    pem = public_pem(published)
    hs_input = f"{_segment({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{compact.parts[1]}".encode()
    tampered = {**claims, "sub": f"{claims.get('sub', '')}-forged"}
    signature = compact.parts[2]
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    expired = {**claims, "exp": int(now) - 3600, "iat": int(now) - 7200}
    return {
        "tampered payload": f"{compact.parts[0]}.{_segment(tampered)}.{signature}",
        "tampered signature": f"{compact.parts[0]}.{compact.parts[1]}.{flipped}",
        "alg none": f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{compact.parts[1]}.",
        "HS256 keyed with the RSA public key": (
            f"{hs_input.decode()}.{b64url(hmac.new(pem, hs_input, hashlib.sha256).digest())}"
        ),
        "unknown kid": sign({**header, "kid": "conformance-stray-key"}, claims, stray),
        "published kid, other key": sign({**header, "kid": kid}, claims, stray),
        "wrong iss": sign({**header, "kid": kid}, {**claims, "iss": issuer + "/forged"}, signer),
        "wrong aud": sign({**header, "kid": kid}, {**claims, "aud": client_id + "-forged"}, signer),
        "expired": sign({**header, "kid": kid}, expired, signer),
    }
