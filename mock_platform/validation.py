"""Documents checked against declared types (msgspec), with messages that name the key at fault.

The config file, the client registry, the directory and the control-API bodies declare their shape
as msgspec types: `Struct`s whose fields carry `Annotated[..., Meta(...)]` constraints, and a
`Meta(description=...)` where the generated wording would not say enough. `convert` turns a parsed
YAML or JSON document into those types. msgspec's own error text is terse ("Expected `int` >= 1 -
at `$.users[0].id`"), so `convert` rewrites it from the declared types and the document itself:

    clients.yml: clients[0] (my_cli).redirect-uris: required, a non-empty list of ...
    code_lifetime: expected a positive whole number of seconds, got 'ten'
    unknown field 'stauts' (did you mean 'status'?); known fields: body, content_type, ...
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec
from msgspec import inspect

T = TypeVar("T")

# "Expected `int` >= 1 - at `$.users[0].id`"; "Expected `str` - at `key` in `$.settings`" for a mapping key.
LOCATED = re.compile(r"^(?P<text>.*?)(?: - at (?P<in_key>`key` in )?`\$(?P<path>[^`]*)`)?$", re.DOTALL)
STEP = re.compile(r"\.(?P<key>[^.\[]+)|\[(?P<index>\d+)\]|(?P<any_key>\[\.\.\.\])")
MISSING = re.compile(r"^Object missing required field `(?P<key>.+)`$")
UNKNOWN = re.compile(r"^Object contains unknown field `(?P<key>.+)`$")
OWN_CHECK = re.compile(r"^(?P<key>[A-Za-z][\w.-]*): (?P<problem>.+)$", re.DOTALL)
WRONG_TYPE = re.compile(r"^Expected `[^`]+`, got `[^`]+`$")
OUT_OF_BOUNDS = re.compile(r"^(?:Expected `[^`]+` .+|Invalid enum value .+)$", re.DOTALL)
LIST_TYPES = (
    inspect.ListType,
    inspect.TupleType,
    inspect.VarTupleType,
    inspect.SetType,
    inspect.FrozenSetType,
)
RECORD_TYPES = (inspect.StructType, inspect.DataclassType)
# Keys whose value names a list item in messages: `clients[0] (my_cli).redirect-uris`.
LABEL_KEYS = ("client-id", "userName", "name")


@dataclass(frozen=True)
class Words:
    """How a kind of value is called to the people who write that kind of document."""

    mapping: str = "a mapping"
    boolean: str = "true or false"
    noun: str = "key"  # of a mapping, as in "unknown key"


YAML = Words()
JSON = Words(mapping="a JSON object", noun="field")


def convert(
    document: Any,
    target: type[T] | Any,
    *,
    where: str = "",
    error: Callable[[str], Exception] = ValueError,
    words: Words = YAML,
    show: Callable[[Any], str] = repr,
    strict: bool = True,
    dec_hook: Callable[[type, Any], Any] | None = None,
) -> T:
    """`document` as `target`, or `error(message)` naming `where` + the path to the value at fault."""
    try:
        return msgspec.convert(document, target, strict=strict, dec_hook=dec_hook)
    except msgspec.ValidationError as invalid:
        explained = Explanation(document, inspect.type_info(target), words, show)
        raise error(explained.message(str(invalid), where)) from None


def unknown_names(names: Iterable[str], known: Iterable[str], noun: str) -> str:
    """`unknown key 'colour'; known keys: ...`, with a `did you mean` for each near miss."""
    known = list(known)
    shown = []
    for name in names:
        guess = closest(name, known)
        shown.append(f"{name!r} (did you mean {guess!r}?)" if guess else repr(name))
    plural = "s" if len(shown) > 1 else ""
    return f"unknown {noun}{plural} {', '.join(shown)}; known {noun}s: {', '.join(sorted(known))}"


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name `name` is most likely a typo of, ignoring case and `-` against `_`."""
    by_form = {_form(candidate): candidate for candidate in known}
    matches = difflib.get_close_matches(_form(name), list(by_form), n=1, cutoff=0.7)
    return by_form[matches[0]] if matches else None


def _form(name: str) -> str:
    return str(name).lower().replace("-", "_")


