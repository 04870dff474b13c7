"""Federated sign-in (Enterprise SSO), configured as Platform Enterprise configures it.

With `upstream_issuer` set (or Platform's TOWER_OIDC_ISSUER), the mock is a relying party of that
OpenID Connect provider, registered there with Platform's redirect URI `{base_url}/oauth/callback/oidc`.
The sign-in page offers "Sign in with OpenID Connect"; with local login off, authorize goes there
directly. The authorize request waits in the signed session cookie while the user signs in upstream;
once the answer is checked, the user is the directory user with the upstream's e-mail (created at
the first sign-in unless that is off), and the same authorize request then issues the mock's own code.
The CLIs never see the upstream's tokens.
"""

from __future__ import annotations

from flask import Flask

from .. import oidc
from ..live import Platform
from ..settings import Settings

CALLBACK_PATH = "/oauth/callback/oidc"  # Platform's, at the server root


def callback_url(settings: Settings) -> str:
    return settings.public_base_url + CALLBACK_PATH


def init_app(app: Flask, platform: Platform) -> None:
    settings = platform.settings
    if not settings.upstream_issuer:
        return
    # Here, not at the top: authlib's client and requests cost start-up time only where they are used.
    from .signin import FederatedSignIn, ReturningSignIn
    from .upstream import UpstreamProvider
    from .views import FEDERATION, bp

    federation = FederatedSignIn(UpstreamProvider(app, settings), settings)
    app.extensions[FEDERATION] = federation
    oidc.set_external_sign_in(app, federation)
    oidc.add_sign_in_source(app, ReturningSignIn())
    app.register_blueprint(bp)


def summary(settings: Settings) -> str:
    """One line for the start-up banner and check-config: what to register at the upstream provider."""
    secret = "with a secret" if settings.upstream_client_secret else "public, no secret"
    allow_list = ", ".join(sorted(settings.upstream_allow_list)) or "none (every address)"
    return (
        f"federated sign-in: {settings.upstream_issuer} as client {settings.upstream_client_id} ({secret}); "
        f"register the redirect URI {callback_url(settings)} there; allow-list {allow_list}; "
        f"users {'created' if settings.upstream_create_users else 'not created'} at first sign-in; "
        f"password sign-in {'on' if settings.local_login else 'off'}"
    )


__all__ = ["callback_url", "init_app", "summary"]
