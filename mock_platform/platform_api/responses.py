"""Platform REST errors and dates: errors are `{"message": ...}` (http.message_error), dates ISO-8601."""

from __future__ import annotations

from datetime import UTC, datetime


class ApiError(Exception):
    """An error answered as `{"message": ...}` with its status (never 5xx for a client's mistake)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def iso_date(timestamp: float | None) -> str | None:
    """Platform's date format: ISO-8601 UTC to the second, `2026-03-31T14:05:00Z`."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
