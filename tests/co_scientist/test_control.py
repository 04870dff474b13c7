"""Steering the backend: the ai_script setting, /_mock/ai/script and /_mock/ai/credits, and faults
injected on its endpoints like on any other."""

from __future__ import annotations

import pytest
import requests
from click.testing import CliRunner

from mock_platform.cli import main
from mock_platform.errors import ConfigError
from mock_platform.testing import ControlError, run_server

from .conftest import bearer, login

SCRIPT_YAML = """\
replies:
  - match: "^hello"
    say: "Hello from the script, {name}."
"""


@pytest.fixture
def scripted(tmp_path, start_platform):
    """A mock started with the ai_script setting, and that script's file."""
    script = tmp_path / "script.yml"
    script.write_text(SCRIPT_YAML)
    return start_platform(ai_script=str(script)), script


def test_the_ai_script_setting(scripted, backend_for):
    server, script = scripted
    alice = backend_for(server)
    session_id = alice.start()
    assert alice.ask(session_id, "hello?") == "Hello from the script, Alice Liddell."
    assert alice.ask(session_id, "bye").startswith("Hello Alice Liddell (alice)!"), (
        "no match: the built-in reply"
    )
    assert server.control.ai_script() == {
        "source": str(script),
        "replies": [{"match": "^hello", "say": "Hello from the script, {name}."}],
    }


def test_a_bad_ai_script_setting_stops_the_start_naming_file_and_field(tmp_path):
    script = tmp_path / "script.yml"
    script.write_text("replies:\n  - say: '{nobody}'\n")
    expected = r"ai_script: .*script\.yml: replies\[0\]\.say: unknown placeholder"
    with pytest.raises(ConfigError, match=expected), run_server(tmp_path / "data", ai_script=str(script)):
        pass
    checked = CliRunner().invoke(
        main, ["check-config", "--data-dir", str(tmp_path / "d"), "--ai-script", str(script)]
    )
    assert checked.exit_code == 1
    assert "unknown placeholder {nobody}" in checked.output
    script.write_text(SCRIPT_YAML)
    checked = CliRunner().invoke(
        main, ["check-config", "--data-dir", str(tmp_path / "d"), "--ai-script", str(script)]
    )
    assert checked.exit_code == 0, checked.output
    assert f"co-scientist script: {script} (1 canned replies)" in checked.output


def test_the_control_api_sets_shows_and_clears_the_script(scripted, backend_for):
    server, setting = scripted
    alice = backend_for(server)
    session_id = alice.start()
    view = server.control.set_ai_script({"replies": [{"match": "hello", "say": "Hi via JSON"}]})
    assert view["source"] == "control API"
    assert alice.ask(session_id, "hello") == "Hi via JSON"

    as_yaml = server.control.http.put(
        f"{server.base_url}/_mock/ai/script",
        data='replies:\n  - say: "Hi via YAML"\n',
        headers={"Content-Type": "application/yaml"},
        timeout=10,
    )
    assert as_yaml.status_code == 200, as_yaml.text
    assert alice.ask(session_id, "hello") == "Hi via YAML"

    assert server.control.clear_ai_script()["source"] == str(setting)
    assert alice.ask(session_id, "hello") == "Hello from the script, Alice Liddell."
    server.control.set_ai_script({"replies": [{"say": "set, then reset"}]})
    server.control.reset()
    assert server.control.ai_script()["source"] == str(setting), "reset forgets the control API's script"


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (
            '{"replies": [{"match": "("}]}',
            "application/json",
            "replies[0].match: not a valid regular expression",
        ),
        (
            '{"replies": "hi"}',
            "application/json",
            'replies: expected a list of at most 200 replies, got "hi"',
        ),
        ("not json", "application/json", "expected a JSON object with replies, got null"),
        ("replies: [", "application/yaml", "the body is not valid YAML"),
    ],
)
def test_a_bad_script_from_the_control_api_is_a_400(platform, body, content_type, message):
    response = platform.control.http.put(
        f"{platform.base_url}/_mock/ai/script", data=body, headers={"Content-Type": content_type}, timeout=10
    )
    assert response.status_code == 400
    assert response.json()["message"].startswith(message)
    assert platform.control.ai_script()["source"] == "built-in reply"


