"""The Co-Scientist backend's state, straight against the store: event numbering and pacing, tool calls,
cancel, credits shared by processes, and reset."""

from __future__ import annotations

import threading

from mock_platform.store import AiSession, ToolCall, Turn
from mock_platform.store.schema import metadata

from .conftest import NOW

CANCELLED = {"type": "finish", "reason": "cancelled"}


def new_session(store, session_id: str = "s-1", user_id: int = 1001) -> AiSession:
    session = AiSession(session_id, user_id, None, "/w", "active", None, {}, NOW, NOW)
    store.create_ai_session(session)
    return session


def reply(*events: str, pace: float = 0.0, call: ToolCall | None = None) -> Turn:
    return Turn([("user", "hi"), ("assistant", "x")], [{"type": kind} for kind in events], pace, call)


def test_events_are_numbered_per_session_and_paced(store):
    new_session(store)
    store.add_ai_turn("s-1", reply("start", "text-delta", "finish", pace=10.0), NOW, clock=100.0)
    view = store.ai_stream_view("s-1", 0, clock=105.0)
    assert [(e.seq, e.event["type"]) for e in view.events] == [(1, "start")]
    assert (view.last_seq, view.next_ready_at, view.status) == (3, 110.0, "active")
    assert [e.seq for e in store.ai_stream_view("s-1", 1, clock=120.0).events] == [2, 3]
    store.add_ai_turn("s-1", reply("start", "finish"), NOW, clock=101.0)
    later = store.ai_stream_view("s-1", 3, clock=200.0)
    assert [e.seq for e in later.events] == [4, 5], "a second reply is queued after the first"
    assert store.find_ai_session("s-1").title == "hi"


def test_two_processes_never_give_out_the_same_number(open_store):
    first, second = open_store(), open_store()
    new_session(first)
    threads = [
        threading.Thread(target=store.add_ai_turn, args=("s-1", reply("start", "finish"), NOW, 0.0))
        for store in (first, second) * 5
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [e.seq for e in first.ai_stream_view("s-1", 0, clock=1.0).events] == list(range(1, 21))


def test_a_tool_call_is_answered_once(store):
    new_session(store)
    call = ToolCall("call_1", "ls", {"steps": []})
    store.add_ai_turn("s-1", reply("start", "tool-request", call=call), NOW, 0.0)
    assert store.open_ai_tool_call("s-1") == "call_1"
    assert store.find_ai_tool_call("s-1", "call_1") == (call, True)
    assert store.find_ai_tool_call("s-2", "call_1") is None, "a call belongs to its session"
    result = {"stdout": "a", "stderr": "", "exit_code": 0}
    assert store.answer_ai_tool_call("s-1", "call_1", result, Turn([], [{"type": "finish"}]), NOW, 0.0)
    assert not store.answer_ai_tool_call("s-1", "call_1", result, Turn([], [{"type": "finish"}]), NOW, 0.0)
    assert store.open_ai_tool_call("s-1") is None
    assert store.find_ai_tool_call("s-1", "call_1") == (call, False)


def test_cancel_drops_what_is_not_due_and_closes_open_calls(store):
    new_session(store)
    store.add_ai_turn("s-1", reply("start", "text-delta", "text-delta", "finish", pace=10.0), NOW, clock=0.0)
    assert store.cancel_ai_turn("s-1", NOW, clock=15.0, cancelled=CANCELLED)
    events = store.ai_stream_view("s-1", 0, clock=15.0).events
    assert [e.event for e in events] == [{"type": "start"}, {"type": "text-delta"}, CANCELLED]
    assert not store.cancel_ai_turn("s-1", NOW, clock=16.0, cancelled=CANCELLED), "nothing left to cancel"
    store.add_ai_turn("s-1", reply("start", "tool-request", call=ToolCall("call_2", "ls", {})), NOW, 20.0)
    store.expire_ai_session("s-1", NOW + 1, 21.0, CANCELLED)
    assert store.open_ai_tool_call("s-1") is None
    assert store.find_ai_session("s-1").status == "expired"
    assert store.ai_stream_view("s-1", 0, 21.0).events[-1].event == CANCELLED


def test_listing_filters_and_orders_newest_first(store):
    for number, cwd in enumerate(("/a", "/b", "/a")):
        session = AiSession(f"s-{number}", 1001, None, cwd, "active", None, {}, NOW + number, NOW + number)
        store.create_ai_session(session)
    new_session(store, "someone-else", user_id=1002)
    store.expire_ai_session("s-0", NOW + 10, 0.0, CANCELLED)
    assert [s.id for s in store.list_ai_sessions(1001, None, None, 10)] == ["s-0", "s-2", "s-1"]
    assert [s.id for s in store.list_ai_sessions(1001, "/a", "active", 10)] == ["s-2"]
    assert [s.id for s in store.list_ai_sessions(1001, None, None, 1)] == ["s-0"]


def test_credits_are_shared_and_never_go_below_zero(open_store):
    first, second = open_store(), open_store()
    assert first.ai_credits() is None and first.spend_ai_credit(), "unlimited by default"
    first.set_ai_credits(7)
    spent = []
    threads = [
        threading.Thread(target=lambda s=s: spent.append(s.spend_ai_credit())) for s in (first, second) * 6
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(spent) == [False] * 5 + [True] * 7
    assert second.ai_credits() == 0
    first.set_ai_script({"replies": []})
    assert second.ai_script() == {"replies": []} and second.ai_credits() == 0, "one row, two columns"


def test_reset_empties_every_table_but_the_state_row(store):
    new_session(store)
    store.add_ai_turn("s-1", reply("start", "tool-request", call=ToolCall("call_1", "ls", {})), NOW, 0.0)
    store.set_ai_credits(3)
    store.set_ai_script({"replies": []})
    store.create_pat(1001, "ci", "secret", NOW)
    store.reset()
    with store.database.read() as conn:
        counts = {
            table.name: conn.scalar(f"SELECT COUNT(*) FROM {table.name}") for table in metadata.sorted_tables
        }
    assert counts.pop("state") == counts.pop("alembic_version") == 1
    assert set(counts.values()) == {0}, counts
    assert store.ai_credits() is None and store.ai_script() is None
