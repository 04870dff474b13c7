"""The report's summary line counts every case once, including those that could not run."""

from __future__ import annotations

from conformance.report import summary_line


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
