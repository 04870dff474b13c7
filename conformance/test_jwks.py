"""JWKS: the provider's published signing keys (RFC 7517, RFC 7518, Core §10)."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from .checks import Check
from .harness import OAuth
from .idtoken import IdTokenError, parse_compact, validate_id_token
from .target import Discovery, Jwks, Target

case = pytest.mark.case
BASE64URL = re.compile(r"^[A-Za-z0-9_-]+$")
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")


def as_int(value: Any) -> int | None:
    if not isinstance(value, str) or not BASE64URL.match(value):
        return None
    return int.from_bytes(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)), "big")


def rsa_keys(jwks: Jwks) -> list[dict[str, Any]]:
    return [key for key in jwks.keys if key.get("kty") == "RSA"]


@case("JWKS-01")
def test_jwks_document(check: Check, jwks: Jwks) -> None:
    check.response(jwks.response, label="jwks")
    check.must(jwks.response.status_code == 200, f"jwks_uri answered HTTP {jwks.response.status_code}")
    check.must(
        jwks.keys, "no keys: the document is not a JSON object with a non-empty keys array", field="keys"
    )


@case("JWKS-02")
def test_key_members(check: Check, jwks: Jwks) -> None:
    for key in jwks.keys:
        kid = key.get("kid")
        check.must(isinstance(key.get("kty"), str), f"key {kid!r} has no kty", field="kty")
        if key.get("kty") == "RSA":
            for member in ("n", "e"):
                check.must(
                    as_int(key.get(member)) is not None,
                    f"key {kid!r}: {member} is not unpadded base64url",
                    clause="RFC 7518 §6.3.1",
                    field=member,
                )
        else:
            check.should(
                key.get("kty") in ("EC", "OKP"),
                f"key {kid!r} has an unusual kty {key.get('kty')!r}",
                field="kty",
            )


@case("JWKS-03")
def test_no_private_material(check: Check, jwks: Jwks) -> None:
    for key in jwks.keys:
        leaked = [m for m in PRIVATE_MEMBERS if m in key]
        check.must(
            not leaked,
            f"key {key.get('kid')!r} publishes private or symmetric members {leaked}",
            field=",".join(leaked),
        )
        check.must(key.get("kty") != "oct", f"key {key.get('kid')!r} is a symmetric (oct) key", field="kty")


@case("JWKS-04")
def test_kids(check: Check, jwks: Jwks) -> None:
    kids = [key.get("kid") for key in jwks.keys]
    check.must(all(isinstance(k, str) and k.strip() for k in kids), f"a key has no kid: {kids}", field="kid")
    check.must(len(set(kids)) == len(kids), f"kid values repeat: {kids}", field="kid")


@case("JWKS-05")
def test_use_and_key_ops(check: Check, jwks: Jwks) -> None:
    has_encryption = any(key.get("use") == "enc" for key in jwks.keys)
    for key in jwks.keys:
        kid = key.get("kid")
        check.must(
            not ("use" in key and "key_ops" in key),
            f"key {kid!r} has both use and key_ops",
            clause="RFC 7517 §4.3",
            field="use",
        )
        if has_encryption:
            check.must(
                "use" in key,
                f"key {kid!r} has no use while an encryption key is published",
                clause="Disc §3 (jwks_uri)",
                field="use",
            )
    signing = [k for k in rsa_keys(jwks) if k.get("use", "sig") == "sig"]
    check.should(signing, "no RSA key is marked use=sig (or left unmarked)", field="use")


@case("JWKS-06")
def test_rs256_key(check: Check, jwks: Jwks) -> None:
    usable = [k for k in rsa_keys(jwks) if k.get("alg", "RS256") == "RS256" and k.get("use", "sig") == "sig"]
    check.must(usable, "no RSA key whose alg is RS256 (or absent) and use sig (or absent)", field="alg")


@case("JWKS-07")
def test_rsa_key_size(check: Check, jwks: Jwks) -> None:
    for key in rsa_keys(jwks):
        modulus = as_int(key.get("n"))
        bits = modulus.bit_length() if modulus else 0
        check.record(f"{key.get('kid')} bits", bits)
        check.must(bits >= 2048, f"key {key.get('kid')!r} has a {bits}-bit modulus", field="n")


@case("JWKS-08")
def test_x5c_matches(check: Check, jwks: Jwks) -> None:
    with_chain = [key for key in jwks.keys if key.get("x5c")]
    check.record("keys with x5c", len(with_chain))
    for key in with_chain:
        try:
            certificate = x509.load_der_x509_certificate(base64.b64decode(key["x5c"][0], validate=True))
        except (binascii.Error, ValueError, TypeError, IndexError):
            check.must(False, f"key {key.get('kid')!r}: x5c[0] is not a base64 DER certificate", field="x5c")
            continue
        public = certificate.public_key()
        numbers = public.public_numbers() if isinstance(public, RSAPublicKey) else None
        check.must(
            numbers is not None and (numbers.n, numbers.e) == (as_int(key.get("n")), as_int(key.get("e"))),
            f"key {key.get('kid')!r}: the x5c certificate holds a different public key",
            field="x5c",
        )


@case("JWKS-09")
def test_jwks_content_type(check: Check, jwks: Jwks) -> None:
    media = jwks.response.headers.get("Content-Type", "").split(";")[0].strip()
    check.record("Content-Type", media)
    check.expect(media in ("application/json", "application/jwk-set+json"), f"JWKS served as {media!r}")


@case("JWKS-10")
def test_key_rotation(check: Check, target: Target, discovery: Discovery, oauth: OAuth) -> None:
    before = Jwks(target.http, discovery["jwks_uri"])
    rotated = target.control("POST", "/keys/rotate")
    check.require(rotated.status_code == 200, f"the mock refused to rotate keys: HTTP {rotated.status_code}")
    after = Jwks(target.http, discovery["jwks_uri"])
    old_kids = {k.get("kid") for k in before.keys}
    new_kids = {k.get("kid") for k in after.keys} - old_kids
    check.record("new kids", sorted(new_kids))
    check.should(new_kids, "no new key appeared after the rotation", field="kid")
    check.should(
        old_kids <= {k.get("kid") for k in after.keys}, "a retired key disappeared at once", field="kid"
    )
    tokens = oauth.tokens()
    kid = parse_compact(tokens.id_token or "").header.get("kid")
    check.should(kid in new_kids, f"the next id_token is signed with {kid!r}, not the new key", field="kid")
    try:
        validate_id_token(
            tokens.id_token or "",
            keys=before.find(kid),
            issuer=discovery.issuer,
            client_id=oauth.client_id,
            now=tokens.received_at,
        )
    except IdTokenError as error:
        check.should(
            False, f"an id_token signed with the new key does not validate after one refetch: {error}"
        )
