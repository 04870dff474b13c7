"""Preflight: a URL that cannot work stops the run at once with one message (URL, cause, what to do).

The three failures a new user meets first are run as a user runs them (`pytest --pyargs conformance`
in a subprocess): short output, no traceback, exit status 7, and a report saying why nothing ran.
The other causes are checked against the preflight itself, through real servers: the mock with
faults injected on discovery, TLS sites with a private CA, a closed port, a name that resolves nowhere.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from conformance.checks import Secrets
from conformance.plugin import EXIT_NOT_STARTED
from conformance.preflight import PreflightError, preflight
from conformance.target import Http
from conformance.transport import Transport, resolve_trust
from mock_platform.testing import run_server

from .conformance_servers import expired, tls_site

MAX_LINES = 30


def run_pytest(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "conformance", "-p", "no:cacheprovider", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_for(**trust: object) -> Http:
    return Http(Secrets(), Transport(resolve_trust(**trust), retries=1))  # type: ignore[arg-type]


def assert_one_clear_message(result: subprocess.CompletedProcess[str], *expected: str) -> str:
    output = result.stdout + result.stderr
    assert result.returncode == EXIT_NOT_STARTED, output
    assert len(output.splitlines()) < MAX_LINES, output
    assert "Traceback" not in output and "Error" not in output.replace("ConnectionRefusedError", ""), output
    for text in expected:
        assert text in output, output
    return output


def test_a_dead_url_stops_the_run_and_the_report_says_why(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}/api"
    result = run_pytest(tmp_path, "--platform-url", url, "--report", "reports/run.2026-12-04.md")
    assert_one_clear_message(
        result,
        "the run did not start: cannot reach the provider",
        f"URL tried:  {url}/.well-known/openid-configuration",
        "connection refused: nothing listens on 127.0.0.1",
        "what to do: check that the server is running",
    )
    reports = tmp_path / "reports"
    assert sorted(p.name for p in reports.iterdir()) == [
        "run.2026-12-04.html", "run.2026-12-04.json", "run.2026-12-04.md",
    ]  # fmt: skip
    document = json.loads((reports / "run.2026-12-04.json").read_text())
    assert document["status"] == "not-started" and document["cases"] == []
    assert document["meta"]["not_started"]["cause"].startswith("connection refused")
    assert "The run did not start: cannot reach the provider" in (reports / "run.2026-12-04.md").read_text()
    assert "The run did not start" in (reports / "run.2026-12-04.html").read_text()


def test_a_base_url_without_the_api_path_is_answered_with_did_you_mean(tmp_path):
    with run_server(tmp_path / "data") as server:
        result = run_pytest(tmp_path, "--platform-url", server.base_url)
    assert_one_clear_message(
        result,
        "no OpenID Provider discovery document at the URL given",
        f"did you mean --platform-url {server.issuer} ? the server says its API root is {server.issuer}",
    )


def test_a_tls_url_whose_ca_is_not_given_names_the_unknown_ca_and_the_option(tmp_path):
    with tls_site(tmp_path) as (url, _):
        result = run_pytest(tmp_path, "--platform-url", url)
    assert_one_clear_message(
        result,
        "the provider's certificate is not trusted",
        "unknown CA",
        "--ca-bundle PATH",
        "--insecure skips verification",
    )


def test_the_same_tls_url_with_its_ca_passes_the_preflight(tmp_path):
    with tls_site(tmp_path) as (url, ca_file):
        discovery = preflight(http_for(ca_bundle=str(ca_file), insecure=False), url)
    assert discovery.issuer == url


def test_a_certificate_for_another_name_is_a_name_mismatch(tmp_path):
    with (
        tls_site(tmp_path, "platform.example.test") as (url, ca_file),
        pytest.raises(PreflightError) as error,
    ):
        preflight(http_for(ca_bundle=str(ca_file), insecure=False), url)
    assert error.value.problem == "the provider's certificate is for another name"
    assert "the certificate is for platform.example.test, not for 127.0.0.1" in error.value.cause


def test_an_expired_certificate_says_when_it_expired(tmp_path):
    with (
        tls_site(tmp_path, "127.0.0.1", **expired()) as (url, ca_file),
        pytest.raises(PreflightError) as error,
    ):
        preflight(http_for(ca_bundle=str(ca_file), insecure=False), url)
    assert error.value.cause.startswith("expired: the certificate expired on ")
    assert any("renew" in advice for advice in error.value.advice)


def test_insecure_lets_an_untrusted_certificate_through(tmp_path):
    with tls_site(tmp_path) as (url, _):
        assert preflight(http_for(ca_bundle=None, insecure=True), url).issuer == url


def test_https_to_a_plain_http_port_says_it_does_not_speak_tls(tmp_path):
    with run_server(tmp_path / "data") as server:
        url = server.issuer.replace("http://", "https://")
        with pytest.raises(PreflightError) as error:
            preflight(http_for(ca_bundle=None, insecure=False), url)
    assert "does not speak TLS" in error.value.cause


def test_a_name_that_does_not_resolve(monkeypatch):
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(PreflightError) as error:
        preflight(http_for(ca_bundle=None, insecure=False), "http://platform.invalid/api")
    assert error.value.cause == "the host name platform.invalid does not resolve"
    assert any("HTTPS_PROXY" in advice for advice in error.value.advice)


@pytest.fixture(scope="module")
def mock(tmp_path_factory):
    with run_server(tmp_path_factory.mktemp("preflight")) as server:
        yield server


@pytest.fixture
def faulty(mock):
    """The mock, with discovery answering as each test injects; faults cleared afterwards."""
    yield mock
    mock.control.clear_faults()


@pytest.mark.parametrize(
    ("fault", "problem", "cause"),
    [
        (
            {"status": 200, "body": "<!DOCTYPE html><title>Sign in</title>", "content_type": "text/html"},
            "the discovery URL answered something other than JSON",
            "HTTP 200 with text/html, beginning '<!DOCTYPE html><title>Sign in</title>'",
        ),
        (
            {"status": 200, "body": {"hello": "world"}},
            "the discovery URL answered JSON that is not an OpenID Provider configuration",
            "no issuer, authorization_endpoint, token_endpoint in the document",
        ),
        (
            {"status": 500, "body": {"message": "database is down"}},
            "the provider failed to serve discovery",
            "HTTP 500: database is down",
        ),
        (
            {"status": 403, "body": "<html>denied by the WAF</html>", "content_type": "text/html"},
            "discovery asked for credentials",
            "HTTP 403",
        ),
    ],
    ids=["html", "not-oidc", "server-error", "forbidden"],
)
def test_each_kind_of_wrong_answer_is_named(faulty, fault, problem, cause):
    faulty.control.add_fault("discovery", count="unlimited", **fault)
    with pytest.raises(PreflightError) as error:
        preflight(http_for(ca_bundle=None, insecure=False), faulty.issuer)
    assert error.value.problem == problem
    assert error.value.cause.startswith(cause)
    assert error.value.url == f"{faulty.issuer}/.well-known/openid-configuration"


def test_an_issuer_that_is_another_url_says_which_one_to_use(faulty):
    document = json.loads(
        requests.get(f"{faulty.issuer}/.well-known/openid-configuration", timeout=10).text.replace(
            faulty.issuer, "https://platform.example.com/api"
        )
    )
    faulty.control.add_fault("discovery", status=200, body=document, count="unlimited")
    with pytest.raises(PreflightError) as error:
        preflight(http_for(ca_bundle=None, insecure=False), faulty.issuer)
    assert error.value.problem == "the provider's issuer is another URL"
    assert error.value.advice[0].startswith("run with --platform-url https://platform.example.com/api")


def test_a_rate_limited_discovery_is_retried_then_reported(faulty):
    faulty.control.add_fault("discovery", status=429, headers={"Retry-After": "0"}, count=1)
    assert preflight(http_for(ca_bundle=None, insecure=False), faulty.issuer).issuer == faulty.issuer

    faulty.control.add_fault("discovery", status=503, headers={"Retry-After": "0"}, count="unlimited")
    with pytest.raises(PreflightError) as error:
        preflight(http_for(ca_bundle=None, insecure=False), faulty.issuer)
    assert error.value.problem == "the provider is rate limiting or busy"
    assert "HTTP 503 (Retry-After: 0) after 2 attempts" in error.value.cause
