"""Your CLI's login against the mock, from pytest: one success and one failure injected through the
control API. Copy into your test suite after `pip install mock-platform`, whose pytest plugin gives
the `mock_platform` fixture (a fresh mock on 127.0.0.1 and a free port, reset before each test).

Set LOGIN_COMMAND to your CLI's login, with {issuer} where the Platform API URL goes, in a mode
that prints the authorize URL instead of opening a browser:

    LOGIN_COMMAND='nextflow auth login -url {issuer}' pytest test_login_contract.py
    LOGIN_COMMAND='env SEQERA_AUTH_DOMAIN={issuer} seqera login --no-browser' pytest ...

The default runs this project's reference client, so the file passes as it is.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import threading

import requests

LOGIN_COMMAND = os.environ.get("LOGIN_COMMAND", "platform-auth nextflow login --no-browser -u {issuer}")
AUTHORIZE_URL = re.compile(r"https?://\S+/oauth/authorize\?\S+")
TIMEOUT = 60


def login(issuer: str, home: str) -> tuple[int, str]:
    """Run the login; open the URL it prints as a browser would. Returns (exit status, output)."""
    process = subprocess.Popen(  # noqa: S603 - the command is the test's own configuration
        shlex.split(LOGIN_COMMAND.format(issuer=issuer)),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "HOME": home},
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
    status, output = login(mock_platform.issuer, str(tmp_path))
    assert status == 0, output
    pats = mock_platform.control.recent_requests(path="*/tokens", method="POST")
    assert pats, f"the CLI created no personal access token:\n{output}"


def test_login_fails_cleanly_when_the_token_endpoint_refuses_the_code(mock_platform, tmp_path):
    mock_platform.control.queue_identity("alice")
    mock_platform.control.add_fault("token", error="invalid_grant", error_description="injected by the test")
    status, output = login(mock_platform.issuer, str(tmp_path))
    assert status != 0, f"the login succeeded although the token endpoint refused the code:\n{output}"
    assert "invalid_grant" in output or "injected by the test" in output, output
    assert not mock_platform.control.recent_requests(path="*/tokens", method="POST")
