"""Everything the store does differently on PostgreSQL (psycopg 3), where replicas share one database.

Transactions run at PostgreSQL's default isolation, READ COMMITTED. Whatever must happen once, however
many replicas race for it, is decided by the database rather than by a read before the write: a
conditional UPDATE (a code's claim, a refresh token's rotation: the loser waits for the winner's row
lock, then finds the row changed and updates nothing), a unique index (live PAT names, secrets stored
once), a row lock taken first (the signing keys during a rotation, a grant while it is revoked or
extended, the state row during a directory edit), and an advisory lock around schema migrations.

There is no stamp file: replicas on other hosts cannot see it, so each request reads the state row
(bench/README.md has what that costs). Reads and request-log appends are single statements and run
in autocommit: no BEGIN and ROLLBACK (or COMMIT) round trips around them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy.exc import DBAPIError

from ..errors import ConfigError
from .database import PRUNE_REQUESTS_EVERY, StoreError
from .portable import PortableConnection, PortableDatabase, create_engine_for, store_error

DRIVER = "postgresql+psycopg"
SCHEMES = ("postgresql://", "postgres://", f"{DRIVER}://")
MIGRATION_LOCK = 0x6D6F636B  # any constant: the key of the advisory lock held while the schema changes
LOCK_MIGRATION = "SELECT pg_advisory_xact_lock(:key)"
LOG_REQUEST = "INSERT INTO request_log (entry) VALUES (%s::json) RETURNING id"  # psycopg's placeholders
PRUNE_LOG = "DELETE FROM request_log WHERE id <= %s"
# A refused login and a missing database: psycopg gives no SQLSTATE for errors while connecting.
BAD_CREDENTIALS = re.compile(r"password authentication failed|no password supplied|role \S+ does not exist")
NO_SUCH_DATABASE = re.compile(r"database \S+ does not exist")


def is_postgres(url: str) -> bool:
    return url.startswith(SCHEMES)


def psycopg_url(url: str) -> str:
    """`postgresql://` and `postgres://` (libpq's spellings) mean psycopg 3, the driver of the extra."""
    for scheme in SCHEMES[:2]:
        if url.startswith(scheme):
            return f"{DRIVER}://{url[len(scheme) :]}"
    return url


class PostgresDatabase(PortableDatabase):
    def __init__(self, url: str) -> None:
        super().__init__(psycopg_url(url))
        # A pool of its own, always in autocommit: switching a pooled connection back and forth costs
        # round trips of its own.
        self._autocommit = create_engine_for(
            self.engine.url, isolation_level="AUTOCOMMIT", **self.engine_options(url)
        )

    def dispose(self) -> None:
        self._autocommit.dispose()
        super().dispose()

    def after_fork(self) -> None:
        self._autocommit.dispose(close=False)
        super().after_fork()

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[PortableConnection]:
        if write:
            with super()._transaction(write) as conn:
                yield conn
            return
        try:
            with self._autocommit.connect() as connection:
                yield PortableConnection(connection)
        except DBAPIError as error:
            raise store_error(error) from error

    def ids_inserted(self, conn: PortableConnection, table: str) -> None:
        # Move the table's sequence above every id in it, never backwards (nextval only counts up).
        sequence = f"pg_get_serial_sequence('{table}', 'id')"
        conn.run(
            f"SELECT setval({sequence}, GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), nextval({sequence})))"
        )

    def hot_row(self, sql: str) -> Sequence[Any] | None:
        # On the driver's connection, as a prepared statement: a third of the CPU time of the same
        # query through SQLAlchemy's execution (bench/README.md).
        with self._driver() as driver:
            return driver.execute(sql, prepare=True).fetchone()

    def log_request(self, entry: dict, keep: int) -> None:
        with self._driver() as driver:
            new_id = driver.execute(LOG_REQUEST, (json.dumps(entry),), prepare=True).fetchone()[0]
            if new_id % PRUNE_REQUESTS_EVERY == 0:
                driver.execute(PRUNE_LOG, (new_id - keep,))

    @contextmanager
    def _driver(self) -> Iterator[Any]:
        """A psycopg connection of the autocommit pool; its errors as the store's."""
        import psycopg  # importable: the engine's dialect has loaded it

        try:
            with self._autocommit.connect() as conn:
                yield conn.connection.driver_connection
        except DBAPIError as error:
            raise store_error(error) from error
        except psycopg.Error as error:
            raise StoreError(" ".join(str(error).split()), error.sqlstate) from error

    def engine_options(self, url: str) -> dict[str, Any]:
        return {
            # gunicorn threads of one worker, plus room for a request that holds two connections
            "pool_size": 8,
            "max_overflow": 8,
            "connect_args": {"connect_timeout": 10, "application_name": "mock-platform"},
            "driver_hint": "pip install 'mock-platform[postgres]' (psycopg 3)",
        }

    def lock_for_migration(self, conn: PortableConnection) -> None:
        conn.scalar(LOCK_MIGRATION, {"key": MIGRATION_LOCK})

    def unusable(self, error: StoreError) -> ConfigError:
        message = error.driver_message
        if BAD_CREDENTIALS.search(message):
            problem = "the server refused this user and password; check both in the URL (%-encode special characters)"
        elif NO_SUCH_DATABASE.search(message):
            problem = "no such database; create it (createdb NAME) or name an existing one in the URL"
        elif error.sqlstate is None:
            problem = "cannot connect; check host and port, and that PostgreSQL runs and accepts connections from here"
        else:
            problem = "cannot use the database"
        return ConfigError(f"{self.name}: {problem} ({message})")
