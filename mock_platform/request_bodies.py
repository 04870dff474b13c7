"""Documents read from request bodies, JSON or YAML, nested at most MAX_DEPTH levels.

Python's parser gives up on deep nesting with a RecursionError, which no `except ValueError` catches
(nor Flask's `get_json(silent=True)`), and a document just shallow enough to parse can still break
the code that walks it (the request log, msgspec, the JSON columns). No document the mock takes needs
more than a few levels, so anything deeper is refused as invalid JSON, with a ValueError: Flask's
`get_json` reads request bodies through `BoundedJSONProvider`, so every JSON endpoint, present and
future, answers such a body like any other malformed one.

YAML bodies (`load_yaml`) are bounded the same way, and may not use aliases: `*name` makes a graph in
which a few hundred bytes stand for billions of nodes, for whatever walks or stores it next.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from flask.json.provider import DefaultJSONProvider

MAX_DEPTH = 64


class TooDeep(ValueError):
    def __init__(self) -> None:
        super().__init__(f"the document nests more than {MAX_DEPTH} levels deep")


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


class TreeLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing aliases: every node is written out once."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None,
                None,
                "aliases (*name) are not accepted: write the value out",
                self.peek_event().start_mark,
            )
        return super().compose_node(parent, index)


def load_yaml(text: str) -> Any:
    """`yaml.safe_load` without aliases, raising TooDeep past MAX_DEPTH levels, yaml.YAMLError else."""
    try:
        document = yaml.load(text, Loader=TreeLoader)  # noqa: S506 - a SafeLoader
    except RecursionError:
        raise TooDeep() from None
    if too_deep(document):
        raise TooDeep()
    return document


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading through `loads` above; answers keep their order (sort_keys off)."""

    sort_keys = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s, **kwargs)
