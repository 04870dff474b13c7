"""Shared fixtures: live mock servers on ephemeral loopback ports, and Java compiled for the tests."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mock_platform.testing import RunningServer, run_server


@pytest.fixture(scope="session")
def live_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One mock for the whole session, default settings; tests must not change its global state."""
    with run_server(tmp_path_factory.mktemp("live-platform")) as server:
        yield server


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
