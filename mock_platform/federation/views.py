"""Platform's callback for its OpenID Connect provider, `/oauth/callback/oidc` at the server root."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from ..live import current_platform
from . import CALLBACK_PATH, pending
from .pages import failure_page
from .signin import FederatedSignIn
from .upstream import SignInFailed

FEDERATION = "mock_platform.federation"  # its key in app.extensions

bp = Blueprint("federation", __name__)


@bp.get(CALLBACK_PATH)
def callback() -> Response:
    federation: FederatedSignIn = current_app.extensions[FEDERATION]
    sign_in = pending.take(request.args.get("state"))
    if sign_in is None:
        mismatch = SignInFailed(
            "the identity provider's answer does not belong to a sign-in in progress in this browser (its "
            "state matches none); it may be old, or come from elsewhere",
            status=400,
        )
        return failure_page(mismatch, pending.take_only())
    try:
        return federation.finish(current_platform(), sign_in)
    except SignInFailed as failure:
        return failure_page(failure, sign_in)
