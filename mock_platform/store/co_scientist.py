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

from sqlalchemy import Connection, and_, delete, func, insert, select, update

from .database import StorePart
from .schema import ai_control, ai_events, ai_messages, ai_sessions, ai_tool_calls

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
    return AiSession(**row._mapping)


class CoScientistState(StorePart):
    # sessions ------------------------------------------------------------------------------------

    def create_ai_session(self, session: AiSession) -> None:
        with self.database.write() as conn:
            conn.execute(insert(ai_sessions).values(**session.__dict__))

    def find_ai_session(self, session_id: str) -> AiSession | None:
        with self.database.read() as conn:
            row = conn.execute(select(ai_sessions).where(ai_sessions.c.id == session_id)).first()
        return _session(row) if row else None

    def list_ai_sessions(
        self, user_id: int, cwd: str | None, status: str | None, limit: int
    ) -> list[AiSession]:
        query = select(ai_sessions).where(ai_sessions.c.user_id == user_id)
        if cwd is not None:
            query = query.where(ai_sessions.c.cwd == cwd)
        if status is not None:
            query = query.where(ai_sessions.c.status == status)
        query = query.order_by(ai_sessions.c.updated_at.desc(), ai_sessions.c.created_at.desc()).limit(limit)
        with self.database.read() as conn:
            return [_session(row) for row in conn.execute(query)]

    def expire_ai_session(
        self, session_id: str, now: float, clock: float, cancelled: Mapping[str, Any]
    ) -> None:
        """End the session; a reply still running is cancelled first (with the event `cancelled`)."""
        with self.database.write() as conn:
            self._lock(conn, session_id)
            self._cancel(conn, session_id, now, clock, cancelled)
            conn.execute(
                update(ai_sessions)
                .where(ai_sessions.c.id == session_id)
                .values(status=EXPIRED, updated_at=now)
            )

    # turns ---------------------------------------------------------------------------------------

    def add_ai_turn(self, session_id: str, turn: Turn, now: float, clock: float) -> None:
        """A user message and the reply to it; the session becomes active again if it had expired."""
        with self.database.write() as conn:
            session = self._lock(conn, session_id)
            values: dict[str, Any] = {"status": ACTIVE, "updated_at": now}
            if session.title is None:
                values["title"] = turn.messages[0][1][:200]
            conn.execute(update(ai_sessions).where(ai_sessions.c.id == session_id).values(values))
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
            closed = conn.execute(
                update(ai_tool_calls)
                .where(
                    and_(
                        ai_tool_calls.c.request_id == request_id,
                        ai_tool_calls.c.session_id == session_id,
                        ai_tool_calls.c.closed_at.is_(None),
                    )
                )
                .values(result=dict(result), closed_at=now)
            ).rowcount
            if not closed:
                return False
            conn.execute(update(ai_sessions).where(ai_sessions.c.id == session_id).values(updated_at=now))
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
            return conn.execute(
                select(ai_tool_calls.c.request_id).where(
                    and_(ai_tool_calls.c.session_id == session_id, ai_tool_calls.c.closed_at.is_(None))
                )
            ).scalar()

    def find_ai_tool_call(self, session_id: str, request_id: str) -> tuple[ToolCall, bool] | None:
        """The call and whether it is still open."""
        with self.database.read() as conn:
            row = conn.execute(
                select(ai_tool_calls).where(
                    and_(ai_tool_calls.c.request_id == request_id, ai_tool_calls.c.session_id == session_id)
                )
            ).first()
        if row is None:
            return None
        return ToolCall(row.request_id, row.command, row.continuation), row.closed_at is None

    def ai_messages(self, session_id: str) -> list[dict[str, Any]]:
        with self.database.read() as conn:
            rows = conn.execute(
                select(ai_messages).where(ai_messages.c.session_id == session_id).order_by(ai_messages.c.id)
            ).all()
        return [dict(row._mapping) for row in rows]

    def ai_stream_view(self, session_id: str, cursor: int, clock: float) -> StreamView:
        with self.database.read() as conn:
            status = conn.execute(select(ai_sessions.c.status).where(ai_sessions.c.id == session_id)).scalar()
            rows = conn.execute(
                select(ai_events.c.seq, ai_events.c.event, ai_events.c.ready_at)
                .where(and_(ai_events.c.session_id == session_id, ai_events.c.seq > cursor))
                .order_by(ai_events.c.seq)
            ).all()
            last_seq = conn.execute(
                select(func.max(ai_events.c.seq)).where(ai_events.c.session_id == session_id)
            ).scalar()
        due = []
        for row in rows:  # ready_at grows with seq, so the due events come first
            if row.ready_at > clock:
                break
            due.append(AiEvent(row.seq, row.event))
        later = rows[len(due)].ready_at if len(due) < len(rows) else None
        return StreamView(tuple(due), last_seq or 0, later, status or EXPIRED)

    # credits and script --------------------------------------------------------------------------

    def ai_credits(self) -> int | None:
        """The credit balance; None: unlimited."""
        with self.database.read() as conn:
            return conn.execute(select(ai_control.c.credits).where(ai_control.c.id == 1)).scalar()

    def set_ai_credits(self, balance: int | None) -> None:
        self._set_control(credits=balance)

    def spend_ai_credit(self) -> bool:
        """Take one credit; False when the balance is zero (unlimited always succeeds)."""
        with self.database.write() as conn:
            taken = conn.execute(
                update(ai_control)
                .where(and_(ai_control.c.id == 1, ai_control.c.credits > 0))
                .values(credits=ai_control.c.credits - 1)
            ).rowcount
            if taken:
                return True
            balance = conn.execute(select(ai_control.c.credits).where(ai_control.c.id == 1)).scalar()
        return balance is None

    def ai_script(self) -> dict[str, Any] | None:
        """The script set through the control API, if any."""
        with self.database.read() as conn:
            return conn.execute(select(ai_control.c.script).where(ai_control.c.id == 1)).scalar()

    def set_ai_script(self, document: Mapping[str, Any] | None) -> None:
        self._set_control(script=dict(document) if document is not None else None)

    # plumbing ------------------------------------------------------------------------------------

    def _set_control(self, **values: Any) -> None:
        with self.database.write() as conn:
            if conn.execute(update(ai_control).where(ai_control.c.id == 1).values(values)).rowcount == 0:
                conn.execute(insert(ai_control).values(id=1, **values))

    def _lock(self, conn: Connection, session_id: str) -> AiSession:
        row = conn.execute(select(ai_sessions).where(ai_sessions.c.id == session_id).with_for_update()).one()
        return _session(row)

    def _append(self, conn: Connection, session_id: str, turn: Turn, now: float, clock: float) -> None:
        last = conn.execute(
            select(func.max(ai_events.c.seq), func.max(ai_events.c.ready_at)).where(
                ai_events.c.session_id == session_id
            )
        ).one()
        seq, ready_at = last[0] or 0, max(clock, last[1] or 0.0)
        for event in turn.events:
            seq += 1
            conn.execute(
                insert(ai_events).values(session_id=session_id, seq=seq, event=dict(event), ready_at=ready_at)
            )
            ready_at += turn.pace
        for role, content in turn.messages:
            conn.execute(
                insert(ai_messages).values(session_id=session_id, role=role, content=content, created_at=now)
            )
        if turn.tool_call is not None:
            call = turn.tool_call
            conn.execute(
                insert(ai_tool_calls).values(
                    request_id=call.request_id,
                    session_id=session_id,
                    command=call.command,
                    continuation=dict(call.continuation),
                )
            )

    def _cancel(
        self, conn: Connection, session_id: str, now: float, clock: float, cancelled: Mapping[str, Any]
    ) -> bool:
        dropped = conn.execute(
            delete(ai_events).where(and_(ai_events.c.session_id == session_id, ai_events.c.ready_at > clock))
        ).rowcount
        closed = conn.execute(
            update(ai_tool_calls)
            .where(and_(ai_tool_calls.c.session_id == session_id, ai_tool_calls.c.closed_at.is_(None)))
            .values(closed_at=now)
        ).rowcount
        if not (dropped or closed):
            return False
        self._append(conn, session_id, Turn(messages=(), events=(cancelled,)), now, clock)
        return True
