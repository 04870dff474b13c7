"""The scripted assistant: turns a user message (or a tool result) into the events of its reply.

A reply streams `start`, its text as several `text-delta` events, and `finish` (seqera-contract.md
§6.3). A `run` step sends `tool-request` (this event's shape is the mock's own: the contract shows
only the result the CLI posts back) and the reply waits; the tool result continues it.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from ..store import ToolCall, Turn
from .script import Reply, Run, Say, Step, render

WORDS_PER_DELTA = 3
PARAGRAPH = "\n\n"
START = {"type": "start"}
FINISH = {"type": "finish"}
CANCELLED = {"type": "finish", "reason": "cancelled"}


def deltas(text: str) -> list[str]:
    """`text` in pieces of a few words; joined, they give `text` back exactly."""
    words = re.findall(r"\s*\S+\s*", text) or [text]
    return ["".join(words[i : i + WORDS_PER_DELTA]) for i in range(0, len(words), WORDS_PER_DELTA)]


def start_turn(reply: Reply, message: str, values: Mapping[str, str]) -> Turn:
    events, said, call = _follow(reply.steps, values, reply.delay, spoken=False)
    messages = [("user", message)] + ([("assistant", said)] if said else [])
    return Turn(messages, [START, *events], reply.delay, call)


def continue_turn(call: ToolCall, result: Mapping[str, Any]) -> Turn:
    continuation = call.continuation
    values = {
        **continuation["values"],
        "stdout": result["stdout"],
        "stderr": result["stderr"],
        "exit_code": str(result["exit_code"]),
    }
    steps = [_step(step) for step in continuation["steps"]]
    events, said, next_call = _follow(steps, values, continuation["delay"], continuation["spoken"])
    messages = [("tool", json.dumps(dict(result)))] + ([("assistant", said)] if said else [])
    return Turn(messages, events, continuation["delay"], next_call)


def _follow(
    steps: Sequence[Step], values: Mapping[str, str], delay: float, spoken: bool
) -> tuple[list[dict], str, ToolCall | None]:
    """Events up to the end of the reply (`finish`) or its next `run` step (`tool-request`).

    Each `say` after the reply's first text (`spoken`) starts a new paragraph of the streamed text."""
    events: list[dict[str, Any]] = []
    said: list[str] = []
    for index, step in enumerate(steps):
        if isinstance(step, Say):
            text = render(step.text, values)
            said.append(text)
            if spoken:
                text = PARAGRAPH + text
            spoken = True
            events.extend({"type": "text-delta", "delta": piece} for piece in deltas(text))
            continue
        request_id = "call_" + secrets.token_hex(12)
        command = render(step.command, values)
        events.append({"type": "tool-request", "request_id": request_id, "command": command})
        continuation = {
            "steps": [later.document() for later in steps[index + 1 :]],
            "values": dict(values),
            "delay": delay,
            "spoken": spoken,
        }
        return events, PARAGRAPH.join(said), ToolCall(request_id, command, continuation)
    events.append(FINISH)
    return events, PARAGRAPH.join(said), None


def _step(document: Mapping[str, str]) -> Step:
    return Say(document["say"]) if "say" in document else Run(document["run"])
