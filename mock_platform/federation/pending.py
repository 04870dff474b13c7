"""Sign-ins in progress at the upstream provider, kept in the signed session cookie until it answers.

Each is keyed by the `state` sent upstream and remembers the mock's own authorize request: its
parameters, to ask it again once the user is signed in, and its already-validated redirect_uri and
state, where an error may be sent. With it go the secrets the upstream's answer is checked with
(nonce, PKCE verifier). The cookie is signed, so the browser can carry them but not change them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

from flask import session

from ..directory import User
from ..live import Platform
from ..oidc.signin import SignInAttempt, start_session
from ..tokens import Subject
from .upstream import UpstreamRequest

PENDING = "federated_sign_ins"
RETURNING = "federated_return"
MAX_PENDING = 4  # a few logins at once in one browser; older ones are forgotten (the cookie stays small)
LIFETIME = 600  # seconds a sign-in may take at the upstream provider


@dataclass(frozen=True)
class PendingSignIn:
    client_id: str
    redirect_uri: str
    state: str | None
    parameters: tuple[tuple[str, str], ...]
    nonce: str
    code_verifier: str
    started: int

    @classmethod
    def of(cls, attempt: SignInAttempt, upstream: UpstreamRequest, now: float) -> PendingSignIn:
        return cls(
            client_id=attempt.client_id,
            redirect_uri=attempt.redirect_uri,
            state=attempt.state,
            parameters=attempt.parameters,
            nonce=upstream.nonce,
            code_verifier=upstream.code_verifier,
            started=int(now),
        )


def remember(upstream_state: str, pending: PendingSignIn) -> None:
    entries = dict(_entries())
    entries[upstream_state] = asdict(pending)
    session[PENDING] = dict(list(entries.items())[-MAX_PENDING:])


def take(upstream_state: str | None) -> PendingSignIn | None:
    """The sign-in that sent `upstream_state`, forgotten here so that its answer counts once."""
    entries = dict(_entries())
    found = entries.pop(upstream_state, None) if upstream_state else None
    if found is not None:
        session[PENDING] = entries
    return _parsed(found)


def take_only() -> PendingSignIn | None:
    """The one sign-in in progress in this browser, if there is exactly one."""
    entries = _entries()
    if len(entries) != 1:
        return None
    return take(next(iter(entries)))


def start_session_keeping_pending(platform: Platform, user: User) -> Subject:
    """Sign `user` in (which clears the session) without losing the other sign-ins in progress."""
    entries = _entries()
    subject = start_session(platform, user)
    if entries:
        session[PENDING] = entries
    return subject


def mark_returning(parameters: tuple[tuple[str, str], ...]) -> None:
    session[RETURNING] = _fingerprint(parameters)


def is_returning(parameters: tuple[tuple[str, str], ...]) -> bool:
    """Whether this authorize request is the one a federated sign-in just completed (asked once)."""
    if session.get(RETURNING) != _fingerprint(parameters):
        return False
    session.pop(RETURNING)
    return True


def _entries() -> dict[str, Any]:
    entries = session.get(PENDING)
    return entries if isinstance(entries, dict) else {}


def _parsed(entry: Any) -> PendingSignIn | None:
    if not isinstance(entry, dict):
        return None
    try:
        return PendingSignIn(**{**entry, "parameters": tuple(tuple(pair) for pair in entry["parameters"])})
    except (TypeError, KeyError, ValueError):
        return None


def _fingerprint(parameters: tuple[tuple[str, str], ...]) -> str:
    return hashlib.sha256(json.dumps(parameters).encode()).hexdigest()
