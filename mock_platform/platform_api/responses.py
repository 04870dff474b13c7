"""JSON replies and errors of the Platform REST API: bodies are JSON, errors are `{"message": ...}`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from flask import Response

NO_STORE = {"Cache-Control": "no-store"}


class ApiError(Exception):
    """An error answered as `{"message": ...}` with its status (never 5xx for a client's mistake)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def json_response(document: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(document),
        status=status,
        headers={"Content-Type": "application/json", **NO_STORE, **(headers or {})},
    )


def no_content() -> Response:
    response = Response(status=204, headers=NO_STORE)
    del response.headers["Content-Type"]
    return response


def error_response(error: ApiError) -> Response:
    return json_response({"message": error.message}, error.status, error.headers)


def iso_date(timestamp: float | None) -> str | None:
    """Platform's date format: ISO-8601 UTC to the second, `2026-03-31T14:05:00Z`."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
