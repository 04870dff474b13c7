"""`mock-platform serve --tls` as users run it (gunicorn and --dev), the trust recipes it prints,
`mock-platform tls trust`, and bad TLS input: one error at start and nothing served."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
import trustme
from click.testing import CliRunner

from mock_platform import serving
from mock_platform.cli import main
from mock_platform.testing import run_server
from mock_platform.tls import trust_instructions
from tests.oidc_flows import login_tokens, userinfo
from tests.serve_process import MOCK_PLATFORM, free_port, serve

CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith("MOCK_PLATFORM_")}
NO_SETTINGS: dict[str, str | None] = {k: None for k in os.environ if k.startswith("MOCK_PLATFORM_")}


@pytest.fixture
def trust_ca(monkeypatch):
    """Point requests and Python's ssl at a CA, as the printed recipe says (the machine sets its own)."""

    def trust(ca_file: Path) -> None:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_file))
        monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
        monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)

    return trust


def test_gunicorn_serves_a_login_over_tls_and_keeps_the_ca_across_restarts(tmp_path, trust_ca):
    ca_file = tmp_path / "tls" / "ca.pem"
    with serve(tmp_path, tls=True) as base:
        trust_ca(ca_file)
        tokens = login_tokens(f"{base}/api")  # requests, through REQUESTS_CA_BUNDLE
        assert userinfo(f"{base}/api", tokens["access_token"]).json()["preferred_username"] == "alice"
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(f"{base}/healthz", verify=requests.certs.where(), timeout=10)  # default CAs only
    ca, leaf = ca_file.read_bytes(), (tmp_path / "tls" / "server.pem").read_bytes()
    with serve(tmp_path, tls=True) as base:
        assert requests.get(f"{base}/api/.well-known/openid-configuration", timeout=10).json()["issuer"] == (
            f"{base}/api"
        )
    assert ca_file.read_bytes() == ca
    assert (tmp_path / "tls" / "server.pem").read_bytes() == leaf


def test_the_dev_server_serves_tls(tmp_path, trust_ca):
    with serve(tmp_path, "--dev", tls=True) as base:
        trust_ca(tmp_path / "tls" / "ca.pem")
        tokens = login_tokens(f"{base}/api")
        assert userinfo(f"{base}/api", tokens["access_token"]).status_code == 200
        with urllib.request.urlopen(f"{base}/healthz", timeout=10) as answer:  # trusts through SSL_CERT_FILE
            assert answer.status == 200


