"""The page a failed federated sign-in ends on: it names the cause and, when an application is waiting
for this sign-in, sends the browser back to it with the OAuth error, after a moment or at a click."""

from __future__ import annotations

import logging

from authlib.common.urls import add_params_to_uri
from flask import Response, make_response, render_template

from ..errors import as_error_text
from ..live import current_platform
from ..oidc.signin import SignInAttempt
from .pending import PendingSignIn
from .upstream import SignInFailed

RETURN_DELAY = 5  # seconds the page shows before the browser goes back to the application
DESCRIPTION_LENGTH = 300

log = logging.getLogger("mock_platform.federation")


def failure_page(failure: SignInFailed, waiting: SignInAttempt | PendingSignIn | None) -> Response:
    """`waiting`: the authorize request the sign-in was for; its redirect_uri was validated at authorize,
    so the error may go there. Without one the page is all there is."""
    log.warning("federated sign-in failed (%s): %s", failure.error, failure.message)
    return_url = client_name = None
    if waiting is not None and waiting.redirect_uri:
        answer = [
            ("error", failure.error),
            ("error_description", as_error_text(failure.message)[:DESCRIPTION_LENGTH]),
        ]
        if waiting.state:
            answer.append(("state", waiting.state))
        return_url = add_params_to_uri(waiting.redirect_uri, answer)
        client = current_platform().query_client(waiting.client_id)
        client_name = client.client_name if client else waiting.client_id
    page = render_template(
        "sign_in_failed.html",
        heading="Sign-in refused" if failure.error == "access_denied" else "Sign-in failed",
        failure=failure,
        return_url=return_url,
        client_name=client_name,
        delay=RETURN_DELAY,
    )
    return make_response(page, failure.status)
