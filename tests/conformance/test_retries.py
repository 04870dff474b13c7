"""Rate limits and flakiness are not contract results: retried within a bound, then INCONCLUSIVE.

Faults come from the mock's control API (429/503 with Retry-After, delays past --timeout); the
suite runs in this process against that mock by URL, so its exit status and report can be read.
"""

from __future__ import annotations

import pytest

from conformance.plugin import EXIT_INCONCLUSIVE
from mock_platform.testing import run_server

from .conformance_servers import run_suite

FAST = ("--retries=2", "--retry-wait=5")


@pytest.fixture
def mock(tmp_path):
    with run_server(tmp_path / "data", control_api=True, headless_login=True) as server:
        yield server


def test_a_429_with_retry_after_is_retried_and_the_case_passes(mock, tmp_path):
    mock.control.add_fault("userinfo", status=429, headers={"Retry-After": "1"}, count=2)
    run = run_suite(tmp_path, "--platform-url", mock.issuer, "--case=UI-01", *FAST)
    assert run.exit_status == 0
    assert run.results() == {"UI-01": "PASS"}
    retries = [entry["retry"] for entry in run.case("UI-01")["evidence"] if "retry" in entry]
    assert retries == ["HTTP 429 (Retry-After: 1); retried after 1.0 s"] * 2


def test_a_provider_that_stays_busy_makes_the_cases_inconclusive_never_failed(mock, tmp_path):
    mock.control.add_fault("userinfo", status=503, headers={"Retry-After": "0"}, count="unlimited")
    run = run_suite(tmp_path, "--platform-url", mock.issuer, "--case=UI-01,UI-03,DISC-01", *FAST)
    assert run.exit_status == EXIT_INCONCLUSIVE
    assert run.results() == {"UI-01": "INCONCLUSIVE", "UI-03": "INCONCLUSIVE", "DISC-01": "PASS"}
    assert run.case("UI-01")["message"] == (
        "GET /api/userinfo: HTTP 503 (Retry-After: 0) after 3 attempts over 0.0 s of waiting "
        "(rate limited or busy: run again later, or raise --retries)"
    )
    assert run.report["summary_line"] == "MUST: 1/1 passed, SHOULD: 0/0, INFO: 0 recorded (2 inconclusive)"
    assert "| UI-01 | userinfo GET with Bearer: 200 JSON with sub | INCONCLUSIVE |" in (
        run.report_path.with_suffix(".md").read_text()
    )


def test_a_retry_after_beyond_the_bound_is_inconclusive_at_once(mock, tmp_path):
    mock.control.add_fault("userinfo", status=429, headers={"Retry-After": "3600"}, count="unlimited")
    run = run_suite(tmp_path, "--platform-url", mock.issuer, "--case=UI-01", *FAST)
    assert run.results() == {"UI-01": "INCONCLUSIVE"}
    assert run.case("UI-01")["message"] == (
        "GET /api/userinfo: HTTP 429 (Retry-After: 3600); waiting 3600 s is more than --retry-wait 5 s"
    )


def test_timeouts_name_the_time_and_a_post_is_never_sent_twice(mock, tmp_path):
    mock.control.add_fault("userinfo", delay=2, count="unlimited")
    mock.control.add_fault("token", delay=2, count="unlimited")
    run = run_suite(
        tmp_path, "--platform-url", mock.issuer, "--case=UI-08,TOK-09", "--timeout=0.5", "--retries=1"
    )
    assert run.results() == {"UI-08": "INCONCLUSIVE", "TOK-09": "INCONCLUSIVE"}
    assert run.case("UI-08")["message"].startswith("GET /api/userinfo: no answer within 0.5 s, 2 attempts")
    assert run.case("TOK-09")["message"].startswith(
        "POST /api/oauth/token: no answer within 0.5 s; not sent again, as the provider may have processed it"
    )
    token_calls = mock.control.recent_requests(path="/api/oauth/token")
    assert len(token_calls) == 1


def test_a_failed_must_case_still_makes_the_run_fail(tmp_path):
    with run_server(tmp_path / "data", defects=frozenset({"tokens-201"}), headless_login=True) as mock:
        mock.control.add_fault("userinfo", status=503, headers={"Retry-After": "0"}, count="unlimited")
        run = run_suite(tmp_path, "--platform-url", mock.issuer, "--case=UI-01,PAT-01", *FAST)
    assert run.results() == {"UI-01": "INCONCLUSIVE", "PAT-01": "FAIL"}
    assert run.exit_status == pytest.ExitCode.TESTS_FAILED
