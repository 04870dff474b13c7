"""The check's HTML report in Chromium: the conformance suite's page over the client's cases, every
result shown and filtered, the evidence there, and the secrets masked as in the .md and .json."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mock_platform.client_check import CheckSettings, Report, check

from .conftest import reference

pytestmark = pytest.mark.browser

# A client that prints its access token, checked for a case of every result: FAIL (CLI-23, the
# printed token), WARN (CLI-02), PASS (CLI-05), INFO (CLI-21) and SKIP (CLI-31: no PAT; CLI-33: slow).
CASES = frozenset({"CLI-02", "CLI-05", "CLI-21", "CLI-23", "CLI-31", "CLI-33"})


@pytest.fixture(scope="module")
def checked(chromium_browser: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, Path]:
    settings = CheckSettings(**reference("seqera", ("token-printed",)), cases=CASES, time_limit=30)
    report = check(settings, browser=chromium_browser)
    written = report.write(tmp_path_factory.mktemp("client-check") / "report")
    return report, written[2]


@pytest.fixture
def page(chromium_page: Any, checked: tuple[Report, Path]) -> Iterator[Any]:
    """The page loaded from its file; it may load nothing else and log no error."""
    _, html = checked
    requests: list[str] = []
    errors: list[str] = []
    chromium_page.on("request", lambda request: requests.append(request.url))
    chromium_page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    chromium_page.goto(html.as_uri())
    yield chromium_page
    assert requests == [html.as_uri()], "the report loaded something besides itself"
    assert errors == [], errors


def leaked(secret: str, text: str, window: int = 24) -> bool:
    """Any part of `secret` in `text`: a secret cut in two would escape its mask."""
    return any(secret[i : i + window] in text for i in range(max(len(secret) - window, 0) + 1))


def shown(page: Any) -> dict[str, str]:
    return page.eval_on_selector_all(
        ".case:not([hidden])", "rows => Object.fromEntries(rows.map(r => [r.id.slice(5), r.dataset.result]))"
    )


def test_the_page_shows_every_case_and_filters_them(page: Any, checked: tuple[Report, Path]) -> None:
    report, _ = checked
    everything = shown(page)
    assert everything == {row.case.id: row.result for row in report.results}
    assert set(everything.values()) == {"FAIL", "WARN", "PASS", "INFO", "SKIP"}
    assert page.text_content(".summary-line") == report.summary
    assert page.text_content("#shown-count") == f"showing {len(CASES)} of {len(CASES)} cases"

    page.click(".chip[data-filter=result][data-value=FAIL]")
    assert shown(page) == {"CLI-23": "FAIL"}
    page.click(".chip[data-filter=result][data-value=WARN]")
    assert shown(page) == {"CLI-23": "FAIL", "CLI-02": "WARN"}
    page.click("#clear")
    page.click(".chip[data-filter=level][data-value=SHOULD]")
    assert shown(page) == {"CLI-02": "WARN", "CLI-33": "SKIP"}
    page.click("#clear")
    page.click(".seg[data-level=MUST][data-result=PASS]")
    assert shown(page) == {"CLI-05": "PASS"}
    page.click("#clear")
    page.fill("#search", "RFC 9700 §4.3")  # a clause
    assert shown(page) == {"CLI-23": "FAIL"}
    page.fill("#search", "slow scenario")  # words of a message
    assert shown(page) == {"CLI-33": "SKIP"}


def test_a_failure_shows_its_clause_and_evidence_with_the_token_masked(
    page: Any, checked: tuple[Report, Path]
) -> None:
    report, html = checked
    failure = page.locator("#case-CLI-23")
    assert failure.get_attribute("open") is not None  # failures open, the rest folded
    text = failure.text_content()
    assert "Clause: RFC 9700 §4.3; RFC 6819 §5.1.6" in text
    assert "login stdout" in text and "access token: «access token " in text
    facts = page.text_content(".facts")
    assert "Login command" in facts and "Scenarios" in facts and "issuer-mismatch: " in facts
    source = html.read_text(encoding="utf-8")
    printed = report.secrets.values("access token", "refresh token", "code", "verifier")
    assert printed and not [secret for secret in printed if leaked(secret, source)]
    assert "eyJ" not in source, "a JWT was written in clear"
    page.set_viewport_size({"width": 1200, "height": 900})
    page.screenshot(path=str(html.with_suffix(".png")), full_page=True)
