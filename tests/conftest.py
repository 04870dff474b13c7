"""Shared fixtures: live mock servers on ephemeral loopback ports."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from mock_platform.testing import RunningServer, run_server


@pytest.fixture(scope="session")
def live_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One mock for the whole session, default settings; tests must not change its global state."""
    with run_server(tmp_path_factory.mktemp("live-platform")) as server:
        yield server


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Headless Chromium through Playwright (the system one when present). In CI a missing browser
    is a failure, not a skip: the browser tests must run there."""
    from client.browser import CHROMIUM_ARGS, chromium_executable

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
        except Exception as error:
            _missing(f"no usable Chromium ({error.__class__.__name__}: {str(error).splitlines()[0]})")
        yield browser
        browser.close()


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run the browser tests (make test installs Debian's chromium)")
    pytest.skip(reason)
