"""The three cases added after a hidden-defect run: each passes on the mock and catches the defect.

- UI-14: userinfo answering claims of scopes that were not granted (Core §5.4, RFC 6749 §3.3): a
  SHOULD, shown by an identity queued with extra userinfo claims.
- REV-08: a revocation answered 200 after which the access token still works (RFC 7009 §2.1, §2.2):
  a MUST, shown by a fault that answers the revocation endpoint 200 without revoking anything.
- IDT-05: an `azp` that is present and not the client (Core §2) is now a MUST; the mock cannot be
  made to sign one, so the rule is checked on claims directly.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from conformance.catalog import CASES
from conformance.checks import Check, Secrets
from conformance.test_id_token import test_audience as judge_audience
from mock_platform.testing import run_server

from .conformance_servers import run_suite

NEW_CASES = "UI-14,REV-08,IDT-05"


@pytest.fixture
def mock(tmp_path):
    with run_server(tmp_path / "data", headless_login=True) as server:
        yield server


def test_the_mock_passes_the_new_cases(mock, tmp_path):
    run = run_suite(tmp_path, "--platform-url", mock.issuer, f"--case={NEW_CASES}")
    assert run.results() == {"IDT-05": "PASS", "UI-14": "PASS", "REV-08": "PASS"}
    assert run.case("UI-14")["observations"]["granted scope"] == "openid"


def test_userinfo_claims_beyond_the_granted_scope_warn(mock, tmp_path):
    mock.control.queue_identity(
        "alice", userinfo_claims={"email": "alice@example.com", "locale": "en"}, count=5
    )
    run = run_suite(tmp_path, "--platform-url", mock.issuer, "--case=UI-14")
    assert run.exit_status == 0  # a SHOULD: a warning, the run stays green
    assert run.results() == {"UI-14": "WARN"}
    message = run.case("UI-14")["message"]
    assert "a token granted only openid got the profile claims locale" in message
    assert "a token granted only openid got the email claims email" in message
    assert "(Core §5.4" in message


def test_a_revocation_answered_200_that_revokes_nothing_turns_the_run_red(mock, tmp_path):
    mock.control.add_fault("revoke", status=200, body={}, count="unlimited")
    run = run_suite(tmp_path, "--platform-url", mock.issuer, "--case=REV-08")
    assert run.exit_status == pytest.ExitCode.TESTS_FAILED
    assert run.results() == {"REV-08": "FAIL"}
    assert (
        "the revocation was answered 200, yet 3 s later the access token still works at userinfo"
        in (run.case("REV-08")["message"])
    )
    assert "(RFC 7009 §2.1" in run.case("REV-08")["message"]


def judge(claims: dict) -> Check:
    check = Check(CASES["IDT-05"], Secrets())
    judge_audience(check, claims, SimpleNamespace(client_id="nextflow_cli"))
    return check


def test_an_azp_that_is_not_the_client_is_a_must_failure():
    check = judge({"aud": "nextflow_cli", "azp": "some-other-client"})
    assert [(f.level, f.clause, f.field) for f in check.failures] == [("MUST", "Core §2", "azp")]
    assert not judge({"aud": "nextflow_cli", "azp": "nextflow_cli"}).findings
    assert not judge({"aud": "nextflow_cli"}).findings
