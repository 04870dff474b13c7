"""The identity queue as a sign-in source: `POST /_mock/identity` names who signs in at the next
authorize of a client, before headless sign-in and the browser session are asked."""

from __future__ import annotations

from ..live import Platform
from ..oidc.signin import SignInAttempt
from ..tokens import Subject


class QueuedIdentitySignIn:
    def may_sign_in(self, platform: Platform, login_hint: str | None) -> bool:
        return platform.state.queued_identities > 0

    def sign_in(self, platform: Platform, attempt: SignInAttempt) -> Subject | None:
        if platform.state.queued_identities <= 0:
            return None
        popped = platform.store.pop_identity(attempt.client_id)
        if popped is None:
            return None
        user_id, claims = popped
        user = platform.directory.find_user(user_id)
        return Subject(user, int(platform.now()), claims) if user is not None else None
