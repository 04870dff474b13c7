"""UI: the OIDC UserInfo endpoint (Core §5.3, RFC 6750) with the CLI's access token."""

from __future__ import annotations

import secrets
import time
from typing import Any

import pytest
import requests
from joserfc.jwk import RSAKey

from .checks import Check
from .expectations import json_body
from .harness import OAuth, Tokens
from .idtoken import sign
from .target import Clock
from .test_id_token import claim_type_problems

case = pytest.mark.case
# Core §5.4: the claims each scope value requests.
SCOPE_CLAIMS = {
    "profile": {
        "name", "family_name", "given_name", "middle_name", "nickname", "preferred_username", "profile",
        "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at",
    },
    "email": {"email", "email_verified"},
    "address": {"address"},
    "phone": {"phone_number", "phone_number_verified"},
}  # fmt: skip


def challenge(response: requests.Response) -> str:
    return response.headers.get("WWW-Authenticate", "")


def forged_jwt(issuer: str) -> str:
    """A well-formed JWT the provider never signed."""
    key = RSAKey.generate_key(2048, private=True)
    now = int(time.time())
    claims = {"iss": issuer, "sub": "1001", "aud": "nextflow_cli", "iat": now, "exp": now + 600}
    return sign({"alg": "RS256", "kid": "conformance-forged", "typ": "JWT"}, claims, key)


@pytest.fixture
def info(happy: Tokens, oauth: OAuth, check: Check) -> dict[str, Any]:
    response = oauth.userinfo(happy.access_token)
    body = json_body(response)
    check.needs(
        response.status_code == 200 and isinstance(body, dict),
        f"userinfo with the CLI's access token answered HTTP {response.status_code} (see UI-01)",
    )
    return body


@case("UI-01")
def test_userinfo_get(check: Check, happy: Tokens, oauth: OAuth) -> None:
    response = oauth.userinfo(happy.access_token)
    check.must(response.status_code == 200, f"HTTP {response.status_code}")
    media = response.headers.get("Content-Type", "").split(";")[0].strip()
    check.must(media == "application/json", f"Content-Type {media!r}", field="Content-Type")
    body = json_body(response)
    check.must(
        isinstance(body, dict) and isinstance(body.get("sub"), str) and body["sub"], "no sub", field="sub"
    )


@case("UI-02")
def test_same_subject(check: Check, info: dict[str, Any], happy: Tokens) -> None:
    check.must(
        info.get("sub") == happy.id_claims.get("sub"),
        "userinfo sub differs from the id_token sub",
        field="sub",
    )


@case("UI-03")
def test_userinfo_post(check: Check, info: dict[str, Any], happy: Tokens, oauth: OAuth) -> None:
    response = oauth.userinfo(happy.access_token, method="POST")
    check.must(
        response.status_code == 200, f"POST with the Bearer header answered HTTP {response.status_code}"
    )
    check.must(json_body(response) == info, "POST returned other claims than GET")


@case("UI-04")
def test_token_in_body(check: Check, happy: Tokens, oauth: OAuth) -> None:
    response = oauth.userinfo(happy.access_token, method="POST", where="body")
    check.should(
        response.status_code == 200, f"access_token in a form body answered HTTP {response.status_code}"
    )


@case("UI-05")
def test_token_in_query(check: Check, happy: Tokens, oauth: OAuth) -> None:
    response = oauth.userinfo(happy.access_token, where="query")
    check.record(
        "access_token in the query",
        "accepted" if response.status_code == 200 else f"HTTP {response.status_code}",
    )


@case("UI-06")
def test_scope_claims(check: Check, info: dict[str, Any]) -> None:
    names = {"name", "preferred_username", "given_name"} & set(info)
    check.should(names, "scope profile: none of name, preferred_username, given_name", field="name")
    check.should(isinstance(info.get("email"), str), "scope email: no email", field="email")
    check.should(
        isinstance(info.get("email_verified"), bool),
        "scope email: email_verified missing or not a boolean",
        field="email_verified",
    )


@case("UI-07")
def test_claim_hygiene(check: Check, info: dict[str, Any]) -> None:
    wrong, empty = claim_type_problems(info)
    for problem in wrong:
        check.must(False, problem, field=problem.split()[0])
    check.should(not empty, f"null or empty claims: {empty}", field=",".join(empty))