def describe(info: inspect.Type, words: Words = YAML) -> str:
    """What a value of this declared type looks like, in words: `a whole number from 1 to 1000`."""
    if isinstance(info, inspect.Metadata):
        description = (info.extra_json_schema or {}).get("description")
        return description or describe(info.type, words)
    if isinstance(info, inspect.UnionType):
        kinds = [describe(member, words) for member in info.types if not isinstance(member, inspect.NoneType)]
        return " or ".join(kinds)
    if isinstance(info, inspect.IntType | inspect.FloatType):
        return _number(info)
    if isinstance(info, inspect.StrType):
        return _text(info)
    if isinstance(info, inspect.LiteralType):
        values = [f'"{value}"' if len(info.values) == 1 else str(value) for value in info.values]
        return ("" if len(values) == 1 else "one of ") + ", ".join(values)
    if isinstance(info, LIST_TYPES):
        return _collection(info, words)
    if isinstance(info, inspect.DictType):
        return words.mapping
    if isinstance(info, RECORD_TYPES):
        required = [field.encode_name for field in info.fields if field.required]
        optional = len(required) < len(info.fields)
        return (
            f"{words.mapping} with " + ", ".join(required + ["..."] * optional) if required else words.mapping
        )
    if isinstance(info, inspect.BoolType):
        return words.boolean
    if isinstance(info, inspect.NoneType):
        return "null"
    if isinstance(info, inspect.CustomType):
        return f"a {info.cls.__name__.lower()}"
    return "any value"


def _number(info: inspect.IntType | inspect.FloatType) -> str:
    kind = "a whole number" if isinstance(info, inspect.IntType) else "a number"
    if info.ge is not None and info.le is not None:
        return f"{kind} from {info.ge} to {info.le}"
    low = (
        f"more than {info.gt}"
        if info.gt is not None
        else f"at least {info.ge}"
        if info.ge is not None
        else ""
    )
    high = (
        f"less than {info.lt}" if info.lt is not None else f"at most {info.le}" if info.le is not None else ""
    )
    positive = info.gt == 0 or (info.ge == 1 and isinstance(info, inspect.IntType))
    if positive and not high:
        return kind.replace("a ", "a positive ", 1)
    bounds = " and ".join(part for part in (low, high) if part)
    return f"{kind} ({bounds})" if bounds else kind


def _text(info: inspect.StrType) -> str:
    if info.pattern:
        return f"a string matching {info.pattern}"
    if info.min_length and info.max_length:
        return f"a string of {info.min_length} to {info.max_length} characters"
    if info.max_length:
        return f"a string of at most {info.max_length} characters"
    return "a non-empty string" if info.min_length else "a string"


def _collection(info: Any, words: Words) -> str:
    item = info.item_type if not isinstance(info, inspect.TupleType) else None
    kind = "a non-empty list" if getattr(info, "min_length", None) else "a list"
    if item is None or isinstance(item, inspect.AnyType):
        return kind
    return f"{kind} of {_plural(describe(item, words))}"


def _plural(description: str) -> str:
    """`a non-empty string` -> `non-empty strings`; anything less regular is kept as it is."""
    match = re.fullmatch(r"an? (?P<kind>[\w -]+?)(?P<rest>( (matching|from|of|with|\() .*)?)", description)
    return f"{match['kind']}s{match['rest']}" if match else f"items, each {description}"


