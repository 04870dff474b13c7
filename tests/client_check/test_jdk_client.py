"""A Java client on the JDK's HttpServer with lib-platform-oidc's callback bug (contract §4.1): it
completes its code future before writing the page and stops the server right after the exchange.
Its logins succeed, but the browser never gets a page: CLI-14 must fail, and nothing else. Over
https it trusts the CA the checker gives the JVM (a truststore in JAVA_TOOL_OPTIONS), and only that."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mock_platform.client_check import Report

pytestmark = [pytest.mark.java, pytest.mark.browser]
CLIENT = Path(__file__).resolve().parent.parent / "java" / "JdkLoginClient.java"


def test_callback_closed_before_the_page_is_caught_by_cli_14(
    compile_java: Callable[[Path], Path], run_check: Callable[..., Report]
) -> None:
    classes = compile_java(CLIENT)
    report = run_check(
        login=("java", "-cp", str(classes), "JdkLoginClient", "{issuer}"),
        cases=frozenset({"CLI-01", "CLI-04", "CLI-06", "CLI-14", "CLI-19"}),
    )
    assert report.result("CLI-04").result == "PASS", report.result("CLI-04").message
    cli_14 = report.result("CLI-14")
    assert cli_14.result == "FAIL", cli_14.message
    assert "net::ERR_EMPTY_RESPONSE" in cli_14.message
    assert [row.case.id for row in report.must_failures] == ["CLI-14"], report.lines()
    # The client opens its URL with $BROWSER, as xdg-open would: the checker's helper caught it.
    url = report.result("CLI-01").evidence[0]
    assert url["label"] == "sign-in URL (from BROWSER)"
