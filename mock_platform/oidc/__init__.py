"""The OpenID Connect provider: authlib's AuthorizationServer plus the endpoint views.

Other layers extend it through `add_sign_in_source`, `add_authorize_check` and `set_external_sign_in`
(the control API's identity queue and fault injection, federated sign-in); the provider imports none
of them.
"""

from collections.abc import Callable

from flask import Flask, Response

from ..defects import with_defects
from ..http import json_response
from ..live import Platform, current_platform
from . import flaws  # noqa: F401 - registers the flawed variants with_defects can switch in
from .pages import scope_rows
from .server import SERVER, PlatformAuthorizationServer
from .signin import ExternalSignIn, SignInSource
from .views import bp, discovery_response


def init_app(app: Flask, platform: Platform) -> None:
    app.extensions[SERVER] = with_defects(PlatformAuthorizationServer, platform.settings.defects)(platform)
    app.register_blueprint(bp, url_prefix=platform.settings.api_path)
    app.jinja_env.globals["scope_rows"] = scope_rows  # the consent page's list of scopes
    settings = platform.settings
    if issuer_path := settings.base_path + settings.api_path:
        # RFC 8414 §3.1: the well-known segment goes between the host and the issuer's whole path
        app.add_url_rule(
            f"/.well-known/oauth-authorization-server{issuer_path}", "rfc8414_metadata", discovery_response
        )
    if settings.api_path:
        app.add_url_rule("/.well-known/openid-configuration", "discovery_at_root", discovery_at_root)


def add_sign_in_source(app: Flask, source: SignInSource) -> None:
    """Ask `source` first, before headless sign-in and the browser session, at every authorize."""
    app.extensions[SERVER].sign_in_sources.insert(0, source)


def add_authorize_check(app: Flask, check: Callable[[], None]) -> None:
    """Run `check` at every authorize once client and redirect_uri are valid; an OAuth2Error it
    raises goes back to the client's redirect_uri."""
    app.extensions[SERVER].authorize_checks.append(check)


def set_external_sign_in(app: Flask, sign_in: ExternalSignIn) -> None:
    """Offer `sign_in` on the sign-in page; with local login off, authorize goes to it directly."""
    app.extensions[SERVER].external_sign_in = sign_in


def discovery_at_root() -> Response:
    """404 as before, but saying where the API is: `-url http://host:8080` without `/api` is easy to type."""
    issuer = current_platform().settings.issuer
    message = f"no API here: the API root and issuer is {issuer}; log in with e.g. nextflow auth login -url {issuer}"
    return json_response({"message": message}, 404)


__all__ = ["add_authorize_check", "add_sign_in_source", "bp", "init_app", "set_external_sign_in"]
