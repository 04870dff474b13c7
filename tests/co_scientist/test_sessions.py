"""Sessions: create, list (also at the server root, the CLI's quirk), expire; who may see them; bad input;
stored like all other state (kept across a restart, cleared by reset); credits, skills, crash reports."""

from __future__ import annotations

import pytest
import requests

from mock_platform.testing import run_server

from .conftest import ACME, Backend, bearer, login


def test_create_list_and_expire(alice: Backend, platform):
    cwd = "/home/alice/test_create_list_and_expire"
    first, second = alice.start(cwd), alice.start(cwd, organization_id=ACME)
    other = alice.start(cwd + "-elsewhere")
    listed = alice.get("/v1/cli/sessions", params={"cwd": cwd}).json()["sessions"]
    assert [session["session_id"] for session in listed] == [second, first]
    assert listed[0]["organization_id"] == ACME and listed[1]["organization_id"] is None
    assert {session["status"] for session in listed} == {"active"}
    assert [
        s["id"] for s in alice.get("/v1/cli/sessions", params={"cwd": cwd, "limit": 1}).json()["sessions"]
    ] == [second]

    expired = alice.post(f"/v1/cli/sessions/{first}/expire")
    assert expired.status_code == 200
    assert expired.json()["status"] == "expired"
    query = {"limit": 10, "cwd": cwd, "status": "expired"}
    assert [s["id"] for s in alice.get("/v1/cli/sessions", params=query).json()["sessions"]] == [first]
    query["status"] = "active"
    assert [s["id"] for s in alice.get("/v1/cli/sessions", params=query).json()["sessions"]] == [second]
    everything = {s["id"] for s in alice.get("/v1/cli/sessions", params={"limit": 100}).json()["sessions"]}
    assert {first, second, other} <= everything


def test_the_session_list_is_also_at_the_server_root(alice: Backend, platform):
    """`seqera ai -c` asks `new URL("/v1/cli/sessions?...", backend)`, which drops `/ai`."""
    cwd = "/home/alice/test_the_session_list_is_also_at_the_server_root"
    session_id = alice.start(cwd)
    alice.post(f"/v1/cli/sessions/{session_id}/expire")
    query = {"limit": 10, "cwd": cwd, "status": "expired"}
    at_root = alice.api.get(platform.base_url + "/v1/cli/sessions", params=query, headers=alice.headers)
    assert at_root.status_code == 200
    assert at_root.json() == alice.get("/v1/cli/sessions", params=query).json()
    assert [session["id"] for session in at_root.json()["sessions"]] == [session_id]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/cli/sessions"),
        ("GET", "/v1/cli/organizations"),
        ("GET", "/v1/cli/credits"),
        ("POST", "/v1/cli/sessions/x/messages"),
        ("GET", "/"),
    ],
)
def test_nothing_else_is_at_the_server_root(alice: Backend, platform, method, path):
    response = alice.api.request(method, platform.base_url + path, json={"cwd": "/w"}, headers=alice.headers)
    assert response.status_code == (405 if path == "/v1/cli/sessions" else 404)
    assert response.json()["message"]


def test_sessions_are_private(alice: Backend, platform, backend_for):
    session_id = alice.start("/home/alice/private")
    bob = backend_for(platform, "bob")
    assert session_id not in {
        s["id"] for s in bob.get("/v1/cli/sessions", params={"limit": 100}).json()["sessions"]
    }
    for method, path in (
        ("POST", "messages"),
        ("GET", "messages"),
        ("GET", "events"),
        ("POST", "tool-results"),
        ("POST", "expire"),
    ):
        body = {"type": "user_message", "content": "hi"} if path == "messages" else {}
        response = bob.api.request(
            method, bob.url(f"/v1/cli/sessions/{session_id}/{path}"), json=body, headers=bob.headers
        )
        assert response.status_code == 404, (method, path)
    assert alice.get(f"/v1/cli/sessions/{session_id}/messages").status_code == 200


@pytest.mark.parametrize("session_id", ["no-such-session", "0" * 36, "x" * 300, "%00"])
def test_an_unknown_session_is_a_json_404(alice: Backend, session_id):
    for method, path in (("POST", "messages"), ("GET", "messages"), ("GET", "events"), ("POST", "expire")):
        body = {"type": "user_message", "content": "hi"}
        response = alice.api.request(
            method, alice.url(f"/v1/cli/sessions/{session_id}/{path}"), json=body, headers=alice.headers
        )
        assert response.status_code == 404
        assert "start one with POST /v1/cli/sessions" in response.json()["message"]


