"""Shared fixtures: live mock servers on ephemeral loopback ports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mock_platform.testing import RunningServer, run_server


@pytest.fixture(scope="session")
def live_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One mock for the whole session, default settings; tests must not change its global state."""
    with run_server(tmp_path_factory.mktemp("live-platform")) as server:
        yield server
