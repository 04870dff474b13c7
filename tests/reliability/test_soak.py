"""A 60 s soak at a fixed rate: every login succeeds and the workers' memory stays flat.

Logins are started on a fixed schedule (an open loop: a slow answer does not slow the schedule),
after a warm-up that lets the workers fill their caches and connection pools. Memory is each
worker's RSS after the warm-up and at the end; the bound is loose on purpose (allocator noise),
a leak of a few kilobytes per login would still break it.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from .conftest import REPORT
from .served import login, rss_mb, start, userinfo

RATE = 25  # logins per second
WARMUP = 10.0
DURATION = 60.0
MAX_GROWTH_MB = 15.0


@pytest.mark.stress
def test_soak_at_a_fixed_rate(tmp_path: Path) -> None:
    served = start(tmp_path / "data")
    sessions = [requests.Session() for _ in range(16)]

    def one(n: int) -> None:
        http = sessions[n % len(sessions)]
        item = login(http, served.issuer, ("alice", "bob", "carol")[n % 3])
        assert userinfo(http, served.issuer, item.tokens["access_token"])["preferred_username"] == item.user

    def run(seconds: float, first: int) -> tuple[int, list[BaseException]]:
        started, futures = time.monotonic(), []
        with ThreadPoolExecutor(max_workers=len(sessions)) as pool:
            for n in range(int(seconds * RATE)):
                time.sleep(max(0.0, started + n / RATE - time.monotonic()))
                futures.append(pool.submit(one, first + n))
        errors = [future.exception() for future in futures if future.exception() is not None]
        return len(futures), errors

    try:
        run(WARMUP, 0)
        workers = served.workers()
        before = {pid: rss_mb(pid) for pid in workers}
        sent, errors = run(DURATION, 10_000)
        after = {pid: rss_mb(pid) for pid in workers}
        log = served.log_text()
    finally:
        served.stop()
    assert not errors, f"{len(errors)} of {sent} logins failed, e.g. {errors[0]!r}"
    assert "Traceback" not in log, log[-2000:]
    shown = ", ".join(f"{before[pid]:.1f} -> {after[pid]:.1f} MiB" for pid in workers)
    REPORT.append(f"soak: {sent} logins in {DURATION:.0f} s at {RATE}/s, 0 errors; worker RSS {shown}")
    for pid in workers:
        assert after[pid] - before[pid] < MAX_GROWTH_MB, (
            f"worker {pid} grew from {before[pid]} to {after[pid]} MiB"
        )
