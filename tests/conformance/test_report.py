"""The report: its summary line, its paths, and the HTML page in Chromium (summary bar, filters, evidence)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.report import report_paths, summary_line
from mock_platform.testing import run_server

from .conformance_servers import run_suite


def rows(*results: tuple[str, str]) -> list[dict]:
    return [{"level": level, "result": result, "accepted": False} for level, result in results]


def test_the_summary_line_counts_each_level_and_what_did_not_run():
    line = summary_line(
        rows(
            ("MUST", "PASS"),
            ("MUST", "FAIL"),
            ("SHOULD", "WARN"),
            ("INFO", "INFO"),
            ("INFO", "FAIL"),
            ("MUST", "SKIP"),
        )
    )
    assert line == "MUST: 1/2 passed, SHOULD: 0/1, INFO: 1 recorded (1 INFO case could not record, 1 skipped)"


def test_a_clean_run_has_no_notes():
    assert (
        summary_line(rows(("MUST", "PASS"), ("INFO", "INFO")))
        == "MUST: 1/1 passed, SHOULD: 0/0, INFO: 1 recorded"
    )


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ("reports/run.2026-12-04.md", ["run.2026-12-04.md", "run.2026-12-04.json", "run.2026-12-04.html"]),
        ("reports/run.2026-12-04.json", ["run.2026-12-04.md", "run.2026-12-04.json", "run.2026-12-04.html"]),
        ("reports/run.2026-12-04", ["run.2026-12-04.md", "run.2026-12-04.json", "run.2026-12-04.html"]),
        ("reports/report.html", ["report.md", "report.json", "report.html"]),
        ("reports/v1.2", ["v1.2.md", "v1.2.json", "v1.2.html"]),
    ],
)
def test_the_report_path_is_the_one_given_with_its_siblings(given, written):
    assert [path.name for path in report_paths(Path(given))] == written
    assert all(path.parent == Path("reports") for path in report_paths(Path(given)))


@pytest.fixture(scope="module")
def html_report(tmp_path_factory) -> Path:
    """A real run with every result in it (a defect, a busy endpoint), compared with a clean baseline."""
    scratch = tmp_path_factory.mktemp("html-report")
    cases = "--case=DISC-01,DISC-19,PAT-01,PAT-02,PAT-03,UI-01,UI-14,SEC-03,SEC-08,TOK-02,IDT-05"
    with run_server(scratch / "clean", headless_login=True) as clean:
        baseline = run_suite(scratch, "--platform-url", clean.issuer, cases, name="baseline")
    with run_server(scratch / "defective", defects=frozenset({"tokens-201"}), headless_login=True) as mock:
        mock.control.add_fault("userinfo", status=503, headers={"Retry-After": "0"}, count="unlimited")
        run = run_suite(
            scratch, "--platform-url", mock.issuer, cases, "--retries=1", f"--baseline={baseline.report_path}"
        )
    return run.report_path.with_suffix(".html")


@pytest.fixture
def report_page(chromium_page, html_report):
    """The page loaded in Chromium; every request it makes and every console error are kept."""
    requests, errors = [], []
    chromium_page.on("request", lambda request: requests.append(request.url))
    chromium_page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    chromium_page.goto(html_report.as_uri())
    yield chromium_page
    assert requests == [html_report.as_uri()], "the report loaded something besides itself"
    assert errors == [], errors


def shown(page) -> dict[str, str]:
    return page.eval_on_selector_all(
        ".case:not([hidden])", "rows => Object.fromEntries(rows.map(r => [r.id.slice(5), r.dataset.result]))"
    )


@pytest.mark.browser
def test_the_html_report_shows_every_result_and_filters_them(report_page, html_report):
    page = report_page
    everything = shown(page)
    assert set(everything.values()) == {"PASS", "FAIL", "WARN", "INCONCLUSIVE", "SKIP", "INFO"}
    assert page.text_content("#shown-count") == f"showing {len(everything)} of {len(everything)} cases"

    page.click(".chip[data-filter=result][data-value=FAIL]")
    assert set(shown(page).values()) == {"FAIL"}
    page.click(".chip[data-filter=result][data-value=INCONCLUSIVE]")
    assert set(shown(page).values()) == {"FAIL", "INCONCLUSIVE"}
    page.click(".chip[data-filter=level][data-value=SHOULD]")
    assert shown(page) == {"UI-14": "INCONCLUSIVE"}
    page.click("#clear")
    assert shown(page) == everything

    page.click(".seg[data-level=MUST][data-result=FAIL]")
    assert shown(page) == {"PAT-01": "FAIL"}
    page.click("#clear")
    page.fill("#search", "pat-0 createtoken")  # words in the id and in the clause
    assert shown(page) == {"PAT-01": "FAIL"}
    page.fill("#search", "PAT-0")
    assert set(shown(page)) == {"PAT-01", "PAT-02", "PAT-03"}
    page.fill("#search", "")

    page.check("#changed-only")
    assert shown(page) == {"PAT-01": "FAIL", "UI-01": "INCONCLUSIVE", "UI-14": "INCONCLUSIVE"}
    assert "was PASS" in page.text_content("#case-PAT-01 summary")


@pytest.mark.browser
def test_a_failure_shows_its_clause_evidence_and_masked_exchange(report_page, html_report):
    failure = report_page.locator("#case-PAT-01")
    assert failure.get_attribute("open") is not None  # failures are open, passes folded
    text = failure.text_content()
    assert "Clause: Seqera OpenAPI CreateToken; nextflow generatePAT" in text
    assert "HTTP 201" in text and "POST /api/tokens" in text
    assert "Authorization: Bearer «sha256:" in text
    html = html_report.read_text()
    assert "eyJ" not in html, "a JWT was written in clear"
    assert "Changed since" in report_page.text_content("#baseline")
    report_page.set_viewport_size({"width": 1200, "height": 900})
    report_page.screenshot(path=str(html_report.with_suffix(".png")), full_page=True)
