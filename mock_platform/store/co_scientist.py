"""The Co-Scientist backend's state: sessions, their history and events, open tool calls, credits, script.

A reply is stored whole when its message arrives: its events get increasing `seq` numbers and a
`ready_at` (real time) that paces them, and a stream sends each event once it is due. Writes that
append to a session lock its row first (FOR UPDATE where the database has it; SQLite writes one at a
time anyway), so two requests never give out the same `seq`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .database import Connection, StorePart, as_json

SESSION_COLUMNS = (
    "id",
    "user_id",
    "organization_id",
    "cwd",
    "status",
    "title",
    "options",
    "created_at",
    "updated_at",
)
INSERT_SESSION = f"INSERT INTO ai_sessions ({', '.join(SESSION_COLUMNS)}) VALUES ({', '.join(f':{c}' for c in SESSION_COLUMNS)})"
SELECT_SESSION = "SELECT * FROM ai_sessions WHERE id = :session_id"
SELECT_CONTROL = "SELECT {} FROM ai_control WHERE id = 1"

ACTIVE = "active"
EXPIRED = "expired"


@dataclass(frozen=True)
class AiSession:
    id: str
    user_id: int
    organization_id: int | None
    cwd: str
    status: str
    title: str | None
    options: Mapping[str, Any]
    created_at: float
    updated_at: float


@dataclass(frozen=True)
class AiEvent:
    seq: int
    event: Mapping[str, Any]


@dataclass(frozen=True)
class StreamView:
    """What an events stream sees at one look: the due events after its cursor, and what may follow."""

    events: tuple[AiEvent, ...]
    last_seq: int  # the session's last event, due or not
    next_ready_at: float | None  # when the first event not yet due is due
    status: str


@dataclass(frozen=True)
class ToolCall:
    request_id: str
    command: str
    continuation: Mapping[str, Any]


@dataclass(frozen=True)
class Turn:
    """What one request adds to a session: history messages, events paced `pace` seconds apart, and
    the tool call the reply now waits on, if any."""

    messages: Sequence[tuple[str, str]]
    events: Sequence[Mapping[str, Any]]
    pace: float = 0.0
    tool_call: ToolCall | None = None


def _session(row: Any) -> AiSession:
    return AiSession(**row)


class CoScientistState(StorePart):
    # sessions ------------------------------------------------------------------------------------

    def create_ai_session(self, session: AiSession) -> None:
        with self.database.write() as conn:
            conn.run(INSERT_SESSION, {**session.__dict__, "options": as_json(dict(session.options))})

    def find_ai_session(self, session_id: str) -> AiSession | None:
        with self.database.read() as conn:
            row = conn.row(SELECT_SESSION, {"session_id": session_id})
        return _session(row) if row else None

    def list_ai_sessions(
        self, user_id: int, cwd: str | None, status: str | None, limit: int
    ) -> list[AiSession]:
        query = "SELECT * FROM ai_sessions WHERE user_id = :user_id"
        if cwd is not None:
            query += " AND cwd = :cwd"
        if status is not None:
            query += " AND status = :status"
        query += " ORDER BY updated_at DESC, created_at DESC LIMIT :limit"
        which = {"user_id": user_id, "cwd": cwd, "status": status, "limit": limit}
        with self.database.read() as conn:
            return [_session(row) for row in conn.rows(query, which)]

    def expire_ai_session(
        self, session_id: str, now: float, clock: float, cancelled: Mapping[str, Any]
    ) -> None:
        """End the session; a reply still running is cancelled first (with the event `cancelled`)."""
        with self.database.write() as conn:
            self._lock(conn, session_id)
            self._cancel(conn, session_id, now, clock, cancelled)
            conn.run(
                "UPDATE ai_sessions SET status = :status, updated_at = :now WHERE id = :session_id",
                {"status": EXPIRED, "now": now, "session_id": session_id},
            )

    # turns ---------------------------------------------------------------------------------------

    def add_ai_turn(self, session_id: str, turn: Turn, now: float, clock: float) -> None:
        """A user message and the reply to it; the session becomes active again if it had expired."""
        with self.database.write() as conn:
            session = self._lock(conn, session_id)
            title = turn.messages[0][1][:200] if session.title is None else session.title
            conn.run(
                "UPDATE ai_sessions SET status = :status, updated_at = :now, title = :title WHERE id = :session_id",
                {"status": ACTIVE, "now": now, "title": title, "session_id": session_id},
            )
            self._append(conn, session_id, turn, now, clock)

    def answer_ai_tool_call(
        self,
        session_id: str,
        request_id: str,
        result: Mapping[str, Any],
        turn: Turn,
        now: float,
        clock: float,
    ) -> bool:
        """Close the open call `request_id` with `result` and continue the reply; False if it is not open."""
        with self.database.write() as conn:
            self._lock(conn, session_id)
            closed = conn.run(
                "UPDATE ai_tool_calls SET result = :result, closed_at = :now "
                "WHERE request_id = :request_id AND session_id = :session_id AND closed_at IS NULL",
                {
                    "result": as_json(dict(result)),
                    "now": now,
                    "request_id": request_id,
                    "session_id": session_id,
                },
            )
            if not closed:
                return False
            conn.run(
                "UPDATE ai_sessions SET updated_at = :now WHERE id = :session_id",
                {"now": now, "session_id": session_id},
            )
            self._append(conn, session_id, turn, now, clock)
        return True

    def cancel_ai_turn(self, session_id: str, now: float, clock: float, cancelled: Mapping[str, Any]) -> bool:
        """Stop the running reply: events not yet due are dropped, open tool calls closed, then `cancelled`
        is sent. False when nothing was running."""
        with self.database.write() as conn:
            self._lock(conn, session_id)
            return self._cancel(conn, session_id, now, clock, cancelled)

    def open_ai_tool_call(self, session_id: str) -> str | None:
        with self.database.read() as conn:
            return conn.scalar(
                "SELECT request_id FROM ai_tool_calls WHERE session_id = :session_id AND closed_at IS NULL",
                {"session_id": session_id},
            )

    def find_ai_tool_call(self, session_id: str, request_id: str) -> tuple[ToolCall, bool] | None:
        """The call and whether it is still open."""
        with self.database.read() as conn:
            row = conn.row(
                "SELECT * FROM ai_tool_calls WHERE request_id = :request_id AND session_id = :session_id",
                {"request_id": request_id, "session_id": session_id},
            )
        if row is None:
            return None
        return ToolCall(row["request_id"], row["command"], row["continuation"]), row["closed_at"] is None

    def ai_messages(self, session_id: str) -> list[dict[str, Any]]:
        with self.database.read() as conn:
            rows = conn.rows(
                "SELECT * FROM ai_messages WHERE session_id = :session_id ORDER BY id",
                {"session_id": session_id},
            )
        return [dict(row) for row in rows]

    def ai_stream_view(self, session_id: str, cursor: int, clock: float) -> StreamView:
        which = {"session_id": session_id, "cursor": cursor}
        with self.database.read() as conn:
            status = conn.scalar("SELECT status FROM ai_sessions WHERE id = :session_id", which)
            rows = conn.rows(
                "SELECT seq, event, ready_at FROM ai_events WHERE session_id = :session_id AND seq > :cursor "
                "ORDER BY seq",
                which,
            )
            last_seq = conn.scalar("SELECT MAX(seq) FROM ai_events WHERE session_id = :session_id", which)
        due = []
        for row in rows:  # ready_at grows with seq, so the due events come first
            if row["ready_at"] > clock:
                break
            due.append(AiEvent(row["seq"], row["event"]))
        later = rows[len(due)]["ready_at"] if len(due) < len(rows) else None
        return StreamView(tuple(due), last_seq or 0, later, status or EXPIRED)

    # credits and script --------------------------------------------------------------------------

    def ai_credits(self) -> int | None:
        """The credit balance; None: unlimited."""
        with self.database.read() as conn:
            return conn.scalar(SELECT_CONTROL.format("credits"))

    def set_ai_credits(self, balance: int | None) -> None:
        self._set_control("credits", balance)

    def spend_ai_credit(self) -> bool:
        """Take one credit; False when the balance is zero (unlimited always succeeds)."""
        with self.database.write() as conn:
            if conn.run("UPDATE ai_control SET credits = credits - 1 WHERE id = 1 AND credits > 0"):
                return True
            balance = conn.scalar(SELECT_CONTROL.format("credits"))
        return balance is None

    def ai_script(self) -> dict[str, Any] | None:
        """The script set through the control API, if any."""
        with self.database.read() as conn:
            return conn.scalar(SELECT_CONTROL.format("script"))

    def set_ai_script(self, document: Mapping[str, Any] | None) -> None:
        self._set_control("script", as_json(dict(document) if document is not None else None))

    # plumbing ------------------------------------------------------------------------------------

    def _set_control(self, column: str, value: Any) -> None:
        with self.database.write() as conn:
            if not conn.run(f"UPDATE ai_control SET {column} = :value WHERE id = 1", {"value": value}):
                conn.run(f"INSERT INTO ai_control (id, {column}) VALUES (1, :value)", {"value": value})

    def _lock(self, conn: Connection, session_id: str) -> AiSession:
        row = conn.row(f"{SELECT_SESSION} FOR UPDATE", {"session_id": session_id})
        if row is None:
            raise LookupError(f"no Co-Scientist session {session_id}")
        return _session(row)

    def _append(self, conn: Connection, session_id: str, turn: Turn, now: float, clock: float) -> None:
        which = {"session_id": session_id, "now": now}
        last = conn.row(
            "SELECT MAX(seq) AS seq, MAX(ready_at) AS ready_at FROM ai_events WHERE session_id = :session_id",
            which,
        )
        assert last is not None
        seq, ready_at = last["seq"] or 0, max(clock, last["ready_at"] or 0.0)
        for event in turn.events:
            seq += 1
            conn.run(
                "INSERT INTO ai_events (session_id, seq, event, ready_at) VALUES (:session_id, :seq, :event, :ready_at)",
                {**which, "seq": seq, "event": as_json(dict(event)), "ready_at": ready_at},
            )
            ready_at += turn.pace
        for role, content in turn.messages:
            conn.run(
                "INSERT INTO ai_messages (session_id, role, content, created_at) "
                "VALUES (:session_id, :role, :content, :now)",
                {**which, "role": role, "content": content},
            )
        if turn.tool_call is not None:
            call = turn.tool_call
            conn.run(
                "INSERT INTO ai_tool_calls (request_id, session_id, command, continuation) "
                "VALUES (:request_id, :session_id, :command, :continuation)",
                {
                    **which,
                    "request_id": call.request_id,
                    "command": call.command,
                    "continuation": as_json(dict(call.continuation)),
                },
            )

    def _cancel(
        self, conn: Connection, session_id: str, now: float, clock: float, cancelled: Mapping[str, Any]
    ) -> bool:
        which = {"session_id": session_id, "clock": clock, "now": now}
        dropped = conn.run(
            "DELETE FROM ai_events WHERE session_id = :session_id AND ready_at > :clock", which
        )
        closed = conn.run(
            "UPDATE ai_tool_calls SET closed_at = :now WHERE session_id = :session_id AND closed_at IS NULL",
            which,
        )
        if not (dropped or closed):
            return False
        self._append(conn, session_id, Turn(messages=(), events=(cancelled,)), now, clock)
        return True
