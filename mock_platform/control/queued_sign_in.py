"""The identity queue as a sign-in source: `POST /_mock/identity` names who signs in at the next
authorize of a client, before headless sign-in and the browser session are asked."""

from __future__ import annotations

from ..oidc.signin import SignInAttempt
from ..runtime import Runtime
from ..tokens import Subject


class QueuedIdentitySignIn:
    def may_sign_in(self, runtime: Runtime, login_hint: str | None) -> bool:
        return runtime.state.queued_identities > 0

    def sign_in(self, runtime: Runtime, attempt: SignInAttempt) -> Subject | None:
        if runtime.state.queued_identities <= 0:
            return None
        popped = runtime.store.pop_identity(attempt.client_id)
        if popped is None:
            return None
        user_id, claims = popped
        user = runtime.directory.find_user(user_id)
        return Subject(user, int(runtime.now()), claims) if user is not None else None
