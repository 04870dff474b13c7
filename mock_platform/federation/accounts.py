"""Who an upstream sign-in is in the directory: the user with the upstream's e-mail address, compared
without case, or a new user made at the first sign-in, as Platform makes one (unless creation is off).

Every check runs before anything is written: a refused sign-in leaves the directory as it was.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any

from ..allow_list import ADDRESS, AllowList
from ..directory import User
from ..errors import ConfigError
from ..live import Platform
from .upstream import SignInFailed

USER_NAME_LENGTH = 40
NOT_IN_USER_NAMES = re.compile(r"[^a-z0-9._-]+")


def directory_user(platform: Platform, claims: Mapping[str, Any], allow_list: AllowList) -> User:
    email = claims.get("email")
    if not isinstance(email, str) or not ADDRESS.match(email):
        raise SignInFailed(
            "the identity provider's ID token has no e-mail address (claim email); configure its client "
            "for this server to release the email claim"
        )
    if claims.get("email_verified") is False:
        raise SignInFailed(f"the identity provider has not verified the address {email}", refused=True)
    if not allow_list.allows(email):
        raise SignInFailed(
            f"{email} is not on the allow-list of e-mail addresses that may sign in here; ask the "
            "administrator to add it (MOCK_PLATFORM_UPSTREAM_ALLOW_LIST)",
            refused=True,
        )
    user = platform.directory.find_user(email)
    if user is not None:
        return user
    if not platform.settings.upstream_create_users:
        raise SignInFailed(
            f"no user of this Platform has the e-mail address {email}, and users are not created at their "
            "first sign-in here (MOCK_PLATFORM_UPSTREAM_CREATE_USERS=off); ask the administrator to add you",
            refused=True,
        )
    return _create_user(platform, email, claims)


def _create_user(platform: Platform, email: str, claims: Mapping[str, Any]) -> User:
    entry: dict[str, Any] = {
        "userName": _free_user_name(platform, email),
        "email": email,
        # Nobody knows it: the user signs in through the upstream until an operator sets one.
        "password": secrets.token_urlsafe(24),
    }
    for claim, key in (("given_name", "firstName"), ("family_name", "lastName")):
        if isinstance(claims.get(claim), str) and claims[claim]:
            entry[key] = claims[claim]
    try:
        return platform.add_user(entry)
    except ConfigError as error:
        raise SignInFailed(f"a new user for {email} could not be added to the directory: {error}") from None


def _free_user_name(platform: Platform, email: str) -> str:
    """The address's local part in the characters a userName may have, numbered when already taken."""
    local = NOT_IN_USER_NAMES.sub("-", email.split("@")[0].lower()).lstrip("._-") or "user"
    base = local[:USER_NAME_LENGTH].rstrip("._-") or "user"
    candidate, number = base, 1
    while platform.directory.find_user(candidate) is not None:
        number += 1
        suffix = str(number)
        candidate = base[: USER_NAME_LENGTH - len(suffix)] + suffix
    return candidate