def test_credits_run_out_with_a_429_and_its_detail(start_platform, backend_for):
    server = start_platform()
    alice = backend_for(server)
    session_id = alice.start()
    assert server.control.set_ai_credits(2) == {"balance": 2, "unlimited": False}
    assert alice.send(session_id, "one").status_code == 200
    assert alice.get("/v1/cli/credits").json()["balance"] == 1
    assert alice.send(session_id, "two").status_code == 200
    refused = alice.send(session_id, "three")
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("You have run out of Co-Scientist credits.")
    assert [event["type"] for event in alice.events(session_id)].count("start") == 2, "two replies"
    assert alice.get("/v1/cli/credits").json() == {"org_id": None, "balance": 0, "unlimited": False}
    assert server.control.set_ai_credits(None) == {"balance": None, "unlimited": True}
    assert alice.send(session_id, "four").status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "balance: required"),
        ({"balance": -1}, "balance: must be a whole number"),
        ({"balance": "5"}, "balance"),
    ],
)
def test_a_bad_credit_balance_is_a_400(platform, body, message):
    with pytest.raises(ControlError) as raised:
        platform.control.call("PUT", "/ai/credits", body)
    assert raised.value.status == 400
    assert raised.value.message.startswith(message)


def test_faults_on_backend_endpoints(start_platform):
    """Injected answers are not in the OpenAPI document: plain requests, not the checked session."""
    server = start_platform()
    token = bearer(login(server, "alice", "seqera_ai_cli")["access_token"])
    sessions = f"{server.base_url}/ai/v1/cli/sessions"
    server.control.add_fault("/ai/v1/cli/sessions", method="POST", status=503)
    failed = requests.post(sessions, json={"cwd": "/w"}, headers=token, timeout=10)
    assert failed.status_code == 503
    assert "injected" in failed.json()["message"]
    session_id = requests.post(sessions, json={"cwd": "/w"}, headers=token, timeout=10).json()["id"]
    server.control.add_fault("/ai/v1/cli/sessions/*/events", status=500, body={"detail": "stream broke"})
    broken = requests.get(f"{sessions}/{session_id}/events", headers=token, timeout=10)
    assert (broken.status_code, broken.json()) == (500, {"detail": "stream broke"})
    server.control.add_fault("/v1/cli/sessions", method="GET", status=502)
    assert requests.get(f"{server.base_url}/v1/cli/sessions", headers=token, timeout=10).status_code == 502
    assert requests.get(f"{server.base_url}/v1/cli/sessions", headers=token, timeout=10).status_code == 200
    after = requests.get(f"{sessions}/{session_id}/events?history_only=true", headers=token, timeout=10)
    assert after.status_code == 200


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"MOCK_PLATFORM_AI_STREAM_LIMIT": "60"},
            "MOCK_PLATFORM_AI_STREAM_LIMIT: must be a whole number of seconds from 1 to 55",
        ),
        (
            {"MOCK_PLATFORM_AI_STREAM_LIMIT": "0"},
            "MOCK_PLATFORM_AI_STREAM_LIMIT: must be a whole number of seconds from 1 to 55",
        ),
        (
            {"MOCK_PLATFORM_AI_SCRIPT": "/nonexistent/script.yml"},
            "ai_script: /nonexistent/script.yml: cannot read it",
        ),
    ],
)
def test_bad_co_scientist_settings_are_reported(tmp_path, env, message):
    checked = CliRunner().invoke(main, ["check-config", "--data-dir", str(tmp_path)], env=env)
    assert checked.exit_code == 1
    assert message in checked.output
