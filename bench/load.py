"""A closed-loop load generator: N processes, one keep-alive connection each, for a fixed time.

Every client process repeats an operation (a whole login, or one code exchange at the token
endpoint with codes it minted during the warm-up) back to back. The parent reads the server's CPU
time from /proc at the start and the end of the measured window, so "server CPU per operation"
does not depend on how much of the two cores the generator itself took.
"""

from __future__ import annotations

import multiprocessing
import statistics
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection as Pipe

from . import procs
from .flows import Connection, FlowError, Provider, authorize, exchange, login, pkce_pair

SETTLE = 0.3  # seconds for the client processes to start before the warm-up begins


@dataclass
class LoadResult:
    operation: str
    clients: int
    window: float
    completed: int
    errors: int
    first_error: str | None
    latencies: list[float]
    server_cpu: float
    client_cpu: float

    @property
    def rate(self) -> float:
        return self.completed / self.window if self.window else 0.0

    def percentile(self, fraction: float) -> float:
        """Latency in ms at `fraction` (0.5 = median); nan without samples."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000

    @property
    def server_cpu_ms(self) -> float:
        """Server CPU per completed operation, ms."""
        return self.server_cpu / self.completed * 1000 if self.completed else float("nan")

    @property
    def client_cpu_ms(self) -> float:
        return self.client_cpu / self.completed * 1000 if self.completed else float("nan")


@dataclass
class _Report:
    completed: int
    errors: int
    first_error: str | None
    latencies: list[float]
    last_end: float
    cpu: float


def _client(provider: Provider, operation: str, start_at: float, stop_at: float, pipe: Pipe) -> None:
    conn = Connection(provider)
    completed = errors = 0
    first_error: str | None = None
    latencies: list[float] = []
    codes: list[tuple[str, str]] = []
    last_end = start_at

    def mint() -> None:
        verifier, challenge = pkce_pair()
        codes.append((authorize(conn, challenge), verifier))

    def step() -> None:
        if operation == "login":
            login(conn)
        else:
            code, verifier = codes.pop()
            exchange(conn, code, verifier)

    try:
        while time.monotonic() < start_at:  # warm-up: connections, caches (and codes to redeem)
            try:
                mint() if operation == "token" else login(conn)
            except (FlowError, OSError) as error:
                first_error = first_error or f"warm-up: {error}"
        cpu_start = time.process_time()
        while (now := time.monotonic()) < stop_at and (operation != "token" or codes):
            try:
                step()
            except (FlowError, OSError, ValueError, KeyError) as error:
                errors += 1
                first_error = first_error or f"{type(error).__name__}: {error}"
                continue
            end = time.monotonic()
            if end <= stop_at:
                completed += 1
                latencies.append(end - now)
                last_end = end
        cpu = time.process_time() - cpu_start
    except Exception:  # reported to the parent, which prints it
        pipe.send(_Report(completed, errors + 1, traceback.format_exc(limit=3), latencies, last_end, 0.0))
        return
    finally:
        conn.close()
    pipe.send(_Report(completed, errors, first_error, latencies, last_end, cpu))


def run(
    provider: Provider,
    server_pid: int,
    *,
    clients: int,
    duration: float,
    warmup: float,
    operation: str = "login",
) -> LoadResult:
    """Measure `operation` ("login" or "token") with `clients` concurrent processes for `duration` s."""
    context = multiprocessing.get_context("fork")
    start_at = time.monotonic() + SETTLE + warmup
    stop_at = start_at + duration
    pipes, workers = [], []
    for _ in range(clients):
        receiver, sender = context.Pipe(duplex=False)
        worker = context.Process(target=_client, args=(provider, operation, start_at, stop_at, sender))
        worker.start()
        pipes.append(receiver)
        workers.append(worker)
    time.sleep(max(0.0, start_at - time.monotonic()))
    server = procs.tree(server_pid)
    cpu_start = procs.cpu_seconds(server)
    time.sleep(max(0.0, stop_at - time.monotonic()))
    server_cpu = procs.cpu_seconds(server) - cpu_start
    reports: list[_Report] = [pipe.recv() for pipe in pipes]
    for worker in workers:
        worker.join()
    window = duration
    if operation == "token":  # clients stop early when they run out of codes
        window = max(report.last_end for report in reports) - start_at
    errors = [report.first_error for report in reports if report.first_error]
    return LoadResult(
        operation=operation,
        clients=clients,
        window=max(window, 1e-9),
        completed=sum(report.completed for report in reports),
        errors=sum(report.errors for report in reports),
        first_error=errors[0] if errors else None,
        latencies=[latency for report in reports for latency in report.latencies],
        server_cpu=server_cpu,
        client_cpu=sum(report.cpu for report in reports),
    )


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
