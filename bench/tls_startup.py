"""Startup of `mock-platform serve` with and without `--tls`, side by side.

    python -m bench.tls_startup [--trials 10]

Seconds from the start command to the first 200 of the discovery document (polled every 5 ms,
over https trusting the mock's CA for --tls), median of `--trials` starts in turns: plain http and
--tls, each with a data dir it has seen before and with a new one (where --tls also creates the
local CA and the server certificate). Prints a Markdown table; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import http.client
import shutil
import ssl
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

from .run import SCRATCH, free_port, wait_ready
from .targets import Mock, start

VARIANTS = {
    "plain http, existing data dir": (False, False),
    "--tls, existing data dir": (True, False),
    "plain http, new data dir": (False, True),
    "--tls, new data dir (creates CA and certificate)": (True, True),
}


class TlsMock(Mock):
    def command(self, port: int, data_dir: Path) -> tuple[list[str], Path]:
        argv, cwd = super().command(port, data_dir)
        return [*argv, "--tls"], cwd


def https_connection(port: int, ca_file: Path) -> Callable[[], http.client.HTTPConnection]:
    def connect() -> http.client.HTTPConnection:
        context = ssl.create_default_context(cafile=str(ca_file))  # OSError until the mock wrote it
        return http.client.HTTPSConnection("127.0.0.1", port, timeout=2, context=context)

    return connect


def start_once(tls: bool, data_dir: Path, scratch: Path) -> float:
    data_dir.mkdir(parents=True, exist_ok=True)
    target = TlsMock() if tls else Mock()
    port = free_port()
    running = start(target, port, data_dir, scratch / "serve.log")
    try:
        connect = https_connection(port, data_dir / "tls" / "ca.pem") if tls else None
        return wait_ready(running, target.discovery_path, connect=connect)
    finally:
        running.stop()


def measure(trials: int, scratch: Path) -> dict[str, list[float]]:
    for tls in (False, True):  # the kept data dirs get their keys, schema (and CA) here
        start_once(tls, scratch / f"kept-{tls}", scratch)
    timings: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for trial in range(trials):
        for name, (tls, new) in VARIANTS.items():
            data_dir = scratch / (f"new-{trial}-{tls}" if new else f"kept-{tls}")
            timings[name].append(start_once(tls, data_dir, scratch))
        print(f"trial {trial + 1}/{trials} done", file=sys.stderr, flush=True)
    return timings


def table(timings: dict[str, list[float]]) -> str:
    rows = ["| mock-platform serve | median s | min | max | starts |", "| --- | --- | --- | --- | --- |"]
    for name, values in timings.items():
        rows.append(
            f"| {name} | {statistics.median(values):.3f} | {min(values):.3f} | {max(values):.3f} | {len(values)} |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10, help="starts per variant (default 10)")
    arguments = parser.parse_args()
    scratch = SCRATCH / "tls-startup"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    try:
        print(table(measure(arguments.trials, scratch)))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
