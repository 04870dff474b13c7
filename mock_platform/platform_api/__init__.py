"""The Platform REST API the CLIs call after login, under the API root (`api_path`, the issuer).

Every endpoint shares one credential check (`auth.authenticate`, which the Co-Scientist backend in
`co_scientist/` uses too) and answers every error as JSON `{"message": ...}`; the document of both
surfaces is `openapi.json`, served at `{issuer}/openapi.json`.
"""

from flask import Flask, Response

from ..defects import with_defects
from ..http import message_error, never_cached
from ..live import Platform
from . import access_tokens, flaws, service, users, web_session  # noqa: F401 - flaws registers variants
from .pat_rules import PAT_RULES, PersonalAccessTokenRules
from .responses import ApiError

REST_BLUEPRINTS = (users.bp, access_tokens.bp, web_session.bp, service.bp)
for _blueprint in REST_BLUEPRINTS:
    _blueprint.after_request(never_cached)


def init_app(app: Flask, platform: Platform) -> None:
    """Register the REST blueprints under the API root."""
    settings = platform.settings
    app.extensions[PAT_RULES] = with_defects(PersonalAccessTokenRules, settings.defects)()
    for blueprint in REST_BLUEPRINTS:
        app.register_blueprint(blueprint, url_prefix=settings.api_path)
    app.register_error_handler(ApiError, api_error_response)


def api_error_response(error: ApiError) -> Response:
    return message_error(error.status, error.message, error.headers)


__all__ = ["ApiError", "init_app"]
