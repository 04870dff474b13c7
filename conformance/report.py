"""The report: one row per case, as Markdown and HTML for people and JSON for machines (same content).

`compare` prints where two runs differ, e.g. the mock against a real install: the fidelity diff;
with `--baseline previous.json` every report shows what changed since. Everything written goes
through `Secrets.redact` first. A run the preflight stopped still gets a report, saying why.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import report_page

from .catalog import CASES
from .checks import Secrets

RESULTS = ("PASS", "FAIL", "WARN", "INCONCLUSIVE", "SKIP", "INFO")
WORST_FIRST = ("FAIL", "INCONCLUSIVE", "WARN", "PASS", "INFO", "SKIP")
EXCHANGES_FOR = ("FAIL", "WARN", "INCONCLUSIVE")
SUFFIXES = (".md", ".json", ".html")
EVIDENCE_KEPT = 20
EVIDENCE_SHOWN = 4
FORMAT = 2  # 2: INCONCLUSIVE results, `status`, `not_started`, `baseline`, evidence `exchange` excerpts
INSECURE_NOTICE = (
    "Certificate verification was OFF (--insecure): the provider's certificates were not checked, "
    "so this run says nothing about its TLS set-up."
)


def _counts(rows: Iterable[Any]) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {level: Counter() for level in report_page.LEVELS}
    for row in rows:
        counts[_level(row)][_result(row)] += 1
    return counts


def _level(row: Any) -> str:
    return row["level"] if isinstance(row, dict) else row.case.level


def _result(row: Any) -> str:
    return row["result"] if isinstance(row, dict) else row.result


def summary_line(rows: Iterable[Any]) -> str:
    """`MUST: 97/97 passed, SHOULD: 18/20, INFO: 12 recorded (2 inconclusive, 5 skipped)`.

    INCONCLUSIVE cases count neither as passed nor as failed: they are named in the notes.
    """
    rows = list(rows)
    counts = _counts(rows)
    must, should = counts["MUST"], counts["SHOULD"]
    must_run = must["PASS"] + must["WARN"] + must["FAIL"]
    should_run = should["PASS"] + should["WARN"] + should["FAIL"]
    skipped = sum(1 for row in rows if _result(row) == "SKIP")
    inconclusive = sum(1 for row in rows if _result(row) == "INCONCLUSIVE")
    accepted = sum(1 for row in rows if (row.get("accepted") if isinstance(row, dict) else row.accepted))
    line = (
        f"MUST: {must['PASS'] + must['WARN']}/{must_run} passed, "
        f"SHOULD: {should['PASS']}/{should_run}, INFO: {counts['INFO']['INFO']} recorded"
    )
    info_errors = counts["INFO"]["FAIL"]
    notes = [
        f"{inconclusive} inconclusive" if inconclusive else "",
        f"{accepted} accepted deviation{'s' if accepted > 1 else ''}" if accepted else "",
        f"{info_errors} INFO case{'s' if info_errors > 1 else ''} could not record" if info_errors else "",
        f"{skipped} skipped" if skipped else "",
    ]
    notes = [note for note in notes if note]
    return line + (f" ({', '.join(notes)})" if notes else "")


def build(
    rows: list[Any], meta: dict[str, Any], secrets: Secrets, baseline: dict[str, Any] | None = None
) -> dict[str, Any]:
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
    not_started = meta.get("not_started")
    meta = {k: v for k, v in meta.items() if k not in ("started", "written", "summary_line", "inconclusive")}
    document: dict[str, Any] = {
        "suite": "seqera-platform-conformance",
        "format": FORMAT,
        "status": "not-started" if not_started else "completed",
        "meta": _redacted(meta, secrets),
        "summary": {level: dict(counts[level]) for level in report_page.LEVELS},
        "summary_line": f"NOT STARTED: {not_started['problem']}" if not_started else summary_line(cases),
        "cases": cases,
    }
    if baseline is not None:
        document["baseline"] = _baseline(baseline, cases)
    return document


def _baseline(baseline: dict[str, Any], cases: list[dict[str, Any]]) -> dict[str, Any]:
    """What changed since an earlier report: each case whose result moved, new cases, and cases gone."""
    meta = baseline.get("meta") or {}
    return {
        "path": baseline.get("path"),
        "target": meta.get("target"),
        "summary_line": baseline.get("summary_line"),
        "changes": differences(baseline["cases"], cases),
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
    """A case as written: evidence trimmed, request/response excerpts kept only where they explain
    a FAIL, WARN or INCONCLUSIVE (the last few exchanges)."""
    evidence = [dict(entry) for entry in row.evidence[-EVIDENCE_KEPT:]]
    keep_from = len(evidence) - EVIDENCE_SHOWN if row.result in EXCHANGES_FOR else len(evidence)
    for index, entry in enumerate(evidence):
        if index < keep_from:
            entry.pop("exchange", None)
    document = _case_document(row.case) | {
        "result": row.result,
        "accepted": row.accepted,
        "message": row.message,
        "evidence": evidence,
        "observations": row.observations,
        "duration": round(row.duration, 3),
    }
    return _redacted(document, secrets)


def _redacted(value: dict[str, Any], secrets: Secrets) -> dict[str, Any]:
    """Every string in `value` with its secrets masked (non-ASCII kept, so fingerprints stay as they are)."""
    return json.loads(secrets.redact(json.dumps(value, default=str, ensure_ascii=False)))


def report_paths(path: Path) -> tuple[Path, Path, Path]:
    """`reports/run.2026-12-04.md` → that file and its `.json` and `.html` siblings: only a known
    suffix is replaced, so dots elsewhere in the name stay."""
    base = path.name[: -len(path.suffix)] if path.suffix in SUFFIXES else path.name
    return tuple(path.with_name(base + suffix) for suffix in SUFFIXES)  # type: ignore[return-value]


def write(document: dict[str, Any], path: Path) -> list[Path]:
    """Write the report as PATH.md, PATH.json and PATH.html, whichever of these suffixes was given."""
    markdown, data, page = report_paths(path)
    markdown.parent.mkdir(parents=True, exist_ok=True)
    markdown.write_text(render_markdown(document), encoding="utf-8")
    data.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    report_page.write(html_page(document), page)
    return [markdown, data, page]


def notices(document: dict[str, Any]) -> list[str]:
    meta = document["meta"]
    found = []
    if meta.get("not_started"):
        problem = meta["not_started"]
        found.append(
            "\n".join(
                [
                    f"The run did not start: {problem['problem']}.",
                    f"URL tried: {problem['url']}",
                    f"Cause: {problem['cause']}",
                    *(f"What to do: {advice}" for advice in problem.get("advice", [])),
                ]
            )
        )
    if meta.get("insecure"):
        found.append(INSECURE_NOTICE)
    return found


def _facts(document: dict[str, Any]) -> list[tuple[str, str]]:
    meta = document["meta"]
    facts = [
        ("Target", meta.get("target", "?")),
        ("Client", meta.get("client_id", "?")),
        ("Login driver", meta.get("login", "?") + ("; safe cases only" if meta.get("safe_only") else "")),
        ("Existing PAT", meta.get("pat", "")),
        ("Trust", meta.get("trust", "")),
        ("Proxy", meta.get("proxy", "")),
        ("Patience", meta.get("patience", "")),
        ("Duration", f"{meta.get('duration', '?')} s"),
    ]
    return [(label, str(value)) for label, value in facts if value]


def html_page(document: dict[str, Any]) -> report_page.Page:
    baseline = document.get("baseline")
    changes = {change["id"]: change for change in (baseline or {}).get("changes", [])}
    cases = [
        case | ({"before": changes[case["id"]]["before"]} if case["id"] in changes else {})
        for case in document["cases"]
    ]
    return report_page.Page(
        title="Seqera Platform conformance report",
        cases=cases,
        facts=_facts(document),
        notices=notices(document),
        summary_line=document["summary_line"],
        baseline=_baseline_label(baseline) if baseline else None,
        removed=[(c["id"], c["before"]) for c in changes.values() if c["after"] == "absent"],
    )


def _baseline_label(baseline: dict[str, Any]) -> str:
    name = Path(baseline["path"]).name if baseline.get("path") else "the baseline"
    return f"{name} ({baseline.get('summary_line') or 'no summary'})"


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
            if k not in ("label", "request", "status", "error", "location", "field", "request_id", "exchange")
        }
        parts.extend(f"{k}={v}" for k, v in extra.items())
        if entry.get("request_id"):
            parts.append(f"[{entry['request_id']}]")
        shown.append(" ".join(parts))
    return "<br>".join(_cell(s) for s in shown)


def render_markdown(document: dict[str, Any]) -> str:
    lines = ["# Seqera Platform conformance report", ""]
    for notice in notices(document):
        lines += [
            f"> **{_cell(notice.splitlines()[0])}**",
            *(f"> {line}  " for line in notice.splitlines()[1:]),
            "",
        ]
    lines += [f"- {label}: {value}" for label, value in _facts(document)]
    lines += ["", f"**{document['summary_line']}**", ""]
    baseline = document.get("baseline")
    if baseline is not None:
        lines += [f"Changed since {_baseline_label(baseline)}:", ""]
        lines += [
            f"- {change['id']} {change['title']}: {change['before']} -> {change['after']}"
            for change in baseline["changes"]
        ] or ["- no case changed its result"]
        lines.append("")
    if document["cases"]:
        lines += ["| Case | Title | Result | Severity | Clause | Evidence |", "|---|---|---|---|---|---|"]
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
    meta = document["meta"]
    if meta.get("cleanup"):
        lines += ["", "Clean-up problems:", *(f"- {p}" for p in meta["cleanup"])]
    return "\n".join(lines) + "\n"


def differences(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each case whose result differs between two lists of cases ("absent" where one lacks it)."""
    a = {case["id"]: case for case in before if isinstance(case, dict) and "id" in case}
    b = {case["id"]: case for case in after if isinstance(case, dict) and "id" in case}
    order = [case_id for case_id in CASES if case_id in a or case_id in b]
    order += sorted((a.keys() | b.keys()) - set(order))
    found = []
    for case_id in order:
        left, right = a.get(case_id), b.get(case_id)
        left_result = left["result"] if left else "absent"
        right_result = right["result"] if right else "absent"
        if left_result != right_result:
            found.append(
                {
                    "id": case_id,
                    "title": (left or right or {}).get("title", ""),
                    "before": left_result,
                    "after": right_result,
                    "message": ((right or left or {}).get("message") or "").split("\n")[0],
                }
            )
    return found


def compare(first: dict[str, Any], second: dict[str, Any]) -> list[str]:
    """One line per case whose result differs between two reports (or that only one has)."""
    return [
        f"{d['id']} {d['title']}: {d['before']} -> {d['after']}"
        + (f" ({d['message']})" if d["message"] else "")
        for d in differences(first["cases"], second["cases"])
    ]
