"""The OpenID Connect provider: authlib's AuthorizationServer plus the endpoint views."""

from flask import Flask, Response

from ..runtime import Runtime, current_runtime
from .server import PlatformAuthorizationServer
from .views import bp, discovery_response, json_response


def init_app(app: Flask, runtime: Runtime) -> None:
    app.extensions["mock_platform.oauth"] = PlatformAuthorizationServer(runtime)
    app.register_blueprint(bp, url_prefix=runtime.settings.api_path)
    if runtime.settings.api_path:  # RFC 8414 §3.1: the well-known segment goes before the issuer path
        app.add_url_rule(
            f"/.well-known/oauth-authorization-server{runtime.settings.api_path}",
            "rfc8414_metadata",
            discovery_response,
        )
        app.add_url_rule("/.well-known/openid-configuration", "discovery_at_root", discovery_at_root)


def discovery_at_root() -> Response:
    """404 as before, but saying where the API is: `-url http://host:8080` without `/api` is easy to type."""
    issuer = current_runtime().settings.issuer
    message = f"no API here: the API root and issuer is {issuer}; log in with e.g. nextflow auth login -url {issuer}"
    return json_response({"message": message}, 404)


__all__ = ["bp", "init_app"]
