"""The report: one row per case (Markdown for people, JSON with the same content for machines).

`compare` prints where two runs differ, e.g. the mock against a real install: the fidelity diff.
Everything written goes through `Secrets.redact` first.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .catalog import CASES, LEVELS
from .checks import Secrets

RESULTS = ("PASS", "FAIL", "WARN", "SKIP", "INFO")
WORST_FIRST = ("FAIL", "WARN", "PASS", "INFO", "SKIP")
EVIDENCE_KEPT = 20
EVIDENCE_SHOWN = 4


def _counts(rows: Iterable[Any]) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {level: Counter() for level in LEVELS}
    for row in rows:
        counts[_level(row)][_result(row)] += 1
    return counts


def _level(row: Any) -> str:
    return row["level"] if isinstance(row, dict) else row.case.level


def _result(row: Any) -> str:
    return row["result"] if isinstance(row, dict) else row.result


def summary_line(rows: Iterable[Any]) -> str:
    """`MUST: 97/97 passed, SHOULD: 18/20, INFO: 12 recorded (5 skipped)`."""
    rows = list(rows)
    counts = _counts(rows)
    must, should = counts["MUST"], counts["SHOULD"]
    must_run = must["PASS"] + must["WARN"] + must["FAIL"]
    should_run = should["PASS"] + should["WARN"] + should["FAIL"]
    skipped = sum(1 for row in rows if _result(row) == "SKIP")
    accepted = sum(1 for row in rows if (row.get("accepted") if isinstance(row, dict) else row.accepted))
    line = (
        f"MUST: {must['PASS'] + must['WARN']}/{must_run} passed, "
        f"SHOULD: {should['PASS']}/{should_run}, INFO: {counts['INFO']['INFO']} recorded"
    )
    info_errors = counts["INFO"]["FAIL"]
    notes = [
        f"{accepted} accepted deviation{'s' if accepted > 1 else ''}" if accepted else "",
        f"{info_errors} INFO case{'s' if info_errors > 1 else ''} could not record" if info_errors else "",
        f"{skipped} skipped" if skipped else "",
    ]
    notes = [note for note in notes if note]
    return line + (f" ({', '.join(notes)})" if notes else "")


def build(rows: list[Any], meta: dict[str, Any], secrets: Secrets) -> dict[str, Any]:
    by_id = {row.case.id: _row_document(row, secrets) for row in rows}
    for case in CASES.values():
        if case.see and case.id not in by_id:
            parts = [by_id[ref] for ref in case.see if ref in by_id]
            if parts:
                result = next(r for r in WORST_FIRST if any(p["result"] == r for p in parts))
                by_id[case.id] = _case_document(case) | {
                    "result": result,
                    "message": f"derived from {', '.join(case.see)}",
                    "evidence": [],
                    "observations": {},
                }
    cases = [by_id[case_id] for case_id in CASES if case_id in by_id]
    counts = _counts(cases)
    meta = {k: v for k, v in meta.items() if k not in ("started", "written", "summary_line")}
    return {
        "suite": "seqera-platform-conformance",
        "format": 1,
        "meta": json.loads(secrets.redact(json.dumps(meta, default=str))),
        "summary": {level: dict(counts[level]) for level in LEVELS},
        "summary_line": summary_line(cases),
        "cases": cases,
    }


def _case_document(case: Any) -> dict[str, Any]:
    return {
        "id": case.id,
        "title": case.title,
        "group": case.group,
        "severity": case.severity,
        "level": case.level,
        "clause": case.clause,
        "mode": case.mode,
        "prod": case.prod,
    }


def _row_document(row: Any, secrets: Secrets) -> dict[str, Any]:
    document = _case_document(row.case) | {
        "result": row.result,
        "accepted": row.accepted,
        "message": row.message,
        "evidence": row.evidence[-EVIDENCE_KEPT:],
        "observations": row.observations,
        "duration": round(row.duration, 3),
    }
    return json.loads(secrets.redact(json.dumps(document, default=str)))


def write(document: dict[str, Any], path: Path) -> list[Path]:
    """Write `<path>` and its sibling (.md and .json), whichever suffix was given."""
    base = path.with_suffix("") if path.suffix in (".md", ".json") else path
    markdown, data = base.with_suffix(".md"), base.with_suffix(".json")
    base.parent.mkdir(parents=True, exist_ok=True)
    markdown.write_text(render_markdown(document), encoding="utf-8")
    data.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return [markdown, data]


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", "<br>")


def _evidence_text(entries: list[dict[str, Any]]) -> str:
    shown = []
    for entry in entries[-EVIDENCE_SHOWN:]:
        parts = [
            str(entry.get(k))
            for k in ("label", "request", "status", "error", "location", "field")
            if entry.get(k)
        ]
        extra = {
            k: v
            for k, v in entry.items()
            if k not in ("label", "request", "status", "error", "location", "field", "request_id")
        }
        parts.extend(f"{k}={v}" for k, v in extra.items())
        if entry.get("request_id"):
            parts.append(f"[{entry['request_id']}]")
        shown.append(" ".join(parts))
    return "<br>".join(_cell(s) for s in shown)


def render_markdown(document: dict[str, Any]) -> str:
    meta = document["meta"]
    lines = [
        "# Seqera Platform conformance report",
        "",
        f"- Target: {meta.get('target', '?')}",
        f"- Client: {meta.get('client_id', '?')}; login driver: {meta.get('login', '?')}"
        + ("; safe cases only" if meta.get("safe_only") else ""),
        f"- Duration: {meta.get('duration', '?')} s",
        "",
        f"**{document['summary_line']}**",
        "",
        "| Case | Title | Result | Severity | Clause | Evidence |",
        "|---|---|---|---|---|---|",
    ]
    for case in document["cases"]:
        detail = case["message"]
        notes = {k: v for k, v in case.get("observations", {}).items() if k != "notes"}
        if notes:
            detail = f"{detail}\n{json.dumps(notes, default=str)}".strip()
        evidence = _evidence_text(case.get("evidence", []))
        cell = "<br>".join(filter(None, [_cell(detail), evidence]))
        lines.append(
            f"| {case['id']} | {_cell(case['title'])} | {case['result']} | {_cell(case['severity'])} "
            f"| {_cell(case['clause'])} | {cell} |"
        )
    if meta.get("cleanup"):
        lines += ["", "Clean-up problems:", *(f"- {p}" for p in meta["cleanup"])]
    return "\n".join(lines) + "\n"


def compare(first: dict[str, Any], second: dict[str, Any]) -> list[str]:
    """One line per case whose result differs between two reports (or that only one has)."""
    a = {case["id"]: case for case in first["cases"]}
    b = {case["id"]: case for case in second["cases"]}
    order = [case_id for case_id in CASES if case_id in a or case_id in b]
    order += sorted((a.keys() | b.keys()) - set(order))
    lines = []
    for case_id in order:
        left, right = a.get(case_id), b.get(case_id)
        left_result = left["result"] if left else "absent"
        right_result = right["result"] if right else "absent"
        if left_result == right_result:
            continue
        title = (left or right or {}).get("title", "")
        reason = (right or left or {}).get("message", "").splitlines()
        lines.append(
            f"{case_id} {title}: {left_result} -> {right_result}" + (f" ({reason[0]})" if reason else "")
        )
    return lines
