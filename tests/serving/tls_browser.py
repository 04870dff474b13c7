"""Headless Chromium that trusts a CA (an NSS database, never ignored certificate errors), skipped
where there is none, failed when CI=true, like the pytest plugin's `chromium_browser`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from headless_chromium import launch_chromium


def chromium_trusting(ca_file: Path, *extra_args: str) -> Any:
    try:
        return launch_chromium(ca_file=ca_file, extra_args=extra_args)
    except Exception as error:  # Playwright's Error, ImportError, no certutil
        reason = f"no Chromium that can trust a CA here: {type(error).__name__}: {str(error).splitlines()[0]}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
