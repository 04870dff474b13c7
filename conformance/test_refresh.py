"""REF: the refresh grant for the public client (RFC 6749 §6, RFC 9700 §4.14, OIDC Core §12)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from .checks import Check
from .expectations import json_body, token_error
from .harness import NO_REFRESH_TOKEN, OAuth, Session, Tokens, refresh_token_of
from .idtoken import IdTokenError, parse_compact, validate_id_token
from .platform import Platform
from .plugin import Options
from .target import Clock, Discovery, Jwks
from .test_token import cache_directives

case = pytest.mark.case


@dataclass
class Refreshed:
    original: Tokens
    response: requests.Response
    body: dict[str, Any]


@dataclass
class Reuse:
    """The REF-04/05 sequence: refresh once, replay the old token at once and after the grace window."""

    newest: dict[str, Any]
    immediate: requests.Response
    delayed: requests.Response | None
    waited: float


@pytest.fixture(scope="module")
def module_oauth(session: Session) -> Iterator[OAuth]:
    with ExitStack() as stack:
        yield OAuth(session, stack)


@pytest.fixture(scope="module")
def refreshed(module_oauth: OAuth, clock: Clock) -> Refreshed:
    """A fresh login refreshed once, two seconds later (so a refreshed id_token has a newer iat)."""
    original = module_oauth.tokens()
    if not original.refresh_token:
        pytest.skip(f"not run: {NO_REFRESH_TOKEN}")
    with clock.passing(2):
        response = module_oauth.refresh(original.refresh_token)
    return Refreshed(original, response, json_body(response) or {})


@pytest.fixture(scope="module")
def reuse(module_oauth: OAuth, clock: Clock, options: Options) -> Reuse:
    tokens = module_oauth.tokens()
    if not tokens.refresh_token:
        pytest.skip(f"not run: {NO_REFRESH_TOKEN}")
    old = tokens.refresh_token
    first = module_oauth.refresh(old)
    newest = json_body(first) or {}
    if first.status_code != 200:
        pytest.skip(f"not run: the first refresh failed: HTTP {first.status_code} (see REF-02)")
    immediate = module_oauth.refresh(old)
    if immediate.status_code == 200:
        newest = json_body(immediate) or newest
    grace = options.refresh_grace
    if not (options.slow or clock.controllable) or not clock.affordable(grace):
        return Reuse(newest, immediate, None, 0)
    with clock.passing(grace):
        delayed = module_oauth.refresh(old)
    return Reuse(newest, immediate, delayed, grace)


@case("REF-01")
def test_refresh_token_without_consent_prompt(check: Check, happy: Tokens) -> None:
    check.must(
        happy.refresh_token,
        "the CLI's request (offline_access, no prompt=consent) got no refresh_token",
        field="refresh_token",
    )


@case("REF-02")
def test_refresh_grant(check: Check, refreshed: Refreshed) -> None:
    response, body = refreshed.response, refreshed.body
    check.response(response, label="refresh")
    check.require(
        response.status_code == 200,
        f"the refresh grant answered HTTP {response.status_code}: "
        f"{body.get('error')} {body.get('error_description') or ''}",
    )
    media = response.headers.get("Content-Type", "").split(";")[0].strip()
    check.must(media == "application/json", f"Content-Type {media!r}", field="Content-Type")
    check.must(
        "no-store" in cache_directives(response),
        "no Cache-Control: no-store",
        clause="RFC 6749 §5.1",
        field="Cache-Control",
    )
    check.must(
        body.get("access_token") and body["access_token"] != refreshed.original.access_token,
        "no new access_token",
        field="access_token",
    )
    check.must(
        str(body.get("token_type", "")).lower() == "bearer",
        f"token_type is {body.get('token_type')!r}",
        field="token_type",
    )
    check.should("expires_in" in body, "expires_in is absent", field="expires_in")


@case("REF-03")
def test_rotation(check: Check, refreshed: Refreshed) -> None:
    new = refreshed.body.get("refresh_token")
    check.must(
        new,
        "the refresh response has no new refresh_token: the public client's token is not rotated",
        field="refresh_token",
    )
    check.must(
        new != refreshed.original.refresh_token,
        "the 'new' refresh_token is the old one",
        field="refresh_token",
    )


@case("REF-04")
def test_rotated_token_refused(check: Check, reuse: Reuse) -> None:
    immediate = reuse.immediate
    check.record(
        "immediate reuse", f"HTTP {immediate.status_code} {(json_body(immediate) or {}).get('error') or ''}"
    )
    if reuse.delayed is None:
        pytest.skip("the grace window needs --slow (or the mock's clock)")
    check.record("grace window (s)", reuse.waited)
    token_error(
        check,
        reuse.delayed,
        f"rotated refresh token {reuse.waited:.0f} s later",
        {"invalid_grant"},
        clause="RFC 9700 §4.14.2",
    )


@case("REF-05")
def test_reuse_revokes_grant(check: Check, reuse: Reuse, module_oauth: OAuth) -> None:
    newest_refresh = reuse.newest.get("refresh_token")
    if newest_refresh:
        response = module_oauth.refresh(newest_refresh)
        check.should(
            response.status_code != 200,
            "after a rotated refresh token was replayed, the newest refresh "
            "token still works (no reuse detection)",
            field="refresh_token",
        )
    newest_access = reuse.newest.get("access_token")
    if newest_access:
        response = module_oauth.userinfo(newest_access)
        check.should(
            response.status_code == 401,
            f"after the replay the newest access token still works at userinfo (HTTP {response.status_code})",
            field="access_token",
        )


@case("REF-06")
def test_refreshed_id_token(
    check: Check, refreshed: Refreshed, jwks: Jwks, discovery: Discovery, oauth: OAuth
) -> None:
    token = refreshed.body.get("id_token")
    check.record("id_token in the refresh response", token is not None)
    if not token:
        return
    try:
        kid = parse_compact(token).header.get("kid")
        new = validate_id_token(
            token,
            keys=jwks.find(kid),
            issuer=discovery.issuer,
            client_id=oauth.client_id,
            now=refreshed.original.received_at + 2,
        )
    except IdTokenError as error:
        check.must(False, f"the refreshed id_token is invalid: {error}", field="id_token")
        return
    old = refreshed.original.id_claims
    for claim in ("iss", "sub", "aud"):
        check.must(new.get(claim) == old.get(claim), f"{claim} changed on refresh", field=claim)
    check.must(new.get("iat", 0) > old.get("iat", 0), "iat is not newer than the original", field="iat")
    check.must(
        new.get("auth_time") == old.get("auth_time"), "auth_time changed on refresh", field="auth_time"
    )
    check.must(("azp" in new) <= ("azp" in old), "azp appeared on refresh", field="azp")
    check.must(new.get("nonce") in (None, old.get("nonce")), "nonce changed on refresh", field="nonce")


@case("REF-07")
def test_scope_narrowing_and_widening(check: Check, oauth: OAuth) -> None:
    original = oauth.tokens()
    original_refresh = refresh_token_of(check, original)
    narrowed = oauth.refresh(original_refresh, scope="openid")
    body = json_body(narrowed) or {}
    check.must(
        narrowed.status_code == 200,
        f"narrowing to scope=openid answered HTTP {narrowed.status_code}",
        field="scope",
    )
    granted = set(str(body.get("scope") or "openid").split())
    check.must(
        granted <= set(str(original.body.get("scope") or original.flow.scope).split()),
        f"narrowing granted {sorted(granted)}, more than the original",
        field="scope",
    )
    second = oauth.tokens()
    second_refresh = refresh_token_of(check, second)
    widened = oauth.refresh(second_refresh, scope=f"{second.flow.scope} admin")
    token_error(check, widened, "widening with scope admin", {"invalid_scope"})


@case("REF-08")
def test_other_client(check: Check, oauth: OAuth, options: Options) -> None:
    tokens = oauth.tokens()
    refresh_token = refresh_token_of(check, tokens)
    for client_id in (options.second_client_id, "conformance-unknown-client"):
        response = oauth.refresh(refresh_token, client_id=client_id)
        token_error(
            check,
            response,
            f"refresh as {client_id}",
            {"invalid_grant", "invalid_client"},
            clause="RFC 6749 §10.4",
        )


@case("REF-09")
def test_without_client_id(check: Check, oauth: OAuth) -> None:
    tokens = oauth.tokens()
    refresh_token = refresh_token_of(check, tokens)
    response = oauth.refresh(refresh_token, client_id=None)
    check.record(
        "outcome", f"HTTP {response.status_code} {(json_body(response) or {}).get('error') or ''}".strip()
    )
    check.expect(
        response.status_code != 200, "a refresh without client_id was accepted (rejection preferred)"
    )


@case("REF-10")
def test_garbage_refresh_token(check: Check, oauth: OAuth) -> None:
    token_error(check, oauth.refresh(secrets.token_urlsafe(32)), "garbage refresh token", {"invalid_grant"})


@case("REF-11")
def test_new_access_token_works(check: Check, refreshed: Refreshed, oauth: OAuth, platform: Platform) -> None:
    new = refreshed.body.get("access_token")
    check.needs(new, "no refreshed access token (see REF-02)")
    check.must(oauth.userinfo(new).status_code == 200, "the refreshed access token is refused at userinfo")
    check.must(
        platform.user_info(new).status_code == 200,
        "the refreshed access token is refused at /user-info",
        clause="contract",
    )
    old = oauth.userinfo(refreshed.original.access_token).status_code
    check.record("old access token at userinfo", old)


@case("REF-12")
def test_refresh_after_revocation(check: Check, oauth: OAuth, discovery: Discovery) -> None:
    if not discovery.get("revocation_endpoint"):
        pytest.skip("no revocation_endpoint advertised")
    tokens = oauth.tokens()
    refresh_token = refresh_token_of(check, tokens)
    revoked = oauth.revoke(refresh_token, hint="refresh_token")
    check.needs(revoked.status_code == 200, f"revocation answered HTTP {revoked.status_code} (see REV-01)")
    token_error(check, oauth.refresh(refresh_token), "refresh after revocation", {"invalid_grant"})


@case("REF-13")
def test_refresh_lifetime(check: Check, oauth: OAuth, clock: Clock) -> None:
    tokens = oauth.tokens()
    refresh_token = refresh_token_of(check, tokens)
    advertised = {k: v for k, v in tokens.body.items() if "refresh" in k and k != "refresh_token"}
    check.record("advertised", advertised or "nothing")
    if not clock.controllable:
        check.record("idle expiry", "not measured: needs days on a real clock")
        return
    with clock.passing(31 * 24 * 3600):
        response = oauth.refresh(refresh_token)
    check.record(
        "after 31 idle days", f"HTTP {response.status_code} {(json_body(response) or {}).get('error') or ''}"
    )
