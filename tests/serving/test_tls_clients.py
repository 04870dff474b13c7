"""Whole logins against the mock served over https, each client trusting the mock's CA its own way:
the reference client (`platform-auth`, through REQUESTS_CA_BUNDLE) and headless Chromium (an NSS
database). Certificate errors are never switched off: without the CA each of them refuses."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from client.flow import login
from headless_chromium import launch_chromium
from mock_platform.testing import RunningServer, run_server

from .tls_browser import chromium_trusting

PLATFORM_AUTH = Path(sys.executable).with_name("platform-auth")


@pytest.fixture(scope="module")
def tls_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with run_server(tmp_path_factory.mktemp("tls-platform"), tls=True) as server:
        assert server.issuer.startswith("https://127.0.0.1:")
        yield server


def client_env(home: Path, ca_file: Path | None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NXF_", "TOWER_", "SEQERA_", "MOCK_PLATFORM_")) and k not in ("CURL_CA_BUNDLE",)
    }
    env |= {"HOME": str(home), "NXF_HOME": str(home / ".nextflow")}
    if ca_file is None:
        env.pop("REQUESTS_CA_BUNDLE", None)
    else:
        env["REQUESTS_CA_BUNDLE"] = str(ca_file)
    return env


def test_platform_auth_logs_in_over_tls_trusting_the_ca_through_requests_ca_bundle(tls_platform, tmp_path):
    """`platform-auth nextflow login --no-browser` as a user runs it; the printed URL is opened with
    login_hint, so the mock redirects straight to the CLI's loopback callback."""
    env = client_env(tmp_path, tls_platform.ca_file)
    command = [str(PLATFORM_AUTH), "nextflow", "login", "-u", tls_platform.issuer, "--no-browser"]
    process = subprocess.Popen(
        [*command, "--login-hint", "alice", "--timeout", "30"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = ""
        while not url.startswith(f"{tls_platform.issuer}/oauth/authorize?"):
            line = process.stdout.readline()
            assert line, f"platform-auth printed no authorize URL: {process.communicate(timeout=30)}"
            url = line.strip()
        requests.get(url, verify=tls_platform.verify, timeout=10)  # ends at the CLI's callback
        output, errors = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, errors
    assert "✔ Authentication successful (alice)" in output
    status = subprocess.run(
        [str(PLATFORM_AUTH), "nextflow", "status"], env=env, capture_output=True, text=True, timeout=30
    )
    flat = " ".join(status.stdout.split())
    assert "API connection ✔ OK" in flat
    assert "Authentication ✔ OK (user: alice)" in flat
    untrusted = subprocess.run(
        [str(PLATFORM_AUTH), "nextflow", "status"],
        env=client_env(tmp_path, None) | {"REQUESTS_CA_BUNDLE": requests.certs.where()},
        capture_output=True,
        text=True,
        timeout=30,
    )
    flat = " ".join(untrusted.stdout.split())  # the machine's default CAs only
    assert "API connection ERROR" in flat
    assert "Authentication ✘ Connection check failed" in flat


@pytest.fixture(scope="module")
def chromium(tls_platform: RunningServer) -> Iterator[object]:
    """Headless Chromium with the mock's CA in its NSS database."""
    browser = chromium_trusting(tls_platform.ca_file)
    yield browser
    browser.close()


@pytest.mark.browser
def test_chromium_signs_in_on_the_login_page_over_tls(tls_platform, chromium, monkeypatch):
    """The reference client's flow, with headless Chromium typing alice's password on the mock's page."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls_platform.ca_file))
    page = chromium.new_page()

    def sign_in(url: str) -> None:
        page.goto(url)
        assert page.url.startswith(f"{tls_platform.issuer}/oauth/authorize")
        form = page.locator("#login-form")
        form.locator("[name=username]").fill("alice")
        form.locator("[name=password]").fill("alice-password")
        with page.expect_navigation(url="http://127.0.0.1:*/callback?**"):
            form.locator("button[name=action][value=login]").click()

    try:
        tokens = login(tls_platform.issuer, "nextflow_cli", sign_in, timeout=30)
    finally:
        page.close()
    claims = requests.get(
        f"{tls_platform.issuer}/userinfo",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        verify=tls_platform.verify,
        timeout=10,
    ).json()
    assert claims["email"] == "alice@example.com"


@pytest.mark.browser
def test_chromium_without_the_ca_refuses_the_mock(tls_platform):
    try:
        browser = launch_chromium()
    except Exception as error:
        pytest.skip(f"no Chromium here: {error}")
    try:
        page = browser.new_page()
        with pytest.raises(Exception, match="ERR_CERT_AUTHORITY_INVALID"):
            page.goto(f"{tls_platform.issuer}/.well-known/openid-configuration")
    finally:
        browser.close()
