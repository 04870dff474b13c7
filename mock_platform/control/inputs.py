"""Reading control-API requests: a JSON object whose every field is checked, or a 400 naming the field."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Mapping
from typing import Any

from flask import request

DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


class BadInput(Exception):
    """A control request the mock cannot act on: answered with `status` and {"message": ...}."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def shown(value: Any) -> str:
    return json.dumps(value)[:80]


def plain(value: float) -> str:
    """A number as people write it: 315360000, not 3.1536e+08; 0.5 stays 0.5."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def json_body(known: Collection[str]) -> dict[str, Any]:
    """The request's JSON object (an empty body counts as {}); unknown fields are refused, not ignored."""
    if not request.get_data(cache=True):
        return {}
    document = request.get_json(force=True, silent=True)
    if not isinstance(document, dict):
        raise BadInput('the body must be a JSON object, e.g. {"user": "alice"}')
    check_fields(document, known, "")
    return document


def check_fields(document: Mapping[str, Any], known: Collection[str], where: str) -> None:
    unknown = sorted(set(document) - set(known))
    if unknown:
        raise BadInput(
            f"{where}unknown field(s) {', '.join(unknown)}; known fields: {', '.join(sorted(known))}"
        )


def text(
    document: Mapping[str, Any], key: str, *, required: bool = False, default: str | None = None
) -> str | None:
    value = document.get(key)
    if value is None:
        if required:
            raise BadInput(f"{key}: required, a string")
        return default
    if not isinstance(value, str) or not value:
        raise BadInput(f"{key}: must be a non-empty string, got {shown(value)}")
    return value


def flag(document: Mapping[str, Any], key: str) -> bool:
    value = document.get(key, False)
    if not isinstance(value, bool):
        raise BadInput(f"{key}: must be true or false, got {shown(value)}")
    return value


def integer(
    document: Mapping[str, Any], key: str, *, minimum: int, maximum: int, default: int | None = None
) -> int | None:
    value = document.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise BadInput(f"{key}: must be a whole number from {minimum} to {maximum}, got {shown(value)}")
    return value


def number(
    document: Mapping[str, Any], key: str, *, above: float, maximum: float, unit: str = ""
) -> float | None:
    """A number with above < value <= maximum, or None when absent."""
    value = document.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadInput(f"{key}: must be a number, got {shown(value)}")
    if not above < value <= maximum:
        raise BadInput(
            f"{key}: must be more than {plain(above)} and at most {plain(maximum)}{unit}, got {plain(value)}"
        )
    return float(value)


def duration(document: Mapping[str, Any], key: str, *, maximum: float) -> float | None:
    """Seconds, as a number or a string such as "90s", "15m", "2h", "1d"."""
    value = document.get(key)
    if isinstance(value, str):
        match = DURATION.match(value)
        if match is None:
            raise BadInput(f'{key}: must be seconds (a number) or a string like "90s", "15m", "2h", "1d"')
        value = float(match[1]) * DURATION_UNITS[match[2]]
        return number({key: value}, key, above=0, maximum=maximum, unit=" seconds")
    return number(document, key, above=0, maximum=maximum, unit=" seconds")


def mapping(document: Mapping[str, Any], key: str) -> dict[str, Any] | None:
    value = document.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadInput(f"{key}: must be a JSON object, got {shown(value)}")
    return value
