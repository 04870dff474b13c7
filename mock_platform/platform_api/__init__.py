"""The Platform REST API the CLIs call after login, and the Co-Scientist backend of the Seqera CLI.

REST endpoints live under the API root (`api_path`, the issuer), the Co-Scientist ones under
`ai_path`. All of them share one credential check (`auth.authenticate`) and answer every error as
JSON `{"message": ...}`; the document of the surface is `openapi.json`, served at `{issuer}/openapi.json`.
"""

from flask import Flask, Response

from ..defects import with_defects
from ..http import message_error, never_cached
from ..live import Platform
from . import access_tokens, ai, flaws, service, users, web_session  # noqa: F401 - flaws registers variants
from .pat_rules import PAT_RULES, PersonalAccessTokenRules
from .responses import ApiError

REST_BLUEPRINTS = (users.bp, access_tokens.bp, web_session.bp, service.bp)
for _blueprint in (*REST_BLUEPRINTS, ai.bp):
    _blueprint.after_request(never_cached)


def init_app(app: Flask, platform: Platform) -> None:
    """Register the REST blueprints under the API root and the Co-Scientist prefix."""
    settings = platform.settings
    app.extensions[PAT_RULES] = with_defects(PersonalAccessTokenRules, settings.defects)()
    for blueprint in REST_BLUEPRINTS:
        app.register_blueprint(blueprint, url_prefix=settings.api_path)
    app.register_blueprint(ai.bp, url_prefix=settings.ai_path)
    if settings.ai_path:  # the health check answers at the bare prefix too, not only with a trailing /
        app.add_url_rule(settings.ai_path, "co_scientist_health", ai.health)
    app.register_error_handler(ApiError, api_error_response)


def api_error_response(error: ApiError) -> Response:
    return message_error(error.status, error.message, error.headers)


__all__ = ["ApiError", "init_app"]
