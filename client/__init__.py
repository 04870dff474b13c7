"""Reference OIDC Authorization Code + PKCE client of Seqera Platform, and the ``platform-auth`` CLI."""

from .errors import ClientError, ConnectionFailed, LoginError, PlatformError, RefreshFailed
from .flow import login

__all__ = ["ClientError", "ConnectionFailed", "LoginError", "PlatformError", "RefreshFailed", "login"]
