"""The copy-paste examples under examples/ci/ run as documented, so they cannot drift from the code."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mock_platform.client_check.cli import check_client
from mock_platform.testing import run_server

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "ci"


def test_the_pytest_example_passes_in_a_project_of_its_own(tmp_path):
    shutil.copy(EXAMPLES / "test_login_contract.py", tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_login_contract.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        env={k: v for k, v in os.environ.items() if k not in ("LOGIN_COMMAND", "EXPECT_PAT")},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_the_client_check_workflow_uses_the_real_options():
    workflow = yaml.safe_load((EXAMPLES / "client-check.yml").read_text(encoding="utf-8"))
    command = next(
        step["run"]
        for step in workflow["jobs"]["client-check"]["steps"]
        if "check-client" in step.get("run", "")
    )
    args = shlex.split(command)
    assert args[:2] == ["mock-platform", "check-client"]
    context = check_client.make_context("check-client", args[2:])  # an unknown option raises
    assert context.params["profile"] == "nextflow" and context.params["login_command"][-1] == "{issuer}"


@pytest.mark.browser
def test_the_client_check_example_passes_in_a_project_of_its_own(tmp_path):
    shutil.copy(EXAMPLES / "test_client_check.py", tmp_path)
    report = tmp_path / "out" / "client-check"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_client_check.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("CLIENT_")},
            "CLIENT_CHECK_CASES": "CLI-31",
            "CLIENT_CHECK_REPORT": str(report),
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    assert "| CLI-31 | Deletes its PAT server-side with the PAT itself on logout | PASS |" in (
        report.with_suffix(".md").read_text(encoding="utf-8")
    )


@pytest.mark.skipif(shutil.which("curl") is None, reason="headless-login.sh opens the URL with curl")
def test_headless_login_script_completes_a_login_and_reports_a_refused_one(tmp_path):
    with run_server(tmp_path / "data", auto_login="alice") as server:
        command = [
            str(EXAMPLES / "headless-login.sh"), sys.executable, "-m", "client", "nextflow", "login",
            "--no-browser", "-u", server.issuer,
        ]  # fmt: skip
        environment = {
            **os.environ,
            "HOME": str(tmp_path),
            "NXF_HOME": str(tmp_path / "nxf"),
            "LOGIN_TIMEOUT": "60",
        }

        def headless_login() -> subprocess.CompletedProcess[str]:
            return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=90)

        ok = headless_login()
        assert ok.returncode == 0, ok.stdout + ok.stderr
        assert (tmp_path / "nxf" / "seqera-auth.config").exists()

        server.control.add_fault("token", error="invalid_grant", error_description="injected by the test")
        (tmp_path / "nxf" / "seqera-auth.config").unlink()
        refused = headless_login()
        assert refused.returncode not in (0, 124), refused.stdout + refused.stderr
        assert "injected by the test" in refused.stdout
