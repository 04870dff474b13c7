"""Which Chromium Playwright should drive, and how: shared by the mock's pytest plugin, the reference
client's Playwright launcher and the conformance suite's login drivers, so that none of them needs another."""

from __future__ import annotations

import atexit
import os
import shutil
from typing import Any

# Without the networking flags Chromium keeps calling Google's services, which a closed network
# refuses many times a second; --no-sandbox lets it run as root in containers and CI.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_executable() -> str | None:
    """PLAYWRIGHT_CHROMIUM_EXECUTABLE, else a system Chromium, else None (Playwright's own browser)."""
    explicit = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE")
    if explicit:
        return explicit
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


_playwright: Any = None


def shared_playwright() -> Any:
    """The process's one sync Playwright, started on first use and stopped at exit.

    Playwright's sync API refuses a second instance on a thread that already runs one, so the pytest
    plugin's browser fixture and the conformance suite's login drivers share this one.
    """
    global _playwright
    if _playwright is None:
        from playwright.sync_api import sync_playwright

        _playwright = sync_playwright().start()
        atexit.register(_stop_playwright)
    return _playwright


def launch_chromium(*, headless: bool = True, extra_args: tuple[str, ...] = ()) -> Any:
    return shared_playwright().chromium.launch(
        executable_path=chromium_executable(), args=[*CHROMIUM_ARGS, *extra_args], headless=headless
    )


def _stop_playwright() -> None:
    global _playwright
    if _playwright is not None:
        _playwright.stop()
        _playwright = None
