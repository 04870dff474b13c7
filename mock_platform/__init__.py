"""A fake Seqera Platform: OIDC provider plus the Platform REST API the Seqera CLIs call."""

from .app import create_app as create_app
from .errors import ConfigError as ConfigError
from .settings import Settings as Settings

__all__ = ["ConfigError", "Settings", "create_app"]
