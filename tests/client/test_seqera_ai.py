"""`platform-auth seqera ai --headless MESSAGE` end to end against the real mock over HTTP: the calls
Seqera CLI 1.12.0 makes (create, send, stream, expire), the streamed reply, tool calls, out of credits."""

import pytest
import requests
from click.testing import CliRunner

from client import co_scientist, seqera
from client.cli import cli
from client.seqera import SeqeraSettings, Store
from mock_platform.testing import run_server

TOOL_SCRIPT = {
    "replies": [
        {
            "match": "^run (?P<command>.+)",
            "steps": [{"run": "{command}"}, {"say": "The command printed {stdout}(exit code {exit_code})."}],
        }
    ]
}


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    with run_server(tmp_path_factory.mktemp("mock-platform")) as server:
        yield server


def log_in(store: Store, user: str) -> None:
    """A headless `seqera login` (the mock signs `user` in from login_hint)."""
    seqera.login(
        SeqeraSettings.from_environment(),
        store,
        lambda url: requests.get(url, timeout=10).raise_for_status(),
        {"login_hint": user},
        env={},
    )


def ai(*args: str):
    return CliRunner().invoke(cli, ["seqera", "ai", "--headless", *args])


def backend_calls(platform) -> list[str]:
    return [
        f"{entry['method']} {entry['path']}"
        for entry in platform.control.recent_requests(path="/ai/v1/cli/*")
    ]


def test_a_headless_question_in_the_selected_organization(platform, seqera_env, tmp_path):
    log_in(seqera_env, "alice")  # one organization: selected at login
    platform.control.clear_requests()
    result = ai("hello from the CLI", "--cwd", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Hello Alice Liddell (alice)! This is the mock Co-Scientist backend. I got your message in "
        "organization acme (81702924135038): hello from the CLI\n"
    )
    calls = backend_calls(platform)
    session_id = calls[1].split("/")[5]
    assert calls == [
        "POST /ai/v1/cli/sessions",
        f"POST /ai/v1/cli/sessions/{session_id}/messages",
        f"GET /ai/v1/cli/sessions/{session_id}/events",
        f"POST /ai/v1/cli/sessions/{session_id}/expire",
    ]
    token = seqera.Session(SeqeraSettings.from_environment(), seqera_env).access_token()
    listed = requests.get(
        f"{platform.base_url}/v1/cli/sessions",
        params={"cwd": str(tmp_path), "status": "expired"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()["sessions"]
    assert [(s["id"], s["organization_id"], s["title"]) for s in listed] == [
        (session_id, 81702924135038, "hello from the CLI")
    ]


def test_the_organization_switched_to_is_sent(seqera_env):
    log_in(seqera_env, "bob")  # two organizations: none selected until `org switch`
    assert "organization none" in ai("hi").stdout
    switched = CliRunner().invoke(cli, ["seqera", "org", "switch", "81702924135099"])
    assert switched.exit_code == 0, switched.output
    assert "organization beta-labs (81702924135099)" in ai("hi").stdout


def test_a_personal_access_token_from_the_environment(platform, seqera_env, monkeypatch):
    tokens = requests.post(
        f"{platform.issuer}/tokens",
        json={"name": "seqera-ai-headless"},
        headers={"Authorization": f"Bearer {platform.control.mint_token('carol')['access_token']}"},
        timeout=10,
    ).json()
    monkeypatch.setenv("SEQERA_ACCESS_TOKEN", tokens["accessKey"])
    result = ai("who am I?")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Hello Carol Danvers (carol)!")


def test_a_tool_call_runs_only_with_run_tools(platform, seqera_env, tmp_path):
    log_in(seqera_env, "alice")
    pipeline = tmp_path / "pipeline"
    pipeline.mkdir()
    (pipeline / "main.nf").write_text("workflow {}\n")
    platform.control.set_ai_script(TOOL_SCRIPT)
    try:
        ran = ai("run ls", "--cwd", str(pipeline), "--run-tools")
        assert ran.exit_code == 0, ran.output
        assert ran.stdout == "The command printed main.nf\n(exit code 0).\n"
        assert "[tool] $ ls" in ran.stderr

        refused = ai("run ls", "--cwd", str(pipeline))
        assert refused.exit_code == 0, refused.output
        assert refused.stdout == f"The command printed (exit code {co_scientist.NOT_RUN_EXIT_CODE}).\n"
        assert "[tool] not running: ls (pass --run-tools to allow it)" in refused.stderr
    finally:
        platform.control.clear_ai_script()
    assert len(platform.control.recent_requests(path="/ai/v1/cli/sessions/*/tool-results")) == 2


def test_out_of_credits_shows_the_backends_detail(platform, seqera_env):
    log_in(seqera_env, "alice")
    platform.control.set_ai_credits(0)
    platform.control.clear_requests()
    try:
        result = ai("anything")
    finally:
        platform.control.set_ai_credits(None)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Out of credits: You have run out of Co-Scientist credits.")
    assert backend_calls(platform)[-1].endswith("/expire"), "the session is ended all the same"


def test_a_session_the_backend_refuses(platform, seqera_env):
    log_in(seqera_env, "alice")
    platform.control.add_fault("/ai/v1/cli/sessions", method="POST", status=503, body={"message": "down"})
    result = ai("anything")
    assert result.exit_code == 1
    assert result.stderr == 'Error: Failed to create session: 503 {"message": "down"}\n'


def test_only_headless_is_offered(seqera_env):
    result = CliRunner().invoke(cli, ["seqera", "ai", "hello"])
    assert result.exit_code == 2
    assert "only --headless is supported" in result.output


def test_parse_events():
    lines = [
        ": connected",
        "",
        "id: 4",
        'data: {"type": "start"}',
        "",
        "data: {",
        'data: "type": "finish"}',
        "",
    ]
    assert list(co_scientist.parse_events(iter(lines), 3)) == [
        (4, {"type": "start"}),
        (4, {"type": "finish"}),
    ]
    assert list(co_scientist.parse_events(iter([": keepalive", ""]), 0)) == []
