"""Shared fixtures: live mock servers on ephemeral loopback ports, and a throwaway PostgreSQL server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest

from mock_platform.postgres_server import PostgresServer, PostgresUnavailable, throwaway_postgres
from mock_platform.testing import RunningServer, run_server


@pytest.fixture(scope="session")
def live_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One mock for the whole session, default settings; tests must not change its global state."""
    with run_server(tmp_path_factory.mktemp("live-platform")) as server:
        yield server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL cluster of its own for the session (initdb + pg_ctl in a temporary directory).

    Without PostgreSQL's server programs the tests that need it skip, and fail when CI=true.
    """
    with ExitStack() as stack:
        try:
            server = stack.enter_context(throwaway_postgres())
        except PostgresUnavailable as error:
            if os.environ.get("CI") == "true":
                pytest.fail(f"PostgreSQL is needed in CI: {error}", pytrace=False)
            pytest.skip(f"no PostgreSQL here: {error}")
        yield server


@pytest.fixture
def new_postgres_database(postgres_server: PostgresServer) -> Iterator[Callable[[], str]]:
    """`new_postgres_database()`: the URL of a new, empty database, dropped after the test."""
    names: list[str] = []

    def create() -> str:
        names.append(f"test_{uuid.uuid4().hex[:12]}")
        return postgres_server.create_database(names[-1])

    yield create
    for name in names:
        postgres_server.drop_database(name)
