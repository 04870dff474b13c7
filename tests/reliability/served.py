"""Mocks served by `mock-platform serve` (gunicorn) in their own process group, and logins against them.

Unlike tests/serve_process.py, a `Served` mock can be killed with SIGKILL (master and workers at
once, as a crash or an OOM kill would), keeps its log in a file to search afterwards, and reports
its workers' memory.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests

from mock_platform.pkce_login import PkceLogin

from ..serve_process import MOCK_PLATFORM, free_port, wait_healthy

TIMEOUT = 30
REDIRECT_URI = "http://127.0.0.1:41121/callback"
SCOPE = "openid profile email offline_access"


@dataclass
class Served:
    data_dir: Path
    port: int
    base_url: str
    process: subprocess.Popen
    log: Path

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def kill9(self) -> None:
        """SIGKILL to the whole process group: master and workers die mid-request, nothing flushed."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill9()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def start(data_dir: Path, *args: str, base_url: str | None = None, port: int | None = None) -> Served:
    """`mock-platform serve` on a free port (or `port`); returns once /healthz answers."""
    port = port or free_port()
    base_url = base_url or f"http://127.0.0.1:{port}"
    log = data_dir.parent / f"{data_dir.name}-{port}.log"
    command = [str(MOCK_PLATFORM), "serve", "--port", str(port), "--data-dir", str(data_dir),
               "--base-url", base_url, *args]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCK_PLATFORM_")}
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    served = Served(data_dir, port, base_url, process, log)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process, timeout=60)
    except Exception:  # not healthy in time, or the health check itself failed: never leave it running
        served.stop()
        raise AssertionError(f"mock-platform did not start: {served.log_text()[-2000:]}") from None
    return served


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def jwt_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def jwt_header(token: str) -> dict[str, Any]:
    header = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))


@dataclass
class Login:
    user: str
    code: str
    tokens: dict[str, Any]
    userinfo: dict[str, Any] = field(default_factory=dict)


def login(http: requests.Session, authorize_issuer: str, user: str, token_issuer: str | None = None) -> Login:
    """A headless code + PKCE login; the code may be redeemed at another server (`token_issuer`)."""
    token_issuer = token_issuer or authorize_issuer
    pkce = PkceLogin("nextflow_cli", user, REDIRECT_URI, scope=SCOPE)
    response = http.get(
        f"{authorize_issuer}/oauth/authorize?{urlencode(pkce.authorize_query())}",
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert response.status_code == 302, f"authorize: {response.status_code} {response.text[:300]}"
    code = pkce.code_from(response.headers["Location"])
    http.cookies.clear()  # the next login is a new browser; token and userinfo carry no cookies
    response = http.post(f"{token_issuer}/oauth/token", data=pkce.token_form(code), timeout=TIMEOUT)
    assert response.status_code == 200, f"token: {response.status_code} {response.text[:300]}"
    return Login(user, code, response.json())


def userinfo(http: requests.Session, issuer: str, access_token: str) -> dict[str, Any]:
    response = http.get(
        f"{issuer}/userinfo", headers={"Authorization": f"Bearer {access_token}"}, timeout=TIMEOUT
    )
    assert response.status_code == 200, f"userinfo: {response.status_code} {response.text[:300]}"
    return response.json()


def refresh(http: requests.Session, issuer: str, refresh_token: str) -> dict[str, Any]:
    response = http.post(
        f"{issuer}/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": "nextflow_cli"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, f"refresh: {response.status_code} {response.text[:300]}"
    return response.json()
