"""The backend under `mock-platform serve` (gunicorn gthread workers), as users run it: a client that
drops its events stream midway frees the thread, and sessions are shared by the workers."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import requests
import yaml

from ..reliability.served import Served, login, start

TIMEOUT = 30
# 634 deltas 0.2 s apart: a stream that nobody stops runs for two minutes, far longer than TIMEOUT.
LONG_REPLY = {"replies": [{"match": "^long", "delay": 0.2, "say": "word " * 1900}]}


def backend(served: Served) -> tuple[str, dict[str, str]]:
    tokens = login(requests.Session(), served.issuer, "alice").tokens
    return f"{served.base_url}/ai/v1/cli/sessions", {"Authorization": f"Bearer {tokens['access_token']}"}


def new_session(sessions: str, headers: dict[str, str], message: str) -> str:
    session_id = requests.post(sessions, json={"cwd": "/w"}, headers=headers, timeout=TIMEOUT).json()["id"]
    sent = {"type": "user_message", "content": message}
    assert requests.post(f"{sessions}/{session_id}/messages", json=sent, headers=headers, timeout=TIMEOUT).ok
    return session_id


def data_of(stream: requests.Response) -> list[dict]:
    return [
        json.loads(line[len("data: ") :]) for line in stream.text.splitlines() if line.startswith("data: ")
    ]


def read_then_drop(served: Served, session_id: str, headers: dict[str, str]) -> bytes:
    """Read the stream until the first text-delta, then close the connection mid-stream."""
    request = (
        f"GET /ai/v1/cli/sessions/{session_id}/events HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\n"
        f"Authorization: {headers['Authorization']}\r\nAccept: text/event-stream\r\n"
        "X-Client-Explicit-Cancel: 1\r\n\r\n"
    )
    received = b""
    with socket.create_connection(("127.0.0.1", served.port), timeout=TIMEOUT) as sock:
        sock.sendall(request.encode())
        while b'"text-delta"' not in received:
            chunk = sock.recv(4096)
            assert chunk, f"the stream ended early: {received[-300:]!r}"
            received += chunk
    return received


def test_dropped_streams_leave_the_worker_healthy(tmp_path: Path):
    script = tmp_path / "long.yml"
    script.write_text(yaml.safe_dump(LONG_REPLY))
    args = ("--workers", "1", "--threads", "2", "--ai-script", str(script), "--ai-stream-limit", "55")
    served = start(tmp_path / "data", *args)
    try:
        sessions, headers = backend(served)
        workers = served.workers()
        for _ in range(4):  # twice the worker's threads: each dropped stream must give its thread back
            received = read_then_drop(served, new_session(sessions, headers, "long please"), headers)
            assert b"text/event-stream" in received
        session_id = new_session(sessions, headers, "hello")
        stream = requests.get(f"{sessions}/{session_id}/events", headers=headers, timeout=TIMEOUT)
        assert data_of(stream)[-1] == {"type": "finish"}
        assert requests.get(f"{served.base_url}/healthz", timeout=TIMEOUT).status_code == 200
        assert served.workers() == workers, "the worker was not restarted"
        log = served.log_text()
        assert "Traceback" not in log and "WORKER TIMEOUT" not in log, log[-2000:]
    finally:
        served.stop()


def test_workers_share_the_sessions(tmp_path: Path):
    served = start(tmp_path / "data", "--workers", "2", "--threads", "2")
    try:
        sessions, headers = backend(served)
        for round_ in range(6):  # a new connection each time: any worker may answer any call
            session_id = new_session(sessions, headers, f"round {round_}")
            stream = requests.get(f"{sessions}/{session_id}/events", headers=headers, timeout=TIMEOUT)
            events = data_of(stream)
            assert events[-1] == {"type": "finish"}
            assert "".join(event.get("delta", "") for event in events).endswith(f"round {round_}")
            history = requests.get(f"{sessions}/{session_id}/messages", headers=headers, timeout=TIMEOUT)
            assert [m["role"] for m in history.json()["messages"]] == ["user", "assistant"]
        listed = requests.get(
            f"{served.base_url}/v1/cli/sessions?limit=100", headers=headers, timeout=TIMEOUT
        )
        assert len(listed.json()["sessions"]) == 6
    finally:
        served.stop()
