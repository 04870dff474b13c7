"""Messages and the events stream (SSE): the default reply, cursor, history_only, waiting for a
message, the stream's limit, cancel, history, and a scripted tool call answered over HTTP."""

from __future__ import annotations

import json
import threading

import requests

from .conftest import ACME, Backend, reply_text

LIMIT_COMMENT = "the longest a stream stays open"


def test_default_reply_names_the_user_and_organization_in_several_deltas(
    alice: Backend, platform, backend_for
):
    session_id = alice.start(organization_id=ACME)
    assert alice.send(session_id, "hello there").json() == {}
    events = alice.events(session_id)
    assert events[0] == {"type": "start"} and events[-1] == {"type": "finish"}
    deltas = events[1:-1]
    assert len(deltas) > 3 and {event["type"] for event in deltas} == {"text-delta"}
    text = reply_text(events)
    assert "Alice Liddell (alice)" in text
    assert f"organization acme ({ACME})" in text
    assert text.endswith("hello there")

    bob = backend_for(platform, "bob")
    beta = bob.start(organization_id=81702924135099)
    assert "organization beta-labs (81702924135099)" in bob.ask(beta, "hi")
    assert "organization none" in bob.ask(bob.start(), "hi")


def test_events_carry_ids_and_cursor_resumes_after_one(alice: Backend):
    session_id = alice.start()
    alice.send(session_id, "first")
    stream = alice.stream(session_id)
    ids = [int(line.removeprefix("id: ")) for line in stream.text.splitlines() if line.startswith("id: ")]
    assert ids == list(range(1, len(ids) + 1))
    assert stream.headers["Content-Type"] == "text/event-stream; charset=utf-8"
    assert stream.headers["Cache-Control"] == "no-store"
    later = alice.events(session_id, cursor=3)
    assert later == alice.events(session_id)[3:]


def test_a_second_message_streams_after_the_first(alice: Backend):
    session_id = alice.start()
    first = alice.events(session_id) if alice.send(session_id, "one").ok else None
    assert first and reply_text(first).endswith("one")
    alice.send(session_id, "two")
    second = alice.events(session_id, cursor=len(first))
    assert second[0] == {"type": "start"} and reply_text(second).endswith("two")
    everything = alice.events(session_id)
    assert everything == first + second, "without a cursor the stream replays and ends after the last finish"


def test_history(alice: Backend):
    session_id = alice.start()
    alice.ask(session_id, "what is in main.nf?")
    messages = alice.get(f"/v1/cli/sessions/{session_id}/messages").json()["messages"]
    assert [message["role"] for message in messages] == ["user", "assistant"]
    assert messages[0]["content"] == "what is in main.nf?"
    assert messages[1]["content"] == reply_text(alice.events(session_id))
    assert all(message["timestamp"].endswith("Z") for message in messages)
    listed = alice.get("/v1/cli/sessions", params={"cwd": "/home/me/pipeline"}).json()["sessions"]
    assert next(s for s in listed if s["id"] == session_id)["title"] == "what is in main.nf?"


def test_history_only_sends_what_is_stored_and_ends(alice: Backend):
    session_id = alice.start()
    empty = alice.stream(session_id, history_only="true")
    assert empty.text == ": connected\n\n"
    alice.ask(session_id, "hi")
    assert alice.events(session_id, history_only="true") == alice.events(session_id)


def test_a_stream_opened_before_the_message_waits_for_the_reply(alice: Backend):
    session_id = alice.start()
    response = requests.get(
        alice.url(f"/v1/cli/sessions/{session_id}/events"), headers=alice.headers, stream=True, timeout=10
    )
    lines = response.iter_lines(decode_unicode=True)
    assert next(lines) == ": connected"
    sender = threading.Thread(target=alice.send, args=(session_id, "posted later"))
    sender.start()
    rest = list(lines)
    sender.join()
    data = [json.loads(line[len("data: ") :]) for line in rest if line.startswith("data: ")]
    assert data[0] == {"type": "start"} and data[-1] == {"type": "finish"}
    assert reply_text(data).endswith("posted later")
    assert not any(LIMIT_COMMENT in line for line in rest)


def test_a_stream_with_nothing_to_send_ends_at_the_limit(start_platform, backend_for):
    alice = backend_for(start_platform(ai_stream_limit=1))
    session_id = alice.start()
    stream = alice.stream(session_id)
    assert stream.text.endswith(f": open for 1 s, {LIMIT_COMMENT}; reconnect with cursor=0\n\n")
    alice.ask(session_id, "hi")
    waiting = alice.stream(session_id, cursor=len(alice.events(session_id)))
    assert waiting.text.endswith("reconnect with cursor=" + str(len(alice.events(session_id))) + "\n\n")


