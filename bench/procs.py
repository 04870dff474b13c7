"""Server processes as Linux sees them: the process tree, its CPU time and its memory (/proc only)."""

from __future__ import annotations

import os
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


def _stat_fields(pid: int) -> list[str]:
    text = (PROC / str(pid) / "stat").read_text()
    return text[text.rindex(")") + 2 :].split()  # fields after the command name, from field 3 on


def tree(root: int) -> list[int]:
    """`root` and every live descendant (gunicorn's master and workers, npm's node, ...)."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int(_stat_fields(int(entry.name))[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, ()))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time used so far by these processes (those still alive)."""
    return sum(user_system_seconds(pids))


def user_system_seconds(pids: list[int]) -> tuple[float, float]:
    """User and system CPU time used so far by these processes (those still alive), apart."""
    user = system = 0
    for pid in pids:
        try:
            fields = _stat_fields(pid)
        except OSError:
            continue
        user += int(fields[11])  # utime
        system += int(fields[12])  # stime
    return user / CLOCK_TICKS, system / CLOCK_TICKS


def rss_mb(pid: int) -> float:
    """Resident set size of one process, MiB (0 when it is gone)."""
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def pss_mb(pid: int) -> float:
    """Proportional set size, MiB: pages shared after a fork count once across the processes."""
    try:
        for line in (PROC / str(pid) / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def memory(root: int) -> dict[str, float]:
    """Largest RSS of one process of the tree, and the tree's total PSS (MiB)."""
    pids = tree(root)
    return {
        "rss_max": max((rss_mb(pid) for pid in pids), default=0.0),
        "pss_total": sum(pss_mb(pid) for pid in pids),
        "processes": float(len(pids)),
    }


def context_switches(pids: list[int]) -> tuple[int, int]:
    """Voluntary and involuntary context switches so far, summed over every thread of these processes."""
    voluntary = involuntary = 0
    for pid in pids:
        try:
            tasks = list((PROC / str(pid) / "task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                lines = (task / "status").read_text().splitlines()
            except OSError:
                continue
            for line in lines:
                if line.startswith("voluntary_ctxt_switches:"):
                    voluntary += int(line.split()[1])
                elif line.startswith("nonvoluntary_ctxt_switches:"):
                    involuntary += int(line.split()[1])
    return voluntary, involuntary
