"""IDT: the id_token of the CLI's login (OIDC Core §2, §3.1.3.7), checked with joserfc."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from joserfc.jwk import RSAKey

from .checks import Check
from .harness import OAuth, Tokens
from .idtoken import (
    LEEWAY,
    IdTokenError,
    at_hash,
    forgeries,
    parse_compact,
    select_key,
    sign,
    validate_id_token,
    verify_signature,
)
from .target import Discovery, Jwks

case = pytest.mark.case
DAY = 24 * 3600
FIFTY_YEARS = 50 * 365 * DAY
STRING_CLAIMS = (
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "email",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "phone_number",
)
BOOLEAN_CLAIMS = ("email_verified", "phone_number_verified")
PROTOCOL_CLAIMS = {
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "azp",
    "at_hash",
    "c_hash",
    "acr",
    "amr",
    "sid",
    "jti",
}


def claim_type_problems(claims: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(wrong JSON types, null or empty values) among the standard claims (Core §5.1)."""
    wrong, empty = [], []
    for name, value in claims.items():
        if value is None or value in ("", [], {}):
            empty.append(name)
            continue
        if name in STRING_CLAIMS and not isinstance(value, str):
            wrong.append(f"{name} is {type(value).__name__}, not a string")
        elif name in BOOLEAN_CLAIMS and not isinstance(value, bool):
            wrong.append(f"{name} is {type(value).__name__}, not a boolean")
        elif name == "updated_at" and (isinstance(value, bool) or not isinstance(value, int | float)):
            wrong.append(f"updated_at is {type(value).__name__}, not a number")
        elif name == "address" and not isinstance(value, dict):
            wrong.append("address is not a JSON object")
    return wrong, empty


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@pytest.fixture
def claims(happy: Tokens, check: Check) -> dict[str, Any]:
    check.needs(happy.id_token, "the CLI's login returned no id_token (see TOK-01)")
    try:
        return parse_compact(happy.id_token or "").claims
    except IdTokenError as error:
        check.require(False, f"the id_token cannot be parsed: {error}")
        return {}


@case("IDT-01")
def test_jws_and_algorithm(check: Check, happy: Tokens) -> None:
    token = happy.id_token or ""
    check.require(token.count(".") == 2, f"the id_token has {token.count('.') + 1} parts, not a compact JWS")
    header = parse_compact(token).header
    alg = header.get("alg")
    check.record("header", {k: v for k, v in header.items() if k != "kid"})
    check.must(alg not in (None, "none") and not str(alg).startswith("HS"), f"alg is {alg!r}", field="alg")
    check.must(
        alg == "RS256", f"alg is {alg!r}, the registration says RS256", clause="Core §15.1", field="alg"
    )
    check.must(
        "crit" not in header,
        f"unsupported crit header {header.get('crit')!r}",
        clause="RFC 7515 §4.1.11",
        field="crit",
    )


@case("IDT-02")
def test_key_selection(check: Check, happy: Tokens, jwks: Jwks) -> None:
    header = parse_compact(happy.id_token or "").header
    kid = header.get("kid")
    check.require(kid, "the id_token header has no kid", field="kid")
    found = jwks.find(kid)
    check.record("kid", kid)
    try:
        select_key(header, found)
    except IdTokenError as error:
        check.must(False, f"{error} (after one JWKS refetch)", field="kid")


@case("IDT-03")
def test_signature(check: Check, happy: Tokens, jwks: Jwks) -> None:
    header = parse_compact(happy.id_token or "").header
    try:
        verify_signature(happy.id_token or "", select_key(header, jwks.find(header.get("kid"))))
    except IdTokenError as error:
        check.must(False, str(error), field="signature")


@case("IDT-04")
def test_issuer(check: Check, claims: dict[str, Any], discovery: Discovery) -> None:
    check.must(
        claims.get("iss") == discovery.issuer,
        f"iss is {claims.get('iss')!r}, discovery says {discovery.issuer!r}",
        field="iss",
    )


@case("IDT-05")
def test_audience(check: Check, claims: dict[str, Any], oauth: OAuth) -> None:
    aud, client = claims.get("aud"), oauth.client_id
    audiences = aud if isinstance(aud, list) else [aud]
    check.must(client in audiences, f"aud is {aud!r}, which does not contain {client}", field="aud")
    check.should(len(audiences) <= 1, f"aud lists other audiences too: {aud!r}", field="aud")
    if "azp" in claims:
        check.must(
            claims["azp"] == client,
            f"azp is {claims['azp']!r}, not {client}: when present it must be the client the token was issued to",
            clause="Core §2",
            field="azp",
        )


@case("IDT-06")
def test_expiry(check: Check, claims: dict[str, Any], happy: Tokens) -> None:
    exp, iat = claims.get("exp"), claims.get("iat")
    check.require(is_number(exp), f"exp is {exp!r}, not a number of seconds", field="exp")
    check.must(exp > happy.received_at - LEEWAY, "exp is in the past", field="exp")
    if is_number(iat):
        check.must(exp > iat, "exp is not after iat", field="exp")
        check.should(exp - iat <= DAY, f"the id_token lives {(exp - iat) / 3600:.1f} h (> 24 h)", field="exp")
    check.must(exp < time.time() + FIFTY_YEARS, "exp is absurdly far away (milliseconds?)", field="exp")