@case("UI-08")
def test_no_token(check: Check, oauth: OAuth) -> None:
    response = oauth.userinfo(None)
    check.must(response.status_code == 401, f"no token: HTTP {response.status_code}", field="status")
    check.must(
        challenge(response).lower().startswith("bearer"),
        "no WWW-Authenticate: Bearer challenge",
        clause="RFC 6750 §3",
        field="WWW-Authenticate",
    )
    check.should(
        "error=" not in challenge(response),
        "the challenge carries an error code although no token was sent",
        clause="RFC 6750 §3.1",
        field="WWW-Authenticate",
    )


@case("UI-09")
def test_garbage_and_forged_tokens(check: Check, oauth: OAuth) -> None:
    for label, token in (
        ("garbage", secrets.token_urlsafe(40)),
        ("forged JWT", forged_jwt(oauth.discovery.issuer)),
    ):
        response = oauth.userinfo(token)
        check.must(response.status_code == 401, f"{label} token: HTTP {response.status_code}", field="status")
        check.must(
            'error="invalid_token"' in challenge(response),
            f'{label} token: the challenge lacks error="invalid_token"',
            field="WWW-Authenticate",
        )


@case("UI-10")
def test_scheme_case(check: Check, happy: Tokens, oauth: OAuth) -> None:
    for scheme in ("bearer", "BEARER"):
        response = oauth.userinfo(happy.access_token, scheme=scheme)
        check.should(response.status_code == 200, f"scheme {scheme!r} answered HTTP {response.status_code}")


@case("UI-11")
def test_token_substitution(check: Check, happy: Tokens, oauth: OAuth) -> None:
    for label, token in (("id_token", happy.id_token), ("refresh_token", happy.refresh_token)):
        if token:
            response = oauth.userinfo(token)
            check.should(
                response.status_code == 401, f"the {label} as Bearer answered HTTP {response.status_code}"
            )


@case("UI-12")
def test_expired_access_token(check: Check, oauth: OAuth, clock: Clock) -> None:
    tokens = oauth.tokens()
    lifetime = tokens.body.get("expires_in")
    check.needs(isinstance(lifetime, int | float), "no numeric expires_in to wait for (see TOK-01)")
    if not clock.affordable(lifetime + 1):
        pytest.skip(f"waiting {lifetime + 1:.0f} s exceeds --max-wait")
    with clock.passing(lifetime + 1):
        response = oauth.userinfo(tokens.access_token)
    check.must(
        response.status_code == 401,
        f"{lifetime + 1:.0f} s later the access token still works (HTTP {response.status_code})",
        field="status",
    )
    check.must(
        'error="invalid_token"' in challenge(response),
        'the challenge lacks error="invalid_token"',
        field="WWW-Authenticate",
    )


@case("UI-13")
def test_userinfo_cors(check: Check, happy: Tokens, oauth: OAuth) -> None:
    response = oauth.userinfo(happy.access_token, headers={"Origin": "https://client.example"})
    check.record("Access-Control-Allow-Origin", response.headers.get("Access-Control-Allow-Origin"))


@case("UI-14")
def test_claims_follow_granted_scope(check: Check, oauth: OAuth) -> None:
    flow = oauth.flow(scope="openid")
    authorization = oauth.authorize(flow)
    check.needs(
        authorization.code,
        f"a login with scope=openid alone gave no code ({authorization.error or 'no callback'}): nothing to compare",
    )
    tokens = oauth.parse_tokens(flow, oauth.exchange(flow, authorization.code or ""))
    granted = str(tokens.body.get("scope") or flow.scope).split()
    response = oauth.userinfo(tokens.access_token)
    body = json_body(response)
    check.needs(
        response.status_code == 200 and isinstance(body, dict),
        f"userinfo with an openid-only token answered HTTP {response.status_code} (see UI-01)",
    )
    check.record("granted scope", " ".join(granted))
    for scope, claims in SCOPE_CLAIMS.items():
        extra = sorted(claims & set(body)) if scope not in granted else []
        check.should(
            not extra,
            f"a token granted only {' '.join(granted)} got the {scope} claims {', '.join(extra)}",
            field=",".join(extra),
        )
