"""Everything the store does differently on SQLite, the default database (a WAL file in the data dir).

Write transactions start with BEGIN IMMEDIATE, so two workers never both hold a read snapshot and then
race to upgrade it (which SQLite answers with SQLITE_BUSY without waiting). Transactions are begun and
ended on the driver connection: the same statements as through `exec_driver_sql`, without
SQLAlchemy's execution machinery around each of them.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import random
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.pool import StaticPool

from .database import PRUNE_REQUESTS_EVERY, Database
from .stamp import StateStamp

IN_MEMORY_URLS = ("sqlite://", "sqlite:///:memory:")
INSERT_REQUEST = "INSERT INTO request_log (entry) VALUES (?)"  # JSON stored as json.dumps text
PRUNE_REQUESTS = "DELETE FROM request_log WHERE id <= ?"
BUSY_TIMEOUT_SECONDS = 30  # how long a statement waits for another process's lock


def _set_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
    cursor = dbapi_connection.cursor()
    _switch_to_wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _switch_to_wal(cursor: sqlite3.Cursor) -> None:
    """`PRAGMA journal_mode=WAL`, retried while the database is locked.

    On a new file the switch needs an exclusive lock, and processes that start together on it each
    hold a shared one while they ask for it: SQLite answers all but one SQLITE_BUSY at once, without
    waiting for the busy timeout (that wait could deadlock). The failed one holds no lock afterwards,
    so a retry succeeds once the winner has switched; on a WAL file the pragma changes nothing.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
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


def _driver_execute(conn: Connection, sql: str) -> None:
    conn.connection.driver_connection.execute(sql)


class SQLiteDatabase(Database):
    def __init__(self, url: str, stamp: StateStamp | None = None) -> None:
        super().__init__(url, stamp)
        event.listen(self.engine, "connect", _set_pragmas)
        # SQLite has one writer at a time anyway. Threads of one process queue on this lock, which
        # wakes the next at once, instead of on SQLite's busy handler, which sleeps 1, 2, 5, 10 ms...
        self._write_lock = threading.Lock()
        self._log_connections: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        # The request log's own connections must open the same database: only a file can be shared.
        database = self.engine.url.database
        self._log_file = database if database not in (None, "", ":memory:") else None
        self.name = f"database {self._log_file or url}"
        if self._log_file:
            own_database_files(Path(self._log_file))

    def engine_options(self, url: str) -> dict[str, Any]:
        options: dict[str, Any] = {
            "connect_args": {"check_same_thread": False, "timeout": BUSY_TIMEOUT_SECONDS}
        }
        if url in IN_MEMORY_URLS:
            options["poolclass"] = StaticPool
        return options

    def dispose(self) -> None:
        while not self._log_connections.empty():
            self._log_connections.get_nowait().close()
        super().dispose()

    def _begin_read(self, conn: Connection) -> None:
        _driver_execute(conn, "BEGIN")

    def _end_read(self, conn: Connection) -> None:
        _driver_execute(conn, "COMMIT")

    def _begin_write(self, conn: Connection) -> None:
        _driver_execute(conn, "BEGIN IMMEDIATE")

    def _commit(self, conn: Connection) -> None:
        _driver_execute(conn, "COMMIT")

    def _rollback(self, conn: Connection) -> None:
        _driver_execute(conn, "ROLLBACK")

    def log_request(self, entry: dict, keep: int) -> None:
        if not self._log_file:
            super().log_request(entry, keep)
            return
        # One row per request: a single autocommit INSERT on a driver connection of our own costs
        # a third of a transaction through the pool (and needs no BEGIN: it is one statement).
        with self._log_connection() as connection:
            new_id = connection.execute(INSERT_REQUEST, (json.dumps(entry),)).lastrowid
            if new_id % PRUNE_REQUESTS_EVERY == 0:
                connection.execute(PRUNE_REQUESTS, (new_id - keep,))

    @contextmanager
    def _log_connection(self) -> Iterator[sqlite3.Connection]:
        try:
            connection = self._log_connections.get_nowait()
        except queue.Empty:
            connection = sqlite3.connect(
                self._log_file,
                timeout=30,
                isolation_level=None,
                check_same_thread=False,
            )
            connection.execute("PRAGMA synchronous=NORMAL")
        try:
            yield connection
        finally:
            self._log_connections.put(connection)
