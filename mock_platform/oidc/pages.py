"""What the provider's pages say: the scopes a consent grants, and an explanation for each error page.

An error page is shown only when the error cannot go back to the application (its client or
redirect URI could not be trusted, RFC 6749 §4.1.2.1), when a form came from another site, or when
a sign-out request is wrong; each case says what happened and what to do about it.
"""

from __future__ import annotations

from dataclasses import dataclass

from authlib.oauth2.rfc6749 import scope_to_list
from flask import render_template, request

from ..clients import Client
from ..live import current_platform

CHECK_CLIENTS = "<code class='command'>mock-platform check-config</code> lists the registered clients"


@dataclass(frozen=True)
class ScopeRow:
    name: str
    meaning: str
    granted: bool


def scope_meanings(refresh_token_days: int) -> dict[str, str]:
    return {
        "openid": "sign you in: it learns your user id (OpenID Connect)",
        "profile": "read your name and user name",
        "email": "read your e-mail address",
        "offline_access": (
            "stay signed in: a refresh token lets it get new access tokens without asking you, until it "
            f"signs out, the token is revoked, or it goes unused for {refresh_token_days} days"
        ),
    }


def scope_rows(client: Client, requested: str | None) -> list[ScopeRow]:
    """Each requested scope, what it allows, and whether the client is registered for it (granted)."""
    meanings = scope_meanings(max(1, current_platform().settings.refresh_token_lifetime // 86400))
    granted = set(scope_to_list(client.get_allowed_scope(requested) or ""))
    return [
        ScopeRow(name, meanings.get(name, "a scope this mock gives no meaning to"), name in granted)
        for name in dict.fromkeys(scope_to_list(requested or ""))
    ]


@dataclass(frozen=True)
class Explanation:
    heading: str
    text: str  # markup: written here, never from a request


SIGN_IN = "The sign-in request cannot be completed"
SIGN_OUT = "The sign-out request cannot be completed"
NOT_SENT_BACK = (
    "The error was not sent back to the application: the mock sends errors only to a redirect URI "
    "registered for a known client, so that no one can use it to redirect elsewhere."
)
EXPLANATIONS: dict[tuple[str, str, int], Explanation] = {
    ("authorize", "invalid_client", 400): Explanation(
        SIGN_IN,
        "The application sent no <code>client_id</code>, or one this mock does not know. "
        + NOT_SENT_BACK
        + f" Check the <code>client_id</code> it sends: {CHECK_CLIENTS}; add one with a config file "
        "(<code>clients:</code>) or <code>POST /_mock/clients</code>.",
    ),
    ("authorize", "invalid_request", 400): Explanation(
        SIGN_IN,
        "The application's request is incomplete or repeats a parameter, or its <code>redirect_uri</code> "
        "is missing or not registered for the client. "
        + NOT_SENT_BACK
        + f" Compare what it sends with the client's registration ({CHECK_CLIENTS}): a loopback "
        "registration such as <code>http://127.0.0.1/callback</code> takes any port, and "
        "<code>localhost</code> is not <code>127.0.0.1</code>.",
    ),
    ("authorize", "unsupported_response_type", 400): Explanation(
        SIGN_IN,
        "The application asked for a flow other than the authorization code flow "
        "(<code>response_type=code</code>), the only one Seqera Platform and this mock support, and its "
        f"<code>redirect_uri</code> could not be trusted either. {NOT_SENT_BACK}",
    ),
    ("authorize", "invalid_request", 403): Explanation(
        SIGN_IN,
        "This form was sent from a page of another site. The mock accepts its sign-in and consent forms "
        "only from its own pages, so that no other site can sign you in as someone else or answer for "
        "you. Start the sign-in again from your application.",
    ),
    ("end_session", "invalid_request", 400): Explanation(
        SIGN_OUT,
        "The application's sign-out request carries an <code>id_token_hint</code> this mock cannot "
        "accept: not an ID token it issued (an access token, another provider's token, or a damaged "
        "one), or one for another client than <code>client_id</code>. You are still signed in. The "
        "hint must be the <code>id_token</code> of the application's own token response; an expired "
        "one is fine.",
    ),
    ("end_session", "invalid_request", 403): Explanation(
        SIGN_OUT,
        "This sign-out form was sent from a page of another site; the mock accepts it only from its own "
        "confirmation page. You are still signed in.",
    ),
}
FALLBACK = {
    "authorize": Explanation(
        SIGN_IN,
        f"{NOT_SENT_BACK} Start the sign-in again from the application; the mock's request log "
        "(<code>GET /_mock/requests</code>) shows what it sent.",
    ),
    "end_session": Explanation(
        SIGN_OUT, "You are still signed in. Start the sign-out again from the application."
    ),
}


def explanation(where: str, error: str, status: int) -> Explanation:
    return EXPLANATIONS.get((where, error, status)) or FALLBACK[where]


def error_page(error: str, description: str, status: int) -> tuple[str, int]:
    """The error page of the authorize or end-session request being answered."""
    where = "end_session" if request.endpoint == "oidc.end_session" else "authorize"
    page = render_template(
        "error.html", error=error, description=description, explanation=explanation(where, error, status)
    )
    return page, status
