"""Persistence behind one small interface: SQL statements on a SQLite file (WAL) by default.

Everything that must be shared by gunicorn workers or survive a restart lives here: codes, tokens,
personal access tokens, the directory and runtime clients, and the control-API state. One module per
job: `schema` (the tables, for Alembic and other databases), `migrate` (new, older and newer databases
at start), `database` (transactions and statements on any database), `sqlite`, `portable` and
`postgres` (what each database does differently), `stamp` (how the workers of one host see a change),
and the parts `Store` is made of: `grants` (codes, tokens, personal access tokens), `control` (the state
row and clock, documents, identity queue, faults, request log, reset), `co_scientist` (the Seqera CLI's
sessions) and `secrets` (signing keys, session secret).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

from .co_scientist import AiSession, CoScientistState, StreamView, ToolCall, Turn
from .control import ControlState, SharedState
from .database import Connection, Database, StoreError, storable_id
from .grants import CodeRecord, DuplicateName, Grants, PatRecord, SeedConflict, SeedPat, TokenRecord, digest
from .migrate import prepare_schema
from .secrets import StoredSecrets
from .sqlite import SQLiteDatabase, sqlite_database
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
    "StoreError",
    "StreamView",
    "TokenRecord",
    "ToolCall",
    "Turn",
    "digest",
    "storable_id",
]


def open_database(url: str, stamp: StateStamp | None) -> Database:
    """The plumbing for the database `url` names: SQLite's or PostgreSQL's own, else the portable path
    (SQLAlchemy, imported only then)."""
    if (file := sqlite_database(url)) is not None:
        return SQLiteDatabase(file, stamp)
    from .postgres import PostgresDatabase, is_postgres

    if is_postgres(url):
        return PostgresDatabase(url)  # shared across hosts: no stamp file
    from .portable import PortableDatabase

    return PortableDatabase(url, stamp)


class Store(Grants, ControlState, CoScientistState, StoredSecrets):
    def __init__(self, url: str, stamp: Path | None = None) -> None:
        """`stamp`: the stamp file, when every process that writes this database shares it."""
        super().__init__(open_database(url, StateStamp(stamp) if stamp else None))

    def write(self) -> AbstractContextManager[Connection]:
        return self.database.write()

    def create_schema(self) -> None:
        """Make, upgrade or accept the database's schema; a database that cannot be used is a ConfigError."""
        try:
            prepare_schema(self.database)
        except StoreError as error:
            raise self.database.unusable(error) from None

    def dispose(self) -> None:
        self.database.dispose()

    def after_fork(self) -> None:
        """In a forked worker: forget the parent's connections, without closing them under it."""
        self.database.after_fork()
