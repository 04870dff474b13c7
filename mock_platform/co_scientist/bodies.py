"""What the Seqera CLI sends, declared as msgspec types: a mismatch is a 400 naming the field at fault.

Fields the mock does not know are ignored, as the backend's own request models would, so a newer CLI
that sends one more field still works. Query parameters are text; they are converted (`strict=False`).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, TypeVar

from flask import request
from msgspec import Meta, Struct

from ..platform_api.responses import ApiError
from ..validation import JSON, convert

T = TypeVar("T")
MAX_CONTENT = 100_000
MAX_OUTPUT = 100_000
MAX_ORGANIZATION_ID = 2**63 - 1

Text = Annotated[str, Meta(max_length=4096)]
Directory = Annotated[
    str,
    Meta(min_length=1, max_length=4096, pattern=r"\S", description="a directory path (a non-empty string)"),
]
CONTENT = f"the message text: a non-empty string of at most {MAX_CONTENT} characters"
Content = Annotated[str, Meta(min_length=1, max_length=MAX_CONTENT, pattern=r"\S", description=CONTENT)]
Output = Annotated[str, Meta(max_length=MAX_OUTPUT)]
ORGANIZATION_ID = "an organization id from GET /v1/cli/organizations (a number)"
OrganizationId = Annotated[
    Annotated[int, Meta(gt=0, le=MAX_ORGANIZATION_ID)] | Annotated[str, Meta(pattern=r"^[0-9]{1,19}$")],
    Meta(description=ORGANIZATION_ID),
]


class Request(Struct, kw_only=True):
    """A request the CLI sends. A check a type cannot declare goes in `__post_init__`, raising
    ValueError("field: problem"), which `read` reports like the declared ones."""


class NewSession(Request):
    cwd: Directory
    approval_mode: Text | None = None
    local_execution: bool | None = None
    headless: bool | None = None
    directory_context: dict[str, Any] | None = None
    organization_id: OrganizationId | None = None

    def __post_init__(self) -> None:
        if isinstance(self.organization_id, str):
            self.organization_id = int(self.organization_id)
            if not 0 < self.organization_id <= MAX_ORGANIZATION_ID:
                raise ValueError(f"organization_id: {self.organization_id} is not an organization id")

    def options(self) -> dict[str, Any]:
        keys = ("approval_mode", "local_execution", "headless", "directory_context")
        return {key: getattr(self, key) for key in keys}


class Message(Request):
    """`{"type": "user_message", "content": ...}` or `{"type": "cancel"}`."""

    type: Literal["user_message", "cancel"]
    content: Content | None = None
    run_id: Text | None = None
    verbose: bool | None = None
    interaction_mode: Text | None = None
    caller: Text | None = None

    def __post_init__(self) -> None:
        if self.type == "user_message" and self.content is None:
            raise ValueError(f"content: required with user_message, {CONTENT}")


class CommandResult(Request):
    exit_code: Annotated[
        int, Meta(ge=-(2**31), lt=2**31, description="the command's exit status (a whole number)")
    ]
    stdout: Output = ""
    stderr: Output = ""


class ToolResult(Request):
    request_id: Annotated[str, Meta(min_length=1, max_length=64, pattern=r"\S")]
    result: CommandResult


class CrashReport(Request):
    """Any JSON object: the report is dropped."""


class SessionsQuery(Request):
    cwd: str | None = None
    status: Literal["active", "expired"] | None = None
    limit: Annotated[int, Meta(ge=1, le=100)] = 10


class EventsQuery(Request):
    cursor: Annotated[int, Meta(ge=0, lt=2**31, description="the id of the last event seen (0 or more)")] = 0
    history_only: bool = False


class CreditsQuery(Request):
    org_id: Annotated[int, Meta(gt=0, le=MAX_ORGANIZATION_ID, description=ORGANIZATION_ID)] | None = None


def read_body(shape: type[T]) -> T:
    document = request.get_json(force=True, silent=True)
    if not isinstance(document, dict):
        raise ApiError(400, "the body must be a JSON object, e.g. " + EXAMPLES.get(shape, "{}"))
    return _convert(document, shape, strict=True)


def read_query(shape: type[T]) -> T:
    """The query parameters (the last of repeated ones; empty ones count as absent)."""
    query = {key: value for key, value in request.args.items() if value != ""}
    return _convert(query, shape, strict=False)


EXAMPLES = {
    NewSession: '{"cwd": "/home/me/pipeline", "headless": true}',
    Message: '{"type": "user_message", "content": "hello"}',
    ToolResult: '{"request_id": "call_...", "result": {"stdout": "", "stderr": "", "exit_code": 0}}',
    CrashReport: '{"error": "...", "stack": "..."}',
}


def _convert(document: dict[str, Any], shape: type[T], strict: bool) -> T:
    return convert(document, shape, error=_bad_request, words=JSON, show=_excerpt, strict=strict)


def _bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def _excerpt(value: Any) -> str:
    return json.dumps(value)[:80]
