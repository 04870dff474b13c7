"""When the check cannot run, the user gets one line saying why, and exit status 2."""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest
from click.testing import CliRunner

from mock_platform.cli import main
from mock_platform.client_check import CheckError, Report

from .conftest import platform_auth


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check-client", *args])
    return result.exit_code, result.output


def test_a_command_that_is_not_found() -> None:
    code, output = invoke("--", "no-such-client-cli", "login")
    assert code == 2
    assert output == (
        "Error: login command not found: 'no-such-client-cli'; check the name and PATH, or give its full path\n"
    )


def test_a_refresh_command_that_is_not_found() -> None:
    code, output = invoke("--refresh", "no-such-refresh status", "--", *platform_auth("nextflow", "login"))
    assert (code, output.splitlines()[-1]) == (
        2,
        "Error: refresh command not found: 'no-such-refresh'; check the name and PATH, or give its full path",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--case", "CLI-99", "--", "true"], "unknown case(s) CLI-99; the catalog has CLI-01 to CLI-35"),
        (["--logout", "", "--", "true"], "empty command"),
        (["--sign-in", "alice", "--", "true"], "expected USER:PASSWORD"),
        ([], "Missing argument"),
    ],
)
def test_usage_errors(args: list[str], message: str) -> None:
    code, output = invoke(*args)
    assert code == 2
    assert message in output


@pytest.mark.browser
def test_a_command_that_exits_at_once(run_check: Callable[..., Report]) -> None:
    with pytest.raises(CheckError) as error:
        run_check(login=(sys.executable, "-c", "import sys; print('no such account'); sys.exit(3)"))
    assert str(error.value) == (
        "the login command exited with code 3 before showing a sign-in URL; its last output: no such account"
    )


@pytest.mark.browser
def test_a_command_that_shows_no_url(run_check: Callable[..., Report]) -> None:
    with pytest.raises(CheckError) as error:
        run_check(
            login=("sh", "-c", "echo Waiting...; exec sleep 60"),  # starts at once even on a busy machine
            time_limit=2,
        )
    assert str(error.value) == (
        "the login command showed no sign-in URL within 2 s and opened no browser (BROWSER points at a "
        "helper that hands the URL to the checker); its last output: Waiting..."
    )


@pytest.mark.browser
def test_a_failed_must_case_exits_1_with_its_line_and_the_report(tmp_path, chromium_browser) -> None:
    # chromium_browser: the command launches its own Chromium, on the Playwright the fixture started
    login = platform_auth("nextflow", "login", "--url", "{issuer}", defects=("callback-closed-early",))
    code, output = invoke("--case", "CLI-14", "--report", str(tmp_path / "check"), "--", *login)
    assert code == 1
    lines = output.splitlines()
    assert lines[-3].startswith(
        "CLI-14 FAIL: 1 of 1 callbacks got no complete HTTP response (login: net::ERR_"
    )
    assert lines[-2] == "MUST: 0/1 passed, SHOULD: 0/0, INFO: 0 recorded"
    assert (
        lines[-1] == f"report: {tmp_path / 'check.md'}, {tmp_path / 'check.json'}, {tmp_path / 'check.html'}"
    )
