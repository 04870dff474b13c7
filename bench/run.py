"""`make bench`: the mock and its peers side by side, in one run, writing bench/results.md.

    python -m bench [--quick] [--targets mock,oauth2-mock-server,...] [--no-browser] [--no-conformance]
                    [--no-shared] [--no-fixture]

Every figure of every target comes from this one run, measured in turns (target after target,
round after round) so that whatever else the machine is doing is spread over all of them; the
mock/peer ratios are taken within the run. See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import entry_points
from pathlib import Path

from . import browser, fixture, load, procs, shared
from .load import LoadResult
from .targets import ROOT, Running, Target, Unavailable, all_targets, start

RESULTS = ROOT / "bench" / "results.md"
SCRATCH = ROOT / "bench" / ".scratch"


@dataclass
class Plan:
    startup_trials: int = 10
    rounds: int = 3
    duration: float = 4.0
    warmup: float = 1.0
    browser_trials: int = 10
    conformance: bool = True
    browser: bool = True
    shared: bool = True  # the mock on PostgreSQL, one and two replicas (bench/shared.py)


@dataclass
class Figures:
    target: Target
    startup: list[float] = field(default_factory=list)
    startup_warm: list[float] = field(default_factory=list)  # mock only: existing data dir
    loads: dict[str, list[LoadResult]] = field(default_factory=dict)
    idle: dict[str, float] = field(default_factory=dict)
    loaded: dict[str, float] = field(default_factory=dict)
    browser: dict[str, list[float]] = field(default_factory=dict)
    note: str = ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(
    running: Running,
    path: str,
    timeout: float = 30.0,
    connect: Callable[[], http.client.HTTPConnection] | None = None,
) -> float:
    """Seconds from the start command to the first 200 from `path` (polled every 5 ms).

    `connect` makes the connection of each poll (https: an HTTPSConnection trusting the target's
    CA); it may raise OSError while the target is not ready for it, e.g. its CA not written yet.
    """
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if running.process.poll() is not None:
            raise RuntimeError(f"{running.target.name} exited with {running.process.returncode}")
        try:
            conn = connect() if connect else http.client.HTTPConnection("127.0.0.1", running.port, timeout=2)
        except OSError:
            time.sleep(0.005)
            continue
        try:
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return time.perf_counter() - running.started_at
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.005)
    raise RuntimeError(f"{running.target.name}: no 200 from {path} within {timeout} s")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure_startup(figures: list[Figures], plan: Plan, scratch: Path) -> None:
    for trial in range(plan.startup_trials):
        for figure in figures:
            target = figure.target
            series = [(figure.startup, scratch / f"startup-{target.name}")]
            if target.name == "mock":  # cold: a new data dir (keys and schema created); warm: reused
                series = [
                    (figure.startup, scratch / f"startup-mock-cold-{trial}"),
                    (figure.startup_warm, scratch / "startup-mock-warm"),
                ]
            for results, data_dir in series:
                data_dir.mkdir(parents=True, exist_ok=True)
                running = start(target, free_port(), data_dir, scratch / f"{target.name}.log")
                try:
                    results.append(wait_ready(running, target.discovery_path))
                finally:
                    running.stop()
        log(f"startup trial {trial + 1}/{plan.startup_trials} done")


def measure_load(figures: list[Figures], plan: Plan, scratch: Path) -> None:
    servers: dict[str, Running] = {}
    try:
        for figure in figures:
            target = figure.target
            data_dir = scratch / f"load-{target.name}"
            data_dir.mkdir(parents=True, exist_ok=True)
            servers[target.name] = running = start(
                target, free_port(), data_dir, scratch / f"{target.name}.log"
            )
            wait_ready(running, target.discovery_path)
        time.sleep(2.0)  # let every server settle before reading idle memory
        for figure in figures:
            running = servers[figure.target.name]
            figure.idle = procs.memory(running.pid)
        runs: list[tuple[str, int, str]] = [
            ("login", 1, "login"),
            ("login", 8, "login"),
            ("token", 8, "token"),
        ]
        for round_number in range(plan.rounds):
            order = figures[round_number % len(figures) :] + figures[: round_number % len(figures)]
            for figure in order:
                running = servers[figure.target.name]
                provider = figure.target.provider(running.port)
                for label, clients, operation in runs:
                    result = load.run(
                        provider,
                        running.pid,
                        clients=clients,
                        duration=plan.duration,
                        warmup=plan.warmup,
                        operation=operation,
                    )
                    figure.loads.setdefault(f"{label}-{clients}", []).append(result)
                    log(
                        f"round {round_number + 1} {figure.target.name} {label} x{clients}: "
                        f"{result.rate:.1f}/s p50 {result.percentile(0.5):.1f} ms, "
                        f"server CPU {result.server_cpu_ms:.2f} ms/op, errors {result.errors}"
                        + (f" ({result.first_error})" if result.first_error else "")
                    )
        for figure in figures:
            figure.loaded = procs.memory(servers[figure.target.name].pid)
    finally:
        for running in servers.values():
            running.stop()


def measure_browser(figures: list[Figures], plan: Plan, scratch: Path) -> str:
    """Headless Chromium logins, launch excluded and included; returns a note when it cannot run."""
    reason = browser.unavailable()
    if reason:
        return reason
    for figure in figures:
        if not browser.supports(figure.target):
            continue
        data_dir = scratch / f"browser-{figure.target.name}"
        data_dir.mkdir(parents=True, exist_ok=True)
        running = start(figure.target, free_port(), data_dir, scratch / f"{figure.target.name}.log")
        try:
            wait_ready(running, figure.target.discovery_path)
            figure.browser = browser.measure(figure.target, running.port, plan.browser_trials)
        finally:
            running.stop()
        log(f"browser {figure.target.name}: {figure.browser}")
    return ""


def measure_conformance(scratch: Path) -> dict[str, tuple[float, str]]:
    """Wall time of `pytest conformance` against a served mock: full, then --safe-only."""
    from .targets import Mock

    results: dict[str, tuple[float, str]] = {}
    registered = any(entry.value == "conformance.plugin" for entry in entry_points(group="pytest11"))
    plugin = [] if registered else ["-p", "conformance.plugin"]
    mock = Mock()
    data_dir = scratch / "conformance"
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    running = start(mock, free_port(), data_dir, scratch / "mock-conformance.log")
    try:
        wait_ready(running, mock.discovery_path)
        url = f"http://127.0.0.1:{running.port}/api"
        for label, extra in (("full", []), ("--safe-only", ["--safe-only"])):
            command = [sys.executable, "-m", "pytest", "conformance", "-q", "-p", "no:cacheprovider",
                       *plugin, "--platform-url", url, *extra]  # fmt: skip

            started = time.perf_counter()
            finished = subprocess.run(
                command, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False
            )
            elapsed = time.perf_counter() - started
            summary = (finished.stdout.strip().splitlines() or ["(no output)"])[-1]
            results[label] = (elapsed, summary)
            log(f"conformance {label}: {elapsed:.1f} s: {summary}")
    finally:
        running.stop()
    return results


# report ------------------------------------------------------------------------------------------


def ratio(mine: float, theirs: float) -> str:
    if not theirs or theirs != theirs or mine != mine:
        return "–"
    return f"{mine / theirs:.2f}"


def median_of(results: list[LoadResult], metric: Callable[[LoadResult], float]) -> float:
    values = [metric(result) for result in results if result.completed]
    return statistics.median(values) if values else float("nan")


def pooled(results: list[LoadResult], fraction: float) -> float:
    latencies = sorted(latency for result in results for latency in result.latencies)
    if not latencies:
        return float("nan")
    return latencies[min(len(latencies) - 1, int(fraction * len(latencies)))] * 1000


def render(figures: list[Figures], plan: Plan, notes: list[str], conformance: dict, meta: dict) -> str:
    mock = next(figure for figure in figures if figure.target.name == "mock")
    peers = [figure for figure in figures if figure is not mock]
    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` (`{meta['command']}`) on {meta['date']}: {meta['machine']}.",
        f"Load average before/after the run: {meta['load_before']} / {meta['load_after']} "
        "(other processes share these cores; every ratio below is within this one run).",
        "",
        "Ratios are mock/peer: above 1 means the mock has more of it (good for flows/s, bad for "
        "latency, CPU, memory and time).",
        "",
        "## Targets",
        "",
        "| target | version | headless sign-in used | strictness |",
        "| --- | --- | --- | --- |",
    ]
    for figure in figures:
        target = figure.target
        lines.append(f"| {target.name} | {target.version} | {target.sign_in} | {target.strictness} |")
    lines += [f"- {note}" for note in notes]
    lines.append("")

    lines += [
        f"## Startup to first discovery 200 (median of {plan.startup_trials})",
        "",
        "| target | median s | min s | max s | mock cold / peer | mock warm / peer |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    cold = statistics.median(mock.startup) if mock.startup else float("nan")
    warm = statistics.median(mock.startup_warm) if mock.startup_warm else float("nan")
    lines.append(
        f"| mock, new data dir (creates key and schema) | {cold:.3f} | {min(mock.startup, default=0):.3f} "
        f"| {max(mock.startup, default=0):.3f} | | |"
    )
    lines.append(
        f"| mock, existing data dir | {warm:.3f} | {min(mock.startup_warm, default=0):.3f} "
        f"| {max(mock.startup_warm, default=0):.3f} | | |"
    )
    for figure in peers:
        if not figure.startup:
            continue
        value = statistics.median(figure.startup)
        lines.append(
            f"| {figure.target.name} | {value:.3f} | {min(figure.startup):.3f} | {max(figure.startup):.3f} "
            f"| {ratio(cold, value)} | {ratio(warm, value)} |"
        )

    sections = [
        ("login-1", "Login flows, 1 client (authorize + token + userinfo)"),
        ("login-8", "Login flows, 8 concurrent clients"),
        ("token-8", "Token endpoint alone (code exchange), 8 concurrent clients"),
    ]
    for key, title in sections:
        lines += [
            "",
            f"## {title}",
            "",
            f"Median over {plan.rounds} rounds of {plan.duration:g} s; latency percentiles pooled over the rounds; "
            "server CPU from /proc over the measured window; generator CPU is the load generator's own.",
            "",
            "| target | per s | p50 ms | p95 ms | server CPU ms/op | generator CPU ms/op | errors | per s mock/peer "
            "| p50 mock/peer | p95 mock/peer | CPU mock/peer |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        mine = mock.loads.get(key, [])
        my_rate = median_of(mine, lambda result: result.rate)
        my_p50, my_p95 = pooled(mine, 0.5), pooled(mine, 0.95)
        my_cpu = median_of(mine, lambda result: result.server_cpu_ms)
        for figure in figures:
            results = figure.loads.get(key, [])
            if not results:
                continue
            rate = median_of(results, lambda result: result.rate)
            p50, p95 = pooled(results, 0.5), pooled(results, 0.95)
            cpu = median_of(results, lambda result: result.server_cpu_ms)
            generator = median_of(results, lambda result: result.client_cpu_ms)
            errors = sum(result.errors for result in results)
            first = next((result.first_error for result in results if result.first_error), None)
            shown_errors = f"{errors}" + (f" ({first[:60]})" if first else "")
            same = figure is mock
            lines.append(
                f"| {figure.target.name} | {rate:.1f} | {p50:.1f} | {p95:.1f} | {cpu:.2f} | {generator:.2f} | {shown_errors} "
                + ("| | | | |" if same else
                   f"| {ratio(my_rate, rate)} | {ratio(my_p50, p50)} | {ratio(my_p95, p95)} | {ratio(my_cpu, cpu)} |")
            )  # fmt: skip

    lines += [
        "",
        "## Memory",
        "",
        "RSS of the largest process (for the mock: a gunicorn worker) and PSS of the whole process tree "
        "(master + 1 worker for the mock by default; pages shared after fork count once), MiB; "
        "loaded = after all load rounds.",
        "",
        "| target | idle RSS | loaded RSS | idle PSS total | loaded PSS total | idle RSS mock/peer "
        "| loaded RSS mock/peer | loaded PSS mock/peer |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for figure in figures:
        if not figure.idle:
            continue
        idle, loaded = figure.idle, figure.loaded
        same = figure is mock
        lines.append(
            f"| {figure.target.name} | {idle['rss_max']:.1f} | {loaded.get('rss_max', 0):.1f} | {idle['pss_total']:.1f} "
            f"| {loaded.get('pss_total', 0):.1f} "
            + ("| | | |" if same else
               f"| {ratio(mock.idle['rss_max'], idle['rss_max'])} | {ratio(mock.loaded['rss_max'], loaded['rss_max'])} "
               f"| {ratio(mock.loaded['pss_total'], loaded['pss_total'])} |")
        )  # fmt: skip

    if any(figure.browser for figure in figures) or meta.get("browser_note"):
        lines += [
            "",
            f"## Headless-browser login, end to end (median of {plan.browser_trials})",
            "",
            "Chromium (system or Playwright's) opens the authorize URL and signs in the way a person would "
            "(form fields, buttons); the code arrives on the reference client's loopback listener and is "
            "exchanged, then userinfo is called. Excluded: the browser was launched before the clock started.",
            "",
            "| target | launch excluded s | launch included s | excluded mock/peer | included mock/peer |",
            "| --- | --- | --- | --- | --- |",
        ]
        if meta.get("browser_note"):
            lines.append(f"| (not run: {meta['browser_note']}) | | | | |")
        my_excluded = statistics.median(mock.browser.get("excluded", [])) if mock.browser else float("nan")
        my_included = statistics.median(mock.browser.get("included", [])) if mock.browser else float("nan")
        for figure in figures:
            if not figure.browser:
                continue
            excluded = statistics.median(figure.browser["excluded"])
            included = statistics.median(figure.browser["included"])
            same = figure is mock
            lines.append(
                f"| {figure.target.name} | {excluded:.3f} | {included:.3f} "
                + (
                    "| | |"
                    if same
                    else f"| {ratio(my_excluded, excluded)} | {ratio(my_included, included)} |"
                )
            )

    if conformance:
        lines += [
            "",
            "## Conformance suite against the mock (served by `mock-platform serve`)",
            "",
            "| run | wall time s | pytest summary |",
            "| --- | --- | --- |",
        ]
        for label, (elapsed, summary) in conformance.items():
            lines.append(f"| `pytest conformance {label}` | {elapsed:.1f} | {summary} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="3 startup trials, 1 round of 2 s, 3 browser logins"
    )
    parser.add_argument("--targets", help="comma-separated target names (default: all)")
    parser.add_argument("--rounds", type=int, help="load rounds per target (default 3)")
    parser.add_argument("--duration", type=float, help="seconds per load measurement (default 4)")
    parser.add_argument("--no-browser", action="store_true", help="skip the headless-browser logins")
    parser.add_argument("--no-conformance", action="store_true", help="skip the conformance wall times")
    parser.add_argument(
        "--no-shared", action="store_true", help="skip the mock on PostgreSQL (bench/shared.py)"
    )
    parser.add_argument(
        "--no-fixture", action="store_true", help="skip the in-process test servers (bench/fixture.py)"
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the results")
    args = parser.parse_args()
    plan = Plan()
    if args.quick:
        plan = Plan(startup_trials=3, rounds=1, duration=2.0, warmup=0.5, browser_trials=3)
    plan.rounds = args.rounds or plan.rounds
    plan.duration = args.duration or plan.duration
    plan.browser = not args.no_browser
    plan.conformance = not args.no_conformance
    plan.shared = not args.no_shared

    chosen = all_targets()
    if args.targets:
        wanted = set(args.targets.split(","))
        chosen = [target for target in chosen if target.name in wanted or target.name == "mock"]
    notes: list[str] = []
    figures: list[Figures] = []
    for target in chosen:
        try:
            log(f"installing {target.name} {target.version} ...")
            target.install()
            figures.append(Figures(target))
        except Unavailable as reason:
            notes.append(f"{target.name} {target.version} skipped: {reason}")
            log(notes[-1])
    load_before = " ".join(f"{value:.2f}" for value in os.getloadavg())
    SCRATCH.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=SCRATCH, prefix="run-") as folder:
        scratch = Path(folder)
        measure_startup(figures, plan, scratch)
        measure_load(figures, plan, scratch)
        browser_note = measure_browser(figures, plan, scratch) if plan.browser else "skipped (--no-browser)"
        conformance = measure_conformance(scratch) if plan.conformance else {}
        measured = (
            shared.measure(plan.rounds, plan.duration, plan.warmup, scratch, log) if plan.shared else None
        )
    processes, servers = (3, 3) if args.quick else (5, 10)
    fixtures = None if args.no_fixture else fixture.measure(processes, servers, log)
    meta = {
        "command": " ".join(["python -m bench", *sys.argv[1:]]),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, Node {_node_version()}",
        "load_before": load_before,
        "load_after": " ".join(f"{value:.2f}" for value in os.getloadavg()),
        "browser_note": browser_note,
    }
    report = render(figures, plan, notes, conformance, meta)
    if measured is not None:
        report += "\n".join(shared.render(measured, plan.rounds, plan.duration)) + "\n"
    if fixtures is not None:
        report += "\n".join(fixture.render(*fixtures, processes, servers)) + "\n"
    args.output.write_text(report)
    print(report)


def _node_version() -> str:
    try:
        return subprocess.run(
            ["node", "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        return "absent"


if __name__ == "__main__":
    main()
