"""`mock-platform serve` in a child process (gunicorn, as users run it), on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

MOCK_PLATFORM = Path(sys.executable).with_name("mock-platform")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(data_dir: Path, *args: str, port: int | None = None, base_url: str | None = None) -> Iterator[str]:
    """Yield the base URL once /healthz answers; stop the process (SIGTERM) afterwards."""
    port = port or free_port()
    base_url = base_url or f"http://127.0.0.1:{port}"
    command = [
        str(MOCK_PLATFORM),
        "serve",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        "--base-url",
        base_url,
        *args,
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCK_PLATFORM_")}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"mock-platform exited with {process.returncode}: {process.stdout.read()}")
        try:
            if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or slow on a busy machine
            pass
        time.sleep(0.05)
    raise AssertionError(f"mock-platform did not become healthy at {url} within {timeout} s")
