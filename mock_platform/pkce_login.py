"""The steps of an authorization code + PKCE login, headless or not, whatever sends the requests.

One helper for `mock_platform.testing.oidc_login` (and so the pytest plugin), the project's tests and
the benchmarks, which send the same requests through requests, werkzeug's test client or a raw
`http.client` connection:

    login = PkceLogin("nextflow_cli", login_hint="alice")
    response = http.get(authorize_endpoint, params=login.authorize_query(), allow_redirects=False)
    code = login.code_from(response.headers["Location"])
    tokens = http.post(token_endpoint, data=login.token_form(code)).json()

The conformance suite keeps its own flow: it must run against any provider without this package.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from authlib.oauth2.rfc7636 import create_s256_code_challenge

DEFAULT_SCOPE = "openid profile email offline_access"
DEFAULT_REDIRECT_URI = "http://127.0.0.1:53682/callback"


class CallbackError(Exception):
    """The authorize response did not deliver a code for this login: an error, a wrong state, or none."""


@dataclass
class PkceLogin:
    """One login's parameters: `login_hint` signs the user in without a page (None: nobody is named,
    for a queued identity, auto-login or another sign-in)."""

    client_id: str = "nextflow_cli"
    login_hint: str | None = "alice"
    redirect_uri: str = DEFAULT_REDIRECT_URI
    scope: str = DEFAULT_SCOPE
    nonce: str | None = None
    verifier: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    state: str = field(default_factory=lambda: secrets.token_urlsafe(16))

    def authorize_query(self, **extra: str | None) -> dict[str, str]:
        """The CLI's authorize parameters, in its order, then `extra`; a None value leaves a parameter out."""
        query: dict[str, str | None] = {
            "client_id": self.client_id,
            "response_type": "code",
            "scope": self.scope,
            "redirect_uri": self.redirect_uri,
            "state": self.state,
            "code_challenge": create_s256_code_challenge(self.verifier),
            "code_challenge_method": "S256",
            "login_hint": self.login_hint,
            "nonce": self.nonce,
            **extra,
        }
        return {key: value for key, value in query.items() if value is not None}

    def code_from(self, location: str) -> str:
        """The code a redirect to the callback carries, after checking that it answers this login."""
        if not location.startswith(self.redirect_uri):
            raise CallbackError(f"redirected to {location[:200]!r}, not to {self.redirect_uri}")
        callback = dict(parse_qsl(urlsplit(location).query, keep_blank_values=True))
        if "error" in callback:
            raise CallbackError(f"error={callback['error']}: {callback.get('error_description', '')}")
        if callback.get("state") != self.state:
            raise CallbackError(f"the callback's state {callback.get('state')!r} is not {self.state!r}")
        if not callback.get("code"):
            raise CallbackError("the callback carries no code")
        return callback["code"]

    def token_form(self, code: str) -> dict[str, str]:
        """The code exchange, fields in Nextflow's order (seqera-contract.md §1.7)."""
        return {
            "grant_type": "authorization_code",
            "client_id": self.client_id,
            "code": code,
            "code_verifier": self.verifier,
            "redirect_uri": self.redirect_uri,
        }
