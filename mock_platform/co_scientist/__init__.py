"""The Co-Scientist backend the Seqera CLI calls (`SEQERA_AI_BACKEND_URL`), under `ai_path`.

Sessions, messages, the events stream (SSE), tool results, history, credits, skills and crash
reports, as seqera-contract.md §6.3 observed them; a scripted assistant answers (`script.py`). The
state lives in the store like everything else (`store/co_scientist.py`): shared by workers, kept
across a restart, cleared by `POST /_mock/reset`.

The CLI's quirk: `seqera ai -c` lists sessions at `{origin}/v1/cli/sessions`, dropping the backend's
path (`new URL("/v1/cli/sessions", backend)`), so that one call is also served at the server root.
"""

from __future__ import annotations

from flask import Flask

from ..errors import ConfigError
from ..live import Platform
from ..settings import Settings
from . import views
from .script import DEFAULT_SCRIPT, Script, ScriptError, load_script_file


def setting_script(settings: Settings) -> Script:
    """The script of the `ai_script` setting, or the built-in reply."""
    if settings.ai_script is None:
        return DEFAULT_SCRIPT
    try:
        return load_script_file(settings.ai_script)
    except ScriptError as error:
        raise ConfigError(f"ai_script: {error}") from None


def init_app(app: Flask, platform: Platform) -> None:
    settings = platform.settings
    app.extensions[views.SCRIPT] = setting_script(settings)
    app.register_blueprint(views.bp, url_prefix=settings.ai_path)
    if settings.ai_path:
        app.add_url_rule(settings.ai_path, "co_scientist_bare_root", views.root)  # no trailing slash
        app.register_blueprint(views.root_bp)


__all__ = ["init_app", "setting_script"]
