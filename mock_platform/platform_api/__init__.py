"""The Platform REST API the CLIs call after login, and the Co-Scientist backend of the Seqera CLI.

REST endpoints live under the API root (`api_path`, the issuer), the Co-Scientist ones under
`ai_path`. All of them share one credential check (`auth.authenticate`) and answer every error as
JSON `{"message": ...}`; the document of the surface is `openapi.json`, served at `{issuer}/openapi.json`.
"""

from flask import Flask

from ..runtime import Runtime
from . import access_tokens, ai, service, users, web_session
from .responses import ApiError, error_response

REST_BLUEPRINTS = (users.bp, access_tokens.bp, web_session.bp, service.bp)


def init_app(app: Flask, runtime: Runtime) -> None:
    """Register the REST blueprints under the API root and the Co-Scientist prefix."""
    settings = runtime.settings
    for blueprint in REST_BLUEPRINTS:
        app.register_blueprint(blueprint, url_prefix=settings.api_path)
    app.register_blueprint(ai.bp, url_prefix=settings.ai_path)
    if settings.ai_path:  # the health check answers at the bare prefix too, not only with a trailing /
        app.add_url_rule(settings.ai_path, "co_scientist_health", ai.health)
    app.register_error_handler(ApiError, error_response)


__all__ = ["ApiError", "init_app"]
