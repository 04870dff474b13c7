"""The Co-Scientist part of openapi.json is complete: a tour through the backend meets every documented
answer (but 401, which tests/platform_api/test_auth covers), each checked against its schema, the event
stream's events included."""

from __future__ import annotations

import pytest

from ..platform_api.openapi_check import documented_responses
from .conftest import ACME, Backend


def test_every_documented_backend_answer_is_exercised(start_platform, backend_for):
    server = start_platform()
    alice: Backend = backend_for(server)
    seen = alice.api.checker.seen
    seen.clear()
    sessions = "/v1/cli/sessions"
    for path in ("/", "/v1/cli/organizations", "/v1/cli/user-info", "/v1/cli/service-info", "/v1/cli/skills"):
        alice.get(path)
    alice.get("/v1/cli/credits", params={"org_id": ACME})
    alice.get("/v1/cli/credits", params={"org_id": "x"})
    alice.get("/v1/cli/credits", params={"org_id": 1})
    alice.post(sessions, {"cwd": ""})
    alice.post(sessions, {"cwd": "/w", "organization_id": 1})
    session_id = alice.start("/w", organization_id=ACME)
    alice.get(sessions, params={"cwd": "/w"})
    alice.api.get(server.base_url + sessions, headers=alice.headers)
    alice.get(sessions, params={"limit": "x"})
    here = f"{sessions}/{session_id}"
    nowhere = f"{sessions}/nowhere"
    server.control.set_ai_script(
        {"replies": [{"steps": [{"say": "Let me look."}, {"run": "ls"}, {"say": "{stdout}"}]}]}
    )
    alice.send(session_id, "what is here?")
    request_id = next(
        e for e in alice.events(session_id, history_only="true") if e["type"] == "tool-request"
    )["request_id"]
    alice.send(session_id, "and now?")  # 409: the reply waits for the tool result
    alice.post(f"{here}/messages", {"type": "nonsense"})
    alice.post(f"{nowhere}/messages", {"type": "cancel"})
    alice.post(f"{here}/tool-results", {"request_id": request_id})
    alice.post(f"{here}/tool-results", {"request_id": "call_none", "result": {"exit_code": 0}})
    alice.post(
        f"{here}/tool-results", {"request_id": request_id, "result": {"stdout": "main.nf", "exit_code": 0}}
    )
    alice.post(f"{here}/tool-results", {"request_id": request_id, "result": {"exit_code": 0}})
    alice.get(f"{here}/events")
    alice.get(f"{here}/events", params={"cursor": "x"})
    alice.get(f"{nowhere}/events")
    alice.get(f"{here}/messages")
    alice.get(f"{nowhere}/messages")
    server.control.set_ai_credits(0)
    alice.send(session_id, "out of credits")
    alice.post(f"{here}/expire")
    alice.post(f"{nowhere}/expire")
    alice.post("/v1/cli/telemetry/crash", {"error": "boom"})
    alice.post("/v1/cli/telemetry/crash", [])
    documented = documented_responses(alice.api.checker.document, tag="co-scientist")
    assert documented - seen == set(), "documented but never seen"
    assert ("get", "/v1/cli/sessions/{sessionId}/events", 200) in seen


def test_the_checker_validates_each_streamed_event(alice: Backend):
    session_id = alice.start()
    alice.send(session_id, "hi")
    response = alice.stream(session_id)
    alice.api.checker.check(response)
    response._content = response.content.replace(b'"type": "finish"', b'"type": "finished"')
    with pytest.raises(AssertionError, match="does not match the schema"):
        alice.api.checker.check(response)
