"""Who is signing in at the authorize endpoint: the browser session, headless sign-in, the queue.

Headless paths, for tests and CI with no person at a browser:
- `MOCK_PLATFORM_AUTO_LOGIN=<user>` signs that user in on every authorize;
- `login_hint=<userName|email>` signs that user in without a page (unless headless login is off);
- an identity queued with `POST /_mock/identity` is used by the next authorize of its client.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import session

from ..directory import User
from ..runtime import Runtime
from ..tokens import Subject

SESSION_USER = "uid"
SESSION_AUTH_TIME = "auth_time"


def session_subject(runtime: Runtime) -> Subject | None:
    user_id, auth_time = session.get(SESSION_USER), session.get(SESSION_AUTH_TIME)
    if user_id is None or not isinstance(auth_time, int):
        return None
    now = runtime.now()
    # A sign-in "in the future" happened under a clock that has since been moved back (DELETE
    # /_mock/clock): its age is unknown, so max_age could never expire it. Sign in again.
    if auth_time > now or auth_time + runtime.settings.session_lifetime <= now:
        return None
    user = runtime.directory.find_user(user_id)
    return Subject(user, auth_time) if user else None


def start_session(runtime: Runtime, user: User, claims: Mapping | None = None) -> Subject:
    auth_time = int(runtime.now())
    session.clear()
    session.permanent = True
    session[SESSION_USER] = user.id
    session[SESSION_AUTH_TIME] = auth_time
    return Subject(user, auth_time, claims or {})


def headless_user(runtime: Runtime, login_hint: str | None) -> User | None:
    """The auto-login user, else the user named by login_hint when headless sign-in is on."""
    settings = runtime.settings
    if settings.auto_login:
        return runtime.directory.find_user(settings.auto_login)
    if settings.headless_login and login_hint:
        return runtime.directory.find_user(login_hint)
    return None


def queued_subject(runtime: Runtime, client_id: str) -> Subject | None:
    if runtime.state.queued_identities <= 0:
        return None
    popped = runtime.store.pop_identity(client_id)
    if popped is None:
        return None
    user_id, claims = popped
    user = runtime.directory.find_user(user_id)
    if user is None:
        return None
    return Subject(user, int(runtime.now()), claims)