def test_an_expired_session_streams_its_history_and_ends(alice: Backend):
    session_id = alice.start()
    alice.ask(session_id, "hi")
    alice.post(f"/v1/cli/sessions/{session_id}/expire")
    events = alice.events(session_id, cursor=2)
    assert events[-1] == {"type": "finish"}
    assert LIMIT_COMMENT not in alice.stream(session_id, cursor=len(events) + 2).text


def test_a_message_continues_an_expired_session(alice: Backend):
    """`seqera ai -c` lists expired sessions to continue one."""
    session_id = alice.start()
    alice.post(f"/v1/cli/sessions/{session_id}/expire")
    assert alice.ask(session_id, "back again").endswith("back again")
    assert alice.get("/v1/cli/sessions", params={"status": "active", "limit": 100}).json()["sessions"][0][
        "id"
    ] == (session_id)


def test_cancel_stops_a_running_reply(platform, alice: Backend):
    platform.control.set_ai_script({"replies": [{"match": "slow", "delay": 5, "say": "one two three " * 20}]})
    try:
        session_id = alice.start()
        alice.send(session_id, "slow please")
        cancel = alice.post(f"/v1/cli/sessions/{session_id}/messages", {"type": "cancel"})
        assert (cancel.status_code, cancel.json()) == (200, {})
        events = alice.events(session_id)
        assert events[0] == {"type": "start"}
        assert events[-1] == {"type": "finish", "reason": "cancelled"}
        assert len(reply_text(events)) < len("one two three " * 20)
        again = alice.post(f"/v1/cli/sessions/{session_id}/messages", {"type": "cancel"})
        assert again.status_code == 200
        assert alice.events(session_id) == events, "a cancel with nothing running adds nothing"
    finally:
        platform.control.clear_ai_script()


TOOL_SCRIPT = {
    "replies": [
        {
            "match": "^run (?P<command>.+)",
            "steps": [
                {"say": "Running {command} in {cwd}."},
                {"run": "{command}"},
                {"say": "It printed {stdout} to stdout, {stderr} to stderr, and exited with {exit_code}."},
            ],
        }
    ]
}


def test_a_tool_call_waits_for_its_result(platform, alice: Backend):
    platform.control.set_ai_script(TOOL_SCRIPT)
    try:
        session_id = alice.start("/home/alice/tools")
        alice.send(session_id, "run ls -l")
        response = requests.get(
            alice.url(f"/v1/cli/sessions/{session_id}/events"), headers=alice.headers, stream=True, timeout=10
        )
        lines = response.iter_lines(decode_unicode=True)
        data = []
        for line in lines:
            if line.startswith("data: "):
                data.append(json.loads(line[len("data: ") :]))
                if data[-1]["type"] == "tool-request":
                    break
        request = data[-1]
        assert request["command"] == "ls -l" and request["request_id"].startswith("call_")
        assert reply_text(data) == "Running ls -l in /home/alice/tools."

        busy = alice.send(session_id, "another question")
        assert busy.status_code == 409
        assert request["request_id"] in busy.json()["message"]
        unknown = alice.post(
            f"/v1/cli/sessions/{session_id}/tool-results",
            {"request_id": "call_x", "result": {"exit_code": 0}},
        )
        assert unknown.status_code == 404

        result = {
            "request_id": request["request_id"],
            "result": {"stdout": "main.nf", "stderr": "", "exit_code": 0},
        }
        assert alice.post(f"/v1/cli/sessions/{session_id}/tool-results", result).json() == {}
        rest = [json.loads(line[len("data: ") :]) for line in lines if line.startswith("data: ")]
        assert rest[-1] == {"type": "finish"}
        assert reply_text(rest) == "\n\nIt printed main.nf to stdout,  to stderr, and exited with 0."
        assert alice.post(f"/v1/cli/sessions/{session_id}/tool-results", result).status_code == 409

        history = alice.get(f"/v1/cli/sessions/{session_id}/messages").json()["messages"]
        assert [message["role"] for message in history] == ["user", "assistant", "tool", "assistant"]
        assert json.loads(history[2]["content"]) == result["result"]
    finally:
        platform.control.clear_ai_script()


def test_cancel_closes_an_open_tool_call(platform, alice: Backend):
    platform.control.set_ai_script(TOOL_SCRIPT)
    try:
        session_id = alice.start()
        alice.send(session_id, "run sleep 100")
        request = next(
            e for e in alice.events(session_id, history_only="true") if e["type"] == "tool-request"
        )
        alice.post(f"/v1/cli/sessions/{session_id}/messages", {"type": "cancel"})
        late = {"request_id": request["request_id"], "result": {"exit_code": 0}}
        assert alice.post(f"/v1/cli/sessions/{session_id}/tool-results", late).status_code == 409
        assert alice.events(session_id)[-1] == {"type": "finish", "reason": "cancelled"}
        assert alice.send(session_id, "hello").status_code == 200, "the session takes messages again"
    finally:
        platform.control.clear_ai_script()