def test_organization_must_be_one_of_the_callers(alice: Backend, platform, backend_for):
    refused = alice.post("/v1/cli/sessions", {"cwd": "/w", "organization_id": 81702924135099})
    assert refused.status_code == 403
    assert refused.json()["message"].startswith(
        "organization_id: alice is not a member of organization 81702924135099"
    )
    assert alice.get("/v1/cli/credits", params={"org_id": 81702924135099}).status_code == 403
    bob = backend_for(platform, "bob")
    assert bob.post("/v1/cli/sessions", {"cwd": "/w", "organization_id": 81702924135099}).status_code == 200
    as_text = alice.post("/v1/cli/sessions", {"cwd": "/w", "organization_id": str(ACME)})
    assert (as_text.status_code, as_text.json()["organization_id"]) == (200, ACME)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/cli/sessions", None, "the body must be a JSON object"),
        ("/v1/cli/sessions", [], "the body must be a JSON object"),
        ("/v1/cli/sessions", {}, "cwd: required"),
        ("/v1/cli/sessions", {"cwd": " "}, "cwd: must be a directory path"),
        ("/v1/cli/sessions", {"cwd": 7}, "cwd: expected a directory path"),
        ("/v1/cli/sessions", {"cwd": "/w", "headless": "yes"}, "headless: expected true or false"),
        ("/v1/cli/sessions", {"cwd": "/w", "local_execution": 1}, "local_execution: expected true or false"),
        ("/v1/cli/sessions", {"cwd": "/w", "approval_mode": 5}, "approval_mode: expected a string"),
        (
            "/v1/cli/sessions",
            {"cwd": "/w", "directory_context": "x"},
            "directory_context: expected a JSON object",
        ),
        (
            "/v1/cli/sessions",
            {"cwd": "/w", "organization_id": "acme"},
            "organization_id: must be an organization id",
        ),
        (
            "/v1/cli/sessions",
            {"cwd": "/w", "organization_id": -1},
            "organization_id: must be an organization id",
        ),
        (
            "/v1/cli/sessions",
            {"cwd": "/w", "organization_id": True},
            "organization_id: expected an organization id",
        ),
        ("{session}/messages", {}, "type: required, one of cancel, user_message"),
        ("{session}/messages", {"type": "shout"}, "type: must be one of cancel, user_message"),
        ("{session}/messages", {"type": "user_message"}, "content: required"),
        ("{session}/messages", {"type": "user_message", "content": ""}, "content: must be"),
        ("{session}/messages", {"type": "user_message", "content": "x" * 100_001}, "content: must be"),
        (
            "{session}/messages",
            {"type": "user_message", "content": "hi", "verbose": "no"},
            "verbose: expected true or false",
        ),
        (
            "{session}/messages",
            {"type": "user_message", "content": "hi", "run_id": 3},
            "run_id: expected a string",
        ),
        ("{session}/tool-results", {}, "request_id: required"),
        ("{session}/tool-results", {"request_id": "call_1"}, "result: required"),
        ("{session}/tool-results", {"request_id": "call_1", "result": {}}, "result.exit_code: required"),
        (
            "{session}/tool-results",
            {"request_id": "call_1", "result": {"exit_code": "0"}},
            "result.exit_code",
        ),
        (
            "{session}/tool-results",
            {"request_id": "c", "result": {"exit_code": 0, "stdout": 1}},
            "result.stdout",
        ),
        (
            "{session}/tool-results",
            {"request_id": "c", "result": {"exit_code": 0, "stderr": []}},
            "result.stderr",
        ),
        ("/v1/cli/telemetry/crash", "boom", "the body must be a JSON object"),
    ],
)
def test_a_malformed_body_is_a_400_naming_the_field(alice: Backend, path, body, field):
    if path.startswith("{session}"):
        path = path.replace("{session}", f"/v1/cli/sessions/{alice.start()}")
    response = alice.post(path, body)
    assert response.status_code == 400
    assert response.json()["message"].startswith(field)


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/v1/cli/sessions", {"limit": "0"}, "limit: must be a whole number from 1 to 100"),
        ("/v1/cli/sessions", {"limit": "ten"}, "limit: expected a whole number from 1 to 100"),
        ("/v1/cli/sessions", {"limit": "9" * 400}, "limit: must be"),
        ("/v1/cli/sessions", {"status": "running"}, "status: must be one of active, expired"),
        ("{session}/events", {"cursor": "-1"}, "cursor: must be the id of the last event seen"),
        ("{session}/events", {"history_only": "maybe"}, "history_only: expected true or false"),
        ("/v1/cli/credits", {"org_id": "acme"}, "org_id: expected an organization id"),
    ],
)
def test_a_malformed_query_is_a_400_naming_the_parameter(alice: Backend, path, query, field):
    if path.startswith("{session}"):
        path = path.replace("{session}", f"/v1/cli/sessions/{alice.start()}")
    response = alice.get(path, params=query)
    assert response.status_code == 400
    assert response.json()["message"].startswith(field)


def test_sessions_survive_a_restart_and_reset_clears_them(tmp_path):
    data_dir = tmp_path / "data"
    with run_server(data_dir) as first:
        token = bearer(login(first, "alice", "seqera_ai_cli")["access_token"])
        backend = f"{first.base_url}/ai/v1/cli/sessions"
        session_id = requests.post(backend, json={"cwd": "/kept"}, headers=token, timeout=10).json()["id"]
        sent = {"type": "user_message", "content": "remember me"}
        assert requests.post(f"{backend}/{session_id}/messages", json=sent, headers=token, timeout=10).ok
    with run_server(data_dir) as second:
        token = bearer(login(second, "alice", "seqera_ai_cli")["access_token"])
        backend = f"{second.base_url}/ai/v1/cli/sessions"
        history = requests.get(f"{backend}/{session_id}/messages", headers=token, timeout=10).json()[
            "messages"
        ]
        assert [(m["role"], m["content"][:11]) for m in history] == [
            ("user", "remember me"),
            ("assistant", "Hello Alice"),
        ]
        second.control.reset()
        token = bearer(login(second, "alice", "seqera_ai_cli")["access_token"])
        assert requests.get(f"{backend}/{session_id}/messages", headers=token, timeout=10).status_code == 404
        assert requests.get(backend, headers=token, timeout=10).json() == {"sessions": []}


def test_credits_skills_and_crash_reports(alice: Backend):
    credits = alice.get("/v1/cli/credits", params={"org_id": ACME})
    assert credits.json() == {"org_id": ACME, "balance": None, "unlimited": True}
    assert alice.get("/v1/cli/credits").json()["org_id"] is None
    skills = alice.get("/v1/cli/skills").json()["skills"]
    assert skills and all(skill["name"] and skill["description"] for skill in skills)
    crash = alice.post("/v1/cli/telemetry/crash", {"error": "TypeError", "stack": "at main.js:1"})
    assert (crash.status_code, crash.json()) == (200, {})
