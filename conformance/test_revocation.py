"""REV and INTR: token revocation (RFC 7009) and introspection (RFC 7662), when advertised."""

from __future__ import annotations

import secrets
import time

import pytest

from .checks import Check
from .expectations import json_body, token_error
from .harness import OAuth, Tokens, refresh_token_of
from .platform import Platform
from .plugin import Options
from .target import Discovery

case = pytest.mark.case
# RFC 7009 §2.1: invalidation is immediate, "in practice, there could be a propagation delay".
PROPAGATION_GRACE = 3.0


@pytest.fixture
def revocation(discovery: Discovery) -> str:
    endpoint = discovery.get("revocation_endpoint")
    if not endpoint:
        pytest.skip("not supported: no revocation_endpoint advertised")
    return endpoint


@pytest.fixture
def introspection(discovery: Discovery) -> str:
    endpoint = discovery.get("introspection_endpoint")
    if not endpoint:
        pytest.skip("not supported: no introspection_endpoint advertised")
    return endpoint


def still_works(oauth: OAuth, tokens: Tokens) -> bool:
    return oauth.refresh(tokens.refresh_token or "").status_code == 200


@case("REV-01")
def test_revoke_refresh_token(check: Check, oauth: OAuth, revocation: str) -> None:
    tokens = oauth.tokens()
    refresh_token = refresh_token_of(check, tokens)
    response = oauth.revoke(refresh_token, hint="refresh_token")
    check.must(
        response.status_code == 200, f"revocation answered HTTP {response.status_code}", field="status"
    )
    token_error(check, oauth.refresh(refresh_token), "refresh after revocation", {"invalid_grant"})


@case("REV-02")
def test_revoking_refresh_revokes_access(check: Check, oauth: OAuth, revocation: str) -> None:
    tokens = oauth.tokens()
    refresh_token = refresh_token_of(check, tokens)
    check.needs(
        oauth.revoke(refresh_token, hint="refresh_token").status_code == 200,
        "revoking the refresh token failed (see REV-01)",
    )
    userinfo = oauth.userinfo(tokens.access_token)
    check.should(
        userinfo.status_code == 401,
        f"the grant's access token still works after its refresh token was "
        f"revoked (HTTP {userinfo.status_code})",
    )


@case("REV-03")
def test_revoke_access_token(check: Check, oauth: OAuth, revocation: str) -> None:
    tokens = oauth.tokens()
    response = oauth.revoke(tokens.access_token, hint="access_token")
    check.should(
        response.status_code == 200,
        f"revoking the access token answered HTTP {response.status_code}"
        + (
            " (unsupported_token_type: access tokens cannot be revoked)"
            if "unsupported_token_type" in response.text
            else ""
        ),
    )


@case("REV-04")
def test_revoke_unknown_token(check: Check, oauth: OAuth, revocation: str) -> None:
    response = oauth.revoke(secrets.token_urlsafe(32))
    check.must(
        response.status_code == 200,
        f"an unknown token answered HTTP {response.status_code}, not 200",
        field="status",
    )


@case("REV-05")
def test_bogus_hint(check: Check, oauth: OAuth, revocation: str) -> None:
    tokens = oauth.tokens()
    refresh_token = refresh_token_of(check, tokens)
    response = oauth.revoke(refresh_token, hint="bogus")
    check.must(
        response.status_code == 200,
        f"token_type_hint=bogus answered HTTP {response.status_code}",
        field="token_type_hint",
    )
    check.must(
        not still_works(oauth, tokens),
        "with token_type_hint=bogus the token was not revoked",
        field="token_type_hint",
    )


@case("REV-06")
def test_get_does_not_revoke(check: Check, oauth: OAuth, revocation: str) -> None:
    tokens = oauth.tokens()
    refresh_token = refresh_token_of(check, tokens)
    response = oauth.revoke(refresh_token, hint="refresh_token", method="GET")
    check.record("GET", response.status_code)
    check.should(still_works(oauth, tokens), "a GET revoked the token")


@case("REV-07")
def test_other_client_cannot_revoke(check: Check, oauth: OAuth, revocation: str, options: Options) -> None:
    tokens = oauth.tokens()
    refresh_token = refresh_token_of(check, tokens)
    response = oauth.revoke(refresh_token, hint="refresh_token", client_id=options.second_client_id)
    check.record(f"revoke as {options.second_client_id}", response.status_code)
    check.should(still_works(oauth, tokens), f"{options.second_client_id} revoked another client's token")


@case("REV-08")
def test_revoked_access_token_stops_working(
    check: Check, oauth: OAuth, platform: Platform, revocation: str
) -> None:
    tokens = oauth.tokens()
    response = oauth.revoke(tokens.access_token, hint="access_token")
    check.needs(
        response.status_code == 200,
        f"revoking the access token answered HTTP {response.status_code}, so nothing was promised (see REV-03)",
    )
    started = time.monotonic()
    while True:
        statuses = {
            "userinfo": oauth.userinfo(tokens.access_token).status_code,
            "/user-info": platform.user_info(tokens.access_token).status_code,
        }
        if 200 not in statuses.values() or time.monotonic() - started >= PROPAGATION_GRACE:
            break
        time.sleep(0.5)
    check.record("after revocation", statuses)
    for where, status in statuses.items():
        check.must(
            status != 200,
            f"the revocation was answered 200, yet {PROPAGATION_GRACE:g} s later the access token still works "
            f"at {where} (HTTP 200)",
            field="status",
        )


@case("INTR-01")
def test_introspection_needs_authentication(
    check: Check, happy: Tokens, oauth: OAuth, introspection: str
) -> None:
    response = oauth.http.form(introspection, f"token={happy.access_token}")
    body = json_body(response)
    disclosed = isinstance(body, dict) and (body.get("active") is True or "sub" in body)
    check.must(
        response.status_code == 401 or not disclosed, "unauthenticated introspection disclosed token data"
    )


@case("INTR-02")
def test_introspection_answers(check: Check, oauth: OAuth, introspection: str) -> None:
    tokens = oauth.tokens()
    live = oauth.http.form(introspection, f"token={tokens.access_token}&client_id={oauth.client_id}")
    if live.status_code in (401, 403):
        pytest.skip("introspection is not callable by this client")
    check.must((json_body(live) or {}).get("active") is True, "a live token is not active", field="active")
    garbage = oauth.http.form(introspection, f"token={secrets.token_urlsafe(32)}&client_id={oauth.client_id}")
    check.must((json_body(garbage) or {}).get("active") is False, "a garbage token is not active:false")
    if oauth.discovery.get("revocation_endpoint"):
        oauth.revoke(tokens.access_token, hint="access_token")
        revoked = oauth.http.form(introspection, f"token={tokens.access_token}&client_id={oauth.client_id}")
        check.must((json_body(revoked) or {}).get("active") is False, "a revoked token is still active")
