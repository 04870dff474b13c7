import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from client.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def all_commands(command: click.Command, path: tuple[str, ...] = ()):
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from all_commands(sub, (*path, name))


COMMANDS = list(all_commands(cli))


@pytest.mark.parametrize(
    ("path", "command"), COMMANDS, ids=[" ".join(path) or "root" for path, _ in COMMANDS]
)
def test_every_command_has_help_text_on_itself_and_its_options(path, command):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert command.help
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{' '.join(path)} {param.opts} has no help"


def test_command_tree():
    assert {" ".join(path) for path, _ in COMMANDS} >= {
        "nextflow login",
        "nextflow logout",
        "nextflow status",
        "seqera login",
        "seqera logout",
        "seqera status",
        "seqera token",
        "seqera org list",
        "seqera org switch",
        "seqera org clear",
    }


def test_python_dash_m_client_and_the_package_exports():
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "from client import LoginError, login; import runpy; runpy.run_module('client')",
            "--help",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "Usage: " in run.stdout
    assert "nextflow" in run.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--username", "alice", "--password", "pw"],
        ["--browser", "playwright", "--username", "alice"],
        ["--no-browser", "--browser", "playwright"],
    ],
    ids=["credentials need playwright", "password missing", "no-browser with browser"],
)
def test_browser_option_misuse_is_a_usage_error(args):
    result = CliRunner().invoke(cli, ["nextflow", "login", "-u", "http://127.0.0.1:9/api", *args])
    assert result.exit_code == 2
    assert "Error: " in result.stderr


def test_a_failed_discovery_is_one_line_on_stderr(stub):
    stub.on("GET", "/api/.well-known/openid-configuration", status=500)
    result = CliRunner().invoke(cli, ["nextflow", "login", "-u", f"{stub.url}/api", "--no-browser"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: OIDC discovery failed: HTTP 500; URL tried: {stub.url}/api/.well-known/openid-configuration; "
        "the endpoint must be the Platform API root that serves /.well-known/openid-configuration, e.g. "
        "http://127.0.0.1:8080/api\n"
    )


def test_unreachable_endpoint_says_what_to_check(stub):
    url = stub.url
    stub.close()
    result = CliRunner().invoke(cli, ["nextflow", "login", "-u", f"{url}/api", "--no-browser"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "Cannot connect to" in result.stderr
    assert "check the URL and that the server is running" in result.stderr


@pytest.mark.parametrize("browser_args", [["--no-browser"], []], ids=["no-browser", "system without display"])
def test_print_browser_shows_the_url_and_the_wait_times_out(provider, browser_args):
    result = CliRunner().invoke(
        cli,
        [
            "nextflow",
            "login",
            "-u",
            f"{provider.url}/api",
            "--timeout",
            "0.2",
            "--login-hint",
            "bob",
            *browser_args,
        ],
    )
    lines = result.stdout.splitlines()
    index = lines.index("Open this URL in a browser to sign in:")
    assert lines[index + 1].startswith(
        f"{provider.url}/api/authorize?client_id=nextflow_cli&response_type=code&"
    )
    assert lines[index + 1].endswith("&code_challenge_method=S256&login_hint=bob")
    assert result.exit_code == 1
    assert result.stderr == "Error: Authentication timed out waiting for browser callback\n"
