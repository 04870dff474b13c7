"""A closed-loop load generator: N processes, one keep-alive connection each, for a fixed time.

Logins: every client process repeats whole logins back to back for the measured window, after a
warm-up. Token endpoint alone: the clients take turns in phases, all of them first minting codes
(authorize) for a moment, then all of them redeeming theirs as fast as they can; only the redeem
phases are timed, so the figure is the token endpoint's alone, and no code waits long enough to
expire or to be evicted from a peer's in-memory store.

The parent reads the server's CPU time from /proc at the edges of each measured window, so "server
CPU per operation" does not depend on how much of the two cores the generator itself took. A server
may be several process trees (replicas and their database): each tree's share is kept apart, and
client N talks to provider N modulo their number (one per replica).
"""

from __future__ import annotations

import multiprocessing
import threading
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection as Pipe
from multiprocessing.synchronize import Barrier
from typing import Any

from mock_platform.pkce_login import PkceLogin

from . import procs
from .flows import Connection, FlowError, Provider, authorize, exchange, login, new_login

SETTLE = 0.3  # seconds for the client processes to start before the warm-up begins
MINT_PHASE = 0.5  # seconds of minting codes before each timed redeem phase
FAILURES = (FlowError, OSError, ValueError, KeyError)
BARRIER_TIMEOUT = 120.0  # seconds a phase may take before the run is abandoned


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
    server_cpu_parts: tuple[float, ...] = ()  # per server process tree, in the order given

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
    cpu: float


class _Client:
    def __init__(self, provider: Provider) -> None:
        self.conn = Connection(provider)
        self.completed = self.errors = 0
        self.first_error: str | None = None
        self.latencies: list[float] = []

    def attempt(self, operation: Any, stop_at: float | None = None, *args: Any) -> None:
        """Run one operation; count it when it succeeds (and ends before `stop_at`)."""
        started = time.monotonic()
        try:
            operation(*args)
        except FAILURES as error:
            self.errors += 1
            self.first_error = self.first_error or f"{type(error).__name__}: {error}"
            return
        ended = time.monotonic()
        if stop_at is None or ended <= stop_at:
            self.completed += 1
            self.latencies.append(ended - started)

    def report(self, cpu: float) -> _Report:
        return _Report(self.completed, self.errors, self.first_error, self.latencies, cpu)


def _logins(provider: Provider, start_at: float, stop_at: float, pipe: Pipe) -> None:
    client = _Client(provider)
    try:
        while time.monotonic() < start_at:  # warm-up: connection, server caches
            try:
                login(client.conn)
            except FAILURES as error:
                client.first_error = client.first_error or f"warm-up: {error}"
        cpu = time.process_time()
        while time.monotonic() < stop_at:
            client.attempt(login, stop_at, client.conn)
        pipe.send(client.report(time.process_time() - cpu))
    except Exception:  # reported to the parent, which prints it
        pipe.send(_Report(client.completed, client.errors + 1, traceback.format_exc(limit=3), [], 0.0))
    finally:
        client.conn.close()


def _redeems(provider: Provider, barrier: Barrier, stop: Any, pipe: Pipe) -> None:
    client = _Client(provider)
    cpu = 0.0
    try:
        while True:
            barrier.wait()  # A: a new phase
            codes: list[tuple[PkceLogin, str]] = []
            mint_until = time.monotonic() + MINT_PHASE
            while time.monotonic() < mint_until:
                pkce = new_login(provider)
                try:
                    codes.append((pkce, authorize(client.conn, pkce)))
                except FAILURES as error:
                    client.first_error = client.first_error or f"authorize: {error}"
            barrier.wait()  # B: everybody minted; the timed redeem phase starts
            started = time.process_time()
            for pkce, code in codes:
                client.attempt(exchange, None, client.conn, pkce, code)
            cpu += time.process_time() - started
            barrier.wait()  # C: everybody redeemed; the parent decides whether to go on
            barrier.wait()  # D: the decision is in `stop`
            if stop.value:
                break
        pipe.send(client.report(cpu))
    except Exception:
        barrier.abort()
        pipe.send(_Report(client.completed, client.errors + 1, traceback.format_exc(limit=3), [], 0.0))
    finally:
        client.conn.close()


def _cpu(roots: list[int]) -> list[float]:
    """CPU seconds of each root's tree as it is now (a database forks a process per connection)."""
    return [procs.cpu_seconds(procs.tree(root)) for root in roots]


def run(
    provider: Provider | list[Provider],
    server_pid: int | list[int],
    *,
    clients: int,
    duration: float,
    warmup: float,
    operation: str = "login",
) -> LoadResult:
    """Measure `operation` ("login" or "token") with `clients` concurrent processes for `duration` s."""
    providers = provider if isinstance(provider, list) else [provider]
    roots = server_pid if isinstance(server_pid, list) else [server_pid]
    context = multiprocessing.get_context("fork")
    pipes, workers = [], []
    barrier = context.Barrier(clients + 1, timeout=BARRIER_TIMEOUT)
    stop = context.Value("b", 0)
    start_at = time.monotonic() + SETTLE + warmup
    stop_at = start_at + duration
    for index in range(clients):
        receiver, sender = context.Pipe(duplex=False)
        mine = providers[index % len(providers)]
        if operation == "login":
            worker = context.Process(target=_logins, args=(mine, start_at, stop_at, sender))
        else:
            worker = context.Process(target=_redeems, args=(mine, barrier, stop, sender))
        worker.start()
        pipes.append(receiver)
        workers.append(worker)
    window = 0.0
    parts = [0.0] * len(roots)
    if operation == "login":
        time.sleep(max(0.0, start_at - time.monotonic()))
        cpu_start = _cpu(roots)
        time.sleep(max(0.0, stop_at - time.monotonic()))
        parts = [end - begin for end, begin in zip(_cpu(roots), cpu_start, strict=True)]
        window = duration
    else:
        try:
            while True:
                barrier.wait()  # A
                barrier.wait()  # B
                cpu_start, started = _cpu(roots), time.monotonic()
                barrier.wait()  # C
                parts = [
                    part + end - begin for part, end, begin in zip(parts, _cpu(roots), cpu_start, strict=True)
                ]
                window += time.monotonic() - started
                stop.value = int(window >= duration)
                barrier.wait()  # D
                if stop.value:
                    break
        except threading.BrokenBarrierError:  # a client failed or hung: its report says why
            pass
    reports: list[_Report] = [pipe.recv() for pipe in pipes]
    for worker in workers:
        worker.join()
    errors = [report.first_error for report in reports if report.first_error]
    return LoadResult(
        operation=operation,
        clients=clients,
        window=max(window, 1e-9),
        completed=sum(report.completed for report in reports),
        errors=sum(report.errors for report in reports),
        first_error=errors[0] if errors else None,
        latencies=[latency for report in reports for latency in report.latencies],
        server_cpu=sum(parts),
        client_cpu=sum(report.cpu for report in reports),
        server_cpu_parts=tuple(parts),
    )
