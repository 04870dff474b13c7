"""The in-process test server: the mock's pytest fixtures beside oidc-provider-mock's thread server.

    python -m bench.fixture [--processes 5] [--servers 10]      # also part of `make bench`

What a test suite pays for a mock IdP that runs inside the test process, as the `mock_platform`
fixtures run it (`mock_platform.testing.run_server`, werkzeug's threaded server on a thread) and as
oidc-provider-mock's documented pytest use does (`run_server_in_thread()`, the anchor here; it has
no plugin of its own). Each of `--processes` fresh interpreters, in turns with the peer's, measures:

- first discovery 200: from the interpreter's start to the first 200 of the discovery document of
  its first server (imports, app, key and schema, thread, first request): what the session-scoped
  `mock_platform` fixture adds to a test run;
- a fresh server per test: start a new server (new data dir), get its discovery 200, stop it: what
  each test that calls `mock_platform_factory()` (or `@pytest.mark.settings`) pays; `--servers` per
  process;
- a reset per test: `control.reset()`, what the shared `mock_platform` fixture does before each test
  (the peer has no reset: its state lives on in a shared server);
- RSS of the test process with one server running.

Medians over all processes (over all servers for the per-test figure). Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .targets import PEERS, OidcProviderMock, Unavailable

# Run by each interpreter: `python -c PROBE <target> <servers>`; prints one JSON line.
PROBE = """\
import contextlib, json, sys, time, urllib.request
began = time.monotonic()
target, servers = sys.argv[1], int(sys.argv[2])
if target == "mock":
    from mock_platform.testing import run_server

    @contextlib.contextmanager
    def serve():
        with run_server() as server:
            yield server, server.issuer + "/.well-known/openid-configuration"
else:
    from oidc_provider_mock import run_server_in_thread

    @contextlib.contextmanager
    def serve():
        with run_server_in_thread() as server:
            yield server, f"http://localhost:{server.server_port}/.well-known/openid-configuration"

def discovery(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200, response.status

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

imported = time.monotonic()
with serve() as (server, url):
    discovery(url)
    first = time.monotonic()
    rss = rss_mb()
    resets = []
    if target == "mock":
        for _ in range(servers):
            started = time.monotonic()
            server.control.reset()
            resets.append(time.monotonic() - started)
fresh = []
for _ in range(servers):
    started = time.monotonic()
    with serve() as (_, url):
        discovery(url)
    fresh.append(time.monotonic() - started)
print(json.dumps({"began": began, "imported": imported, "first": first, "rss": rss, "fresh": fresh, "resets": resets}))
"""


@dataclass
class Series:
    name: str
    python: str
    first: list[float] = field(default_factory=list)  # interpreter start to the first discovery 200
    imports: list[float] = field(default_factory=list)  # of which the imports
    fresh: list[float] = field(default_factory=list)
    resets: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)


def probe(series: Series, servers: int) -> None:
    started = time.monotonic()  # CLOCK_MONOTONIC: the same clock in the child
    finished = subprocess.run(
        [series.python, "-c", PROBE, series.name, str(servers)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"{series.name} probe failed: {finished.stderr[-1000:]}")
    result = json.loads(finished.stdout.splitlines()[-1])
    series.first.append(result["first"] - started)
    series.imports.append(result["imported"] - started)
    series.fresh.extend(result["fresh"])
    series.resets.extend(result["resets"])
    series.rss.append(result["rss"])


def measure(processes: int, servers: int, log: Callable[[str], None]) -> tuple[list[Series], str]:
    """Both targets, `processes` interpreters each, in turns; a note when the peer cannot run."""
    targets = [Series("mock", sys.executable)]
    note = ""
    try:
        OidcProviderMock().install()
        targets.append(Series("oidc-provider-mock", str(PEERS / "oidc-provider-mock" / "bin" / "python")))
    except Unavailable as reason:
        note = f"oidc-provider-mock skipped: {reason}"
    for index in range(processes):
        for series in targets:
            probe(series, servers)
        log(f"fixture process {index + 1}/{processes} done")
    return targets, note


def render(targets: list[Series], note: str, processes: int, servers: int) -> list[str]:
    mock = targets[0]
    lines = [
        "",
        "## In-process test server (pytest fixtures)",
        "",
        f"`python -m bench.fixture`: {processes} fresh interpreters per target in turns, {servers} fresh servers "
        "each. The mock as its `mock_platform` fixtures run it (`mock_platform.testing.run_server`), "
        "oidc-provider-mock as its `run_server_in_thread()`. First 200: interpreter start to the first "
        "discovery 200 (of which imports); fresh server: start, discovery 200, stop, as each "
        "`mock_platform_factory()` call; reset: the shared `mock_platform` fixture's per-test "
        "`control.reset()`. Medians.",
        "",
        "| target | first 200 s | of which imports s | fresh server per test s | reset per test s "
        "| RSS MiB | first mock/peer | fresh mock/peer | RSS mock/peer |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    if note:
        lines.append(f"| ({note}) | | | | | | | | |")
    for series in targets:
        cells = [
            series.name,
            f"{statistics.median(series.first):.3f}",
            f"{statistics.median(series.imports):.3f}",
            f"{statistics.median(series.fresh):.3f}",
            f"{statistics.median(series.resets):.4f}" if series.resets else "– (none)",
            f"{statistics.median(series.rss):.1f}",
        ]
        pairs = ((mock.first, series.first), (mock.fresh, series.fresh), (mock.rss, series.rss))
        cells += (
            ["", "", ""]
            if series is mock
            else [f"{statistics.median(mine) / statistics.median(theirs):.2f}" for mine, theirs in pairs]
        )
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--processes", type=int, default=5, help="fresh interpreters per target (default 5)")
    parser.add_argument("--servers", type=int, default=10, help="fresh servers per interpreter (default 10)")
    args = parser.parse_args()
    targets, note = measure(args.processes, args.servers, lambda m: print(m, file=sys.stderr))
    print("\n".join(render(targets, note, args.processes, args.servers)))


if __name__ == "__main__":
    main()
