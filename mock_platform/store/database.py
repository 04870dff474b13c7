"""The plumbing every part of the store goes through: transactions, statements, request-log appends.

The store's statements are SQL text with `:name` parameters, the one dialect SQLite (through the
standard library's `sqlite3`) and SQLAlchemy's `text()` (PostgreSQL, any other database) both speak.
The default database, a SQLite file, therefore never imports SQLAlchemy: that saves a fifth of a
second at every start and a third of a worker's memory (bench/README.md, "The store"). Everything
particular to one database lives in a subclass of its own (`sqlite.py`, `portable.py`,
`postgres.py`), which `open_database` in `__init__.py` picks from the URL.

Statements keep to what SQLite and PostgreSQL share: `FOR UPDATE` ends a statement (SQLite, which
writes one transaction at a time anyway, runs it without), JSON columns take `json.dumps` text and
give back the decoded value, and an insert's new id comes from `insert`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from ..errors import ConfigError
from .stamp import StateStamp

if TYPE_CHECKING:
    from sqlalchemy import Connection as SQLAlchemyConnection

PRUNE_REQUESTS_EVERY = 50  # the request log drops its oldest rows at every 50th entry
INSERT_REQUEST = "INSERT INTO request_log (entry) VALUES (:entry)"
PRUNE_REQUESTS = "DELETE FROM request_log WHERE id <= :last_dropped"

# A row of a result: `row["column"]`, `dict(row)` and `**row` work on every database (SQLite's
# `sqlite3.Row`, SQLAlchemy's `RowMapping`).
Row = Any
Parameters = Mapping[str, Any]


class StoreError(Exception):
    """The database refused or failed a statement: `driver_message` in its driver's own words, and
    the SQLSTATE where the database gives one (PostgreSQL; none while connecting)."""

    def __init__(self, driver_message: str, sqlstate: str | None = None) -> None:
        super().__init__(driver_message)
        self.driver_message = driver_message
        self.sqlstate = sqlstate


class IntegrityError(StoreError):
    """A unique key or another constraint refused a write."""


class Connection(Protocol):
    """One transaction's statements; `state_changed` is set by every change to the `state` row."""

    state_changed: bool

    def rows(self, sql: str, parameters: Parameters | None = None) -> list[Row]: ...

    def row(self, sql: str, parameters: Parameters | None = None) -> Row | None: ...

    def scalar(self, sql: str, parameters: Parameters | None = None) -> Any: ...

    def run(self, sql: str, parameters: Parameters | None = None) -> int:
        """Run a statement; the number of rows it changed."""
        ...

    def insert(self, sql: str, parameters: Parameters | None = None) -> int:
        """Run an INSERT into a table with an `id` column; the new row's id."""
        ...

    def has_table(self, name: str) -> bool: ...


def as_json(value: Any) -> str | None:
    """A JSON column's parameter: the text of `value` (None stays NULL)."""
    return None if value is None else json.dumps(value)


def mark_state_changed(conn: Connection) -> None:
    """Every change to the `state` row calls this, so that the stamp moves once the write commits."""
    conn.state_changed = True


def masked(url: str) -> str:
    """The URL as errors and logs show it: the password as ***."""
    try:
        parts = urlsplit(url)
        if not parts.scheme:
            return "(not a URL)"
        if parts.password is None:
            return url
        user = parts.username or ""
        host = parts.hostname or ""
        host = f"[{host}]" if ":" in host else host
        port = f":{parts.port}" if parts.port is not None else ""
        return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))
    except ValueError:
        return "(not a URL)"


class Database:
    """Read and write transactions; a write that changed the `state` row moves the stamp after it commits.

    `stamp`: the stamp file, when every process that writes this database shares it.
    """

    def __init__(self, name: str, stamp: StateStamp | None = None) -> None:
        self.name = name
        self.stamp = stamp

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with self._transaction(write=True) as conn:
            yield conn
            changed = conn.state_changed
        if changed and self.stamp:
            self.stamp.touch()

    def read(self) -> AbstractContextManager[Connection]:
        """Statements that change nothing; on SQLite and PostgreSQL each sees what was committed when it
        ran (autocommit), so a read of several statements is not one snapshot."""
        return self._transaction(write=False)

    def _transaction(self, write: bool) -> AbstractContextManager[Connection]:
        """A write: a transaction that commits when the block ends and rolls back when it raises."""
        raise NotImplementedError

    def dispose(self) -> None:
        """Close every connection."""

    def after_fork(self) -> None:
        """In a forked worker: forget the parent's connections, without closing them under it."""

    def lock_for_migration(self, conn: Connection) -> None:
        """Inside a write: keep other processes from changing the schema until it commits."""

    def unusable(self, error: StoreError) -> ConfigError:
        """The error at start when the database cannot be reached or used: what went wrong, what to do."""
        return ConfigError(f"{self.name}: cannot use the database ({error.driver_message})")

    def create_tables(self, conn: Connection) -> None:
        """Inside a write, on a database without the mock's tables: make them as `schema.metadata` has them."""
        raise NotImplementedError

    def migration(self) -> AbstractContextManager[SQLAlchemyConnection]:
        """A SQLAlchemy connection in a write transaction holding the migration lock, for Alembic."""
        raise NotImplementedError

    def ids_inserted(self, conn: Connection, table: str) -> None:
        """Rows of `table` were inserted with ids of their own: its generated ids must continue above them.

        SQLite's AUTOINCREMENT and MySQL's AUTO_INCREMENT do that by themselves; a database that draws
        ids from a sequence (PostgreSQL) moves the sequence here.
        """

    def hot_row(self, sql: str) -> Sequence[Any] | None:
        """The first row of a read without parameters that every request makes (a subclass may make it cheaper)."""
        with self.read() as conn:
            row = conn.row(sql)
        return tuple(dict(row).values()) if row is not None else None

    def appending(self) -> AbstractContextManager[Connection]:
        """Where a request-log append runs: a write transaction (a subclass may make it cheaper)."""
        return self.write()

    def log_request(self, entry: dict, keep: int) -> None:
        """Append one entry to the request log, keeping about the last `keep`."""
        with self.appending() as conn:
            new_id = conn.insert(INSERT_REQUEST, {"entry": json.dumps(entry)})
            if new_id % PRUNE_REQUESTS_EVERY == 0:
                conn.run(PRUNE_REQUESTS, {"last_dropped": new_id - keep})


class StorePart:
    """One job of the store (`Store` is made of them); every part goes through the same `Database`."""

    def __init__(self, database: Database) -> None:
        self.database = database


def storable_id(value: int) -> bool:
    """Whether an id from a URL fits every database's INTEGER column (PostgreSQL's is 32-bit); no
    stored row has any other id."""
    return -(2**31) <= value < 2**31
