"""The OpenID Connect provider: authlib's AuthorizationServer plus the endpoint views."""

from flask import Flask

from ..runtime import Runtime
from .server import PlatformAuthorizationServer
from .views import bp, discovery_response


def init_app(app: Flask, runtime: Runtime) -> None:
    app.extensions["mock_platform.oauth"] = PlatformAuthorizationServer(runtime)
    app.register_blueprint(bp, url_prefix=runtime.settings.api_path)
    if runtime.settings.api_path:  # RFC 8414 §3.1: the well-known segment goes before the issuer path
        app.add_url_rule(
            f"/.well-known/oauth-authorization-server{runtime.settings.api_path}",
            "rfc8414_metadata",
            discovery_response,
        )


__all__ = ["bp", "init_app"]
