"""`mock-platform check-client`: the mock judges a CLI's login, as the conformance suite judges a provider.

    from mock_platform.client_check import CheckSettings, check

    report = check(CheckSettings(login=("nextflow", "auth", "login", "-url", "{issuer}")))
    assert report.ok, report.summary

The catalog is `catalog.py` (CLI-01 … CLI-35); each scenario runs against a fresh in-process mock
(`stage.py`), the judges (`judges.py`) read what the scenarios recorded, `report.py` writes it.
"""

from __future__ import annotations

from .report import Report
from .runner import CheckError, check
from .stage import CheckSettings

__all__ = ["CheckError", "CheckSettings", "Report", "check"]
