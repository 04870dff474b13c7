"""The mock behind a real reverse proxy under a sub-path: nginx terminates TLS for
https://platform.example.test:<port>/sub/ with a certificate from the mock's CA and proxies to the
mock on plain http (MOCK_PLATFORM_BASE_URL=https://platform.example.test:<port>/sub). Clients reach
the name through their own host mapping (host_mapping.py); whole logins go through nginx:
the reference client with headless Chromium typing a password, the Seqera flow, the control API,
and the conformance suite against https://platform.example.test:<port>/sub/api."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from client import nextflow, seqera
from client.cli import cli
from mock_platform.testing import ControlClient, RunningServer, run_server
from mock_platform.tls import local_certificate
from tests.conformance_run import TLS_CASES, run_conformance
from tests.serve_process import free_port

from . import host_mapping
from .host_mapping import as_env, chromium_rules, mapped_hosts
from .reverse_proxy import nginx_proxy
from .tls_browser import chromium_trusting

SERVER_NAME = "platform.example.test"
HOSTS = {SERVER_NAME: "127.0.0.1"}


@dataclass(frozen=True)
class Proxied:
    server: RunningServer
    base_url: str
    ca_file: Path

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/api"


@contextmanager
def proxied_platform(tmp_path_factory: pytest.TempPathFactory, server_name: str) -> Iterator[Proxied]:
    """The mock on plain http behind nginx serving https://{server_name}:<port>/sub/."""
    data = tmp_path_factory.mktemp("proxied-platform")
    # The CA that `--tls` and `mock-platform tls trust` make, here signing the proxy's certificate.
    certificate = local_certificate(data / "tls", (server_name,))
    port = free_port()
    base_url = f"https://{server_name}:{port}/sub"
    with (
        run_server(data, base_url=base_url) as server,
        nginx_proxy(
            tmp_path_factory.mktemp("nginx"),
            port=port,
            server_name=server_name,
            path="/sub",
            upstream_port=server.port,
            cert=certificate.cert_file,
            key=certificate.key_file,
        ),
        mapped_hosts({server_name: "127.0.0.1"}),
    ):
        yield Proxied(server, base_url, data / "tls" / "ca.pem")


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxied]:
    with proxied_platform(tmp_path_factory, SERVER_NAME) as platform:
        yield platform


@pytest.fixture
def trusting(proxied: Proxied, monkeypatch: pytest.MonkeyPatch) -> Proxied:
    """requests (and so the reference client) trusting the mock's CA, as the README says."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(proxied.ca_file))
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    for name in list(os.environ):
        if name.startswith(("NXF_", "TOWER_", "SEQERA_")):
            monkeypatch.delenv(name)
    return proxied


def test_discovery_through_the_proxy_names_the_public_url(trusting):
    document = requests.get(f"{trusting.issuer}/.well-known/openid-configuration", timeout=10).json()
    assert document["issuer"] == trusting.issuer
    assert document["token_endpoint"] == f"{trusting.issuer}/oauth/token"
    keys = requests.get(document["jwks_uri"], timeout=10).json()["keys"]
    assert keys


def test_the_control_api_answers_through_the_proxy(trusting):
    control = ControlClient(trusting.base_url, verify=str(trusting.ca_file))
    assert "now" in control.clock()
    assert control.recent_requests(path="/api/.well-known/*")  # logged without the /sub prefix


@pytest.fixture(scope="module")
def chromium(proxied: Proxied) -> Iterator[object]:
    """Headless Chromium trusting the mock's CA and mapping platform.example.test to loopback."""
    browser = chromium_trusting(proxied.ca_file, chromium_rules(HOSTS))
    yield browser
    browser.close()


@pytest.mark.browser
def test_nextflow_login_status_and_logout_through_the_proxy_with_chromium(trusting, chromium, tmp_path):
    """The reference client's whole `nextflow auth` lifecycle; Chromium types alice's password on
    the mock's page at https://platform.example.test:<port>/sub/api/oauth/authorize."""
    page = chromium.new_page()
    seen: list[str] = []

    def sign_in(url: str) -> None:
        page.goto(url)
        seen.append(page.url)
        form = page.locator("#login-form")
        form.locator("[name=username]").fill("alice")
        form.locator("[name=password]").fill("alice-password")
        with page.expect_navigation(url="http://127.0.0.1:*/callback?**"):
            form.locator("button[name=action][value=login]").click()

    home = nextflow.NextflowHome(tmp_path / ".nextflow")
    try:
        nextflow.login(home, trusting.issuer, sign_in, timeout=30)
    finally:
        page.close()
    assert seen[0].startswith(f"{trusting.issuer}/oauth/authorize?")
    pat = nextflow.read_config(home.auth_file)["tower.accessToken"]
    assert (
        requests.get(
            f"{trusting.issuer}/user-info", headers={"Authorization": f"Bearer {pat}"}, timeout=10
        ).json()["user"]["userName"]
        == "alice"
    )
    rows = {name: value for name, value, _ in nextflow.check_status(home, None, {}).rows}
    assert rows["API endpoint"] == trusting.issuer
    assert rows["API connection"] == "✔ OK"
    assert rows["Authentication"] == "✔ OK (user: alice)"
    nextflow.logout(home, env={})
    assert (
        requests.get(
            f"{trusting.issuer}/user-info", headers={"Authorization": f"Bearer {pat}"}, timeout=10
        ).status_code
        == 401
    )


def test_seqera_login_and_organizations_through_the_proxy(trusting, tmp_path, monkeypatch):
    """The Seqera CLI's flow: refresh token kept, organizations from the Co-Scientist backend at /sub/ai."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("SEQERA_AUTH_DOMAIN", trusting.issuer)
    monkeypatch.setenv("SEQERA_AI_BACKEND_URL", f"{trusting.base_url}/ai")
    monkeypatch.setenv("SEQERA_AUTH_REDIRECT_PORT", str(free_port()))
    settings = seqera.SeqeraSettings.from_environment()
    store = seqera.Store(settings.config_dir)
    seqera.login(
        settings, store, lambda url: requests.get(url, timeout=10).raise_for_status(), {"login_hint": "bob"}
    )
    assert json.loads(store.metadata_file.read_text())["authDomain"] == trusting.issuer
    listed = CliRunner().invoke(cli, ["seqera", "org", "list"])
    assert listed.exit_code == 0, listed.output
    assert len(listed.stdout.splitlines()) > 1


@pytest.mark.browser
def test_the_conformance_suite_passes_against_the_sub_path(tmp_path_factory, tmp_path):
    """`pytest conformance --platform-url https://platform.localhost:<port>/sub/api --login hint`,
    trusting the CA through the suite's --ca-bundle, the name mapped for Python by
    host_mapping loaded as a plugin (`-p`).

    A *.localhost name, not platform.example.test: Chromium resolves *.localhost to loopback by
    itself, and the suite's browser has no name mapping of its own. The suite finds the mock's
    control API under the sub-path (`/sub/_mock`), so it knows the mock and its documented AUTHZ-18
    deviation, and runs the mock-only cases too.
    """
    with proxied_platform(tmp_path_factory, "platform.localhost") as proxied:
        run = run_conformance(
            proxied.issuer,
            proxied.ca_file,
            tmp_path,
            "-p",
            host_mapping.__name__,
            env=as_env({"platform.localhost": "127.0.0.1"}),
        )
    assert run.process.returncode == 0, run.output
    assert "TLS does not apply" not in run.process.stdout
    assert {case: run.results.get(case) for case in TLS_CASES} == dict.fromkeys(TLS_CASES, "PASS")
