"""The plumbing every part of the store goes through: the engine, transactions, request-log appends.

`Database` is the portable path: SQLAlchemy's own transactions, on any database SQLAlchemy speaks.
Everything particular to one database lives in a subclass of its own (`sqlite.py`, `postgres.py`),
which `open_database` in `__init__.py` picks from the URL.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from sqlalchemy import Connection, Select, Table, bindparam, create_engine, delete, insert
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from ..errors import ConfigError
from .schema import request_log
from .stamp import StateStamp

STATE_CHANGED = "mock_platform.state_changed"
PRUNE_REQUESTS_EVERY = 50  # the request log drops its oldest rows at every 50th entry
INSERT_REQUEST = insert(request_log)
PRUNE_REQUESTS = delete(request_log).where(request_log.c.id <= bindparam("last_dropped"))


def mark_state_changed(conn: Connection) -> None:
    """Every change to the `state` row calls this, so that the stamp moves once the write commits."""
    conn.info[STATE_CHANGED] = True


def masked(url: str) -> str:
    """The URL as errors and logs show it: the password as ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a URL)"


def create_engine_for(url: str, driver_hint: str = "pip install it", **options: Any) -> Engine:
    try:
        return create_engine(url, **options)
    except NoSuchModuleError as error:
        raise ConfigError(f"database_url: {error}; check the dialect+driver part of the URL") from None
    except ArgumentError:
        raise ConfigError(
            "database_url: not a SQLAlchemy URL (dialect+driver://user:password@host/database); "
            "leave it unset for the SQLite file in the data dir"
        ) from None
    except ImportError as error:
        raise ConfigError(
            f"database_url {masked(url)}: its database driver is not installed ({error}); {driver_hint}, "
            "or leave database_url unset for the SQLite file in the data dir"
        ) from None


class Database:
    """Read and write transactions; a write that changed the `state` row moves the stamp after it commits.

    `stamp`: the stamp file, when every process that writes this database shares it.
    """

    def __init__(self, url: str, stamp: StateStamp | None = None) -> None:
        self.stamp = stamp
        self.name = f"database_url {masked(url)}"
        self.engine = create_engine_for(url, **self.engine_options(url))
        self._write_lock: AbstractContextManager[Any] = nullcontext()

    def engine_options(self, url: str) -> dict[str, Any]:
        return {}

    def lock_for_migration(self, conn: Connection) -> None:
        """Inside a write: keep other processes from changing the schema until it commits."""

    def unusable(self, error: DBAPIError) -> ConfigError:
        """The error at start when the database cannot be reached or used: what went wrong, what to do."""
        return ConfigError(f"{self.name}: cannot use the database ({driver_message(error)})")

    def dispose(self) -> None:
        self.engine.dispose()

    def after_fork(self) -> None:
        self.engine.dispose(close=False)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            self._begin_read(conn)
            try:
                yield conn
            finally:
                self._end_read(conn)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with self._write_lock, self.engine.connect() as conn:
            self._begin_write(conn)
            try:
                yield conn
            except BaseException:
                conn.info.pop(STATE_CHANGED, None)
                self._rollback(conn)
                raise
            self._commit(conn)
            if conn.info.pop(STATE_CHANGED, False) and self.stamp:
                self.stamp.touch()

    # How a transaction begins and ends: a subclass may do it closer to the driver.

    def _begin_read(self, conn: Connection) -> None:
        """Nothing: SQLAlchemy begins on the first statement."""

    def _end_read(self, conn: Connection) -> None:
        conn.rollback()

    def _begin_write(self, conn: Connection) -> None:
        conn.begin()

    def _commit(self, conn: Connection) -> None:
        conn.commit()

    def _rollback(self, conn: Connection) -> None:
        conn.rollback()

    def ids_inserted(self, conn: Connection, table: Table) -> None:
        """Rows of `table` were inserted with ids of their own: its generated ids must continue above them.

        SQLite's AUTOINCREMENT and MySQL's AUTO_INCREMENT do that by themselves; a database that draws
        ids from a sequence (PostgreSQL) moves the sequence here.
        """

    def hot_row(self, statement: Select) -> Sequence[Any] | None:
        """The first row of a read that every request makes (a subclass may make it cheaper)."""
        with self.read() as conn:
            return conn.execute(statement).first()

    def log_request(self, entry: dict, keep: int) -> None:
        """Append one entry to the request log, keeping about the last `keep`."""
        with self.write() as conn:
            new_id = conn.execute(INSERT_REQUEST, {"entry": entry}).inserted_primary_key[0]
            if new_id % PRUNE_REQUESTS_EVERY == 0:
                conn.execute(PRUNE_REQUESTS, {"last_dropped": new_id - keep})


def driver_message(error: DBAPIError) -> str:
    """The driver's own words, on one line."""
    return " ".join(str(error.orig).split()) if error.orig is not None else str(error)


class StorePart:
    """One job of the store (`Store` is made of them); every part goes through the same `Database`."""

    def __init__(self, database: Database) -> None:
        self.database = database
