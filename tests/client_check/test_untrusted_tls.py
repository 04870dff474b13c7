"""CLI-04, an https provider whose certificate the client does not trust: credited only after the
positive control (the same login completes with the CA given), and each way of not refusing fails.
The reference clients' PASS is in test_reference_clients.py, the defect's FAIL in test_mutations.py."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

import pytest

from mock_platform.client_check import CheckSettings, Report
from mock_platform.client_check.judges import Observed, verdict
from mock_platform.client_check.process import CommandResult
from mock_platform.client_check.runs import Endpoints, LoginRun, ScenarioRun
from mock_platform.client_check.secrets import Secrets
from mock_platform.client_check.tap import Exchange

from .conftest import reference

ENDPOINTS = Endpoints(
    authorize="/api/oauth/authorize",
    token="/api/oauth/token",
    revocation="/api/oauth/revoke",
    advertised_authorize="https://127.0.0.1:1/api/oauth/authorize",
    advertised_token="https://127.0.0.1:1/api/oauth/token",
    personal_tokens="/api/tokens",
)
TOKENS = {"access_token": "access-token-value", "token_type": "Bearer"}
DISCOVERY = Exchange(0, "client", "GET", "/api/.well-known/openid-configuration", "", "", {}, b"", status=200)


def login(
    label: str,
    exit_code: int | None,
    output: str = "",
    url: str | None = None,
    exchanges: tuple[Exchange, ...] = (),
) -> LoginRun:
    command = CommandResult(
        label, ["mycli", "login"], exit_code, None if exit_code is not None else "limit", "", output, 1.0
    )
    return LoginRun(command, url, "stdout" if url else None, [], list(exchanges))


def completed_control() -> LoginRun:
    code_exchange = Exchange(
        1,
        "client",
        "POST",
        ENDPOINTS.token,
        ENDPOINTS.token,
        "",
        {"Content-Type": "application/x-www-form-urlencoded"},
        b"grant_type=authorization_code",
        status=200,
        document=TOKENS,
    )
    return login("login with the CA given", 0, "Logged in", exchanges=(code_exchange,))


def judged(run: ScenarioRun) -> tuple[str, str]:
    observed = Observed(CheckSettings(login=("mycli",)), {"untrusted-tls": run}, Secrets(), frozenset())
    result = verdict("CLI-04", observed)
    return result.status, result.message


WITHOUT_CA = "without the mock's CA it"
SIGN_IN_URL = "https://127.0.0.1:1/api/oauth/authorize?client_id=x"


@pytest.mark.parametrize(
    ("exit_code", "output", "url", "exchanges", "status", "message"),
    [
        (1, "Error: certificate verify failed", None, (), "ok", "stopped with a message before sign-in; "
         "with the CA the same login completed"),
        (None, "", SIGN_IN_URL, (DISCOVERY,), "bad", "went on to sign-in over https with a certificate it "
         "does not trust"),
        (1, "Error: no organization", None, (DISCOVERY,), "bad", "sent 1 request(s) over the untrusted connection"),
        (0, "Done", None, (), "bad", "exited 0 without signing in and without an error"),
        (3, "", None, (), "bad", "exited 3 without a message"),
        (None, "Waiting...", None, (), "bad", "neither stopped nor showed a sign-in URL"),
    ],
)  # fmt: skip
def test_after_a_completed_control(
    exit_code: int | None,
    output: str,
    url: str | None,
    exchanges: tuple[Exchange, ...],
    status: str,
    message: str,
) -> None:
    untrusted = login("login without the CA", exit_code, output, url, exchanges)
    run = ScenarioRun("untrusted-tls", ENDPOINTS, login=untrusted, control=completed_control())
    assert judged(run) == (status, f"{WITHOUT_CA} {message}")


def test_without_a_completed_control_nothing_is_credited() -> None:
    reason = "the control login with the CA given did not complete: the command exit 1 after 1.0 s"
    run = ScenarioRun("untrusted-tls", ENDPOINTS, control=login("login with the CA given", 1), skipped=reason)
    assert judged(run) == ("skip", f"inconclusive: {reason}")


@pytest.mark.browser
def test_a_client_that_cannot_log_in_over_tls_at_all_is_inconclusive(
    run_check: Callable[..., Report],
) -> None:
    """It fails with and without the CA alike: its refusal proves nothing about certificates."""
    failing = (sys.executable, "-c", "import sys; sys.exit('Error: this client speaks plain http only')")
    report = run_check(login=failing, cases=frozenset({"CLI-04"}), time_limit=20)
    cli_04 = report.result("CLI-04")
    assert cli_04.result == "SKIP"
    assert re.fullmatch(
        r"inconclusive: the control login with the CA given did not complete: no sign-in URL; the command "
        r"exit 1 after [0-9.]+ s: Error: this client speaks plain http only",
        cli_04.message,
    ), cli_04.message
    assert cli_04.evidence[0]["label"] == "login with the CA given command"


def test_the_expected_refusal_leaves_no_ssl_error_in_the_log(
    run_check: Callable[..., Report], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("ERROR", logger="werkzeug"):
        report = run_check(**reference("nextflow"), cases=frozenset({"CLI-04"}), time_limit=20)
    assert report.result("CLI-04").result == "PASS", report.result("CLI-04").message
    assert not [record for record in caplog.records if "SSL error" in record.getMessage()]
