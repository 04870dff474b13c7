"""The checker's parts on their own: catalog, tap, masking, placeholders, environment, /proc parsing,
verdicts, and the reference client's defect switch."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12

from client.cli import cli as platform_auth_cli
from mock_platform.client_check.catalog import CASES, SCENARIOS
from mock_platform.client_check.judges import JUDGES, Verdict
from mock_platform.client_check.process import ClientProcess, Workspace, fill
from mock_platform.client_check.report import Report, conclude, report_paths, summary_line
from mock_platform.client_check.scenarios import SCENARIO_RUNNERS
from mock_platform.client_check.secrets import Secrets
from mock_platform.client_check.sockets import _address
from mock_platform.client_check.tap import SOURCE_HEADER, Tap
from mock_platform.client_check.trust import CA_VARIABLES, JAVA_OPTIONS
from mock_platform.tls import local_ca


def test_every_case_has_a_judge_and_every_scenario_a_runner() -> None:
    assert set(JUDGES) == set(CASES)
    assert set(SCENARIO_RUNNERS) == set(SCENARIOS)
    assert list(CASES) == [f"CLI-{number:02d}" for number in range(1, 36)]


def token_endpoint(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    body = environ["wsgi.input"].read()
    document = {
        "access_token": "eyJ.access.token",
        "refresh_token": "refresh-token-value",
        "echo": body.decode(),
    }
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(document).encode()]


def call(tap: Tap, path: str, body: bytes = b"", source: str | None = None) -> tuple[str, bytes]:
    environ = {
        "PATH_INFO": path,
        "REQUEST_METHOD": "POST",
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    if source:
        environ["HTTP_" + SOURCE_HEADER.upper().replace("-", "_")] = source
    statuses: list[str] = []
    payload = b"".join(tap(environ, lambda status, headers: statuses.append(status)))
    return statuses[0], payload


def test_the_tap_keeps_raw_values_registers_secrets_and_serves_aliases() -> None:
    secrets = Secrets()
    tap = Tap(token_endpoint, secrets)
    tap.aliases["/custom/token"] = "/api/oauth/token"
    tap.blocked["/api/oauth/token"] = "not here"
    status, payload = call(tap, "/custom/token", b"grant_type=authorization_code&code_verifier=v" * 2)
    assert status == "200 OK"
    assert json.loads(payload)["echo"].startswith("grant_type=authorization_code")  # the body reached the app
    exchange = tap.exchanges[0]
    assert (exchange.path, exchange.routed, exchange.source) == (
        "/custom/token",
        "/api/oauth/token",
        "client",
    )
    assert exchange.document["refresh_token"] == "refresh-token-value"
    assert secrets.kind_of("refresh-token-value") == "refresh token"
    assert secrets.kind_of("eyJ.access.token") == "access token"
    status, payload = call(tap, "/api/oauth/token", source="browser")
    assert status == "404 Not Found" and json.loads(payload) == {"message": "not here"}
    assert tap.since(0) == [exchange]  # the browser's request is not the client's


def test_a_hanging_path_answers_503_once_released() -> None:
    tap = Tap(token_endpoint, Secrets())
    tap.hanging.add("/api/oauth/token")
    tap.release()
    status, _ = call(tap, "/api/oauth/token")
    assert status == "503 Service Unavailable"


def test_secrets_are_masked_wherever_they_turn_up() -> None:
    secrets = Secrets()
    secrets.add("refresh token", "r3fresh-token-value")
    secrets.add("code", "short")  # too short to mask reliably: ignored
    masked = secrets.mask("Authorization: Bearer r3fresh-token-value; code=short")
    assert "r3fresh-token-value" not in masked
    assert masked.startswith("Authorization: Bearer «refresh token ") and masked.endswith("»; code=short")


def test_placeholders_are_filled_and_other_braces_left_alone() -> None:
    values = {
        "issuer": "http://127.0.0.1:1/api",
        "base_url": "http://127.0.0.1:1",
        "ai_url": "http://127.0.0.1:1/ai",
    }
    assert fill(["-url", "{issuer}", "{ai_url}/x", '{"json": 1}'], values) == [
        "-url",
        "http://127.0.0.1:1/api",
        "http://127.0.0.1:1/ai/x",
        '{"json": 1}',
    ]


def test_the_environment_drops_credentials_displays_and_trusted_cas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("TOWER_ACCESS_TOKEN", "SEQERA_ACCESS_TOKEN", "DISPLAY", "NXF_HOME", *CA_VARIABLES):
        monkeypatch.setenv(name, "set")
    workspace = Workspace.create(tmp_path / "client")
    env = workspace.environment({"NXF_HOME": "/x"})
    assert not {"TOWER_ACCESS_TOKEN", "SEQERA_ACCESS_TOKEN", "DISPLAY", *CA_VARIABLES} & env.keys()
    assert (
        env["HOME"] == str(workspace.home) and env["NXF_HOME"] == "/x" and env["PATH"] == os.environ["PATH"]
    )
    assert env["NO_PROXY"].endswith("127.0.0.1,localhost,::1")


def test_a_workspace_trusting_a_ca_names_it_to_every_kind_of_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(JAVA_OPTIONS, "-Xmx64m")
    ca_file = local_ca(tmp_path / "tls")[0]
    workspace = Workspace.create(tmp_path / "client", ca_file)
    env = workspace.environment({})
    assert {name: env[name] for name in CA_VARIABLES} == dict.fromkeys(CA_VARIABLES, str(ca_file))
    assert env[JAVA_OPTIONS] == f"-Xmx64m -Djavax.net.ssl.trustStore={workspace.truststore}"
    stored = pkcs12.load_pkcs12(workspace.truststore.read_bytes(), None)
    assert [entry.certificate for entry in stored.additional_certs] == x509.load_pem_x509_certificates(
        ca_file.read_bytes()
    )


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ("out/check.v2", ["check.v2.md", "check.v2.json", "check.v2.html"]),
        ("out/check.html", ["check.md", "check.json", "check.html"]),
        ("out/check.json", ["check.md", "check.json", "check.html"]),
        ("out/check", ["check.md", "check.json", "check.html"]),
    ],
)
def test_the_report_files_are_siblings_of_the_path_given(given: str, written: list[str]) -> None:
    paths = report_paths(Path(given))
    assert [path.name for path in paths] == written
    assert {path.parent for path in paths} == {Path("out")}


def test_the_browser_helper_hands_the_url_over(tmp_path: Path) -> None:
    workspace = Workspace.create(tmp_path / "client")
    env = workspace.environment({})
    opener = "import os, subprocess, sys; subprocess.run([os.environ['BROWSER'], sys.argv[1]], check=True)"
    url = "http://127.0.0.1:9/api/oauth/authorize?client_id=x&state=y"
    process = ClientProcess("login", [sys.executable, "-c", opener, url], workspace, env, None)
    assert process.wait_for_url(lambda found: "client_id=" in found, timeout=20) == (url, "BROWSER")
    process.stop("done")


def test_proc_addresses_are_decoded() -> None:
    if sys.byteorder != "little":
        pytest.skip("the sample rows are from a little-endian machine")
    assert _address("0100007F") == "127.0.0.1"
    assert _address("00000000000000000000000001000000") == "::1"
    assert _address("00000000") == "0.0.0.0"


@pytest.mark.parametrize(
    ("status", "level", "result"),
    [
        ("ok", "MUST", "PASS"),
        ("bad", "MUST", "FAIL"),
        ("bad", "SHOULD", "WARN"),
        ("warn", "MUST", "WARN"),
        ("bad", "INFO", "INFO"),
        ("skip", "MUST", "SKIP"),
    ],
)
def test_a_verdict_becomes_a_result_by_level(status: str, level: str, result: str) -> None:
    case = CASES["CLI-05"]
    assert conclude(case, Verdict(status, "why", level=level)).result == result


def test_long_evidence_is_shortened_only_once_masked() -> None:
    secrets = Secrets()
    token = "eyJ" + "t" * 600
    secrets.add("access token", token)
    output = "line\n" * 200 + f"token: {token}\ndone\n"  # raw, its last 400 characters would cut the token
    row = conclude(CASES["CLI-23"], Verdict("bad", "printed", [{"label": "login stdout", "detail": output}]))
    detail = Report([row], {}, secrets).document()["cases"][0]["evidence"][0]["detail"]
    assert len(detail) < len(output) and " … " in detail
    assert "«access token " in detail and "ttttt" not in detail


def test_summary_line() -> None:
    rows = [
        conclude(CASES["CLI-05"], Verdict("ok", "")),
        conclude(CASES["CLI-06"], Verdict("bad", "")),
        conclude(CASES["CLI-11"], Verdict("bad", "")),
        conclude(CASES["CLI-35"], Verdict("ok", "")),
        conclude(CASES["CLI-04"], Verdict("skip", "")),
    ]
    assert summary_line(rows) == "MUST: 1/2 passed, SHOULD: 0/1, INFO: 1 recorded (1 skipped)"


def test_an_unknown_client_defect_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATFORM_AUTH_DEFECTS", "pkce-plain,no-such-defect")
    result = CliRunner().invoke(platform_auth_cli, ["nextflow", "status"])
    assert result.exit_code == 1
    assert "PLATFORM_AUTH_DEFECTS: unknown defect(s) no-such-defect; known: pkce-plain," in result.output


def test_check_client_is_a_mock_platform_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mock_platform", "check-client", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert "-- LOGIN_CMD..." in result.stdout and "--profile [nextflow|seqera]" in result.stdout
