"""The mock's serving layout under load: logins/s, server CPU per login, its system share and the
server's context switches per login, for several gunicorn thread counts, in turns.

    python -m bench.layouts [--threads 8,4,2] [--clients 1,8] [--rounds 3] [--duration 4]

Each layout is `mock-platform serve --threads N` (one worker) on a data dir of its own; the load is
`make bench`'s (bench/load.py: closed loop, one keep-alive connection per client process). Every
round measures every layout with every client count before the next round starts, so whatever else
the machine does falls on all of them alike; the table gives medians of the rounds. Context
switches are those of every thread of the server's processes (/proc/<pid>/task/*/status), counted
over the whole load with its warm-up, as is the system share; per login they are that count per
CPU second times the measured window's CPU per login.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import load, procs
from .run import free_port, wait_ready
from .targets import Mock, Running, start


class ThreadedMock(Mock):
    def __init__(self, threads: int) -> None:
        super().__init__()
        self.threads = threads
        self.name = f"mock, {threads} threads"

    def command(self, port: int, data_dir: Path) -> tuple[list[str], Path]:
        argv, cwd = super().command(port, data_dir)
        return [*argv, "--threads", str(self.threads)], cwd


@dataclass
class Sample:
    rate: float
    cpu_ms: float
    sys_share: float
    switches: float  # voluntary + involuntary, per login


@dataclass
class Layout:
    target: ThreadedMock
    running: Running
    samples: dict[int, list[Sample]] = field(default_factory=dict)


def measure(layout: Layout, clients: int, duration: float, warmup: float) -> Sample:
    pids = procs.tree(layout.running.pid)
    switches_before, times_before = procs.context_switches(pids), procs.user_system_seconds(pids)
    result = load.run(
        layout.target.provider(layout.running.port),
        layout.running.pid,
        clients=clients,
        duration=duration,
        warmup=warmup,
    )
    switches_after, times_after = procs.context_switches(pids), procs.user_system_seconds(pids)
    if result.errors:
        print(
            f"{layout.target.name}: {result.errors} failed logins, first: {result.first_error}",
            file=sys.stderr,
        )
    user, system = (after - before for after, before in zip(times_after, times_before, strict=True))
    switches = sum(switches_after) - sum(switches_before)
    cpu = user + system or 1.0
    return Sample(
        result.rate, result.server_cpu_ms, system / cpu, switches / cpu * result.server_cpu_ms / 1000
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--threads", default="8,4,2", help="comma-separated thread counts, one layout each")
    parser.add_argument("--clients", default="1,8", help="comma-separated client process counts")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every layout and client count")
    parser.add_argument("--duration", type=float, default=4.0, help="measured seconds per load")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of load before each measurement")
    args = parser.parse_args()
    thread_counts = [int(part) for part in args.threads.split(",")]
    client_counts = [int(part) for part in args.clients.split(",")]
    layouts: list[Layout] = []
    with tempfile.TemporaryDirectory(prefix="bench-layouts-") as scratch:
        try:
            for threads in thread_counts:
                target = ThreadedMock(threads)
                data_dir = Path(scratch) / f"threads-{threads}"
                data_dir.mkdir()
                running = start(target, free_port(), data_dir, Path(scratch) / f"threads-{threads}.log")
                layouts.append(Layout(target, running))
                wait_ready(running, target.discovery_path)
            for round_number in range(args.rounds):
                print(f"round {round_number + 1} of {args.rounds}", file=sys.stderr, flush=True)
                for clients in client_counts:
                    for layout in layouts:
                        sample = measure(layout, clients, args.duration, args.warmup)
                        layout.samples.setdefault(clients, []).append(sample)
        finally:
            for layout in layouts:
                layout.running.stop()
    print("| layout | clients | logins/s | server CPU ms/login | system share | context switches/login |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for clients in client_counts:
        for layout in layouts:
            samples = layout.samples[clients]
            print(
                f"| {layout.target.name} | {clients} "
                f"| {statistics.median(s.rate for s in samples):.0f} "
                f"| {statistics.median(s.cpu_ms for s in samples):.2f} "
                f"| {statistics.median(s.sys_share for s in samples):.0%} "
                f"| {statistics.median(s.switches for s in samples):.0f} |"
            )


if __name__ == "__main__":
    main()
