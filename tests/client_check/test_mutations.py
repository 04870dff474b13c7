"""Mutation check of the client checker: each deliberate defect of the reference client must fail
(MUST) or warn (SHOULD) the case that names it.

For every defect in `client.defects.DEFECTS` the checker runs only the target cases against the
reference client with that defect switched on; the same cases pass against the clean client in
test_reference_clients.py. `python -m tests.client_check.test_mutations` prints the README's
mutation table.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from client.defects import DEFECTS
from mock_platform.client_check import Report
from mock_platform.client_check.catalog import CASES

from .conftest import reference

pytestmark = pytest.mark.browser

# defect -> (the client it breaks, the cases that must catch it)
DEFECT_TARGETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "pkce-plain": ("nextflow", ("CLI-06",)),
    "verifier-reused": ("nextflow", ("CLI-07", "CLI-08")),
    "state-not-checked": ("nextflow", ("CLI-15",)),
    "localhost-redirect": ("nextflow", ("CLI-10", "CLI-11")),
    "listens-on-all-interfaces": ("nextflow", ("CLI-12",)),
    "callback-closed-early": ("nextflow", ("CLI-14",)),
    "error-page-unescaped": ("nextflow", ("CLI-17",)),
    "token-printed": ("seqera", ("CLI-23",)),
    "access-token-stored": ("seqera", ("CLI-25",)),
    "refresh-token-not-updated": ("seqera", ("CLI-27",)),
    "logout-keeps-pat": ("nextflow", ("CLI-31",)),
    "logout-no-revoke": ("seqera", ("CLI-30",)),
    "logout-keeps-files": ("seqera", ("CLI-32",)),
}


def expected(case_id: str, report: Report) -> str:
    """A MUST case fails, a SHOULD case warns (CLI-30 is a MUST under --profile seqera)."""
    return "FAIL" if report.result(case_id).level == "MUST" else "WARN"


def test_every_defect_has_targets() -> None:
    assert set(DEFECT_TARGETS) == set(DEFECTS), "add the new defect's target cases to DEFECT_TARGETS"
    assert {case for _, cases in DEFECT_TARGETS.values() for case in cases} <= CASES.keys()


@pytest.mark.parametrize("defect", sorted(DEFECT_TARGETS))
def test_defect_is_caught(defect: str, run_check: Callable[..., Report]) -> None:
    client, targets = DEFECT_TARGETS[defect]
    report = run_check(**reference(client, (defect,)), cases=frozenset(targets), time_limit=30)
    missed = {
        case: f"{report.result(case).result}: {report.result(case).message}"
        for case in targets
        if report.result(case).result != expected(case, report)
    }
    assert missed == {}, f"defect {defect} ({DEFECTS[defect]}) was not caught"


def mutation_table() -> str:
    rows = [
        "| defect (`PLATFORM_AUTH_DEFECTS`) | what goes wrong | client | caught by |",
        "| --- | --- | --- | --- |",
    ]
    for defect, (client, targets) in DEFECT_TARGETS.items():
        caught = ", ".join(f"{case} ({CASES[case].level})" for case in targets)
        rows.append(f"| `{defect}` | {DEFECTS[defect]} | `platform-auth {client}` | {caught} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(mutation_table())