@case("IDT-07")
def test_issued_at(check: Check, claims: dict[str, Any], happy: Tokens) -> None:
    iat = claims.get("iat")
    check.require(is_number(iat), f"iat is {iat!r}, not a number", field="iat")
    date = happy.response.headers.get("Date")
    if date:
        check.record(
            "provider clock skew (s)", round(parsedate_to_datetime(date).timestamp() - happy.received_at, 1)
        )
    check.must(
        iat <= happy.received_at + LEEWAY,
        f"iat is {iat - happy.received_at:.0f} s in the future",
        field="iat",
    )
    check.should(
        iat >= happy.received_at - LEEWAY,
        f"iat is {happy.received_at - iat:.0f} s old on receipt",
        field="iat",
    )


@case("IDT-08")
def test_subject(check: Check, claims: dict[str, Any], oauth: OAuth) -> None:
    sub = claims.get("sub")
    check.require(isinstance(sub, str) and sub, f"sub is {sub!r}", field="sub")
    check.must(
        len(sub) <= 255 and all(0x21 <= ord(c) <= 0x7E for c in sub),
        "sub is longer than 255 characters or not printable ASCII",
        field="sub",
    )
    again = oauth.tokens().id_claims.get("sub")
    check.must(
        again == sub, "a second login of the same account gave another sub", clause="Core §5.7", field="sub"
    )


@case("IDT-09")
def test_no_nonce(check: Check, claims: dict[str, Any]) -> None:
    check.must(
        "nonce" not in claims, "the id_token carries a nonce although the CLI sent none", field="nonce"
    )


@case("IDT-10")
def test_auth_time(check: Check, claims: dict[str, Any], happy: Tokens) -> None:
    auth_time = claims.get("auth_time")
    check.record("auth_time present", auth_time is not None)
    if auth_time is None:
        return
    check.must(is_number(auth_time), f"auth_time is {auth_time!r}, not a number", field="auth_time")
    if is_number(auth_time):
        check.must(auth_time <= happy.received_at + LEEWAY, "auth_time is in the future", field="auth_time")
        check.must(
            auth_time >= happy.received_at - 365 * DAY, "auth_time is more than a year old", field="auth_time"
        )


@case("IDT-11")
def test_at_hash(check: Check, claims: dict[str, Any], happy: Tokens) -> None:
    value = claims.get("at_hash")
    check.record("at_hash present", value is not None)
    if value is not None:
        check.must(
            value == at_hash(happy.access_token), "at_hash does not match the access token", field="at_hash"
        )


@case("IDT-12")
def test_claim_types(check: Check, claims: dict[str, Any]) -> None:
    wrong, empty = claim_type_problems(claims)
    for problem in wrong:
        check.must(False, problem, field=problem.split()[0])
    check.should(not empty, f"claims present but null or empty: {empty}", field=",".join(empty))


@case("IDT-13")
def test_claims_carried(check: Check, claims: dict[str, Any]) -> None:
    check.record("claims beyond the protocol ones", sorted(set(claims) - PROTOCOL_CLAIMS))


@case("IDT-14")
def test_header_hygiene(check: Check, happy: Tokens) -> None:
    header = parse_compact(happy.id_token or "").header
    for name in ("jku", "x5u", "jwk", "x5c"):
        check.should(name not in header, f"the header carries {name}", field=name)
    if "typ" in header:
        check.should(
            header["typ"] == "JWT", f"typ is {header['typ']!r}, not JWT", clause="RFC 7519 §5.1", field="typ"
        )


@case("IDT-15")
def test_validator_rejects_forgeries(check: Check) -> None:
    key = RSAKey.generate_key(2048, private=True, parameters={"kid": "conformance-self-test"})
    public = {**key.as_dict(private=False), "kid": "conformance-self-test", "use": "sig", "alg": "RS256"}
    issuer, client, now = "https://issuer.example/api", "nextflow_cli", time.time()
    claims = {"iss": issuer, "aud": client, "sub": "1001", "iat": int(now), "exp": int(now) + 600}
    genuine = sign({"alg": "RS256", "kid": "conformance-self-test", "typ": "JWT"}, claims, key)
    context = {"keys": [public], "issuer": issuer, "client_id": client, "now": now}
    try:
        validate_id_token(genuine, **context)
    except IdTokenError as error:
        check.require(False, f"the validator rejects a genuine token: {error}")
    expected_reason = {
        "wrong iss": "iss",
        "wrong aud": "aud",
        "expired": "exp",
        "alg none": "alg",
        "HS256 keyed with the RSA public key": "alg",
        "unknown kid": "kid",
    }
    forged = forgeries(genuine, published=public, signer=key, issuer=issuer, client_id=client, now=now)
    for label, token in forged.items():
        try:
            validate_id_token(token, **context)
        except IdTokenError as error:
            reason = expected_reason.get(label, "signature")
            check.must(reason in str(error), f"{label}: rejected, but for another reason ({error})")
            continue
        check.must(False, f"the validator accepted a forged token ({label})", clause="RFC 8725 §3.1")
    try:
        validate_id_token(genuine, **context, nonce="expected-nonce")
    except IdTokenError:
        pass
    else:
        check.must(False, "the validator accepted a token without the expected nonce")
