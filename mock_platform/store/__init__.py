"""Persistence behind one small interface: SQLAlchemy Core over a SQLite file (WAL) by default.

Everything that must be shared by gunicorn workers or survive a restart lives here: codes, tokens,
personal access tokens, the directory and runtime clients, and the control-API state. One module per
job: `schema` (the tables), `database` (engine and transactions on any database), `sqlite` (what SQLite
does differently), `stamp` (how the workers of one host see a change), and the parts `Store` is made
of: `grants` (codes, tokens, personal access tokens), `control` (the state row and clock,
documents, identity queue, faults, request log, reset) and `co_scientist` (the Seqera CLI's sessions).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

from sqlalchemy import Connection, insert, select
from sqlalchemy.engine import Engine

from .co_scientist import AiSession, CoScientistState, StreamView, ToolCall, Turn
from .control import ControlState, SharedState
from .database import Database, mark_state_changed
from .grants import CodeRecord, DuplicateName, Grants, PatRecord, SeedConflict, SeedPat, TokenRecord, digest
from .schema import metadata, state, storable_id
from .sqlite import SQLiteDatabase
from .stamp import StateStamp

__all__ = [
    "AiSession",
    "CodeRecord",
    "DuplicateName",
    "PatRecord",
    "SeedConflict",
    "SeedPat",
    "SharedState",
    "Store",
    "StreamView",
    "TokenRecord",
    "ToolCall",
    "Turn",
    "digest",
    "storable_id",
]


def open_database(url: str, stamp: StateStamp | None) -> Database:
    """The plumbing for the database `url` names: SQLite's own, or the portable path for any other."""
    database_class = SQLiteDatabase if url.startswith("sqlite") else Database
    return database_class(url, stamp)


class Store(Grants, ControlState, CoScientistState):
    def __init__(self, url: str, stamp: Path | None = None) -> None:
        """`stamp`: the stamp file, when every process that writes this database shares it."""
        super().__init__(open_database(url, StateStamp(stamp) if stamp else None))

    @property
    def engine(self) -> Engine:
        return self.database.engine

    def write(self) -> AbstractContextManager[Connection]:
        return self.database.write()

    def create_schema(self) -> None:
        with self.database.write() as conn:
            metadata.create_all(conn)
            if conn.execute(select(state.c.id)).first() is None:
                conn.execute(insert(state).values(id=1))
                mark_state_changed(conn)

    def dispose(self) -> None:
        self.database.dispose()
