"""A fake Seqera Platform: OIDC provider plus the Platform REST API the Seqera CLIs call.

`create_app` and `Settings` are imported on first use: pytest loads this package's plugin in every
run of a project that installs it, and should not pay for Flask, authlib and SQLAlchemy there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import ConfigError as ConfigError

if TYPE_CHECKING:
    from .app import create_app as create_app
    from .settings import Settings as Settings

__all__ = ["ConfigError", "Settings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    if name == "Settings":
        from .settings import Settings

        return Settings
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
