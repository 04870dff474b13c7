"""The mock on a shared PostgreSQL database, with one and two replicas, beside the SQLite default.

    python -m bench.shared [--rounds 3] [--duration 4]      # also part of `make bench`

All three run at once (1 gunicorn worker x 8 threads each, as `make run` starts one) and are
measured in turns, round after round: login flows/s with 1 and 8 client processes and server CPU per
login, counting the mock's processes and PostgreSQL's (the SQLite default does its database work
inside the mock's own processes). With two replicas, client N logs in at replica N modulo 2. The
cluster is a throwaway one (initdb in a temporary directory) with fsync on and synchronous_commit
off: what SQLite's WAL mode with synchronous=NORMAL gives up too (the last commits if the machine
stops), never consistency.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from mock_platform.postgres_server import PostgresUnavailable, throwaway_postgres

from . import load
from .load import LoadResult
from .targets import MOCK_PLATFORM, ROOT, Mock, Running, start

CLIENTS = (1, 8)
SYNC_CALLS = 3000


def sync_cost(database_url: str, scratch: Path) -> list[tuple[str, float, float]]:
    """What learning that nothing changed costs per request (`Platform.sync()` before each one): CPU and
    wall time, µs, for the SQLite default (its stamp file) and a database URL (the state row, read)."""
    from mock_platform.live import Platform
    from mock_platform.settings import Settings

    figures = []
    for label, settings in (
        ("SQLite: the stamp file did not move", Settings(data_dir=scratch / "sync-sqlite")),
        (
            "PostgreSQL: the state row, read",
            Settings(data_dir=scratch / "sync-pg", database_url=database_url),
        ),
    ):
        platform = Platform(settings)
        for _ in range(200):
            platform.sync()
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(SYNC_CALLS):
            platform.sync()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        figures.append((label, cpu / SYNC_CALLS * 1e6, wall / SYNC_CALLS * 1e6))
        platform.store.dispose()
    return figures


class Replica(Mock):
    """`mock-platform serve` on a database URL, with the base URL all replicas share."""

    def __init__(self, database_url: str, base_url: str) -> None:
        super().__init__()
        self.database_url = database_url
        self.base_url = base_url

    def command(self, port: int, data_dir: Path) -> tuple[list[str], Path]:
        argv = [str(MOCK_PLATFORM), "serve", "--port", str(port), "--data-dir", str(data_dir),
                "--database-url", self.database_url, "--base-url", self.base_url]  # fmt: skip
        return argv, ROOT


@dataclass
class Configuration:
    name: str
    servers: list[Running] = field(default_factory=list)
    database_pid: int | None = None
    results: dict[int, list[LoadResult]] = field(default_factory=dict)

    @property
    def roots(self) -> list[int]:
        return [server.pid for server in self.servers] + ([self.database_pid] if self.database_pid else [])


@dataclass
class Measured:
    configurations: list[Configuration]
    sync: list[tuple[str, float, float]]
    note: str = ""


def _free_port() -> int:
    from .run import free_port

    return free_port()


def _serve(target: Mock, data_dir: Path, scratch: Path) -> Running:
    from .run import wait_ready

    data_dir.mkdir(parents=True, exist_ok=True)
    running = start(target, _free_port(), data_dir, scratch / f"{data_dir.name}.log")
    wait_ready(running, target.discovery_path, timeout=60)
    return running


def measure(
    rounds: int, duration: float, warmup: float, scratch: Path, log: callable = print
) -> tuple[list[Configuration], str]:
    """The three configurations, measured in turns; a note instead when there is no PostgreSQL here."""
    try:
        postgres = throwaway_postgres(durable=True)
        server = postgres.__enter__()
    except PostgresUnavailable as reason:
        return [], f"not run: {reason}"
    configurations = [Configuration("SQLite (default), 1 server"), Configuration("PostgreSQL, 1 replica"),
                      Configuration("PostgreSQL, 2 replicas")]  # fmt: skip
    try:
        sync = sync_cost(server.create_database("bench_sync"), scratch)
        for label, cpu, wall in sync:
            log(f"sync per request, {label}: {cpu:.1f} µs CPU, {wall:.1f} µs wall")
        configurations[0].servers.append(_serve(Mock(), scratch / "shared-sqlite", scratch))
        for replicas, configuration in ((1, configurations[1]), (2, configurations[2])):
            url = server.create_database(f"bench_{replicas}")
            base_url = f"http://127.0.0.1:{_free_port()}"
            for index in range(replicas):
                replica = Replica(url, base_url)
                configuration.servers.append(
                    _serve(replica, scratch / f"shared-pg{replicas}-{index}", scratch)
                )
            configuration.database_pid = server.pid
        time.sleep(1.0)
        for round_number in range(rounds):
            order = configurations[round_number % 3 :] + configurations[: round_number % 3]
            for configuration in order:
                providers = [Mock().provider(running.port) for running in configuration.servers]
                for clients in CLIENTS:
                    result = load.run(
                        providers, configuration.roots, clients=clients, duration=duration, warmup=warmup
                    )
                    configuration.results.setdefault(clients, []).append(result)
                    log(f"round {round_number + 1} {configuration.name} x{clients}: {result.rate:.1f}/s, "
                        f"server CPU {result.server_cpu_ms:.2f} ms/login, errors {result.errors}"
                        + (f" ({result.first_error})" if result.first_error else ""))  # fmt: skip
    finally:
        for configuration in configurations:
            for running in configuration.servers:
                running.stop()
        postgres.__exit__(None, None, None)
    return Measured(configurations, sync)


def _median(values: list[float]) -> float:
    values = [value for value in values if value == value]
    return statistics.median(values) if values else float("nan")


def render(measured: Measured, rounds: int, duration: float) -> list[str]:
    lines = [
        "",
        "## Shared database: the mock on PostgreSQL beside SQLite",
        "",
        f"`python -m bench.shared`: median over {rounds} rounds of {duration:g} s. Server CPU counts the mock's "
        "processes and PostgreSQL's (all of its processes); every server has 1 worker x 8 threads (the default). "
        "Two replicas share these two cores with each other, PostgreSQL and the load generator: they "
        "cannot be faster here, the figure is what a second replica costs.",
        "",
        "| configuration | clients | logins/s | p50 ms | server CPU ms/login | of which PostgreSQL | errors |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    if measured.note:
        lines.append(f"| ({measured.note}) | | | | | | |")
    for configuration in measured.configurations:
        for clients, results in configuration.results.items():
            done = [result for result in results if result.completed]
            rate = _median([result.rate for result in done])
            latencies = sorted(latency for result in done for latency in result.latencies)
            p50 = latencies[len(latencies) // 2] * 1000 if latencies else float("nan")
            cpu = _median([result.server_cpu_ms for result in done])
            database = (
                _median([result.server_cpu_parts[-1] / result.completed * 1000 for result in done])
                if configuration.database_pid
                else float("nan")
            )
            errors = sum(result.errors for result in results)
            shown = f"{database:.2f}" if database == database else "– (in the mock's processes)"
            lines.append(
                f"| {configuration.name} | {clients} | {rate:.1f} | {p50:.1f} | {cpu:.2f} | {shown} | {errors} |"
            )
    if measured.sync:
        lines += [
            "",
            f"What a request pays to learn that no other worker or replica changed anything (`Platform.sync()`, "
            f"mean of {SYNC_CALLS} calls on one thread):",
            "",
            "| store | CPU µs per request | wall µs per request |",
            "| --- | --- | --- |",
        ]
        lines += [f"| {label} | {cpu:.1f} | {wall:.1f} |" for label, cpu, wall in measured.sync]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every configuration (default 3)")
    parser.add_argument("--duration", type=float, default=4.0, help="seconds per measurement (default 4)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-shared-") as folder:
        measured = measure(args.rounds, args.duration, 1.0, Path(folder), lambda m: print(m, file=sys.stderr))
    print("\n".join(render(measured, args.rounds, args.duration)))


if __name__ == "__main__":
    main()
