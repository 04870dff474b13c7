"""Exceptions of the reference client: ``str(error)`` is the exact message the real clients use."""


class ClientError(Exception):
    """Base of every failure the CLI reports as one line and a non-zero exit.

    ``hint`` says what to do next; the CLI prints it after the message, which stays exact.
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class LoginError(ClientError):
    """An OIDC step failed (discovery, callback, token exchange, revocation, browser)."""


class RefreshFailed(LoginError):
    """The token endpoint refused a refresh_token grant."""


class PlatformError(ClientError):
    """A Platform REST or Co-Scientist backend call failed."""


class ConnectionFailed(ClientError):
    """The server could not be reached at all."""
