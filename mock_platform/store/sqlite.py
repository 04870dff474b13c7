"""The default database, a SQLite file (WAL) in the data dir, through the standard library's `sqlite3`.

Write transactions start with BEGIN IMMEDIATE, so two workers never both hold a read snapshot and then
race to upgrade it (which SQLite answers with SQLITE_BUSY without waiting). Threads of one process
take turns on a lock before that, which wakes the next at once, instead of on SQLite's busy handler,
which sleeps 1, 2, 5, 10 ms... JSON columns are declared JSON, and a converter decodes them as they are
read. SQLAlchemy is imported only when a database of an earlier release must be upgraded (Alembic).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import random
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .database import (
    Database,
    IntegrityError,
    Parameters,
    StoreError,
)
from .stamp import StateStamp

if TYPE_CHECKING:
    from sqlalchemy import Connection as SQLAlchemyConnection

IN_MEMORY = ":memory:"
# sqlite:// and sqlite:///:memory: (in memory), sqlite:///relative/file, sqlite:////absolute/file;
# a URL with a query (driver options) goes through SQLAlchemy (portable.py).
PLAIN_URL = re.compile(r"sqlite(\+pysqlite)?://(/(?P<file>[^?#]*))?")
BUSY_TIMEOUT_SECONDS = 30  # how long a statement waits for another process's lock
SCHEMA_FILE = Path(__file__).with_name("sqlite_schema.sql")

sqlite3.register_converter("JSON", json.loads)

# Connections a forked worker inherited: kept, never closed, as closing them would touch the parent's.
_inherited: list[sqlite3.Connection] = []


def sqlite_database(url: str) -> str | None:
    """The file (or IN_MEMORY) a plain SQLite URL names; None for any other URL."""
    match = PLAIN_URL.fullmatch(url)
    if match is None:
        return None
    return match["file"] or IN_MEMORY


@cache
def without_row_locks(sql: str) -> str:
    """The statement as SQLite runs it: without a closing FOR UPDATE (it writes one transaction at a time)."""
    return sql.removesuffix(" FOR UPDATE")


def _switch_to_wal(connection: sqlite3.Connection) -> None:
    """`PRAGMA journal_mode=WAL`, retried while the database is locked.

    On a new file the switch needs an exclusive lock, and processes that start together on it each
    hold a shared one while they ask for it: SQLite answers all but one SQLITE_BUSY at once, without
    waiting for the busy timeout (that wait could deadlock). The failed one holds no lock afterwards,
    so a retry succeeds once the winner has switched; on a WAL file the pragma changes nothing.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(random.uniform(0.005, 0.05))  # noqa: S311 - jitter, not a secret


def own_database_files(path: Path) -> None:
    """Make the database file owner-only before SQLite opens it: SQLite creates it 0644 (less the
    umask), and gives its -wal and -shm files the mode of the database file when it creates them.
    It holds client secrets and passwords. Files of an older run are made owner-only too."""
    with contextlib.suppress(FileExistsError, FileNotFoundError, PermissionError):  # SQLite says what
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        # another user's file, which we may still be allowed to write; or not there (yet)
        with contextlib.suppress(PermissionError, FileNotFoundError):
            if file.stat().st_mode & 0o077:
                file.chmod(0o600)


class SQLiteConnection:
    """A transaction's statements on one `sqlite3` connection (rows are `sqlite3.Row`s)."""

    __slots__ = ("connection", "state_changed")

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self.state_changed = False

    def _execute(self, sql: str, parameters: Parameters | None) -> sqlite3.Cursor:
        try:
            return self.connection.execute(without_row_locks(sql), parameters or ())
        except sqlite3.IntegrityError as error:
            raise IntegrityError(str(error)) from error
        except sqlite3.Error as error:
            raise StoreError(str(error)) from error

    def rows(self, sql: str, parameters: Parameters | None = None) -> list[Any]:
        return self._execute(sql, parameters).fetchall()

    def row(self, sql: str, parameters: Parameters | None = None) -> Any:
        return self._execute(sql, parameters).fetchone()

    def scalar(self, sql: str, parameters: Parameters | None = None) -> Any:
        row = self._execute(sql, parameters).fetchone()
        return row[0] if row is not None else None

    def run(self, sql: str, parameters: Parameters | None = None) -> int:
        return self._execute(sql, parameters).rowcount

    def insert(self, sql: str, parameters: Parameters | None = None) -> int:
        new_id = self._execute(sql, parameters).lastrowid
        assert new_id is not None
        return new_id

    def has_table(self, name: str) -> bool:
        return (
            self.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name", {"name": name})
            == 1
        )


