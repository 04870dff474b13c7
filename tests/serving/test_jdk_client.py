"""The JDK's default HttpClient (what lib-platform-oidc uses) gets plain HTTP/1.1 answers.

It offers an h2c upgrade on every http:// request; servers that answer that with an error (old
uvicorn did) break `nextflow auth login` before it starts. It also follows the mock's 308 from a
doubled-slash path as a POST, which is how Nextflow reaches `/tokens` from `-url http://host/api/`,
and completes a login. Over `--tls` it trusts the mock's CA through a truststore made with keytool,
as the README tells Nextflow users to do (`NXF_OPTS=-Djavax.net.ssl.trustStore=...`).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from mock_platform.testing import run_server
from tests.paths import ROOT
from tests.serve_process import serve

pytestmark = pytest.mark.java
PROBE = ROOT / "tests" / "java" / "JdkClientProbe.java"


@pytest.fixture(scope="module")
def probe_classes(compile_java: Callable[[Path], Path]) -> Path:
    return compile_java(PROBE)


def probe(classes: Path, issuer: str, *java_options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["java", *java_options, "-cp", str(classes), "JdkClientProbe", issuer],
        capture_output=True,
        text=True,
        timeout=60,
    )


def run_probe(classes: Path, issuer: str, *java_options: str) -> list[str]:
    result = probe(classes, issuer, *java_options)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def assert_http11_answers(lines: list[str]) -> None:
    assert lines[0] == "200 HTTP_1_1"
    assert lines[1] == "400 HTTP_1_1"
    assert '"error": "invalid_grant"' in lines[2]
    # The 308 from `//oauth/access_token` is followed as a POST (a GET there would be 405).
    assert lines[3] == "401 /api/oauth/access_token"
    assert lines[4] == "login 302 200 200 alice"


def keytool_truststore(ca_file: Path, truststore: Path) -> list[str]:
    """The README's Java recipe: import the CA into a PKCS12 truststore; the JVM options that use it."""
    subprocess.run(
        [
            "keytool",
            "-importcert",
            "-noprompt",
            "-alias",
            "mock-platform-ca",
            "-file",
            str(ca_file),
            "-keystore",
            str(truststore),
            "-storetype",
            "PKCS12",
            "-storepass",
            "changeit",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return [f"-Djavax.net.ssl.trustStore={truststore}", "-Djavax.net.ssl.trustStorePassword=changeit"]


def test_jdk_client_against_the_test_server(probe_classes, tmp_path):
    with run_server(tmp_path) as server:
        assert_http11_answers(run_probe(probe_classes, server.issuer))


def test_jdk_client_against_gunicorn(probe_classes, tmp_path):
    with serve(tmp_path) as base:
        assert_http11_answers(run_probe(probe_classes, f"{base}/api"))


def test_jdk_client_over_tls_trusting_the_ca_through_a_keytool_truststore(probe_classes, tmp_path):
    with serve(tmp_path / "data", tls=True) as base:
        trust = keytool_truststore(tmp_path / "data" / "tls" / "ca.pem", tmp_path / "truststore.p12")
        assert_http11_answers(run_probe(probe_classes, f"{base}/api", *trust))
        refused = probe(probe_classes, f"{base}/api")  # the JDK's own CAs only
    assert refused.returncode != 0
    assert "PKIX path building failed" in refused.stderr
