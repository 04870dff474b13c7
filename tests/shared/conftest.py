"""One two-replica deployment on a throwaway PostgreSQL server for the tests of this directory that
share it (`shared`); tests that kill or restart replicas make their own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .deployment import Deployment, deployment


@pytest.fixture(scope="module")
def shared(postgres_server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    name = f"shared_{tmp_path_factory.getbasetemp().name.replace('-', '_')}_{id(object())}"
    url = postgres_server.create_database(name)
    try:
        with deployment(url, tmp_path_factory.mktemp("shared")) as running:
            yield running
    finally:
        postgres_server.drop_database(name)
