"""The scripted assistant's script: canned replies per message pattern, each a list of steps.

    replies:
      - match: "^run (?P<command>.+)"   # a regular expression, searched in the message, any case
        delay: 0.2                       # seconds between streamed events (default 0, at most 5)
        steps:
          - say: "Running {command}."
          - run: "{command}"             # ask the client to run it and POST the tool result
          - say: "It printed {stdout} and exited with {exit_code}."
      - say: "Hello {name}!"             # no match: any message; `say:` alone is one step

The first reply whose `match` is found answers; without one, the built-in reply names the user and
the organization. `{placeholders}` are checked when the script is loaded: the caller's `user`,
`name`, `email`, `organization`, `organization_id`, the `message`, the session's `session_id` and
`cwd`, the pattern's named groups, and after a `run` step its `stdout`, `stderr` and `exit_code`.
`{{` and `}}` are literal braces.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from msgspec import Meta, Struct

from ..validation import YAML, Words, convert

CONTEXT_NAMES = ("user", "name", "email", "organization", "organization_id", "message", "session_id", "cwd")
RESULT_NAMES = ("stdout", "stderr", "exit_code")
PLACEHOLDER = re.compile(r"\{\{|\}\}|\{(\w+)\}")
MAX_REPLIES = 200
MAX_STEPS = 50
MAX_TEXT = 10_000
MAX_DELAY = 5.0
Text = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=MAX_TEXT,
        pattern=r"\S",
        description=f"a non-empty string of at most {MAX_TEXT} characters",
    ),
]
DEFAULT_TEXT = (
    "Hello {name} ({user})! This is the mock Co-Scientist backend. I got your message in "
    "organization {organization}: {message}"
)


class ScriptError(ValueError):
    """A script the assistant cannot follow; the message names the place, e.g. `replies[1].match`."""


@dataclass(frozen=True)
class Say:
    text: str

    def document(self) -> dict[str, str]:
        return {"say": self.text}


@dataclass(frozen=True)
class Run:
    command: str

    def document(self) -> dict[str, str]:
        return {"run": self.command}


Step = Say | Run


@dataclass(frozen=True)
class Reply:
    pattern: re.Pattern[str] | None
    steps: tuple[Step, ...]
    delay: float

    def match(self, message: str) -> dict[str, str] | None:
        """The named groups' values when this reply answers `message`, else None."""
        if self.pattern is None:
            return {}
        found = self.pattern.search(message)
        if found is None:
            return None
        return {name: value or "" for name, value in found.groupdict().items()}


@dataclass(frozen=True)
class Script:
    replies: tuple[Reply, ...]
    source: str
    document: Mapping[str, Any]

    def reply_to(self, message: str) -> tuple[Reply, dict[str, str]]:
        for reply in self.replies:
            groups = reply.match(message)
            if groups is not None:
                return reply, groups
        return DEFAULT_REPLY, {}


DEFAULT_REPLY = Reply(None, (Say(DEFAULT_TEXT),), 0.0)
DEFAULT_SCRIPT = Script((), "built-in reply", {"replies": []})


def render(template: str, values: Mapping[str, str]) -> str:
    """`{name}` replaced by its value; names were checked when the script was loaded."""

    def replace(found: re.Match[str]) -> str:
        name = found[1]
        return found[0][0] if name is None else values.get(name, "")

    return PLACEHOLDER.sub(replace, template)


class StepDocument(Struct, forbid_unknown_fields=True):
    say: Text | None = None
    run: Text | None = None

    def __post_init__(self) -> None:
        if (self.say is None) == (self.run is None):
            raise ValueError("a step is {say: TEXT} or {run: COMMAND}, one of the two")


class ReplyDocument(Struct, forbid_unknown_fields=True, kw_only=True):
    match: Annotated[str, Meta(min_length=1, description="a non-empty regular expression")] | None = None
    say: Text | None = None
    steps: Annotated[list[StepDocument], Meta(min_length=1, max_length=MAX_STEPS)] | None = None
    delay: Annotated[float, Meta(ge=0, le=MAX_DELAY, description="a number of seconds from 0 to 5")] = 0.0

    def __post_init__(self) -> None:
        names = set(CONTEXT_NAMES) | set(_pattern(self.match).groupindex if self.match else ())
        if (self.say is None) == (self.steps is None):
            raise ValueError("give say (one text) or steps (a list of say/run steps), not both or neither")
        if self.say is not None:
            _check_placeholders(self.say, "say", names)
        for index, step in enumerate(self.steps or ()):
            _check_placeholders(
                step.say or step.run or "", f"steps[{index}].{'say' if step.say else 'run'}", names
            )
            if step.run is not None:
                names |= set(RESULT_NAMES)


class ScriptDocument(Struct, forbid_unknown_fields=True):
    replies: Annotated[
        list[ReplyDocument],
        Meta(max_length=MAX_REPLIES, description=f"a list of at most {MAX_REPLIES} replies"),
    ]


def parse_script(document: Any, source: str, words: Words = YAML) -> Script:
    """The script in a parsed YAML (or JSON) document; ScriptError names the place at fault."""
    declared = convert(document, ScriptDocument, error=ScriptError, words=words, show=_excerpt)
    replies = tuple(
        Reply(
            _pattern(reply.match) if reply.match else None,
            (Say(reply.say),) if reply.say is not None else tuple(_step(step) for step in reply.steps or ()),
            reply.delay,
        )
        for reply in declared.replies
    )
    return Script(replies, source, document)


def load_script_file(path: Path) -> Script:
    """The script in a YAML file; ScriptError names the file."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ScriptError(f"{path}: cannot read it ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise ScriptError(f"{path}: not valid YAML: {error}") from None
    try:
        return parse_script(document, str(path))
    except ScriptError as error:
        raise ScriptError(f"{path}: {error}") from None


def _excerpt(value: Any) -> str:
    return json.dumps(value, default=str)[:80]


def _step(step: StepDocument) -> Step:
    return Say(step.say) if step.say is not None else Run(step.run or "")


def _pattern(value: str) -> re.Pattern[str]:
    try:
        return re.compile(value, re.IGNORECASE)
    except re.error as error:
        raise ValueError(f"match: not a valid regular expression ({error})") from None


def _check_placeholders(text: str, where: str, names: set[str]) -> None:
    for found in PLACEHOLDER.finditer(text):
        if found[1] is not None and found[1] not in names:
            later = (
                " (stdout, stderr and exit_code only after a run step)" if found[1] in RESULT_NAMES else ""
            )
            raise ValueError(
                f"{where}: unknown placeholder {{{found[1]}}}{later}; known here: {', '.join(sorted(names))} "
                "(write {{ and }} for literal braces)"
            )
