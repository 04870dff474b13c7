"""Every HTTP answer the mock builds by hand: JSON bodies, OAuth errors, Platform messages, challenges.

- `json_response`: a JSON document (no `\\/` escapes: the Java clients read some bodies with a string
  scanner);
- `oauth_error`: RFC 6749 §5.2 `{"error", "error_description"}`, never cached;
- `message_error`: Platform's own `{"message": ...}` errors, never cached;
- `bearer_challenge` / `challenge_header`: RFC 6750 §3 `WWW-Authenticate: Bearer ...` answers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import Response

JSON = "application/json"
NO_STORE = {"Cache-Control": "no-store"}
# RFC 6749 §5.1: token responses and their errors carry both.
OAUTH_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
REALM = "mock-platform"


def json_response(document: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(json.dumps(document), status=status, headers={"Content-Type": JSON, **(headers or {})})


def oauth_error(
    status: int, error: str, description: str | None = None, headers: Mapping[str, str] | None = None
) -> Response:
    document = {"error": error}
    if description:
        document["error_description"] = description
    return json_response(document, status, {**OAUTH_NO_STORE, **(headers or {})})


def message_error(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    return json_response({"message": message}, status, {**NO_STORE, **(headers or {})})


def challenge_header(error: str | None = None, description: str | None = None, realm: str = REALM) -> str:
    """`Bearer realm="..."[, error="..."[, error_description="..."]]` (RFC 6750 §3)."""
    challenge = f'Bearer realm="{realm}"'
    if error:
        challenge += f', error="{error}"'
    if description:
        challenge += f', error_description="{description}"'
    return challenge


def bearer_challenge(error: str | None = None, description: str | None = None, status: int = 401) -> Response:
    """A protected resource's refusal: the challenge, and the same error as an RFC 6749 JSON body."""
    return oauth_error(
        status,
        error or "invalid_request",
        description,
        {"WWW-Authenticate": challenge_header(error, description)},
    )


def never_cached(response: Response) -> Response:
    """after_request of the blueprints whose every answer is private: no-store unless a view says otherwise."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def no_content(headers: Mapping[str, str] | None = None) -> Response:
    response = Response(status=204, headers={**NO_STORE, **(headers or {})})
    del response.headers["Content-Type"]
    return response