class SQLiteDatabase(Database):
    def __init__(self, database: str, stamp: StateStamp | None = None) -> None:
        super().__init__(f"database {'sqlite:// (in memory)' if database == IN_MEMORY else database}", stamp)
        self._file = database
        self._idle: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._write_lock = threading.Lock()
        # In memory, every thread shares one connection (a new one would be another database), so
        # its transactions take turns.
        self._memory: sqlite3.Connection | None = None
        self._memory_lock = threading.RLock()
        if database == IN_MEMORY:
            self._memory = self._connect()
        else:
            own_database_files(Path(database))

    def _connect(self, *, decoded: bool = True) -> sqlite3.Connection:
        """A new connection with the store's settings; `decoded`: rows as `sqlite3.Row`, JSON decoded."""
        try:
            connection = sqlite3.connect(
                self._file,
                timeout=BUSY_TIMEOUT_SECONDS,
                isolation_level=None,  # we issue BEGIN ourselves
                check_same_thread=False,
                detect_types=sqlite3.PARSE_DECLTYPES if decoded else 0,
            )
            if decoded:
                connection.row_factory = sqlite3.Row
            _switch_to_wal(connection)
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as error:
            raise StoreError(str(error)) from error
        return connection

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        if self._memory is not None:
            with self._memory_lock:
                yield self._memory
            return
        try:
            connection = self._idle.get_nowait()
        except queue.Empty:
            connection = self._connect()
        try:
            yield connection
        finally:
            self._idle.put(connection)

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[SQLiteConnection]:
        """A write holds the database from BEGIN IMMEDIATE to COMMIT. A read runs each statement on its
        own, in autocommit, as reads do on PostgreSQL: no BEGIN and COMMIT around it."""
        if not write:
            with self._connection() as connection:
                yield SQLiteConnection(connection)
            return
        with self._write_lock, self._connection() as connection:
            conn = SQLiteConnection(connection)
            conn.run("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.run("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise

    def dispose(self) -> None:
        while not self._idle.empty():
            self._idle.get_nowait().close()
        if self._memory is not None:
            self._memory.close()

    def after_fork(self) -> None:
        while not self._idle.empty():
            _inherited.append(self._idle.get_nowait())

    def create_tables(self, conn: Any) -> None:
        for statement in SCHEMA_FILE.read_text().split(";"):
            if statement.strip():
                conn.run(statement)

    @contextmanager
    def migration(self) -> Iterator[SQLAlchemyConnection]:
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        assert self._memory is None, "a database in memory is always new: never migrated"
        # SQLAlchemy's pysqlite dialect wants rows as tuples and JSON undecoded: connections of its own
        engine = create_engine("sqlite://", creator=lambda: self._connect(decoded=False), poolclass=NullPool)
        with self._write_lock, engine.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.exec_driver_sql("COMMIT")
            except BaseException:
                if conn.connection.driver_connection.in_transaction:
                    conn.exec_driver_sql("ROLLBACK")
                raise
        engine.dispose()

    @contextmanager
    def appending(self) -> Iterator[SQLiteConnection]:
        # One row per request: a single INSERT in autocommit needs no BEGIN (it is one statement). It
        # takes its turn on the write lock, which wakes it at once, rather than in SQLite's busy handler.
        with self._write_lock, self._connection() as connection:
            yield SQLiteConnection(connection)
