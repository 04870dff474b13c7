"""Reading control-API requests: a JSON object checked against its declared shape, or a 400 naming the field.

Each call declares its body as a `Body` (a msgspec Struct: field types, constraints and defaults,
unknown fields refused); `read` converts the parsed JSON into it and turns a mismatch into BadInput
with a message such as `count: must be a whole number from 1 to 1000, got 0`.
"""

from __future__ import annotations

import json
import math
import re
from typing import Annotated, Any, TypeVar

from flask import request
from msgspec import Meta, Struct

from ..validation import JSON, convert

T = TypeVar("T")
DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}
Text = Annotated[str, Meta(min_length=1)]
Duration = Annotated[
    float | str, Meta(description='seconds: a number, or a string like "90s", "15m", "2h", "1d"')
]


class BadInput(Exception):
    """A control request the mock cannot act on: answered with `status` and {"message": ...}."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class Body(Struct, forbid_unknown_fields=True, kw_only=True):
    """A control-API request body. A check that a type cannot declare goes in `__post_init__`,
    raising ValueError("field: problem"), which `read` reports like the declared ones."""


def json_excerpt(value: Any) -> str:
    return json.dumps(value)[:80]


def number_text(value: float) -> str:
    """A number as people write it: 315360000, not 3.1536e+08; 0.5 stays 0.5."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def json_body() -> dict[str, Any]:
    """The request's JSON object; an empty body counts as {}."""
    if not request.get_data(cache=True):
        return {}
    document = request.get_json(force=True, silent=True)
    if not isinstance(document, dict):
        raise BadInput('the body must be a JSON object, e.g. {"user": "alice"}')
    return document


def read(document: Any, shape: type[T], where: str = "") -> T:
    """`document` as `shape`, or BadInput naming `where` + the field at fault."""
    return convert(document, shape, where=where, error=BadInput, words=JSON, show=json_excerpt)


def seconds(value: float | str | None, key: str, *, maximum: float) -> float | None:
    """A `Duration` in seconds, for a Body's __post_init__: a number, or "90s", "15m", "2h", "1d"."""
    if value is None:
        return None
    if isinstance(value, str):
        match = DURATION.match(value)
        if match is None:
            raise ValueError(f'{key}: must be seconds (a number) or a string like "90s", "15m", "2h", "1d"')
        value = float(match[1]) * DURATION_UNITS[match[2]]
    if not math.isfinite(value) or not 0 < value <= maximum:
        raise ValueError(
            f"{key}: must be more than 0 and at most {number_text(maximum)} seconds, got {number_text(value)}"
        )
    return float(value)
