"""`mock-platform check-client`: the mock judges a CLI's login, as the conformance suite judges a provider.

    from mock_platform.client_check import CheckSettings, check

    report = check(CheckSettings(login=("nextflow", "auth", "login", "-url", "{issuer}")))
    assert report.ok, report.summary

The catalog is `catalog.py` (CLI-01 … CLI-35); each scenario runs against a fresh in-process mock
(`stage.py`), the judges (`judges.py`) read what the scenarios recorded, `report.py` writes it.

The names below are imported on first use: `mock-platform` registers the `check-client` command
(`cli.py`) at every start, and `serve` should not pay for the checker, requests and the test server.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .report import Report as Report
    from .runner import CheckError as CheckError
    from .runner import check as check
    from .stage import CheckSettings as CheckSettings

__all__ = ["CheckError", "CheckSettings", "Report", "check"]
_HOMES = {"CheckError": ".runner", "CheckSettings": ".stage", "Report": ".report", "check": ".runner"}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_HOMES[name], __name__), name)
