"""A full check of the reference client's two CLIs, with their refresh and logout commands: every
MUST passes, and the cases that cannot pass say why (SKIP with a reason, WARN for a real weakness)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from mock_platform.client_check import CheckSettings, Report, check
from mock_platform.client_check.catalog import CASES

from .conftest import reference

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def nextflow_report(chromium_browser: Any) -> Report:
    return check(CheckSettings(**reference("nextflow")), browser=chromium_browser)


@pytest.fixture(scope="module")
def seqera_report(chromium_browser: Any) -> Report:
    return check(CheckSettings(**reference("seqera")), browser=chromium_browser)


def results(report: Report) -> dict[str, str]:
    return {row.case.id: row.result for row in report.results}


@pytest.mark.parametrize("client", ["nextflow", "seqera"])
def test_every_must_passes(client: str, request: pytest.FixtureRequest) -> None:
    report: Report = request.getfixturevalue(f"{client}_report")
    assert report.ok, "\n".join(report.lines())
    assert set(results(report)) == set(CASES)


def test_nextflow_results(nextflow_report: Report) -> None:
    found = results(nextflow_report)
    passed = ("CLI-01", "CLI-03", "CLI-04", "CLI-05", "CLI-06", "CLI-07", "CLI-09", "CLI-10", "CLI-12")
    passed += ("CLI-14",)
    passed += ("CLI-15", "CLI-16", "CLI-17", "CLI-18", "CLI-19", "CLI-20", "CLI-22", "CLI-23", "CLI-24")
    passed += ("CLI-31", "CLI-32")
    assert {case: found[case] for case in passed if found[case] != "PASS"} == {}
    assert found["CLI-02"] == "WARN"  # neither real client checks the issuer (contract §1.1)
    assert found["CLI-21"] == "INFO"  # it ignores the ID token, as Nextflow does
    # It keeps no refresh token: `status` uses the PAT, so the refresh and revocation cases cannot apply.
    for case in ("CLI-26", "CLI-27", "CLI-28", "CLI-29", "CLI-30"):
        assert found[case] == "SKIP", nextflow_report.result(case).message
    assert "no refresh_token grant" in nextflow_report.result("CLI-27").message
    assert nextflow_report.result("CLI-25").message == "applies to --profile seqera"


def test_seqera_results(seqera_report: Report) -> None:
    found = results(seqera_report)
    passed = ("CLI-01", "CLI-04", "CLI-13", "CLI-14", "CLI-15", "CLI-25", "CLI-27", "CLI-28", "CLI-29")
    passed += ("CLI-30",)
    passed += ("CLI-32",)
    assert {case: found[case] for case in passed if found[case] != "PASS"} == {}
    assert seqera_report.result("CLI-30").level == "MUST"  # its docs promise revocation
    # Two processes refresh with the same token and strict rotation logs the user out, as with the
    # real Seqera CLI (contract §6.3): the checker makes that happen on every run.
    assert found["CLI-26"] == "WARN"
    assert found["CLI-31"] == "SKIP"  # no PAT


@pytest.mark.parametrize("client", ["nextflow", "seqera"])
def test_an_untrusted_certificate_is_refused_after_the_control_login_with_the_ca(
    client: str, request: pytest.FixtureRequest
) -> None:
    cli_04 = request.getfixturevalue(f"{client}_report").result("CLI-04")
    control, untrusted = cli_04.evidence
    assert control["label"] == "login with the CA given command"
    assert control["command"].startswith(f"{sys.executable} -m client {client} ")
    assert control["detail"].startswith("exit 0 after ")
    assert untrusted["label"] == "login without the CA command"
    assert "https://127.0.0.1:" in untrusted["detail"]
    assert untrusted["detail"].endswith(
        "(its TLS certificate is not trusted); give the certificate authority that signed it in REQUESTS_CA_BUNDLE"
    )


def test_unobservable_cases_are_skipped_with_their_reason(nextflow_report: Report) -> None:
    for case in ("CLI-33", "CLI-34"):
        assert nextflow_report.result(case).message == "a slow scenario: run with --slow"
    skipped = [row for row in nextflow_report.results if row.result == "SKIP"]
    assert all(row.message for row in skipped)


def test_report_files_carry_every_case_and_no_secret(seqera_report: Report, tmp_path: Path) -> None:
    markdown, data, page = seqera_report.write(tmp_path / "client-check")
    document = json.loads(data.read_text(encoding="utf-8"))
    assert document["suite"] == "seqera-client-check"
    assert document["summary_line"] == seqera_report.summary
    for case in document["cases"]:
        assert {"id", "title", "severity", "level", "clause", "result", "message", "evidence"} <= case.keys()
    text = "".join(path.read_text(encoding="utf-8") for path in (markdown, data, page))
    assert "| CLI-26 | Survives two of its processes refreshing at once | WARN |" in text
    assert "eyJ" not in text, "a JWT (access or ID token) was written in clear"
    assert re.search(r"code=[A-Za-z0-9_-]{20}", text) is None, "an authorization code was written in clear"
    for secret in seqera_report.secrets.values("refresh token", "verifier", "code"):
        assert secret not in text
    assert "«refresh token " in text  # masked with a fingerprint, so evidence can still be compared
