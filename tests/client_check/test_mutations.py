"""Mutation check of the client checker: each deliberate defect of the reference client must fail
(MUST) or warn (SHOULD) the case that names it.

For every defect in `client.defects.DEFECTS` the checker runs only the target cases against the
reference client with that defect switched on; the same cases pass against the clean client in
test_reference_clients.py. `python -m tests.client_check.test_mutations` prints the README's
mutation table.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from client.defects import DEFECTS
from mock_platform.client_check import Report
from mock_platform.client_check.catalog import CASES

from .conftest import reference

pytestmark = pytest.mark.browser

# defect -> (the client it breaks, the result each case that must catch it gives: a MUST case
# fails, a SHOULD case warns; CLI-30 is a MUST under --profile seqera, whose docs promise revocation)
DEFECT_TARGETS: dict[str, tuple[str, dict[str, str]]] = {
    "pkce-plain": ("nextflow", {"CLI-06": "FAIL"}),
    "verifier-reused": ("nextflow", {"CLI-07": "FAIL", "CLI-08": "WARN"}),
    "state-not-checked": ("nextflow", {"CLI-15": "FAIL"}),
    "localhost-redirect": ("nextflow", {"CLI-10": "FAIL", "CLI-11": "WARN"}),
    "listens-on-all-interfaces": ("nextflow", {"CLI-12": "WARN"}),
    "callback-closed-early": ("nextflow", {"CLI-14": "FAIL"}),
    "error-page-unescaped": ("nextflow", {"CLI-17": "WARN"}),
    "token-printed": ("seqera", {"CLI-23": "FAIL"}),
    "access-token-stored": ("seqera", {"CLI-25": "FAIL"}),
    "refresh-token-not-updated": ("seqera", {"CLI-27": "FAIL"}),
    "logout-keeps-pat": ("nextflow", {"CLI-31": "FAIL"}),
    "logout-no-revoke": ("seqera", {"CLI-30": "FAIL"}),
    "logout-keeps-files": ("seqera", {"CLI-32": "FAIL"}),
    "tls-not-verified": ("nextflow", {"CLI-04": "FAIL"}),
}
README = Path(__file__).resolve().parent.parent.parent / "README.md"


def test_every_defect_has_targets() -> None:
    assert set(DEFECT_TARGETS) == set(DEFECTS), "add the new defect's target cases to DEFECT_TARGETS"
    assert {case for _, cases in DEFECT_TARGETS.values() for case in cases} <= CASES.keys()


def test_the_readme_shows_the_mutation_table() -> None:
    assert mutation_table() in README.read_text(encoding="utf-8"), (
        "README's client mutation table is stale: python -m tests.client_check.test_mutations"
    )


@pytest.mark.parametrize("defect", sorted(DEFECT_TARGETS))
def test_defect_is_caught(defect: str, run_check: Callable[..., Report]) -> None:
    client, targets = DEFECT_TARGETS[defect]
    report = run_check(**reference(client, (defect,)), cases=frozenset(targets), time_limit=30)
    found = {case: report.result(case).result for case in targets}
    assert found == targets, f"defect {defect} ({DEFECTS[defect]}): " + "; ".join(
        f"{case} {report.result(case).result}: {report.result(case).message}" for case in targets
    )


def mutation_table() -> str:
    rows = [
        "| defect (`PLATFORM_AUTH_DEFECTS`) | what goes wrong | client | caught by |",
        "| --- | --- | --- | --- |",
    ]
    for defect, (client, targets) in DEFECT_TARGETS.items():
        caught = ", ".join(f"{case} {result}" for case, result in targets.items())
        rows.append(f"| `{defect}` | {DEFECTS[defect]} | `platform-auth {client}` | {caught} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(mutation_table())
