"""The conformance suite in a child process against an https target, trusting the target's CA
through the suite's own `--ca-bundle` (its HTTP calls and its browser alike). Nothing turns
certificate checks off."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The cases that check TLS itself; against plain http on loopback they skip or relax.
TLS_CASES = ("DISC-03", "DISC-05", "DISC-06", "DISC-17", "AUTHZ-40", "TOK-21", "SEC-08")


@dataclass(frozen=True)
class ConformanceRun:
    process: subprocess.CompletedProcess[str]
    results: dict[str, str]  # case id -> PASS, FAIL, WARN, SKIP or INFO

    @property
    def output(self) -> str:
        return self.process.stdout[-6000:] + self.process.stderr[-2000:]


def run_conformance(
    platform_url: str, ca_file: Path, scratch: Path, *options: str, env: dict[str, str] | None = None
) -> ConformanceRun:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MOCK_PLATFORM_", "CONFORMANCE_"))}
    report = scratch / "conformance-report.md"
    process = subprocess.run(
        [sys.executable, "-m", "pytest", "conformance", "-q", "-p", "no:cacheprovider", "-rs",
         "--platform-url", platform_url, "--ca-bundle", str(ca_file), "--login", "hint",
         "--report", str(report), *options],
        capture_output=True, text=True, timeout=600, cwd=ROOT, env=clean | (env or {}),
    )  # fmt: skip
    document = (
        json.loads(report.with_suffix(".json").read_text()) if report.with_suffix(".json").exists() else {}
    )
    return ConformanceRun(process, {case["id"]: case["result"] for case in document.get("cases", [])})
