"""Shared set-up of the client checker's tests: the reference client as a command, one Chromium."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest

from mock_platform.client_check import CheckSettings, Report, check


def platform_auth(*args: str, defects: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The reference client as a command, by path (PATH need not hold the venv), with its defects."""
    switches = ("env", f"PLATFORM_AUTH_DEFECTS={','.join(defects)}") if defects else ()
    return (*switches, sys.executable, "-m", "client", *args)


def reference(client: str, defects: tuple[str, ...] = ()) -> dict[str, Any]:
    """The settings of a full check of `platform-auth nextflow` or `platform-auth seqera`."""
    login = ("login", "--url", "{issuer}") if client == "nextflow" else ("login", "--no-browser")
    return {
        "login": platform_auth(client, *login, defects=defects),
        "refresh": platform_auth(client, "status", defects=defects),
        "logout": platform_auth(client, "logout", defects=defects),
        "profile": client,
    }


@pytest.fixture
def run_check(chromium_browser: Any) -> Callable[..., Report]:
    """`run_check(login=..., ...)`: a check in this process, on the session's Chromium."""

    def run(**settings: Any) -> Report:
        return check(CheckSettings(**settings), browser=chromium_browser)

    return run