def test_the_banner_says_how_to_trust_the_ca(tmp_path):
    port = free_port()
    command = [
        str(MOCK_PLATFORM),
        "serve",
        "--dev",
        "--tls",
        "--port",
        str(port),
        "--data-dir",
        str(tmp_path),
    ]
    process = subprocess.Popen(command, env=CLEAN_ENV, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        lines = [process.stderr.readline() for _ in range(4)]
    finally:
        process.terminate()
        process.wait(timeout=10)
    issuer = f"https://127.0.0.1:{port}/api"
    assert (
        lines[0] == f"mock-platform: issuer {issuer} (discovery {issuer}/.well-known/openid-configuration)\n"
    )
    assert lines[2].startswith(
        f"mock-platform: https with {tmp_path / 'tls' / 'server.pem'} for 127.0.0.1, ::1, "
    )
    assert lines[2].endswith(
        f"created a local CA in {tmp_path / 'tls' / 'ca.pem'}; issued a new server certificate: there was none)\n"
    )
    assert lines[3] == trust_instructions(tmp_path / "tls" / "ca.pem", issuer).splitlines()[0] + "\n"


def test_tls_trust_makes_the_ca_without_a_server_and_the_server_uses_it(tmp_path, trust_ca):
    port = free_port()
    result = CliRunner().invoke(
        main,
        ["tls", "trust", "--data-dir", str(tmp_path), "--port", str(port)],
        env={"MOCK_PLATFORM_TLS": "off"},
    )
    assert result.exit_code == 0, result.output
    ca_file = tmp_path / "tls" / "ca.pem"
    assert result.stderr == f"mock-platform: created a local CA in {ca_file}\n"
    issuer = f"https://127.0.0.1:{port}/api"
    assert result.stdout == trust_instructions(ca_file, issuer) + "\n"
    for recipe in (
        f"curl --cacert {ca_file} {issuer}/.well-known/openid-configuration",
        f"export REQUESTS_CA_BUNDLE={ca_file} SSL_CERT_FILE={ca_file}",
        f"export NODE_EXTRA_CA_CERTS={ca_file}",
        f"keytool -importcert -noprompt -alias mock-platform-ca -file {ca_file}",
        f'export NXF_OPTS="-Djavax.net.ssl.trustStore={tmp_path / "tls" / "truststore.p12"} ',
    ):
        assert recipe in result.stdout
    assert not (tmp_path / "tls" / "server.pem").exists()
    ca = ca_file.read_bytes()
    with run_server(tmp_path, tls=True) as server:
        assert server.ca_file == ca_file
        trust_ca(ca_file)
        assert login_tokens(server.issuer)["token_type"] == "Bearer"
    assert ca_file.read_bytes() == ca


def test_curl_and_node_trust_the_ca_as_the_recipes_say(tmp_path):
    curl, node = shutil.which("curl"), node_executable()
    if curl is None or node is None:
        pytest.skip("needs curl and Node.js (Node: on PATH or Playwright's driver)")
    with run_server(tmp_path, tls=True) as server:
        ca_file = str(server.ca_file)
        discovery = f"{server.issuer}/.well-known/openid-configuration"
        fetched = subprocess.run(
            [curl, "-sS", "--fail", "--cacert", ca_file, discovery],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert fetched.returncode == 0, fetched.stderr
        assert f'"issuer": "{server.issuer}"' in fetched.stdout
        script = (
            "require('https').get(process.argv[1], r => { console.log(r.statusCode); r.resume(); })"
            ".on('error', e => { console.log(e.code); process.exitCode = 1; })"
        )
        env = {k: v for k, v in os.environ.items() if k != "NODE_EXTRA_CA_CERTS"}
        refused = subprocess.run(
            [node, "-e", script, discovery], env=env, capture_output=True, text=True, timeout=30
        )
        trusted = subprocess.run(
            [node, "-e", script, discovery],
            env={**env, "NODE_EXTRA_CA_CERTS": ca_file},
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert refused.stdout.strip() == "UNABLE_TO_VERIFY_LEAF_SIGNATURE"
    assert trusted.stdout.strip() == "200", trusted.stderr


def node_executable() -> str | None:
    """Node.js on PATH, else the one Playwright's driver ships with."""
    if found := shutil.which("node"):
        return found
    try:
        from playwright._impl._driver import compute_driver_executable
    except ImportError:
        return None
    node = Path(compute_driver_executable()[0])
    return str(node) if node.is_file() else None


# bad input: one error, nothing served


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


def write_pem(path: Path, blob: trustme.Blob) -> Path:
    blob.write_to_path(str(path))
    return path


def refused_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    """`serve` in-process: exit 1 with one line on stderr, and no port bound (listen never called)."""

    def listen(host: str, port: int) -> None:
        raise AssertionError(f"serve bound {host}:{port} despite bad TLS input")

    monkeypatch.setattr(serving, "listen", listen)
    result = CliRunner().invoke(main, ["serve", "--data-dir", str(tmp_path / "data"), *args], env=NO_SETTINGS)
    assert result.exit_code == 1, result.output
    assert len(result.stderr.splitlines()) == 1, result.stderr
    return result.stderr


def test_a_key_that_does_not_match_the_certificate(authority, tmp_path, monkeypatch):
    cert = write_pem(tmp_path / "cert.pem", authority.issue_cert("127.0.0.1").cert_chain_pems[0])
    key = write_pem(tmp_path / "key.pem", authority.issue_cert("127.0.0.1").private_key_pem)
    error = refused_start(tmp_path, monkeypatch, "--tls-cert", str(cert), "--tls-key", str(key))
    assert error == (
        f"Error: tls_key: {key} is not the private key of {cert} (their public keys differ); give the key the "
        "certificate was issued for\n"
    )


def test_an_expired_certificate(authority, tmp_path, monkeypatch):
    past = datetime.now(UTC) - timedelta(days=1)
    leaf = authority.issue_cert("127.0.0.1", not_before=past - timedelta(days=90), not_after=past)
    cert = write_pem(tmp_path / "cert.pem", leaf.cert_chain_pems[0])
    key = write_pem(tmp_path / "key.pem", leaf.private_key_pem)
    error = refused_start(tmp_path, monkeypatch, "--tls-cert", str(cert), "--tls-key", str(key))
    assert error.startswith(f"Error: tls_cert: {cert} expired on {past:%Y-%m-%d}")


def test_an_unreadable_certificate_file(authority, tmp_path, monkeypatch):
    key = write_pem(tmp_path / "key.pem", authority.issue_cert("127.0.0.1").private_key_pem)
    error = refused_start(tmp_path, monkeypatch, "--tls-cert", str(tmp_path), "--tls-key", str(key))
    assert error == (
        f"Error: tls_cert: cannot read {tmp_path}: Is a directory; check the path and that this user may read it\n"
    )


def test_a_certificate_without_its_key(authority, tmp_path, monkeypatch):
    cert = write_pem(tmp_path / "cert.pem", authority.issue_cert("127.0.0.1").cert_chain_pems[0])
    error = refused_start(tmp_path, monkeypatch, "--tls-cert", str(cert))
    assert error == (
        "Error: option --tls-cert: needs tls_key too (--tls-key, MOCK_PLATFORM_TLS_KEY): a certificate is served "
        "with its private key\n"
    )


def test_a_tls_port_already_taken(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            main, ["serve", "--tls", "--port", str(port), "--data-dir", str(tmp_path)], env=NO_SETTINGS
        )
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot listen on 127.0.0.1:{port}: Address already in use")
    assert result.stderr.endswith(f"or mock-platform serve --port {port + 1}\n")
    assert len(result.stderr.splitlines()) == 1
