"""Your CLI's login against the mock, from pytest: one success and one failure injected through the
control API. Copy into your test suite after `pip install mock-platform`, whose pytest plugin gives
the `mock_platform` fixture (a fresh mock on 127.0.0.1 and a free port, reset before each test).

Set LOGIN_COMMAND to your CLI's login, with {issuer} where the Platform API URL goes, in a mode
that prints the authorize URL instead of opening a browser. A CLI that signs in without creating a
personal access token (the Seqera CLI keeps a refresh token instead) also sets EXPECT_PAT=0:

    LOGIN_COMMAND='nextflow auth login -url {issuer}' pytest test_login_contract.py
    EXPECT_PAT=0 LOGIN_COMMAND='env SEQERA_AUTH_DOMAIN={issuer} seqera login --no-browser' pytest ...

The default runs this project's reference client, so the file passes as it is.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import threading
from pathlib import Path

import requests

REFERENCE_CLIENT = f"{shlex.quote(sys.executable)} -m client nextflow login --no-browser -u {{issuer}}"
LOGIN_COMMAND = os.environ.get("LOGIN_COMMAND", REFERENCE_CLIENT)
EXPECT_PAT = os.environ.get("EXPECT_PAT", "1") != "0"
AUTHORIZE_URL = re.compile(r"https?://\S+/oauth/authorize\?\S+")
TIMEOUT = 60


def cli_environment(home: Path) -> dict[str, str]:
    """A fresh HOME per test, so no earlier login is found; Nextflow's launcher keeps its downloaded
    framework and plugins in the real ~/.nextflow instead of fetching them again for every test."""
    real = Path.home() / ".nextflow"
    environment = {**os.environ, "HOME": str(home)}
    environment.setdefault("NXF_DIST", str(real / "framework"))
    environment.setdefault("NXF_PLUGINS_DIR", str(real / "plugins"))
    return environment


def login(issuer: str, home: Path) -> tuple[int, str]:
    """Run the login; open the URL it prints as a browser would. Returns (exit status, output)."""
    process = subprocess.Popen(  # noqa: S603 - the command is the test's own configuration
        shlex.split(LOGIN_COMMAND.format(issuer=issuer)),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=cli_environment(home),
    )
    process.stdin.write("\n" * 10)  # blank answers to follow-up prompts (Nextflow asks two)
    process.stdin.close()
    lines: list[str] = []

    def read() -> None:
        opened = False
        for line in process.stdout:
            lines.append(line)
            if not opened and (url := AUTHORIZE_URL.search(line)):
                opened = True  # the mock redirects to the CLI's own loopback callback
                requests.get(url.group(0), timeout=30)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        status = process.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        status = process.wait()
    reader.join(timeout=10)
    return status, "".join(lines)


def test_login_succeeds(mock_platform, tmp_path):
    mock_platform.control.queue_identity("alice")  # who signs in at the next authorize, no page
    status, output = login(mock_platform.issuer, tmp_path)
    assert status == 0, output
    exchanges = mock_platform.control.recent_requests(path="*/oauth/token", method="POST")
    assert [entry["status"] for entry in exchanges] == [200], f"no successful code exchange:\n{output}"
    if EXPECT_PAT:
        pats = mock_platform.control.recent_requests(path="*/tokens", method="POST")
        assert [entry["status"] for entry in pats] == [200], f"no personal access token created:\n{output}"


def test_login_fails_cleanly_when_the_token_endpoint_refuses_the_code(mock_platform, tmp_path):
    mock_platform.control.queue_identity("alice")
    mock_platform.control.add_fault("token", error="invalid_grant", error_description="injected by the test")
    status, output = login(mock_platform.issuer, tmp_path)
    assert status != 0, f"the login succeeded although the token endpoint refused the code:\n{output}"
    assert "invalid_grant" in output or "injected by the test" in output, output
    assert not mock_platform.control.recent_requests(path="*/tokens", method="POST")
