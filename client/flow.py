"""The whole Authorization Code + PKCE login (``OidcLoginFlow``)."""

from collections.abc import Mapping
from typing import Any

from . import defects
from .browser import Browser
from .callback import DEFAULT_TIMEOUT, CallbackServer
from .discovery import discover
from .exchange import exchange_code
from .pkce import compute_challenge, generate_state, generate_verifier
from .transport import form_body

DEFAULT_SCOPES = "openid profile email offline_access"
REUSED_VERIFIER = "verifier-reused-by-a-deliberate-client-defect"


def build_authorize_url(
    authorization_endpoint: str,
    *,
    client_id: str,
    scope: str,
    redirect_uri: str,
    state: str,
    code_challenge: str,
    audience: str | None = None,
    extra_params: Mapping[str, str] | None = None,
    code_challenge_method: str = "S256",
) -> str:
    """The authorize URL with the parameters in the real clients' order.

    Without ``audience`` it is lib-platform-oidc's order; with one, the Seqera CLI's (which moves
    ``scope`` before ``response_type``). ``extra_params`` (e.g. ``login_hint``) go last. The ``?`` is
    appended blindly, as both clients do.
    """
    if audience is None:
        params = [("client_id", client_id), ("response_type", "code"), ("scope", scope)]
    else:
        params = [
            ("client_id", client_id),
            ("audience", audience),
            ("scope", scope),
            ("response_type", "code"),
        ]
    params += [
        ("redirect_uri", redirect_uri),
        ("state", state),
        ("code_challenge", code_challenge),
        ("code_challenge_method", code_challenge_method),
    ]
    params += (extra_params or {}).items()
    return f"{authorization_endpoint}?{form_body(params)}"


def login(
    endpoint: str,
    client_id: str,
    browser: Browser,
    scopes: str = DEFAULT_SCOPES,
    timeout: float = DEFAULT_TIMEOUT,
    extra_params: Mapping[str, str] | None = None,
    callback_port: int = 0,
    callback_fallback_ports: int = 0,
    audience: str | None = None,
) -> dict[str, Any]:
    """Run the login and return the token response; the callback server is stopped whatever happens."""
    config = discover(endpoint)
    verifier = REUSED_VERIFIER if defects.active("verifier-reused") else generate_verifier()
    state = generate_state()
    plain = defects.active("pkce-plain")
    with CallbackServer(state, callback_port, callback_fallback_ports) as server:
        browser(
            build_authorize_url(
                config.authorization_endpoint,
                client_id=client_id,
                scope=scopes,
                redirect_uri=server.redirect_uri,
                state=state,
                code_challenge=verifier if plain else compute_challenge(verifier),
                audience=audience,
                extra_params=extra_params,
                code_challenge_method="plain" if plain else "S256",
            )
        )
        code = server.wait(timeout)
        tokens = exchange_code(config.token_endpoint, client_id, code, verifier, server.redirect_uri)
    if defects.active("token-printed"):
        print(f"access token: {tokens['access_token']}", flush=True)
    return tokens