class Explanation:
    """msgspec's error text rewritten from the document and the declared type it was checked against."""

    def __init__(self, document: Any, info: inspect.Type, words: Words, show: Callable[[Any], str]) -> None:
        self.document = document
        self.root = info
        self.words = words
        self.show = show

    def message(self, text: str, where: str) -> str:
        located = LOCATED.match(text)
        assert located is not None, "the pattern matches any text"
        problem, path = located["text"], located["path"] or ""
        value, info, place = self._walk(path)
        if located["in_key"]:
            bad = (
                next((key for key in value if not isinstance(key, str)), None)
                if isinstance(value, Mapping)
                else None
            )
            return self._join(where, place, f"every key must be a string, got {self.show(bad)}")
        if missing := MISSING.match(problem):
            key = missing["key"]
            field = self._field(info, key)
            return self._join(where, place + f".{key}", f"required, {describe(field, self.words)}")
        if unknown := UNKNOWN.match(problem):
            known = [field.encode_name for field in _record(info).fields]
            names = [key for key in value if key not in known] if isinstance(value, Mapping) else []
            return self._join(where, place, unknown_names(names or [unknown["key"]], known, self.words.noun))
        if WRONG_TYPE.match(problem):
            return self._join(where, place, f"expected {describe(info, self.words)}, got {self.show(value)}")
        if OUT_OF_BOUNDS.match(problem):
            return self._join(where, place, f"must be {describe(info, self.words)}, got {self.show(value)}")
        # Raised by a type's own __post_init__ check, as "key: problem" when it is about one key.
        own = OWN_CHECK.match(problem)
        return (
            self._join(where, place + f".{own['key']}", own["problem"])
            if own
            else self._join(where, place, problem)
        )

    @staticmethod
    def _join(where: str, place: str, problem: str) -> str:
        """`where` names the document ("mock.yml: clients"; "mock.yml: " for a whole file), `place` the value."""
        location = where + (place if where and not where.endswith(" ") else place.removeprefix("."))
        return f"{location.removesuffix(': ')}: {problem}" if location else problem

    def _walk(self, path: str) -> tuple[Any, inspect.Type, str]:
        """The value at `path`, its declared type and the path as people read it (with item labels)."""
        value, info, place = self.document, self.root, ""
        steps = list(STEP.finditer(path))
        for position, step in enumerate(steps):
            info = _container(info, value)
            if step["key"] is not None:
                key = step["key"]
                info = self._field(info, key)
                value = value.get(key) if isinstance(value, Mapping) else None
                place += f".{key}"
            elif step["index"] is not None:
                index = int(step["index"])
                item_info = getattr(info, "item_type", None) or _tuple_item(info, index)
                value = value[index] if isinstance(value, list | tuple) and index < len(value) else None
                at_key = steps[position + 1]["key"] if position + 1 < len(steps) else None
                label = next((value[k] for k in LABEL_KEYS if k != at_key and _has(value, k)), None)
                place += f"[{index}]" + (f" ({label})" if isinstance(label, str | int) else "")
                info = item_info
            else:
                info = info.value_type if isinstance(info, inspect.DictType) else inspect.AnyType()
                key = _first_misfit(value, info)
                value = value.get(key) if isinstance(value, Mapping) else None
                place += f".{key}"
        return value, info, place

    def _field(self, info: inspect.Type, key: str) -> inspect.Type:
        record = _record(info)
        for field in record.fields if record else ():
            if field.encode_name == key:
                return field.type
        return inspect.AnyType()


def _has(value: Any, key: str) -> bool:
    return isinstance(value, Mapping) and bool(value.get(key))


def _container(info: inspect.Type, value: Any) -> inspect.Type:
    """The member of a union (under any Metadata) that a value of this shape was checked against."""
    while isinstance(info, inspect.Metadata | inspect.UnionType):
        if isinstance(info, inspect.Metadata):
            info = info.type
            continue
        wanted = (*RECORD_TYPES, inspect.DictType) if isinstance(value, Mapping) else LIST_TYPES
        info = next((member for member in info.types if isinstance(member, wanted)), inspect.AnyType())
    return info


def _record(info: inspect.Type) -> Any:
    info = _container(info, {})
    return info if isinstance(info, RECORD_TYPES) else None


def _tuple_item(info: inspect.Type, index: int) -> inspect.Type:
    if isinstance(info, inspect.TupleType) and index < len(info.item_types):
        return info.item_types[index]
    return inspect.AnyType()


def _first_misfit(mapping: Any, info: inspect.Type) -> str:
    """msgspec says only `[...]` for a value inside a mapping: find the first one that does not fit."""
    if not isinstance(mapping, Mapping):
        return "..."
    for key, value in mapping.items():
        if not _fits(value, info):
            return key
    return next(iter(mapping), "...")


def _fits(value: Any, info: inspect.Type) -> bool:
    """A shallow check of the common scalar types, enough to find which mapping value msgspec meant."""
    if isinstance(info, inspect.Metadata):
        return _fits(value, info.type)
    if isinstance(info, inspect.UnionType):
        return any(_fits(value, member) for member in info.types)
    if isinstance(info, inspect.NoneType):
        return value is None
    if isinstance(info, inspect.LiteralType):
        return value in info.values
    if isinstance(info, inspect.StrType):
        return isinstance(value, str) and not (info.pattern and not re.search(info.pattern, value))
    if isinstance(info, inspect.BoolType):
        return isinstance(value, bool)
    if isinstance(info, inspect.IntType):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(info, inspect.DictType | inspect.StructType):
        return isinstance(value, Mapping)
    if isinstance(info, LIST_TYPES):
        return isinstance(value, list | tuple)
    return True
