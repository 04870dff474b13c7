"""Shared fixtures: live mock servers on ephemeral loopback ports, alone or federated, a throwaway
PostgreSQL server, and Java compiled for the tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from mock_platform.postgres_server import PostgresServer, PostgresUnavailable, throwaway_postgres
from mock_platform.testing import Federation, RunningServer, run_federated, run_server


@pytest.fixture(scope="session")
def live_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One mock for the whole session, default settings; tests must not change its global state."""
    with run_server(tmp_path_factory.mktemp("live-platform")) as server:
        yield server


# Known to the upstream of a federation only: its platform has never heard of dana.
DANA = {
    "id": 2001,
    "userName": "dana",
    "email": "Dana.Smith@corp.example",
    "password": "dana-password",
    "firstName": "Dana",
    "lastName": "Smith",
}


@pytest.fixture
def start_federation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Federation]]:
    """`start_federation(**platform_settings)`: a platform and its upstream (which also knows dana)."""
    with ExitStack() as stack:

        def start(**settings: object) -> Federation:
            settings.setdefault("upstream_users", [DANA])
            return stack.enter_context(run_federated(tmp_path_factory.mktemp("federated"), **settings))

        yield start


@pytest.fixture(scope="session")
def federation_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Federation]:
    with run_federated(
        tmp_path_factory.mktemp("federated"), local_login=False, upstream_users=[DANA]
    ) as federation:
        yield federation


@pytest.fixture
def federation(federation_session: Federation) -> Federation:
    """A platform with local login off (authorize goes straight to its upstream, so requests alone can
    log in), shared by the session's tests and reset to the seed before each (keys stay)."""
    federation_session.platform.control.reset()
    federation_session.upstream.control.reset()
    return federation_session


@pytest.fixture(scope="session")
def compile_java(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], Path]:
    """`compile_java(source)`: the directory of its classes. Without a JDK the test is skipped, but
    fails when CI=true (`make test` installs default-jdk-headless where apt is available)."""

    def compile_source(source: Path) -> Path:
        if shutil.which("javac") is None or shutil.which("java") is None:
            reason = "no JDK (javac) on this machine; make test installs default-jdk-headless where apt is available"
            if os.environ.get("CI") == "true":
                pytest.fail(reason)
            pytest.skip(reason)
        classes = tmp_path_factory.mktemp(source.stem)
        subprocess.run(
            ["javac", "-d", str(classes), str(source)], check=True, capture_output=True, timeout=120
        )
        return classes

    return compile_source


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
