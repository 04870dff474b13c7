"""A real store on a SQLite file in tmp_path or on a database of a throwaway PostgreSQL server, opened
as `Platform` opens it. Every test runs on both unless it names its `backend`; two stores opened on
one database are two workers (SQLite: sharing the stamp file) or two replicas (PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from mock_platform.store import Store

NOW = 1_700_000_000.0


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("new_postgres_database")()


@pytest.fixture
def open_store(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Store]]:
    """Opens stores on the test's database (SQLite: and its stamp), as each worker or replica does."""
    with ExitStack() as stack:

        def open_one(url: str | None = None, *, stamped: bool = True) -> Store:
            url = url or database_url
            stamp = tmp_path / "state.stamp" if stamped and url.startswith("sqlite") else None
            store = Store(url, stamp)
            stack.callback(store.dispose)
            store.create_schema()
            return store

        yield open_one


@pytest.fixture
def store(open_store: Callable[..., Store]) -> Store:
    return open_store()
