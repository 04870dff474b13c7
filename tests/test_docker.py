"""docker-compose.yml as a user runs it: build, healthy, a login through the published port, the
tokens still valid after `down` and `up` (named volume), and the conformance service green.

Needs a reachable Docker engine and Compose (`docker compose` or `docker-compose`); skips otherwise,
before building anything. Runs under its own project name on a free loopback port, and removes its
containers, network and volume (`down -v`) at the end. The first build takes minutes (Chromium for
the conformance image); later ones come from the layer cache.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.oidc_flows import login_tokens, refresh, userinfo
from tests.serve_process import free_port

pytestmark = pytest.mark.docker

ROOT = Path(__file__).resolve().parent.parent
HEALTHY_TIMEOUT = 30.0  # a bound, not a benchmark: about 3 s on an idle 2-core machine, 10 s under load
BUILD_TIMEOUT = 1800
COMMAND_TIMEOUT = 120
CONFORMANCE_TIMEOUT = 600


def _run(command: list[str], timeout: float, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False, **kwargs)


def _docker_and_compose() -> tuple[str, list[str]]:
    """The docker CLI and `docker compose` (v2) or docker-compose (v1); skip when there is no engine."""
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no Docker: `docker` is not on PATH")
    try:
        info = _run([docker, "info", "--format", "{{.ServerVersion}}"], timeout=20)
    except subprocess.TimeoutExpired:
        pytest.skip("no Docker engine: `docker info` did not answer within 20 s")
    if info.returncode != 0:
        reason = (info.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.skip(f"no reachable Docker engine (`docker info`: {reason})")
    if _run([docker, "compose", "version"], timeout=20).returncode == 0:
        return docker, [docker, "compose"]
    if (legacy := shutil.which("docker-compose")) is not None:
        return docker, [legacy]
    pytest.skip("a Docker engine but no Compose: neither `docker compose` nor `docker-compose` works")


@dataclass
class Stack:
    docker: str
    compose: list[str]
    env: dict[str, str]
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/api"

    def run(
        self, *args: str, timeout: float = COMMAND_TIMEOUT, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        result = _run([*self.compose, *args], timeout=timeout, cwd=ROOT, env=self.env)
        if check:
            assert result.returncode == 0, (
                f"compose {' '.join(args)} exited {result.returncode}:\n{result.stderr[-3000:]}"
            )
        return result

    def up(self) -> float:
        """`up -d platform`; seconds until Docker reports the container healthy."""
        started = time.monotonic()
        self.run("up", "-d", "platform")
        container = self.run("ps", "-q", "platform").stdout.strip()
        deadline = started + HEALTHY_TIMEOUT
        while time.monotonic() < deadline:
            state = json.loads(
                _run([self.docker, "inspect", "--format", "{{json .State}}", container], timeout=20).stdout
            )
            if state.get("Health", {}).get("Status") == "healthy":
                return time.monotonic() - started
            assert state.get("Running"), (
                f"the platform container stopped:\n{self.run('logs', 'platform').stdout[-3000:]}"
            )
            time.sleep(0.2)
        raise AssertionError(
            f"not healthy within {HEALTHY_TIMEOUT} s:\n{self.run('logs', 'platform').stdout[-3000:]}"
        )


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    docker, compose = _docker_and_compose()
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("MOCK_PLATFORM_")}
    env |= {"COMPOSE_PROJECT_NAME": f"mptest{uuid.uuid4().hex[:8]}", "MOCK_PLATFORM_PORT": str(port)}
    stack = Stack(docker, compose, env, port)
    try:
        stack.run("--profile", "test", "build", timeout=BUILD_TIMEOUT)
        yield stack
    finally:
        stack.run("--profile", "test", "down", "-v", "--remove-orphans", check=False)


def test_platform_becomes_healthy_and_serves_the_host_issuer(stack):
    print(f"healthy {stack.up():.1f} s after `up -d`")  # shown with -rP
    assert requests.get(f"{stack.base_url}/healthz", timeout=5).json() == {"status": "ok"}
    discovery = requests.get(f"{stack.issuer}/.well-known/openid-configuration", timeout=5).json()
    assert discovery["issuer"] == stack.issuer
    assert discovery["token_endpoint"] == f"{stack.issuer}/oauth/token"


def test_login_through_the_published_port_survives_down_and_up(stack):
    stack.up()
    tokens = login_tokens(stack.issuer, login_hint="alice")
    claims = userinfo(stack.issuer, tokens["access_token"])
    assert claims.status_code == 200, claims.text
    assert claims.json()["email"] == "alice@example.com"

    stack.run("down")  # no -v: the named volume keeps keys and database
    stack.up()

    again = userinfo(stack.issuer, tokens["access_token"])
    assert again.status_code == 200, f"access token rejected after down/up (keys lost?): {again.text}"
    assert again.json()["sub"] == claims.json()["sub"]
    rotated = refresh(stack.issuer, tokens["refresh_token"])
    assert rotated.status_code == 200, (
        f"refresh token rejected after down/up (database lost?): {rotated.text}"
    )
    assert rotated.json()["refresh_token"] != tokens["refresh_token"]


def test_conformance_service_passes_against_the_platform_service(stack, tmp_path):
    stack.up()
    reports = tmp_path / "reports"
    reports.mkdir()
    result = stack.run(
        "run", "--rm", "-T", "--user", f"{os.getuid()}:{os.getgid()}", "-v", f"{reports}:/reports", "conformance",
        timeout=CONFORMANCE_TIMEOUT, check=False,
    )  # fmt: skip
    assert result.returncode == 0, f"conformance failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}"
    assert "MUST:" in result.stdout
    assert (reports / "conformance-report.md").is_file()
    assert (reports / "conformance-junit.xml").is_file()


def test_https_with_the_ca_kept_in_the_volume(stack, tmp_path, monkeypatch):
    """MOCK_PLATFORM_TLS=on: healthy (the image's check speaks https), the CA copied out of the
    volume is what clients trust, and `down`/`up` keeps that CA."""
    tls = Stack(stack.docker, stack.compose, stack.env | {"MOCK_PLATFORM_TLS": "on"}, stack.port)
    try:
        tls.up()
        ca_file = copy_ca(tls, tmp_path / "ca.pem")
        issuer = f"https://127.0.0.1:{stack.port}/api"
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_file))
        monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
        discovery = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).json()
        assert discovery["issuer"] == issuer
        tokens = login_tokens(issuer, login_hint="alice")
        assert userinfo(issuer, tokens["access_token"]).status_code == 200
        tls.run("down")
        tls.up()
        assert copy_ca(tls, tmp_path / "after-restart.pem").read_bytes() == ca_file.read_bytes()
    finally:
        stack.run("down")  # the next `up` starts the plain http service again


def copy_ca(stack: Stack, destination: Path) -> Path:
    container = stack.run("ps", "-q", "platform").stdout.strip()
    copied = _run([stack.docker, "cp", f"{container}:/data/tls/ca.pem", str(destination)], timeout=30)
    assert copied.returncode == 0, copied.stderr
    return destination
