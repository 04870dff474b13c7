"""A self-contained HTML page for a list of graded cases: a summary bar, filters, and the evidence.

Neutral on purpose: the conformance suite (provider cases) and the client checker (client cases)
both describe their results as cases with an id, a severity, a clause, a result and evidence, and
both get the same page:

    from report_page import Page, write

    write(Page(title="Client check", cases=[
        {"id": "CLI-03", "severity": "MUST", "clause": "RFC 7636 §4.1", "result": "FAIL",
         "title": "PKCE verifier length", "message": "...", "evidence": [{"request": "POST /token"}]},
    ], facts=[("Client", "nextflow auth login")]), Path("report.html"))

A case is a mapping: `id`, `severity` (its first word, e.g. MUST, is the level unless `level` is
given), `clause` and `result` are required; `title`, `message`, `evidence` (a list of strings or of
mappings; a mapping's `exchange` = {request, response} is shown as two excerpts) and `before` (the
result in the baseline, when it changed; "absent" for a new case) are optional. The page has no
external asset: one HTML file, inline CSS, and a script allowed by its hash (Content-Security-Policy
`default-src 'none'`), so it opens from a CI artifact or an e-mail as it is. Without JavaScript every
case is shown. Escape nothing before calling: everything is escaped here.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

RESULT_ORDER = ("FAIL", "INCONCLUSIVE", "WARN", "PASS", "INFO", "SKIP")
LEVELS = ("MUST", "SHOULD", "INFO")
OPEN_RESULTS = ("FAIL", "INCONCLUSIVE")


@dataclass(frozen=True)
class Page:
    title: str
    cases: Sequence[Mapping[str, Any]]
    facts: Sequence[tuple[str, str]] = ()
    notices: Sequence[str] = ()
    summary_line: str = ""
    baseline: str | None = None
    removed: Sequence[tuple[str, str]] = ()


def write(page: Page, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(page), encoding="utf-8")
    return path


def severity_level(severity: str) -> str:
    """The level a severity text starts with ("MUST(C)", "MUST (if ...) / INFO" are MUST); its first word if none."""
    first = re.split(r"[\s/(]", severity.strip(), maxsplit=1)[0].upper()
    return next((level for level in LEVELS if first.startswith(level)), first or "?")


def level_of(case: Mapping[str, Any]) -> str:
    if case.get("level"):
        return str(case["level"])
    return severity_level(str(case.get("severity", "")))


def _ordered(values: Sequence[str], order: Sequence[str]) -> list[str]:
    known = [value for value in order if value in values]
    return known + sorted(set(values) - set(order))


def render(page: Page) -> str:
    cases = list(page.cases)
    results = _ordered([str(c["result"]) for c in cases], RESULT_ORDER)
    levels = _ordered([level_of(c) for c in cases], LEVELS)
    changed = [c for c in cases if c.get("before") is not None]
    body = [
        f"<header><h1>{escape(page.title)}</h1>",
        *(f'<p class="notice" role="alert">{escape(notice)}</p>' for notice in page.notices),
        f"{_facts(page.facts)}</header>",
        f'<p class="summary-line">{escape(page.summary_line)}</p>' if page.summary_line else "",
        _summary(cases, levels, results) if cases else '<p class="empty">No case ran.</p>',
        _baseline(page, changed) if page.baseline else "",
        _filters(cases, levels, results, bool(page.baseline)) if cases else "",
        '<main id="cases">' + "".join(_case(case) for case in cases) + "</main>",
    ]
    script = SCRIPT.strip()
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    policy = f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'; img-src data:"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(page.title)}</title><style>{STYLE}</style></head>\n"
        f"<body>{''.join(body)}<script>{script}</script></body></html>\n"
    )


def _facts(facts: Sequence[tuple[str, str]]) -> str:
    if not facts:
        return ""
    rows = "".join(f"<dt>{escape(k)}</dt><dd>{escape(str(v))}</dd>" for k, v in facts)
    return f'<dl class="facts">{rows}</dl>'


def _summary(cases: list[Mapping[str, Any]], levels: list[str], results: list[str]) -> str:
    counts = Counter((level_of(c), str(c["result"])) for c in cases)
    rows = []
    for level in levels:
        total = sum(counts[level, result] for result in results)
        segments = "".join(
            f'<button type="button" class="seg r-{_token(result)}" data-level="{escape(level)}" '
            f'data-result="{escape(result)}" style="flex-grow:{counts[level, result]}" '
            f'title="{escape(level)} {escape(result)}: {counts[level, result]}">{counts[level, result]}</button>'
            for result in results
            if counts[level, result]
        )
        rows.append(
            f'<div class="bar-row"><span class="bar-label">{escape(level)}</span>'
            f'<span class="bar-total">{total}</span><div class="bar">{segments}</div></div>'
        )
    totals = Counter(str(c["result"]) for c in cases)
    legend = "".join(
        f'<span class="legend"><span class="dot r-{_token(r)}"></span>{escape(r)} {totals[r]}</span>'
        for r in results
    )
    return f'<section class="card" id="summary"><h2>Summary</h2>{"".join(rows)}<p>{legend}</p></section>'


def _baseline(page: Page, changed: list[Mapping[str, Any]]) -> str:
    items = "".join(
        f'<li><a href="#case-{_token(str(c["id"]))}"><code>{escape(str(c["id"]))}</code></a> '
        f'{escape(str(c.get("title", "")))}: <span class="badge r-{_token(str(c["before"]))}">{escape(str(c["before"]))}</span>'
        f' → <span class="badge r-{_token(str(c["result"]))}">{escape(str(c["result"]))}</span></li>'
        for c in changed
    )
    items += "".join(
        f'<li><code>{escape(case_id)}</code>: <span class="badge r-{_token(result)}">{escape(result)}</span> → not in this run</li>'
        for case_id, result in page.removed
    )
    count = len(changed) + len(page.removed)
    heading = f"Changed since {escape(page.baseline or '')}: {count} case{'s' if count != 1 else ''}"
    return (
        f'<section class="card" id="baseline"><h2>{heading}</h2>'
        + (f"<ul>{items}</ul>" if items else "<p>No case changed its result.</p>")
        + "</section>"
    )


def _filters(cases: list[Mapping[str, Any]], levels: list[str], results: list[str], baseline: bool) -> str:
    result_counts = Counter(str(c["result"]) for c in cases)
    level_counts = Counter(level_of(c) for c in cases)
    chips = "".join(
        f'<button type="button" class="chip r-{_token(r)}" data-filter="result" data-value="{escape(r)}" '
        f'aria-pressed="false">{escape(r)} <b>{result_counts[r]}</b></button>'
        for r in results
    )
    chips += '<span class="sep"></span>' + "".join(
        f'<button type="button" class="chip" data-filter="level" data-value="{escape(level)}" '
        f'aria-pressed="false">{escape(level)} <b>{level_counts[level]}</b></button>'
        for level in levels
    )
    changed = (
        '<label class="changed"><input type="checkbox" id="changed-only"> changed since baseline</label>'
        if baseline
        else ""
    )
    return (
        '<nav id="filters" hidden><div class="chips">'
        f"{chips}</div>"
        '<input type="search" id="search" placeholder="Filter by id, title, clause or message" aria-label="Filter">'
        f'{changed}<button type="button" id="clear">Clear</button><span id="shown-count"></span></nav>'
    )


def _case(case: Mapping[str, Any]) -> str:
    case_id, result, level = str(case["id"]), str(case["result"]), level_of(case)
    title, message = str(case.get("title") or ""), str(case.get("message") or "")
    before = case.get("before")
    searchable = " ".join(
        [case_id, title, str(case.get("clause", "")), str(case.get("severity", "")), message]
    )
    was = f' <span class="was">was {escape(str(before))}</span>' if before is not None else ""
    summary = (
        f'<summary><span class="badge r-{_token(result)}">{escape(result)}</span>'
        f'<code>{escape(case_id)}</code> <span class="title">{escape(title)}</span>{was}'
        f'<span class="meta"><span class="sev">{escape(str(case.get("severity", "")))}</span>'
        f'<span class="clause">{escape(str(case.get("clause", "")))}</span></span></summary>'
    )
    parts = [f'<p class="clause-line">Clause: {escape(str(case.get("clause", "")))}</p>']
    if message:
        parts.append(f'<pre class="message">{escape(message)}</pre>')
    evidence = case.get("evidence") or []
    if evidence:
        parts.append('<ol class="evidence">' + "".join(_evidence(entry) for entry in evidence) + "</ol>")
    if len(parts) == 1 and not message:
        parts.append('<p class="quiet">No details recorded.</p>')
    opened = " open" if result in OPEN_RESULTS else ""
    return (
        f'<details class="case" id="case-{_token(case_id)}" data-result="{escape(result)}" '
        f'data-level="{escape(level)}" data-changed="{1 if before is not None else 0}" '
        f'data-text="{escape(searchable.lower())}"{opened}>{summary}<div class="body">{"".join(parts)}</div></details>'
    )


def _evidence(entry: Any) -> str:
    if not isinstance(entry, Mapping):
        return f"<li>{escape(str(entry))}</li>"
    exchange = entry.get("exchange")
    label = entry.get("label")
    fields = "".join(
        f'<span class="kv"><b>{escape(str(k))}</b> {escape(str(v))}</span>'
        for k, v in entry.items()
        if k not in ("exchange", "label") and v not in (None, "")
    )
    text = (f"<strong>{escape(str(label))}</strong> " if label else "") + fields
    if isinstance(exchange, Mapping):
        text += (
            '<div class="exchange">'
            + "".join(
                f"<figure><figcaption>{escape(part)}</figcaption><pre>{escape(str(exchange[part]))}</pre></figure>"
                for part in ("request", "response")
                if exchange.get(part)
            )
            + "</div>"
        )
    return f"<li>{text}</li>"


def _token(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", value)


STYLE = """
:root{--fail:#cf222e;--inconclusive:#8250df;--warn:#9a6700;--pass:#1a7f37;--info:#0969da;--skip:#6e7781;
--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1100px;padding:24px;font:14px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink)}
h1{font-size:22px;margin:0 0 8px}h2{font-size:16px;margin:0 0 10px}
code,pre{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:12.5px}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0 0 16px;color:var(--muted)}
.facts dt{font-weight:600}.facts dd{margin:0;overflow-wrap:anywhere}
.notice{border:2px solid var(--fail);background:#ffebe9;color:#82071e;padding:10px 14px;border-radius:6px;font-weight:600;white-space:pre-line}
.summary-line{font-size:16px;font-weight:600}
.card{border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin:16px 0;background:#fff}
.bar-row{display:grid;grid-template-columns:70px 44px 1fr;align-items:center;gap:8px;margin:6px 0}
.bar-label{font-weight:600}.bar-total{color:var(--muted);text-align:right}
.bar{display:flex;height:24px;border-radius:5px;overflow:hidden;background:var(--bg)}
.seg{border:0;color:#fff;font-weight:600;font-size:12px;min-width:26px;cursor:pointer;padding:0 4px}
.seg:hover{filter:brightness(1.15)}
.r-FAIL{background:var(--fail)}.r-INCONCLUSIVE{background:var(--inconclusive)}.r-WARN{background:var(--warn)}
.r-PASS{background:var(--pass)}.r-INFO{background:var(--info)}.r-SKIP,.r-absent{background:var(--skip)}
.legend{margin-right:14px;white-space:nowrap}.dot{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px}
#filters{position:sticky;top:0;z-index:1;background:#fff;border-bottom:1px solid var(--line);padding:10px 0;display:flex;flex-wrap:wrap;gap:8px;align-items:center}
#filters[hidden]{display:none}
.chips{display:flex;flex-wrap:wrap;gap:6px;align-items:center}.sep{width:10px}
.chip{border:1px solid var(--line);background:#fff;color:var(--ink);border-radius:999px;padding:3px 10px;cursor:pointer;font-size:12.5px}
.chip[aria-pressed=true]{color:#fff;border-color:transparent;background:var(--ink)}
.chip.r-FAIL[aria-pressed=true]{background:var(--fail)}.chip.r-INCONCLUSIVE[aria-pressed=true]{background:var(--inconclusive)}
.chip.r-WARN[aria-pressed=true]{background:var(--warn)}.chip.r-PASS[aria-pressed=true]{background:var(--pass)}
.chip.r-INFO[aria-pressed=true]{background:var(--info)}.chip.r-SKIP[aria-pressed=true]{background:var(--skip)}
.chip:not([aria-pressed=true]).r-FAIL,.chip:not([aria-pressed=true]).r-INCONCLUSIVE,.chip:not([aria-pressed=true]).r-WARN,
.chip:not([aria-pressed=true]).r-PASS,.chip:not([aria-pressed=true]).r-INFO,.chip:not([aria-pressed=true]).r-SKIP{background:#fff}
#search{flex:1;min-width:220px;padding:5px 9px;border:1px solid var(--line);border-radius:6px;font:inherit}
#clear{border:1px solid var(--line);background:var(--bg);border-radius:6px;padding:4px 10px;cursor:pointer}
#shown-count{color:var(--muted);font-size:12.5px}
.case{border:1px solid var(--line);border-radius:6px;margin:6px 0;background:#fff}
.case[hidden]{display:none}
.case summary{cursor:pointer;padding:7px 10px;display:flex;gap:8px;align-items:baseline;flex-wrap:wrap}
.case[open] summary{border-bottom:1px solid var(--line);background:var(--bg)}
.badge{color:#fff;border-radius:4px;padding:1px 6px;font-size:11.5px;font-weight:700;letter-spacing:.02em}
.title{flex:1;min-width:200px}.was{color:var(--muted);font-style:italic}
.meta{display:flex;gap:10px;color:var(--muted);font-size:12.5px}.sev{font-weight:600}
.body{padding:8px 14px 12px}.clause-line{margin:4px 0;color:var(--muted)}
.message{white-space:pre-wrap;background:#fff8f8;border-left:3px solid var(--fail);padding:8px 10px;margin:6px 0}
.case[data-result=WARN] .message{background:#fff8e5;border-color:var(--warn)}
.case[data-result=INCONCLUSIVE] .message{background:#fbf5ff;border-color:var(--inconclusive)}
.case[data-result=PASS] .message,.case[data-result=INFO] .message,.case[data-result=SKIP] .message{background:var(--bg);border-color:var(--line)}
.evidence{padding-left:22px;margin:6px 0}.evidence li{margin:4px 0}
.kv{margin-right:12px;overflow-wrap:anywhere}.kv b{color:var(--muted);font-weight:600}
.exchange{display:grid;grid-template-columns:1fr 1fr;gap:8px;margin-top:4px}
.exchange figure{margin:0}.exchange figcaption{font-size:11.5px;color:var(--muted);text-transform:uppercase}
.exchange pre{margin:0;background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:6px 8px;white-space:pre-wrap;overflow-wrap:anywhere;max-height:240px;overflow:auto}
.quiet,.empty{color:var(--muted)}
@media (max-width:760px){.exchange{grid-template-columns:1fr}}
"""

SCRIPT = """
(function () {
  var cases = Array.prototype.slice.call(document.querySelectorAll('.case'));
  var chips = Array.prototype.slice.call(document.querySelectorAll('.chip'));
  var search = document.getElementById('search');
  var changed = document.getElementById('changed-only');
  var count = document.getElementById('shown-count');
  if (!search) { return; }
  function pressed(chip) { return chip.getAttribute('aria-pressed') === 'true'; }
  function selected(kind) {
    return chips.filter(function (c) { return c.dataset.filter === kind && pressed(c); })
      .map(function (c) { return c.dataset.value; });
  }
  function apply() {
    var results = selected('result'), levels = selected('level');
    var words = search.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = 0;
    cases.forEach(function (row) {
      var ok = (!results.length || results.indexOf(row.dataset.result) >= 0) &&
        (!levels.length || levels.indexOf(row.dataset.level) >= 0) &&
        (!changed || !changed.checked || row.dataset.changed === '1') &&
        words.every(function (w) { return row.dataset.text.indexOf(w) >= 0; });
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = 'showing ' + shown + ' of ' + cases.length + ' cases';
  }
  chips.forEach(function (chip) {
    chip.addEventListener('click', function () {
      chip.setAttribute('aria-pressed', pressed(chip) ? 'false' : 'true');
      apply();
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll('.seg'), function (seg) {
    seg.addEventListener('click', function () {
      chips.forEach(function (c) {
        var on = (c.dataset.filter === 'result' && c.dataset.value === seg.dataset.result) ||
          (c.dataset.filter === 'level' && c.dataset.value === seg.dataset.level);
        c.setAttribute('aria-pressed', on ? 'true' : 'false');
      });
      apply();
      document.getElementById('filters').scrollIntoView();
    });
  });
  search.addEventListener('input', apply);
  if (changed) { changed.addEventListener('change', apply); }
  document.getElementById('clear').addEventListener('click', function () {
    chips.forEach(function (c) { c.setAttribute('aria-pressed', 'false'); });
    search.value = '';
    if (changed) { changed.checked = false; }
    apply();
  });
  document.getElementById('filters').hidden = false;
  apply();
})();
"""
