"""What the workers share beside grants, most of it set through the control API (/_mock/).

The `state` row (document versions, identity-queue length, mock clock) that each request checks,
the stored documents (directory, runtime clients), the identity queue, faults and the request log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from .database import StorePart, mark_state_changed
from .schema import documents, faults, identity_queue, metadata, request_log, secrets, state, storable_id

STATE_FIELDS = ("directory_version", "clients_version", "keys_version", "faults_version", "queued_identities",
                "clock_offset")  # fmt: skip
# every request when the stamp moved, or with no stamp: built once
SELECT_STATE = select(*(state.c[name] for name in STATE_FIELDS)).where(state.c.id == 1)
# Taken first by writes that read before they write: one of them at a time, on any database (on
# SQLite a write transaction holds the database anyway; on PostgreSQL this is a row lock).
LOCK_STATE = select(state.c.id).where(state.c.id == 1).with_for_update()
ANY_BODY = object()


@dataclass(frozen=True)
class SharedState:
    directory_version: int
    clients_version: int
    keys_version: int
    faults_version: int
    queued_identities: int
    clock_offset: float


class ControlState(StorePart):
    # the state row -------------------------------------------------------------------------------

    def state_stamp(self) -> bytes | None:
        """The current stamp; None without a stamp file (then only a read tells what changed)."""
        stamp = self.database.stamp
        return stamp.read() if stamp else None

    def shared_state(self) -> SharedState:
        row = self.database.hot_row(SELECT_STATE)
        assert row is not None, "the state row is made with the schema"
        return SharedState(*row)

    def update_state(self, conn: Connection, values: dict[str, Any]) -> None:
        """Every change to the `state` row goes through here, so that the stamp moves with it."""
        conn.execute(update(state).where(state.c.id == 1).values(values))
        mark_state_changed(conn)

    def bump(self, conn: Connection, *versions: str) -> None:
        self.update_state(conn, {v: state.c[v] + 1 for v in versions})

    def set_clock_offset(self, offset: float) -> None:
        with self.database.write() as conn:
            self.update_state(conn, {"clock_offset": offset})

    def advance_clock(self, seconds: float) -> None:
        with self.database.write() as conn:
            self.update_state(conn, {"clock_offset": state.c.clock_offset + seconds})

    # documents -----------------------------------------------------------------------------------

    def document(self, name: str) -> tuple[str, Any] | None:
        with self.database.read() as conn:
            row = conn.execute(
                select(documents.c.fingerprint, documents.c.body).where(documents.c.name == name)
            ).first()
        return (row.fingerprint, row.body) if row else None

    def put_document(
        self, name: str, body: Any, fingerprint: str, version: str, *, replacing: Any = ANY_BODY
    ) -> bool:
        """Store a document and move its version. With `replacing`, only while the stored body is still
        that one (None: no document yet): False when another worker or replica changed it meanwhile."""
        with self.database.write() as conn:
            conn.execute(LOCK_STATE)
            if replacing is not ANY_BODY:
                stored = conn.execute(select(documents.c.body).where(documents.c.name == name)).scalar()
                if stored != replacing:
                    return False
            conn.execute(delete(documents).where(documents.c.name == name))
            conn.execute(insert(documents).values(name=name, fingerprint=fingerprint, body=body))
            self.bump(conn, version)
        return True

    # identity queue ------------------------------------------------------------------------------

    def enqueue_identity(self, client_id: str | None, user_id: int, claims: dict, count: int) -> int:
        with self.database.write() as conn:
            entry_id = conn.execute(
                insert(identity_queue).values(
                    client_id=client_id, user_id=user_id, claims=claims, remaining=count
                )
            ).inserted_primary_key[0]
            self.update_state(conn, {"queued_identities": state.c.queued_identities + count})
        return entry_id

    def pop_identity(self, client_id: str) -> tuple[int, dict] | None:
        with self.database.write() as conn:
            conn.execute(LOCK_STATE)  # two replicas never pop the same entry
            row = conn.execute(
                select(identity_queue)
                .where((identity_queue.c.client_id == client_id) | identity_queue.c.client_id.is_(None))
                .order_by(identity_queue.c.id)
                .limit(1)
            ).first()
            if row is None:
                return None
            if row.remaining <= 1:
                conn.execute(delete(identity_queue).where(identity_queue.c.id == row.id))
            else:
                conn.execute(
                    update(identity_queue)
                    .where(identity_queue.c.id == row.id)
                    .values(remaining=row.remaining - 1)
                )
            self.update_state(conn, {"queued_identities": state.c.queued_identities - 1})
        return row.user_id, row.claims or {}

    def list_identities(self) -> list[dict]:
        with self.database.read() as conn:
            rows = conn.execute(select(identity_queue).order_by(identity_queue.c.id)).all()
        return [dict(row._mapping) for row in rows]

    def clear_identities(self) -> None:
        with self.database.write() as conn:
            conn.execute(delete(identity_queue))
            self.update_state(conn, {"queued_identities": 0})

    # faults --------------------------------------------------------------------------------------

    def add_fault(self, spec: dict, remaining: int | None) -> int:
        with self.database.write() as conn:
            fault_id = conn.execute(
                insert(faults).values(spec=spec, remaining=remaining, hits=0)
            ).inserted_primary_key[0]
            self.bump(conn, "faults_version")
        return fault_id

    def list_faults(self) -> list[dict]:
        with self.database.read() as conn:
            rows = conn.execute(select(faults).order_by(faults.c.id)).all()
        return [dict(row._mapping) for row in rows]

    def consume_fault(self, fault_id: int) -> bool:
        """Count one hit; False when the fault ran out meanwhile (another worker used the last one)."""
        with self.database.write() as conn:
            row = conn.execute(
                select(faults.c.remaining).where(faults.c.id == fault_id).with_for_update()
            ).first()
            if row is None:
                return False
            if row.remaining is None:
                conn.execute(update(faults).where(faults.c.id == fault_id).values(hits=faults.c.hits + 1))
                return True
            if row.remaining <= 1:
                conn.execute(delete(faults).where(faults.c.id == fault_id))
                self.bump(conn, "faults_version")
            else:
                conn.execute(
                    update(faults)
                    .where(faults.c.id == fault_id)
                    .values(remaining=faults.c.remaining - 1, hits=faults.c.hits + 1)
                )
        return True

    def delete_fault(self, fault_id: int) -> bool:
        if not storable_id(fault_id):
            return False
        with self.database.write() as conn:
            deleted = conn.execute(delete(faults).where(faults.c.id == fault_id)).rowcount
            if deleted:
                self.bump(conn, "faults_version")
        return bool(deleted)

    def clear_faults(self) -> None:
        with self.database.write() as conn:
            conn.execute(delete(faults))
            self.bump(conn, "faults_version")

    # request log ---------------------------------------------------------------------------------

    def log_request(self, entry: dict, keep: int) -> None:
        """Appends run once per request: the database plumbing does them, SQLite on a fast path."""
        self.database.log_request(entry, keep)

    def clear_request_log(self) -> None:
        with self.database.write() as conn:
            conn.execute(delete(request_log))

    def recent_requests(self, limit: int) -> list[dict]:
        with self.database.read() as conn:
            rows = conn.execute(
                select(request_log.c.entry).order_by(request_log.c.id.desc()).limit(limit)
            ).all()
        return [row.entry for row in reversed(rows)]

    # reset ---------------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything but the schema, the signing keys and the session secret (POST /_mock/reset).

        Every table but `state` and `secrets` is emptied, dependent tables first, so a new table is
        never forgotten.
        """
        with self.database.write() as conn:
            for table in reversed(metadata.sorted_tables):
                if table not in (state, secrets):
                    conn.execute(delete(table))
            self.update_state(conn, {"clock_offset": 0.0, "queued_identities": 0})
            self.bump(conn, "clients_version", "faults_version")
