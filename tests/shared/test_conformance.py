"""The conformance suite against two replicas behind a round-robin proxy: every request goes to the
other replica than the one before, so authorize, token, userinfo and refresh of a login are spread
over both, and the suite moves the mock's clock through the control API with the control token."""

from __future__ import annotations

import re
import subprocess
import sys

from .deployment import CONTROL_TOKEN


def test_the_conformance_suite_passes_against_two_replicas(shared, tmp_path):
    served_before = dict(shared.proxy.served)
    report = tmp_path / "report.md"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "conformance", "-q", "-p", "no:cacheprovider",
         "--platform-url", shared.issuer, "--control-token", CONTROL_TOKEN, "--report", str(report)],
        capture_output=True, text=True, timeout=900, cwd=tmp_path, check=False,
    )  # fmt: skip
    summary = result.stdout.strip().splitlines()[-1:] or ["(no output)"]
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert re.search(r"\b\d+ passed", summary[0]) and not re.search(r"\b\d+ (failed|error)", summary[0]), (
        summary
    )
    for replica in (0, 1):
        assert shared.proxy.served[replica] - served_before.get(replica, 0) > 100, shared.proxy.served
    assert CONTROL_TOKEN not in report.read_text(), "the report masks the control token"
