"""Running a command of the client under check: placeholders, a throwaway HOME, a BROWSER helper,
stdin, output capture and a time limit.

The environment keeps PATH and the like but drops what would make the client skip OAuth or touch
the user's own state: credentials (`TOWER_*`, `SEQERA_*`), `NXF_HOME`, the XDG directories, and
the display variables (so nothing opens the user's real browser; `BROWSER` points at a helper that
hands the URL to the checker, which xdg-open and Python's webbrowser both honour). The CA variables
are dropped too, and set to the mock's CA only in a workspace made to trust it (`trust.py`).
Loopback is added to NO_PROXY, so a proxy set for the user's network does not get the mock's traffic.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from . import trust

PLACEHOLDERS = ("issuer", "base_url", "ai_url")
SCRUBBED = (
    "DISPLAY", "WAYLAND_DISPLAY", "BROWSER", "NXF_HOME",
    "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME",
    *trust.CA_VARIABLES,
)  # fmt: skip
SCRUBBED_PREFIXES = ("TOWER_", "SEQERA_")
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
URL = re.compile(r"https?://[^\s'\"<>`]+")
BROWSER_HELPER = """#!/bin/sh
# Written by mock-platform check-client: hands the URL to the checker instead of opening a browser.
for url in "$@"; do printf '%s\\n' "$url" >> '{urls}'; done
"""
STOP_GRACE = 3.0
LOOPBACK_NAMES = "127.0.0.1,localhost,::1"


def fill(argv: list[str], values: Mapping[str, str]) -> list[str]:
    """Replace `{issuer}`, `{base_url}` and `{ai_url}`; other braces are left alone."""
    filled = []
    for arg in argv:
        for name in PLACEHOLDERS:
            arg = arg.replace("{" + name + "}", values[name])
        filled.append(arg)
    return filled


def find_command(argv: list[str], env: Mapping[str, str]) -> str | None:
    """The executable `argv[0]` names, or None when there is none."""
    name = argv[0]
    if os.sep in name:
        return name if os.access(name, os.X_OK) and Path(name).is_file() else None
    return shutil.which(name, path=env.get("PATH"))


@dataclass(frozen=True)
class Workspace:
    """One installation of the client: a throwaway HOME and the BROWSER helper beside it; with
    `ca_file`, the client is told to trust that CA (and a Java truststore made from it)."""

    root: Path
    ca_file: Path | None = None

    @classmethod
    def create(cls, root: Path, ca_file: Path | None = None) -> Workspace:
        workspace = cls(root, ca_file)
        workspace.home.mkdir(parents=True)
        helper = root / "browser-helper"
        helper.write_text(BROWSER_HELPER.format(urls=workspace.browser_urls), encoding="utf-8")
        helper.chmod(0o755)
        if ca_file is not None:
            trust.write_java_truststore(ca_file, workspace.truststore)
        return workspace

    @property
    def truststore(self) -> Path:
        return self.root / "truststore.p12"

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def browser_urls(self) -> Path:
        return self.root / "browser-urls"

    def environment(self, extra: Mapping[str, str]) -> dict[str, str]:
        env = {
            name: value
            for name, value in os.environ.items()
            if name not in SCRUBBED and not name.startswith(SCRUBBED_PREFIXES)
        }
        env.update(HOME=str(self.home), BROWSER=str(self.root / "browser-helper"))
        for name in ("NO_PROXY", "no_proxy"):  # the mock is on loopback: never through a proxy
            env[name] = ",".join(filter(None, [env.get(name), LOOPBACK_NAMES]))
        if self.ca_file is not None:
            env = trust.trusting(env, self.ca_file, self.truststore)
        env.update(extra)
        return env

    def opened_urls(self) -> list[str]:
        if not self.browser_urls.exists():
            return []
        return [line for line in self.browser_urls.read_text(encoding="utf-8").splitlines() if line]


@dataclass
class CommandResult:
    label: str
    argv: list[str]
    exit_code: int | None  # None: still running when the checker stopped it
    stopped: str | None  # why the checker stopped it
    stdout: str
    stderr: str
    duration: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def last_line(self) -> str:
        for text in (self.stderr, self.stdout):
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            if lines:
                return lines[-1]
        return "(no output)"

    def describe(self) -> str:
        """`exit 1 after 0.8 s: Error: ...` (mask before showing)."""
        if self.exit_code is None:
            return f"stopped by the checker after {self.duration:.1f} s ({self.stopped}): {self.last_line()}"
        return f"exit {self.exit_code} after {self.duration:.1f} s: {self.last_line()}"


class ClientProcess:
    """A running command; its output is read on background threads so the pipes never fill up."""

    def __init__(
        self, label: str, argv: list[str], workspace: Workspace, env: Mapping[str, str], stdin: str | None
    ) -> None:
        self.label = label
        self.argv = argv
        self.workspace = workspace
        self.started = time.monotonic()
        self._stopped: str | None = None
        self._ended: float | None = None
        self._chunks: dict[str, list[str]] = {"stdout": [], "stderr": []}
        self._lock = threading.Lock()
        self._process = subprocess.Popen(  # noqa: S603 - running the user's command is the point
            argv,
            cwd=workspace.home,
            env=dict(env),
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group, so stop() ends its children too
        )
        self._threads = [
            threading.Thread(target=self._read, args=(name, stream), daemon=True)
            for name, stream in (("stdout", self._process.stdout), ("stderr", self._process.stderr))
        ]
        threading.Thread(target=self._note_exit, daemon=True).start()
        if stdin:
            self._threads.append(threading.Thread(target=self._write, args=(stdin,), daemon=True))
        for thread in self._threads:
            thread.start()

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def ended(self) -> float:
        """When the command exited (monotonic clock); now while it runs."""
        return self._ended or time.monotonic()

    @property
    def running(self) -> bool:
        return self._process.poll() is None

    def _note_exit(self) -> None:
        self._process.wait()
        self._ended = time.monotonic()

    def _read(self, name: str, stream: object) -> None:
        for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
            with self._lock:
                self._chunks[name].append(raw.decode("utf-8", "replace"))

    def _write(self, text: str) -> None:
        stream = self._process.stdin
        assert stream is not None
        with contextlib.suppress(OSError):  # the command exited without reading its input
            stream.write(text.encode())
            stream.close()

    def text(self, name: str) -> str:
        with self._lock:
            return ANSI_ESCAPE.sub("", "".join(self._chunks[name]))

    def find_url(self, accept: Callable[[str], bool]) -> tuple[str, str] | None:
        """(url, where) of the first URL that `accept`s, from the BROWSER helper or the output."""
        for url in self.workspace.opened_urls():
            if accept(url):
                return url, "BROWSER"
        for name in ("stdout", "stderr"):
            for match in URL.finditer(self.text(name)):
                url = match.group(0).rstrip(".,;:)]")
                if accept(url):
                    return url, name
        return None

    def wait_for_url(self, accept: Callable[[str], bool], timeout: float) -> tuple[str, str] | None:
        deadline = time.monotonic() + timeout
        while True:
            found = self.find_url(accept)
            if found or not self.running or time.monotonic() >= deadline:
                return found or self.find_url(accept)
            time.sleep(0.05)

    def wait(self, timeout: float) -> int | None:
        try:
            return self._process.wait(timeout=max(timeout, 0))
        except subprocess.TimeoutExpired:
            return None

    def stop(self, reason: str) -> None:
        """End the command and what it left running (its process group): TERM, then KILL."""
        if self.running:
            self._stopped = reason
            _signal_group(self.pid, signal.SIGTERM)
            if self.wait(STOP_GRACE) is None:
                _signal_group(self.pid, signal.SIGKILL)
                self.wait(STOP_GRACE)
        _signal_group(self.pid, signal.SIGKILL)

    def result(self, timeout: float = 5.0) -> CommandResult:
        """Wait for the output to drain (the process has exited or been stopped)."""
        exit_code = None if self._stopped else self._process.poll()
        duration = (self._ended or time.monotonic()) - self.started
        for thread in self._threads:
            thread.join(timeout)
        return CommandResult(
            self.label,
            self.argv,
            exit_code,
            self._stopped,
            self.text("stdout"),
            self.text("stderr"),
            duration,
        )


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is gone already
        os.killpg(pgid, sig)
