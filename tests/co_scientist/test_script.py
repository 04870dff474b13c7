"""The assistant's script, as a pure rule: what loads, what is refused (naming the place), how a reply
is chosen and rendered, and how text is cut into deltas."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from mock_platform.co_scientist.assistant import continue_turn, deltas, start_turn
from mock_platform.co_scientist.script import (
    DEFAULT_REPLY,
    DEFAULT_SCRIPT,
    ScriptError,
    load_script_file,
    parse_script,
    render,
)

VALUES = {"user": "alice", "name": "Alice Liddell", "message": "run ls", "cwd": "/w"}


def test_first_matching_reply_answers_and_named_groups_are_placeholders():
    script = parse_script(
        {
            "replies": [
                {"match": "^run (?P<command>.+)", "say": "Running {command} for {user}."},
                {"match": "HELLO", "say": "Hi {{there}}"},
                {"say": "Anything else."},
            ]
        },
        "test",
    )
    reply, groups = script.reply_to("run ls -l")
    assert groups == {"command": "ls -l"}
    assert render(reply.steps[0].text, {**VALUES, **groups}) == "Running ls -l for alice."
    reply, _ = script.reply_to("well, hello")
    assert render(reply.steps[0].text, VALUES) == "Hi {there}", "match is searched, in any case"
    assert script.reply_to("something")[0].steps[0].text == "Anything else."
    assert DEFAULT_SCRIPT.reply_to("something")[0] is DEFAULT_REPLY


@pytest.mark.parametrize(
    ("document", "error"),
    [
        (None, "expected a mapping with replies, got null"),
        ({"reply": []}, "unknown key 'reply'; known keys: replies"),
        ({}, "replies: required, a list of at most 200 replies"),
        ({"replies": ["hi"]}, 'replies[0]: expected a mapping, got "hi"'),
        ({"replies": [{"say": "a", "steps": [{"say": "b"}]}]}, "replies[0]: give say (one text) or steps"),
        ({"replies": [{"match": "("}]}, "replies[0].match: not a valid regular expression"),
        (
            {"replies": [{"match": "", "say": "a"}]},
            "replies[0].match: must be a non-empty regular expression",
        ),
        (
            {"replies": [{"say": "a", "pause": 1}]},
            "replies[0]: unknown key 'pause'; known keys: delay, match, say, steps",
        ),
        ({"replies": [{"say": ""}]}, "replies[0].say: must be a non-empty string"),
        ({"replies": [{"say": "{nobody}"}]}, "replies[0].say: unknown placeholder {nobody}"),
        (
            {"replies": [{"say": "{stdout}"}]},
            "replies[0].say: unknown placeholder {stdout} (stdout, stderr and exit_code only after",
        ),
        ({"replies": [{"steps": []}]}, "replies[0].steps: must be a non-empty list"),
        (
            {"replies": [{"steps": [{"shout": "a"}]}]},
            "replies[0].steps[0]: unknown key 'shout'; known keys: run, say",
        ),
        (
            {"replies": [{"steps": [{"say": "a", "run": "b"}]}]},
            "replies[0].steps[0]: a step is {say: TEXT} or {run: COMMAND}",
        ),
        (
            {"replies": [{"steps": [{"say": "{exit_code}"}, {"run": "x"}]}]},
            "replies[0]: steps[0].say: unknown placeholder {exit_code}",
        ),
        (
            {"replies": [{"say": "a", "delay": 6}]},
            "replies[0].delay: must be a number of seconds from 0 to 5",
        ),
        (
            {"replies": [{"say": "a", "delay": True}]},
            "replies[0].delay: expected a number of seconds from 0 to 5, got true",
        ),
        ({"replies": [{"say": "a"}] * 201}, "replies: must be a list of at most 200 replies"),
    ],
)
def test_a_bad_script_is_refused_naming_the_place(document, error):
    with pytest.raises(ScriptError) as raised:
        parse_script(document, "test")
    assert str(raised.value).startswith(error)


def test_a_script_file_error_names_the_file(tmp_path):
    path = tmp_path / "script.yml"
    path.write_text("replies:\n  - match: '['\n    say: hi\n")
    with pytest.raises(ScriptError, match=r"script\.yml: replies\[0\].match: not a valid regular expression"):
        load_script_file(path)
    path.write_text("replies: [")
    with pytest.raises(ScriptError, match=r"script\.yml: not valid YAML"):
        load_script_file(path)
    with pytest.raises(ScriptError, match=r"missing\.yml: cannot read it"):
        load_script_file(tmp_path / "missing.yml")


def test_deltas_give_the_text_back_exactly():
    for text in ("one", "a b c d e f g", "  leading and trailing  ", "line\n\nbreaks  and   spaces", ""):
        pieces = deltas(text)
        assert "".join(pieces) == text
    assert len(deltas("one two three four five six seven")) == 3


def test_a_reply_with_a_run_step_pauses_and_the_result_continues_it():
    script = parse_script(
        {
            "replies": [
                {"delay": 0.5, "steps": [{"say": "Go."}, {"run": "echo {user}"}, {"say": "Got {stdout}."}]}
            ]
        },
        "test",
    )
    reply, groups = script.reply_to("anything")
    turn = start_turn(reply, "anything", {**VALUES, **groups})
    assert [event["type"] for event in turn.events] == ["start", "text-delta", "tool-request"]
    assert turn.events[-1]["command"] == "echo alice"
    assert turn.tool_call is not None and turn.pace == 0.5
    assert turn.messages == [("user", "anything"), ("assistant", "Go.")]
    result = {"stdout": "alice", "stderr": "", "exit_code": 0}
    after = continue_turn(turn.tool_call, result)
    assert [event["type"] for event in after.events] == ["text-delta", "finish"]
    assert after.events[0]["delta"] == "\n\nGot alice."
    assert after.tool_call is None and after.pace == 0.5
    assert [role for role, _ in after.messages] == ["tool", "assistant"]


def test_the_readme_example_loads():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(replies:.*?)```", readme, re.S)
    assert block, "README.md has no ```yaml block with a script"
    script = parse_script(yaml.safe_load(block[1]), "README.md")
    reply, groups = script.reply_to("run nextflow lint")
    assert groups == {"command": "nextflow lint"} and len(reply.steps) == 3
