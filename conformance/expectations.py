"""Judgements several groups share: refused redirects, error redirects, token endpoint errors."""

from __future__ import annotations

import random
import secrets
from collections.abc import Collection
from typing import Any

import requests

from .checks import Check
from .login import Navigation
from .oauth import Flow

# RFC 6749 §5.2 plus the extensions registered for the token endpoint.
TOKEN_ERRORS = {
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    "invalid_target",
    "invalid_dpop_proof",
    "use_dpop_nonce",
    "authorization_pending",
    "slow_down",
    "access_denied",
    "expired_token",
}
ERROR_CHARSET = {chr(c) for c in range(0x20, 0x7F)} - {'"', "\\"}


def long_state(length: int = 128) -> str:
    """Unreserved characters mixed with `+`, `/` and `=`, which must travel percent-encoded."""
    body = list(secrets.token_urlsafe(length)[: length - 6] + "+/=+/=")
    random.shuffle(body)
    return "".join(body)


def refused(check: Check, navigation: Navigation, label: str) -> None:
    """The provider must keep the browser: an error on its own origin, nothing sent anywhere."""
    check.record(
        label, f"{navigation.final_status} page" if navigation.stayed else f"redirect to {navigation.left_to}"
    )
    check.must(
        navigation.left_to is None,
        f"{label}: the provider redirected the browser to {navigation.left_to} "
        f"(HTTP {navigation.redirect_status})",
        field="redirect_uri",
    )
    check.must(not navigation.hits, f"{label}: the listener received {len(navigation.hits)} request(s)")


def error_or_page(
    check: Check,
    navigation: Navigation,
    flow: Flow,
    label: str,
    codes: set[str],
    *,
    page_is_warning: bool = False,
) -> str | None:
    """An error redirect to the valid redirect_uri (with the state) or an error page; never a code."""
    hit = navigation.hit
    if hit is None:
        check.must(navigation.left_to is None, f"{label}: redirected to {navigation.left_to}")
        check.record(label, f"error page ({navigation.final_status})")
        if page_is_warning:
            check.should(False, f"{label}: an error page instead of an error redirect to the client")
        return None
    error = hit.param("error")
    check.must(hit.param("code") is None, f"{label}: the provider issued a code", field="code")
    check.must(error in codes, f"{label}: error={error!r}, expected one of {sorted(codes)}", field="error")
    check.must(hit.param("state") == flow.state, f"{label}: the state was not echoed", field="state")
    check.record(label, f"redirect error={error}")
    return error


def json_body(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def token_error(
    check: Check,
    response: requests.Response,
    label: str,
    expected: set[str],
    *,
    tolerated: Collection[str] = (),
    clause: str | None = None,
) -> str | None:
    """A refused token request: 400 (401 only for invalid_client), JSON, one of the expected codes.

    A code in `tolerated` passes with a warning (e.g. invalid_request for a missing code_verifier).
    """
    body = json_body(response)
    error = body.get("error") if isinstance(body, dict) else None
    check.record(label, f"HTTP {response.status_code} error={error}")
    if isinstance(body, dict) and "access_token" in body:
        check.must(
            False,
            f"{label}: tokens were issued (HTTP {response.status_code})",
            clause=clause,
            field="access_token",
        )
        return None
    allowed_status = {400, 401} if error == "invalid_client" else {400}
    check.must(
        response.status_code in allowed_status,
        f"{label}: HTTP {response.status_code}, expected 400",
        clause=clause or "RFC 6749 §5.2",
        field="status",
    )
    media = response.headers.get("Content-Type", "").split(";")[0].strip()
    check.must(
        media == "application/json",
        f"{label}: error body is {media or 'untyped'}, not JSON",
        clause="RFC 6749 §5.2",
        field="Content-Type",
    )
    if error in tolerated:
        check.should(
            False, f"{label}: error={error}, {sorted(expected)} preferred", clause=clause, field="error"
        )
    else:
        check.must(
            error in expected,
            f"{label}: error={error!r}, expected {' or '.join(sorted(expected))}",
            clause=clause,
            field="error",
        )
    return error
