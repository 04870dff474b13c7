"""Who is signed in at an authorize request that does not answer the sign-in form: the sign-in sources.

The authorization server asks its sources in turn; the first that names somebody wins. Built in:
- headless sign-in: `MOCK_PLATFORM_AUTO_LOGIN=<user>` on every authorize, or `login_hint=<userName|email>`
  without a page (unless headless login is off, or `prompt=login` asks for the form), for that
  request only: it starts no browser session;
- the browser session of an earlier sign-in on the sign-in page or through federated sign-in
  (unless `prompt=login` or `max_age` asks for a new one).
Other layers put their own sources in front (the control API's identity queue, the return from
federated sign-in). A layer may also register an external sign-in: another provider that the
sign-in page offers, and that authorize goes to directly when local login is off.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from flask import Response, session

from ..directory import User
from ..live import Platform
from ..tokens import Subject

SESSION_USER = "uid"
SESSION_USER_NAME = "user"
SESSION_AUTH_TIME = "auth_time"


@dataclass(frozen=True)
class SignInAttempt:
    """What an authorize request says about signing in, once client and redirect_uri are validated."""

    client_id: str
    login_hint: str | None
    prompts: frozenset[str]
    max_age_exceeded: bool
    redirect_uri: str = ""  # validated: where the answer to this request may go
    state: str | None = None
    # The request's own parameters, to ask it again after a sign-in elsewhere.
    parameters: tuple[tuple[str, str], ...] = ()


class SignInSource(Protocol):
    def may_sign_in(self, platform: Platform, login_hint: str | None) -> bool:
        """Whether somebody could be signed in, asked before the request is validated (prompt=none)."""
        ...

    def sign_in(self, platform: Platform, attempt: SignInAttempt) -> Subject | None: ...


class ExternalSignIn(Protocol):
    label: str  # the sign-in page's button

    def start(self, platform: Platform, attempt: SignInAttempt) -> Response:
        """Send the browser to the other provider; the sign-in comes back to `attempt.parameters`."""
        ...


class HeadlessSignIn:
    """Signs in for this one request and leaves no browser session behind.

    A login_hint sign-in asks nothing of the browser, so any site can start one with a link: a session
    from it would sign that browser in as the named user for hours, and the developer's next real
    login (no hint) would complete silently as that user (login CSRF). Auto-login leaves none either:
    while it is on it signs in at every request anyway, and a session left from it would outlive a
    restart without it, signing the browser in silently where the sign-in page should now appear.
    """

    def may_sign_in(self, platform: Platform, login_hint: str | None) -> bool:
        return headless_user(platform, login_hint) is not None

    def sign_in(self, platform: Platform, attempt: SignInAttempt) -> Subject | None:
        if "login" in attempt.prompts and not platform.settings.auto_login:
            return None
        user = headless_user(platform, attempt.login_hint)
        return Subject(user, int(platform.now())) if user is not None else None


class SessionSignIn:
    def may_sign_in(self, platform: Platform, login_hint: str | None) -> bool:
        return session_subject(platform) is not None

    def sign_in(self, platform: Platform, attempt: SignInAttempt) -> Subject | None:
        if "login" in attempt.prompts or attempt.max_age_exceeded:
            return None
        return session_subject(platform)


def session_subject(platform: Platform) -> Subject | None:
    user_id, auth_time = session.get(SESSION_USER), session.get(SESSION_AUTH_TIME)
    if user_id is None or not isinstance(auth_time, int):
        return None
    now = platform.now()
    # A sign-in "in the future" happened under a clock that has since been moved back (DELETE
    # /_mock/clock): its age is unknown, so max_age could never expire it. Sign in again.
    if auth_time > now or auth_time + platform.settings.session_lifetime <= now:
        return None
    user = platform.directory.find_user(user_id)
    # Ids are not given again until a reset; after one, a new user may have the id of one this
    # session signed in, and the name tells them apart.
    if user is None or user.user_name != session.get(SESSION_USER_NAME):
        return None
    return Subject(user, auth_time)


def start_session(platform: Platform, user: User, claims: Mapping | None = None) -> Subject:
    auth_time = int(platform.now())
    session.clear()
    session.permanent = True
    session[SESSION_USER] = user.id
    session[SESSION_USER_NAME] = user.user_name
    session[SESSION_AUTH_TIME] = auth_time
    return Subject(user, auth_time, claims or {})


def headless_user(platform: Platform, login_hint: str | None) -> User | None:
    """The auto-login user, else the user named by login_hint when headless and local sign-in are on
    (with local login off, login_hint goes on to the external sign-in)."""
    settings = platform.settings
    if settings.auto_login:
        return platform.directory.find_user(settings.auto_login)
    if settings.headless_login and settings.local_login and login_hint:
        return platform.directory.find_user(login_hint)
    return None
