"""The report: one row per case, as Markdown and an HTML page for people and JSON for machines.

The rows have the conformance suite's shape (id, title, group, severity, level, clause, result,
message, evidence), so its report tooling can read them and the HTML page is the suite's
(`report_page`); `suite` says which kind of report it is. Everything written goes through
`Secrets.mask` first: the three files are made from the one masked document.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import report_page

from .catalog import Case
from .judges import Verdict
from .secrets import Secrets

SUITE = "seqera-client-check"
TITLE = "Client check report"
SUFFIXES = (".md", ".json", ".html")
EVIDENCE_SHOWN = 4
DETAIL_SHOWN = 200  # characters of each evidence entry in the Markdown table
DETAIL_KEPT = 400  # characters kept at each end of a longer evidence detail (an output, a page)


@dataclass
class CaseResult:
    case: Case
    result: str  # PASS FAIL WARN SKIP INFO
    level: str
    message: str
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def line(self) -> str:
        return f"{self.case.id} {self.result}: {self.message} ({self.case.clause})"

    def document(self) -> dict[str, Any]:
        case = self.case
        return {
            "id": case.id,
            "title": case.title,
            "group": case.group,
            "severity": case.severity,
            "level": self.level,
            "clause": case.clause,
            "scenarios": list(case.scenarios),
            "result": self.result,
            "message": self.message,
            "evidence": self.evidence,
        }


def conclude(case: Case, verdict: Verdict) -> CaseResult:
    level = verdict.level or case.level
    if verdict.status == "skip":
        result = "SKIP"
    elif level == "INFO" or verdict.status == "info":
        result = "INFO"
    elif verdict.status == "ok":
        result = "PASS"
    elif verdict.status == "warn" or level == "SHOULD":
        result = "WARN"
    else:
        result = "FAIL"
    return CaseResult(case, result, level, verdict.message, verdict.evidence)


def summary_line(results: list[CaseResult]) -> str:
    """`MUST: 20/20 passed, SHOULD: 7/9, INFO: 1 recorded (6 skipped)`, as the conformance suite says it."""
    counts: dict[str, Counter[str]] = {level: Counter() for level in report_page.LEVELS}
    for row in results:
        counts[row.level][row.result] += 1
    must, should = counts["MUST"], counts["SHOULD"]
    line = (
        f"MUST: {must['PASS'] + must['WARN']}/{must['PASS'] + must['WARN'] + must['FAIL']} passed, "
        f"SHOULD: {should['PASS']}/{should['PASS'] + should['WARN'] + should['FAIL']}, "
        f"INFO: {sum(1 for row in results if row.result == 'INFO')} recorded"
    )
    skipped = sum(1 for row in results if row.result == "SKIP")
    return line + (f" ({skipped} skipped)" if skipped else "")


@dataclass
class Report:
    results: list[CaseResult]
    meta: dict[str, Any]
    secrets: Secrets

    @property
    def must_failures(self) -> list[CaseResult]:
        return [row for row in self.results if row.result == "FAIL" and row.level == "MUST"]

    @property
    def ok(self) -> bool:
        return not self.must_failures

    @property
    def summary(self) -> str:
        return summary_line(self.results)

    def result(self, case_id: str) -> CaseResult:
        return next(row for row in self.results if row.case.id == case_id)

    def lines(self) -> list[str]:
        """A line for every case that did not pass, masked."""
        return [self.secrets.mask(row.line()) for row in self.results if row.result in ("FAIL", "WARN")]

    def document(self) -> dict[str, Any]:
        counts = {
            level: Counter(r.result for r in self.results if r.level == level) for level in report_page.LEVELS
        }
        document = {
            "suite": SUITE,
            "format": 1,
            "meta": self.meta,
            "summary": {level: dict(counts[level]) for level in report_page.LEVELS},
            "summary_line": self.summary,
            "cases": [row.document() for row in self.results],
        }
        masked = json.loads(self.secrets.mask(json.dumps(document, default=str)))
        for case in masked["cases"]:
            for entry in case["evidence"]:
                if isinstance(entry.get("detail"), str):
                    entry["detail"] = shortened(entry["detail"])
        return masked

    def write(self, path: Path) -> list[Path]:
        """Write `<path>.md`, `<path>.json` and `<path>.html`, whichever of these suffixes was given."""
        markdown, data, page = report_paths(path)
        markdown.parent.mkdir(parents=True, exist_ok=True)
        document = self.document()
        markdown.write_text(render_markdown(document), encoding="utf-8")
        data.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        report_page.write(html_page(document), page)
        return [markdown, data, page]


def shortened(detail: str) -> str:
    """Its head and tail, cut only once masked: a secret cut in two would escape its mask."""
    if len(detail) <= 2 * DETAIL_KEPT + 3:
        return detail
    return f"{detail[:DETAIL_KEPT]} … {detail[-DETAIL_KEPT:]}"


def report_paths(path: Path) -> tuple[Path, Path, Path]:
    """`reports/check.v2.md` → that file and its `.json` and `.html` siblings: only a known suffix
    is replaced, so dots elsewhere in the name stay."""
    base = path.name.removesuffix(path.suffix) if path.suffix in SUFFIXES else path.name
    markdown, data, page = (path.with_name(base + suffix) for suffix in SUFFIXES)
    return markdown, data, page


def facts(meta: dict[str, Any]) -> list[tuple[str, str]]:
    """What was checked and how, as (label, value) lines for the head of each report."""
    commands = [
        (f"{name.capitalize()} command", " ".join(meta[name]))
        for name in ("login", "refresh", "logout")
        if meta.get(name)
    ]
    return [
        *commands,
        ("Profile", meta.get("profile") or "none"),
        ("Time limit", f"{meta.get('time_limit')} s per scenario"),
        ("Mock", f"a fresh one per scenario, {meta.get('mock')}"),
        ("Duration", f"{meta.get('duration')} s"),
        ("Tool", str(meta.get("tool", ""))),
    ]


def scenario_lines(meta: dict[str, Any]) -> list[str]:
    """`untrusted-tls: 8.3 s; <why it stopped early>` for every scenario run."""
    return [
        f"{name}: {scenario['duration']} s" + (f"; {scenario['skipped']}" if scenario.get("skipped") else "")
        for name, scenario in meta.get("scenarios", {}).items()
    ]


def html_page(document: dict[str, Any]) -> report_page.Page:
    """The conformance suite's page over the client's cases (escaping is the page's job)."""
    meta = document["meta"]
    return report_page.Page(
        title=TITLE,
        cases=document["cases"],
        facts=[*facts(meta), ("Scenarios", " · ".join(scenario_lines(meta)))],
        summary_line=document["summary_line"],
    )


def _cell(text: Any) -> str:
    """Table cell text: markup escaped (client pages and outputs are not to be trusted), one line."""
    return html.escape(str(text), quote=False).replace("|", "\\|").replace("\n", "<br>")


def _evidence(entries: list[dict[str, Any]]) -> str:
    shown = []
    for entry in entries[:EVIDENCE_SHOWN]:
        detail = str(entry.get("detail", ""))
        if len(detail) > DETAIL_SHOWN:
            detail = detail[:DETAIL_SHOWN] + " …"
        shown.append(f"*{entry.get('label', '')}*: {detail}")
    if len(entries) > EVIDENCE_SHOWN:
        shown.append(f"(+{len(entries) - EVIDENCE_SHOWN} more in the JSON report)")
    return "<br>".join(_cell(text) for text in shown)


def render_markdown(document: dict[str, Any]) -> str:
    meta = document["meta"]
    lines = [
        f"# {TITLE}",
        "",
        *(f"- {label}: {_cell(value)}" for label, value in facts(meta)),
        "",
        f"**{document['summary_line']}**",
        "",
        "| Case | Title | Result | Severity | Clause | Scenario | Evidence |",
        "|---|---|---|---|---|---|---|",
    ]
    for case in document["cases"]:
        cell = "<br>".join(filter(None, [_cell(case["message"]), _evidence(case["evidence"])]))
        lines.append(
            f"| {case['id']} | {_cell(case['title'])} | {case['result']} | {_cell(case['severity'])} "
            f"| {_cell(case['clause'])} | {', '.join(case['scenarios'])} | {cell} |"
        )
    lines += ["", "Scenarios:", "", *(f"- {_cell(line)}" for line in scenario_lines(meta))]
    return "\n".join(lines) + "\n"
