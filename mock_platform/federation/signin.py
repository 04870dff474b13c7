"""Federated sign-in as the authorization server's external sign-in, and the way back from it.

`FederatedSignIn.start` keeps the authorize request in the session and sends the browser upstream;
`FederatedSignIn.finish` checks the upstream's answer at Platform's callback path, signs the user in
and sends the browser back to the same authorize request, which `ReturningSignIn` then answers with
the signed-in user whatever `prompt=login` or `max_age` asked: the sign-in has just happened.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Response, redirect, request, session

from ..allow_list import AllowList
from ..live import Platform
from ..oidc.signin import SignInAttempt, session_subject
from ..settings import Settings
from ..tokens import Subject
from . import callback_url, pending
from .accounts import directory_user
from .pages import failure_page
from .pending import PendingSignIn
from .upstream import SignInFailed, UpstreamProvider


class FederatedSignIn:
    label = "Sign in with OpenID Connect"

    def __init__(self, upstream: UpstreamProvider, settings: Settings) -> None:
        self.upstream = upstream
        self.allow_list = AllowList(settings.upstream_allow_list)

    def start(self, platform: Platform, attempt: SignInAttempt) -> Response:
        try:
            sent = self.upstream.authorization(
                callback_url(platform.settings),
                login_hint=attempt.login_hint,
                prompt="login" if "login" in attempt.prompts else None,
            )
        except SignInFailed as failure:
            return failure_page(failure, attempt)
        pending.remember(sent.state, PendingSignIn.of(attempt, sent, platform.now()))
        return redirect(sent.url, 303 if request.method == "POST" else 302)

    def finish(self, platform: Platform, sign_in: PendingSignIn) -> Response:
        """The upstream's answer to `sign_in`: the user signed in and sent back to authorize, or SignInFailed."""
        answer = request.args
        if error := answer.get("error"):
            raise _upstream_error(error, answer.get("error_description"))
        if platform.now() - sign_in.started > pending.LIFETIME:
            raise SignInFailed(
                f"the sign-in at the identity provider took longer than {pending.LIFETIME // 60} minutes; "
                "start it again from your application"
            )
        if "iss" in answer and answer["iss"] != self.upstream.issuer:  # RFC 9207 §2.4
            raise SignInFailed(f"the answer names the issuer {answer['iss']}, not {self.upstream.issuer}")
        if not answer.get("code"):
            raise SignInFailed("the identity provider came back without an authorization code")
        claims = self.upstream.identity(
            answer["code"], sign_in.nonce, sign_in.code_verifier, callback_url(platform.settings)
        )
        user = directory_user(platform, claims, self.allow_list)
        pending.start_session_keeping_pending(platform, user)
        pending.mark_returning(sign_in.parameters)
        return redirect(f"{platform.settings.issuer}/oauth/authorize?{urlencode(sign_in.parameters)}", 303)


class ReturningSignIn:
    """The authorize request a federated sign-in has just completed: the user it signed in."""

    def may_sign_in(self, platform: Platform, login_hint: str | None) -> bool:
        return pending.RETURNING in session

    def sign_in(self, platform: Platform, attempt: SignInAttempt) -> Subject | None:
        return session_subject(platform) if pending.is_returning(attempt.parameters) else None


def _upstream_error(error: str, description: str | None) -> SignInFailed:
    detail = f" ({description})" if description else ""
    if error in ("access_denied", "login_required", "interaction_required", "consent_required"):
        return SignInFailed(f"the identity provider did not sign you in: {error}{detail}", refused=True)
    return SignInFailed(f"the identity provider answered with the error {error}{detail}")
