"""Acceptance: the conformance suite against `mock-platform serve --tls` (gunicorn, as users run
it) is green with every TLS case run, none skipped as "plain http on loopback"."""

from __future__ import annotations

import pytest

from tests.conformance_run import TLS_CASES, run_conformance
from tests.serve_process import serve


@pytest.mark.browser
def test_the_conformance_suite_passes_against_the_tls_mock(tmp_path):
    with serve(tmp_path / "data", tls=True) as base:
        run = run_conformance(f"{base}/api", tmp_path / "data" / "tls" / "ca.pem", tmp_path)
    assert run.process.returncode == 0, run.output
    assert "TLS does not apply" not in run.process.stdout
    assert {case: run.results.get(case) for case in TLS_CASES} == dict.fromkeys(TLS_CASES, "PASS")
