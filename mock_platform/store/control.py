"""What the workers share beside grants, most of it set through the control API (/_mock/).

The `state` row (document versions, identity-queue length, mock clock) that each request checks,
the stored documents (directory, runtime clients), the identity queue, faults and the request log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .database import Connection, StorePart, as_json, mark_state_changed, storable_id

STATE_FIELDS = ("directory_version", "clients_version", "keys_version", "faults_version", "queued_identities",
                "clock_offset")  # fmt: skip
# every request when the stamp moved, or with no stamp
SELECT_STATE = f"SELECT {', '.join(STATE_FIELDS)} FROM state WHERE id = 1"
# Taken first by writes that read before they write: one of them at a time, on any database (on
# SQLite a write transaction holds the database anyway; on PostgreSQL this is a row lock).
LOCK_STATE = "SELECT id FROM state WHERE id = 1 FOR UPDATE"
# Every table but `state`, `secrets` and `alembic_version`, those that depend on others first (a test
# checks it against schema.metadata, so that a reset never forgets a new table).
RESET_TABLES = ("ai_tool_calls", "ai_messages", "ai_events", "tokens", "retired_users", "request_log", "pats",
                "identity_queue", "faults", "documents", "codes", "ai_sessions", "ai_control")  # fmt: skip
SELECT_DOCUMENT_BODY = "SELECT body FROM documents WHERE name = :name"
INSERT_DOCUMENT = "INSERT INTO documents (name, fingerprint, body) VALUES (:name, :fingerprint, :body)"
ANY_BODY = object()


def replace_document(conn: Connection, name: str, fingerprint: str, body: Any) -> None:
    conn.run("DELETE FROM documents WHERE name = :name", {"name": name})
    conn.run(INSERT_DOCUMENT, {"name": name, "fingerprint": fingerprint, "body": as_json(body)})


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

    def update_state(self, conn: Connection, changes: str, values: dict[str, Any] | None = None) -> None:
        """Every change to the `state` row goes through here, so that the stamp moves with it.

        `changes`: the SET list (`"clock_offset = :offset"`), with `values` for its parameters.
        """
        conn.run(f"UPDATE state SET {changes} WHERE id = 1", values)
        mark_state_changed(conn)

    def bump(self, conn: Connection, *versions: str) -> None:
        assert set(versions) <= set(STATE_FIELDS)
        self.update_state(conn, ", ".join(f"{version} = {version} + 1" for version in versions))

    def set_clock_offset(self, offset: float) -> None:
        with self.database.write() as conn:
            self.update_state(conn, "clock_offset = :offset", {"offset": offset})

    def advance_clock(self, seconds: float) -> None:
        with self.database.write() as conn:
            self.update_state(conn, "clock_offset = clock_offset + :seconds", {"seconds": seconds})

    # documents -----------------------------------------------------------------------------------

    def document(self, name: str) -> tuple[str, Any] | None:
        with self.database.read() as conn:
            row = conn.row("SELECT fingerprint, body FROM documents WHERE name = :name", {"name": name})
        return (row["fingerprint"], row["body"]) if row else None

    def put_document(
        self, name: str, body: Any, fingerprint: str, version: str, *, replacing: Any = ANY_BODY
    ) -> bool:
        """Store a document and move its version. With `replacing`, only while the stored body is still
        that one (None: no document yet): False when another worker or replica changed it meanwhile."""
        with self.database.write() as conn:
            conn.run(LOCK_STATE)
            if replacing is not ANY_BODY:
                stored = conn.scalar(SELECT_DOCUMENT_BODY, {"name": name})
                if stored != replacing:
                    return False
            replace_document(conn, name, fingerprint, body)
            self.bump(conn, version)
        return True

    # identity queue ------------------------------------------------------------------------------

    def enqueue_identity(self, client_id: str | None, user_id: int, claims: dict, count: int) -> int:
        with self.database.write() as conn:
            entry_id = conn.insert(
                "INSERT INTO identity_queue (client_id, user_id, claims, remaining) "
                "VALUES (:client_id, :user_id, :claims, :remaining)",
                {"client_id": client_id, "user_id": user_id, "claims": as_json(claims), "remaining": count},
            )
            self.update_state(conn, "queued_identities = queued_identities + :count", {"count": count})
        return entry_id

    def pop_identity(self, client_id: str) -> tuple[int, dict] | None:
        with self.database.write() as conn:
            conn.run(LOCK_STATE)  # two replicas never pop the same entry
            row = conn.row(
                "SELECT id, user_id, claims, remaining FROM identity_queue "
                "WHERE client_id = :client_id OR client_id IS NULL ORDER BY id LIMIT 1",
                {"client_id": client_id},
            )
            if row is None:
                return None
            if row["remaining"] <= 1:
                conn.run("DELETE FROM identity_queue WHERE id = :id", {"id": row["id"]})
            else:
                conn.run(
                    "UPDATE identity_queue SET remaining = remaining - 1 WHERE id = :id", {"id": row["id"]}
                )
            self.update_state(conn, "queued_identities = queued_identities - 1")
        return row["user_id"], row["claims"] or {}

    def list_identities(self) -> list[dict]:
        with self.database.read() as conn:
            rows = conn.rows("SELECT * FROM identity_queue ORDER BY id")
        return [dict(row) for row in rows]

    def clear_identities(self) -> None:
        with self.database.write() as conn:
            conn.run("DELETE FROM identity_queue")
            self.update_state(conn, "queued_identities = 0")

    # faults --------------------------------------------------------------------------------------

    def add_fault(self, spec: dict, remaining: int | None) -> int:
        with self.database.write() as conn:
            fault_id = conn.insert(
                "INSERT INTO faults (spec, remaining, hits) VALUES (:spec, :remaining, 0)",
                {"spec": as_json(spec), "remaining": remaining},
            )
            self.bump(conn, "faults_version")
        return fault_id

    def list_faults(self) -> list[dict]:
        with self.database.read() as conn:
            rows = conn.rows("SELECT * FROM faults ORDER BY id")
        return [dict(row) for row in rows]

    def consume_fault(self, fault_id: int) -> bool:
        """Count one hit; False when the fault ran out meanwhile (another worker used the last one)."""
        with self.database.write() as conn:
            row = conn.row("SELECT remaining FROM faults WHERE id = :id FOR UPDATE", {"id": fault_id})
            if row is None:
                return False
            if row["remaining"] is None:
                conn.run("UPDATE faults SET hits = hits + 1 WHERE id = :id", {"id": fault_id})
                return True
            if row["remaining"] <= 1:
                conn.run("DELETE FROM faults WHERE id = :id", {"id": fault_id})
                self.bump(conn, "faults_version")
            else:
                conn.run(
                    "UPDATE faults SET remaining = remaining - 1, hits = hits + 1 WHERE id = :id",
                    {"id": fault_id},
                )
        return True

    def delete_fault(self, fault_id: int) -> bool:
        if not storable_id(fault_id):
            return False
        with self.database.write() as conn:
            deleted = conn.run("DELETE FROM faults WHERE id = :id", {"id": fault_id})
            if deleted:
                self.bump(conn, "faults_version")
        return bool(deleted)

    def clear_faults(self) -> None:
        with self.database.write() as conn:
            conn.run("DELETE FROM faults")
            self.bump(conn, "faults_version")

    # request log ---------------------------------------------------------------------------------

    def log_request(self, entry: dict, keep: int) -> None:
        """Appends run once per request: the database plumbing does them, SQLite on a fast path."""
        self.database.log_request(entry, keep)

    def clear_request_log(self) -> None:
        with self.database.write() as conn:
            conn.run("DELETE FROM request_log")

    def recent_requests(self, limit: int) -> list[dict]:
        with self.database.read() as conn:
            rows = conn.rows("SELECT entry FROM request_log ORDER BY id DESC LIMIT :limit", {"limit": limit})
        return [row["entry"] for row in reversed(rows)]

    # reset ---------------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything but the schema, the signing keys and the session secret (POST /_mock/reset).

        Every table of RESET_TABLES is emptied, dependent tables first.
        """
        with self.database.write() as conn:
            for table in RESET_TABLES:
                conn.run(f"DELETE FROM {table}")
            self.update_state(conn, "clock_offset = 0.0, queued_identities = 0")
            self.bump(conn, "clients_version", "faults_version")
