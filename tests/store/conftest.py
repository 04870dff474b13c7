"""A real store on a SQLite file in tmp_path, opened as `Platform` opens it: database file and stamp."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from mock_platform.store import Store

NOW = 1_700_000_000.0


@pytest.fixture
def open_store(tmp_path: Path) -> Iterator[Callable[..., Store]]:
    """Opens stores on one database file and stamp, as each worker process does; disposes of them after."""
    with ExitStack() as stack:

        def open_one(url: str = f"sqlite:///{tmp_path / 'store.db'}", *, stamped: bool = True) -> Store:
            store = Store(url, tmp_path / "state.stamp" if stamped else None)
            stack.callback(store.dispose)
            store.create_schema()
            return store

        yield open_one


@pytest.fixture
def store(open_store: Callable[..., Store]) -> Store:
    return open_store()
