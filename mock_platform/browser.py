"""Which Chromium Playwright should drive, and how: shared by the pytest plugin, the reference
client's Playwright launcher and the conformance suite's login drivers."""

from __future__ import annotations

import os
import shutil

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
