"""Exceptions of the reference client: ``str(error)`` is the exact message the real clients use."""


class ClientError(Exception):
    """Base of every failure the CLI reports as one line and a non-zero exit (``exit_code``).

    ``hint`` says what to do next; the CLI prints it after the message, which stays exact.
    """

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class LoginError(ClientError):
    """An OIDC step failed (discovery, callback, token exchange, revocation, browser)."""


class RefreshFailed(LoginError):
    """The token endpoint refused a refresh_token grant."""


class PlatformError(ClientError):
    """A Platform REST or Co-Scientist backend call failed; ``status`` is the HTTP status when it answered."""

    def __init__(self, message: str, hint: str | None = None, status: int | None = None) -> None:
        super().__init__(message, hint)
        self.status = status


class ConnectionFailed(ClientError):
    """The server could not be reached at all."""


class NotLoggedIn(ClientError):
    """``status``: no credentials, or the server refused them; logging in again is the fix (exit code 1)."""


class ServerUnusable(ClientError):
    """``status``: the server could not be reached, or failed for another reason than the credentials."""

    exit_code = 3


def status_problem(error: ClientError, log_in_again: str) -> ClientError:
    """What a failed live check means to ``status``: refused credentials (``log_in_again`` says how),
    or a server that is not usable."""
    refused = isinstance(error, RefreshFailed) or (
        isinstance(error, PlatformError) and error.status in (401, 403)
    )
    if refused:
        return NotLoggedIn(str(error), error.hint or log_in_again)
    return ServerUnusable(str(error), error.hint)
