"""JSON read from requests, nested at most MAX_DEPTH levels, wherever it is read.

Python's parser gives up on deep nesting with a RecursionError, which no `except ValueError` catches
(nor Flask's `get_json(silent=True)`), and a document just shallow enough to parse can still break
the code that walks it (the request log, msgspec, the JSON columns). No document the mock takes needs
more than a few levels, so anything deeper is refused as invalid JSON, with a ValueError: Flask's
`get_json` reads request bodies through `BoundedJSONProvider`, so every JSON endpoint, present and
future, answers such a body like any other malformed one.
"""

from __future__ import annotations

import json
from typing import Any

from flask.json.provider import DefaultJSONProvider

MAX_DEPTH = 64


class TooDeep(ValueError):
    def __init__(self) -> None:
        super().__init__(f"JSON nested more than {MAX_DEPTH} levels deep")


def loads(text: str | bytes, **options: Any) -> Any:
    """`json.loads`, raising TooDeep (a ValueError) for documents nested more than MAX_DEPTH levels."""
    try:
        document = json.loads(text, **options)
    except RecursionError:
        raise TooDeep() from None
    if too_deep(document):
        raise TooDeep()
    return document


def too_deep(document: Any) -> bool:
    """Whether arrays and objects nest more than MAX_DEPTH levels (walked without recursion)."""
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > MAX_DEPTH:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading through `loads` above; answers keep their order (sort_keys off)."""

    sort_keys = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s, **kwargs)
