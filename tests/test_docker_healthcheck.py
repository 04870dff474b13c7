"""The Docker image's health check script (scripts/docker-healthcheck.py), run as the image runs it
(`python -I -S`) against a mock on plain http and over https; no Docker needed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mock_platform.testing import run_server
from mock_platform.tls import local_ca

from .serve_process import free_port

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "docker-healthcheck.py"


def healthcheck(**env: str) -> int:
    return subprocess.run(
        [sys.executable, "-I", "-S", str(SCRIPT)], env=env, capture_output=True, timeout=30
    ).returncode


def test_plain_http(tmp_path):
    with run_server(tmp_path) as server:
        assert healthcheck(MOCK_PLATFORM_PORT=str(server.port)) == 0


def test_https_checked_against_the_ca_in_the_data_dir(tmp_path):
    local_ca(tmp_path / "other" / "tls")
    with run_server(tmp_path / "data", tls=True) as server:
        port = str(server.port)
        assert (
            healthcheck(
                MOCK_PLATFORM_PORT=port, MOCK_PLATFORM_TLS="on", MOCK_PLATFORM_DATA_DIR=str(tmp_path / "data")
            )
            == 0
        )
        assert (
            healthcheck(
                MOCK_PLATFORM_PORT=port,
                MOCK_PLATFORM_TLS="on",
                MOCK_PLATFORM_DATA_DIR=str(tmp_path / "other"),
            )
            != 0
        )
        assert healthcheck(MOCK_PLATFORM_PORT=port) != 0  # plain http to the https port


def test_nothing_listening():
    assert healthcheck(MOCK_PLATFORM_PORT=str(free_port())) != 0
