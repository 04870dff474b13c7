"""The suite against the mock served over TLS by a private CA, directly and through a CONNECT proxy.

The CA reaches the suite as --ca-bundle or as each of the variables that name one; the browser
driver trusts the same CA (AUTHZ-10 needs the sign-in page in Chromium). Through the proxy the
provider's name resolves nowhere but at the proxy, so a passing case shows that both the HTTP calls
and Chromium went through it.
"""

from __future__ import annotations

from html import escape

import pytest

from conformance.login import host_resolver_rules
from conformance.plugin import EXIT_NOT_STARTED
from conformance.report import INSECURE_NOTICE
from conformance.target import control_candidates

from .conformance_servers import connect_proxy, run_suite, tls_mock

# The cases that only apply over https, one that reads discovery, one with the sign-in page in Chromium.
TLS_CASES = "SEC-08,AUTHZ-40,TOK-21,DISC-01,DISC-03,DISC-06,AUTHZ-10,TOK-01"
PROXY_VARIABLES = (
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
)

pytestmark = pytest.mark.browser


@pytest.fixture
def no_proxy_environment(monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_every_tls_case_runs_and_passes_with_the_ca_bundle(tmp_path, no_proxy_environment):
    with tls_mock(tmp_path / "mock") as mock:
        run = run_suite(
            tmp_path, "--platform-url", mock.issuer, "--ca-bundle", str(mock.ca_file), f"--case={TLS_CASES}"
        )
    assert run.exit_status == 0, run.report["summary_line"]
    assert {case: run.results()[case] for case in TLS_CASES.split(",")} == dict.fromkeys(
        TLS_CASES.split(","), "PASS"
    )
    assert run.case("SEC-08")["observations"][f"127.0.0.1:{mock.port}"] in ("TLSv1.2", "TLSv1.3")
    assert (
        run.report["meta"]["trust"]
        == f"CA bundle {mock.ca_file.resolve()} (--ca-bundle / CONFORMANCE_CA_BUNDLE)"
    )


@pytest.mark.parametrize("variable", ["CONFORMANCE_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"])
def test_the_ca_may_come_from_the_environment(tmp_path, monkeypatch, no_proxy_environment, variable):
    for name in ("CONFORMANCE_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
    with tls_mock(tmp_path / "mock") as mock:
        monkeypatch.setenv(variable, str(mock.ca_file))
        run = run_suite(tmp_path, "--platform-url", mock.issuer, "--case=DISC-01,SEC-08,AUTHZ-10")
    assert run.results() == {"DISC-01": "PASS", "SEC-08": "PASS", "AUTHZ-10": "PASS"}, run.report[
        "summary_line"
    ]


def test_without_the_ca_nothing_runs_and_with_insecure_the_report_says_so(
    tmp_path, no_proxy_environment, monkeypatch
):
    for name in ("CONFORMANCE_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
    with tls_mock(tmp_path / "mock") as mock:
        refused = run_suite(tmp_path, "--platform-url", mock.issuer, "--case=DISC-01", name="refused")
        insecure = run_suite(
            tmp_path,
            "--platform-url",
            mock.issuer,
            "--insecure",
            "--case=DISC-01,AUTHZ-10,SEC-08",
            name="insecure",
        )
    assert refused.exit_status == EXIT_NOT_STARTED
    assert refused.report["meta"]["not_started"]["problem"] == "the provider's certificate is not trusted"

    assert insecure.report["meta"]["insecure"] is True
    assert insecure.results()["DISC-01"] == "PASS" and insecure.results()["AUTHZ-10"] == "PASS"
    # SEC-08 still judges the certificate: unknown to this machine, whatever --insecure let through.
    assert insecure.results()["SEC-08"] == "FAIL"
    assert "(the run itself used --insecure)" in insecure.case("SEC-08")["message"]
    markdown = insecure.report_path.with_suffix(".md").read_text()
    assert markdown.splitlines()[2] == f"> **{INSECURE_NOTICE}**"
    assert escape(INSECURE_NOTICE) in insecure.report_path.with_suffix(".html").read_text()


def test_through_a_proxy_for_a_name_only_the_proxy_knows(tmp_path, monkeypatch, no_proxy_environment):
    with connect_proxy() as proxy, tls_mock(tmp_path / "mock", host="platform.internal") as mock:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        run = run_suite(
            tmp_path,
            "--platform-url",
            mock.issuer,
            "--ca-bundle",
            str(mock.ca_file),
            "--case=DISC-01,SEC-08,AUTHZ-01,AUTHZ-10,TOK-01",
        )
        assert mock.issuer.startswith("https://platform.internal:")
        assert run.exit_status == 0, run.report["summary_line"]
        assert set(run.results().values()) == {"PASS"}
        assert f"platform.internal:{mock.port}" in proxy.tunnels  # (and Chromium's own calls to Google)
        assert run.report["meta"]["proxy"] == proxy.url

        monkeypatch.setenv("NO_PROXY", "platform.internal")
        bypassed = run_suite(tmp_path, "--platform-url", mock.issuer, "--case=DISC-01", name="bypassed")
    assert (
        bypassed.report["meta"]["not_started"]["cause"] == "the host name platform.internal does not resolve"
    )


def test_the_browser_resolves_reserved_names_only_for_the_provider_and_its_sign_in_pages():
    rules = host_resolver_rules(["https://platform.example.test/sub/api", "https://idp.example.test:8443"])
    assert rules.startswith("MAP *.example ~NOTFOUND, MAP *.invalid ~NOTFOUND, MAP *.test ~NOTFOUND")
    assert rules.endswith(", EXCLUDE idp.example.test, EXCLUDE platform.example.test")


def test_the_control_api_is_looked_for_under_each_prefix_of_the_api_url():
    assert control_candidates("https://platform.localhost:8443/sub/api") == [
        "https://platform.localhost:8443/sub/_mock",
        "https://platform.localhost:8443/_mock",
    ]
    assert control_candidates("http://127.0.0.1:8080") == ["http://127.0.0.1:8080/_mock"]
