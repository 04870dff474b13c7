"""Any database SQLAlchemy speaks: the store's statements through `text()` on SQLAlchemy's own transactions.

Only a `database_url` that is not a plain SQLite URL comes here (PostgreSQL through its subclass in
`postgres.py`), so only then does the mock import SQLAlchemy to serve requests.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from sqlalchemy import Connection as SQLAlchemyConnection
from sqlalchemy import TextClause, create_engine, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.exc import IntegrityError as SQLAlchemyIntegrityError

from ..errors import ConfigError
from .database import Database, IntegrityError, Parameters, StoreError, masked
from .sqlite import without_row_locks
from .stamp import StateStamp


@cache
def _statement(sql: str) -> TextClause:
    return text(sql)


def _json_column_names() -> frozenset[str]:
    """The columns whose text a driver may hand back undecoded (the statements are text(): SQLAlchemy
    does not know their types): every JSON column's name that no other column has."""
    from sqlalchemy import JSON

    from .schema import metadata

    columns = [column for table in metadata.tables.values() for column in table.columns]
    json_names = {column.name for column in columns if isinstance(column.type, JSON)}
    return frozenset(json_names - {column.name for column in columns if not isinstance(column.type, JSON)})


JSON_COLUMNS = _json_column_names()


def _decoded(name: str, value: Any) -> Any:
    """psycopg decodes JSON columns itself; pysqlite and others give their text."""
    return json.loads(value) if name in JSON_COLUMNS and isinstance(value, str) else value


def _row(row: Any) -> dict[str, Any]:
    return {name: _decoded(name, value) for name, value in row.items()}


def driver_message(error: DBAPIError) -> str:
    """The driver's own words, on one line."""
    return " ".join(str(error.orig).split()) if error.orig is not None else str(error)


def store_error(error: DBAPIError) -> StoreError:
    kind = IntegrityError if isinstance(error, SQLAlchemyIntegrityError) else StoreError
    return kind(driver_message(error), getattr(error.orig, "sqlstate", None))


class PortableConnection:
    """A transaction's statements on a SQLAlchemy connection (rows are `RowMapping`s)."""

    __slots__ = ("connection", "row_locks", "state_changed")

    def __init__(self, connection: SQLAlchemyConnection) -> None:
        self.connection = connection
        self.row_locks = connection.dialect.name != "sqlite"
        self.state_changed = False

    def _execute(self, sql: str, parameters: Parameters | None) -> Any:
        try:
            return self.connection.execute(
                _statement(sql if self.row_locks else without_row_locks(sql)), parameters
            )
        except DBAPIError as error:
            raise store_error(error) from error

    def rows(self, sql: str, parameters: Parameters | None = None) -> list[Any]:
        return [_row(row) for row in self._execute(sql, parameters).mappings()]

    def row(self, sql: str, parameters: Parameters | None = None) -> Any:
        row = self._execute(sql, parameters).mappings().first()
        return _row(row) if row is not None else None

    def scalar(self, sql: str, parameters: Parameters | None = None) -> Any:
        result = self._execute(sql, parameters)
        return _decoded(next(iter(result.keys())), result.scalar())

    def run(self, sql: str, parameters: Parameters | None = None) -> int:
        return self._execute(sql, parameters).rowcount

    def insert(self, sql: str, parameters: Parameters | None = None) -> int:
        return self._execute(f"{sql} RETURNING id", parameters).scalar_one()

    def has_table(self, name: str) -> bool:
        return inspect(self.connection).has_table(name)


def create_engine_for(url: Any, driver_hint: str = "pip install it", **options: Any) -> Engine:
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
            f"database_url {masked(str(url))}: its database driver is not installed ({error}); {driver_hint}, "
            "or leave database_url unset for the SQLite file in the data dir"
        ) from None


class PortableDatabase(Database):
    def __init__(self, url: str, stamp: StateStamp | None = None) -> None:
        super().__init__(f"database_url {masked(url)}", stamp)
        self.engine = create_engine_for(url, **self.engine_options(url))

    def engine_options(self, url: str) -> dict[str, Any]:
        return {}

    def dispose(self) -> None:
        self.engine.dispose()

    def after_fork(self) -> None:
        self.engine.dispose(close=False)

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[PortableConnection]:
        try:
            with self.engine.connect() as connection:
                conn = PortableConnection(connection)
                yield conn
                if write:
                    connection.commit()
                else:
                    connection.rollback()
        except DBAPIError as error:  # connecting, committing
            raise store_error(error) from error

    def create_tables(self, conn: Any) -> None:
        from .schema import metadata

        metadata.create_all(conn.connection)

    @contextmanager
    def migration(self) -> Iterator[SQLAlchemyConnection]:
        with self.write() as conn:
            self.lock_for_migration(conn)
            yield conn.connection
