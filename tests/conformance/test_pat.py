"""PATU-06 and `--pat`: whether a target still accepts a PAT made before the upgrade, with no OIDC
login, checked against the mock with its seeded `legacy-ci` token."""

from __future__ import annotations

import pytest
import requests

from mock_platform.testing import run_server

from .conformance_servers import SUITE, run_suite

LEGACY_CI = "eyJ0aWQiOiA0MjQyfS43OWFiYzNmYzhmZTQ0MzYzNjg2YzE4NWU3NThlYWFmNzQ3YTAxMTA1"  # alice's, tid 4242


@pytest.fixture
def mock(tmp_path):
    with run_server(tmp_path / "data", headless_login=True) as server:
        yield server


def test_the_seeded_pat_works_without_any_login_and_never_shows_in_the_report(mock, tmp_path):
    run = run_suite(tmp_path, "--platform-url", mock.issuer, "--case=PATU-06", f"--pat={LEGACY_CI}")

    assert run.exit_status == 0
    assert run.results() == {"PATU-06": "PASS"}
    assert run.case("PATU-06")["observations"]["user"] == "alice (id 1001)"
    assert run.report["meta"]["pat"] == "tid 4242 (--pat)"
    assert "- Existing PAT: tid 4242 (--pat)" in run.report_path.with_suffix(".md").read_text()
    for suffix in (".md", ".json", ".html"):
        assert LEGACY_CI not in run.report_path.with_suffix(suffix).read_text(encoding="utf-8")
    assert mock.control.recent_requests(path="/api/oauth/*") == [], "no OIDC login happened"
    assert mock.control.recent_requests(path="/api/tokens*", method="GET"), "GET /tokens was checked"


def test_without_pat_the_case_skips_saying_how_to_give_one(mock, tmp_path):
    run = run_suite(tmp_path, "--platform-url", mock.issuer, "--case=PATU-06")
    assert run.exit_status == 0
    assert run.results() == {"PATU-06": "SKIP"}
    assert (
        run.case("PATU-06")["message"] == "needs a PAT made before the upgrade: --pat TOKEN (CONFORMANCE_PAT)"
    )


def test_a_refused_pat_from_the_environment_is_a_warning_naming_what_it_means(mock, tmp_path, monkeypatch):
    deleted = requests.delete(
        f"{mock.issuer}/tokens/4242", headers={"Authorization": f"Bearer {LEGACY_CI}"}, timeout=10
    )
    assert deleted.status_code == 204
    monkeypatch.setenv("CONFORMANCE_PAT", LEGACY_CI)

    run = run_suite(tmp_path, "--platform-url", mock.issuer, "--case=PATU-06")

    assert run.exit_status == 0, "a SHOULD: the run stays green"
    assert run.results() == {"PATU-06": "WARN"}
    message = run.case("PATU-06")["message"]
    assert "/user-info refused the PAT given with --pat (HTTP 401): if that token is live" in message
    assert "(Nextflow ADR 20260322 Verification 4" in message


@pytest.mark.parametrize(
    ("pat", "problem"),
    [
        ("not a pat", "not standard-alphabet base64"),
        ("eyJhbGciOiJSUzI1NiJ9.e30.c2ln", "it is a JWT (an OAuth access token)"),
        ("eyJ0aWQiOiAiNDIifS5hYmM=", """its JSON '{"tid": "42"}' has no positive whole-number "tid\""""),
    ],
)
def test_a_pat_nextflow_cannot_read_is_a_usage_error(capsys, pat, problem):
    exit_status = pytest.main([str(SUITE), "-q", "-p", "no:cacheprovider", "--case=PATU-06", f"--pat={pat}"])
    assert exit_status == pytest.ExitCode.USAGE_ERROR
    error = capsys.readouterr().err
    assert f"--pat: not a personal access token Nextflow can read: {problem}" in error
    assert pat not in error
