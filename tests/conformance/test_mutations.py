"""Mutation check of the conformance suite: each deliberate defect of the mock must fail its case.

For every defect in `mock_platform.defects.DEFECTS` the suite runs, in this process, only the
cases that target it, against a mock started with that defect, and the targeted cases must FAIL;
the same cases against a clean mock must PASS. `python -m tests.conformance.test_mutations`
prints the mutation score table of the README.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
import tempfile
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from conformance.__main__ import main as compare_command
from conformance.catalog import CASES, MODULES
from mock_platform.defects import DEFECTS
from tests.paths import ROOT

# The cases each defect is meant to trip (the suite may fail a few more, which is fine).
DEFECT_TARGETS: dict[str, tuple[str, ...]] = {
    "pkce-not-verified": ("PKCE-09", "PKCE-10", "PKCE-11", "PKCE-13", "SEC-01"),
    "pkce-plain-accepted": ("PKCE-05",),
    "pkce-downgrade-accepted": ("PKCE-04", "PKCE-15"),
    "code-reusable": ("TOK-10", "TOK-11"),
    "redirect-port-not-checked": ("TOK-04",),
    "open-redirect": ("AUTHZ-13", "AUTHZ-14", "AUTHZ-15", "AUTHZ-16", "AUTHZ-19", "AUTHZ-20", "AUTHZ-22"),
    "refresh-not-rotated": ("REF-03",),
    "rotated-refresh-accepted": ("REF-04",),
    "id-token-wrong-iss": ("IDT-04",),
    "id-token-no-aud": ("IDT-05",),
    "id-token-unpublished-key": ("IDT-02", "IDT-03"),
    "token-cacheable": ("TOK-02", "REF-02"),
    "discovery-escaped-slashes": ("DISC-18",),
    "tokens-201": ("PAT-01",),
    "pat-not-tid": ("PAT-02", "PATD-01"),
    "deleted-pat-accepted": ("PATD-02",),
    "userinfo-wrong-sub": ("UI-02",),
}
SUITE = ROOT / "conformance"


def run_suite(cases: tuple[str, ...], defects: tuple[str, ...], scratch: Path) -> Path:
    """Run the selected cases in this process against a fresh mock; the path of the JSON report."""
    name = "-".join(defects) or "clean"
    report = scratch / f"{name}.json"
    modules = sorted({str(SUITE / MODULES[CASES[case].group]) for case in cases})
    args = [
        *modules,
        "-q",
        "-p",
        "no:cacheprovider",
        f"--basetemp={scratch / name}",
        f"--case={','.join(cases)}",
        f"--mock-defects={','.join(defects)}",
        f"--report={report}",
        "--slow",
    ]
    if not any(ep.value == "conformance.plugin" for ep in entry_points(group="pytest11")):
        args[len(modules) : len(modules)] = ["-p", "conformance.plugin"]
    pytest.main(args)
    return report


def results_of(report: Path) -> dict[str, str]:
    document = json.loads(report.read_text(encoding="utf-8"))
    return {case["id"]: case["result"] for case in document["cases"]}


TARGETED = tuple(sorted({case for targets in DEFECT_TARGETS.values() for case in targets}))


@pytest.fixture(scope="module")
def clean_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_suite(TARGETED, (), tmp_path_factory.mktemp("clean"))


def test_every_defect_has_targets() -> None:
    assert set(DEFECT_TARGETS) == set(DEFECTS), "add the new defect's target cases to DEFECT_TARGETS"


def test_targeted_cases_pass_on_a_clean_mock(clean_report: Path) -> None:
    results = results_of(clean_report)
    assert {case: results.get(case) for case in TARGETED if results.get(case) != "PASS"} == {}


@pytest.mark.parametrize("defect", sorted(DEFECT_TARGETS))
def test_defect_is_caught(defect: str, tmp_path: Path) -> None:
    targets = DEFECT_TARGETS[defect]
    results = results_of(run_suite(targets, (defect,), tmp_path))
    missed = {case: results.get(case, "not run") for case in targets if results.get(case) != "FAIL"}
    assert missed == {}, f"defect {defect} ({DEFECTS[defect].meaning}) was not caught by {sorted(missed)}"


def test_compare_prints_the_fidelity_diff(
    clean_report: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    defective = run_suite(TARGETED, ("tokens-201",), tmp_path)
    capsys.readouterr()
    assert compare_command(["compare", str(clean_report), str(defective)]) == 1
    output = capsys.readouterr().out
    assert "PAT-01 " in output and "PASS -> FAIL" in output
    assert "PKCE-09" not in output  # identical results are not listed
    assert compare_command(["compare", str(clean_report), str(clean_report)]) == 0


def test_reports_hold_no_secrets(clean_report: Path) -> None:
    text = clean_report.read_text(encoding="utf-8") + clean_report.with_suffix(".md").read_text(
        encoding="utf-8"
    )
    assert "eyJ" not in text, "a JWT (access or id token) was written in clear"
    assert re.search(r"code=[A-Za-z0-9_-]{20}", text) is None, "an authorization code was written in clear"


def mutation_table() -> str:
    lines = ["| Defect (mock switch) | What it breaks | Targeted cases | Caught |", "|---|---|---|---|"]
    caught = 0
    with tempfile.TemporaryDirectory() as scratch:
        for defect, targets in DEFECT_TARGETS.items():
            results = results_of(run_suite(targets, (defect,), Path(scratch)))
            failed = [case for case in targets if results.get(case) == "FAIL"]
            caught += bool(failed)
            verdict = "yes" if len(failed) == len(targets) else f"partly ({', '.join(failed) or 'none'})"
            lines.append(f"| `{defect}` | {DEFECTS[defect].meaning} | {', '.join(targets)} | {verdict} |")
    lines.append(f"\nMutation score: {caught}/{len(DEFECT_TARGETS)} defects caught.")
    return "\n".join(lines)


if __name__ == "__main__":
    with contextlib.redirect_stdout(io.StringIO()):  # the nested runs' own output
        table = mutation_table()
    sys.stdout.write(table + "\n")
