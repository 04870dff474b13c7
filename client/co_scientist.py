"""``platform-auth seqera ai --headless MESSAGE``: one Co-Scientist exchange, as Seqera CLI 1.12.0 runs it.

The calls of seqera-contract.md §6.3: start a session (``POST {backend}/v1/cli/sessions``), send the
message, print the reply's ``text-delta`` events as the stream (Server-Sent Events) delivers them, and
end the session (``POST .../expire``) whatever happened; on Ctrl-C the reply is cancelled first. A
stream that ends before ``finish`` is opened again after the last event seen (``cursor``).

A ``tool-request`` event asks the client to run a command. With ``run_tools`` it runs in the
session's directory and its output goes back to ``tool-results``; without, the result says it was not
run (exit code 126). That event's shape is the mock's own (the contract shows only the result).
"""

import json
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import requests

from . import seqera
from .errors import ClientError, PlatformError
from .transport import json_object, send

NOT_RUN_EXIT_CODE = 126
TIMED_OUT_EXIT_CODE = 124
TOOL_TIMEOUT_SECONDS = 300
MAX_EMPTY_STREAMS = 3  # streams in a row that ended without a single event


class CoScientist:
    """The session calls of the Co-Scientist backend (``SEQERA_AI_BACKEND_URL``)."""

    def __init__(self, url: str, session: seqera.Session) -> None:
        self.url = url
        self.session = session

    def create_session(self, cwd: Path, organization_id: Any) -> str:
        body: dict[str, Any] = {
            "cwd": str(cwd),
            "approval_mode": "auto",
            "local_execution": True,
            "headless": True,
            "directory_context": {},
        }
        if organization_id is not None:
            body["organization_id"] = organization_id
        document = self._json("POST", "/v1/cli/sessions", "Failed to create session", json=body)
        session_id = document.get("session_id") or document.get("id")
        if not isinstance(session_id, str) or not session_id:
            raise PlatformError(f"Failed to create session: no session_id in {json.dumps(document)[:200]}")
        return session_id

    def send_message(self, session_id: str, content: str) -> None:
        body = {
            "type": "user_message",
            "content": content,
            "run_id": str(uuid.uuid4()),
            "verbose": False,
            "interaction_mode": "headless",
            "caller": "platform-auth",
        }
        response = self._call("POST", f"/v1/cli/sessions/{session_id}/messages", json=body)
        if response.status_code == 429:
            detail = json_object(response.text).get("detail") or response.text
            raise PlatformError(f"Out of credits: {detail}")
        _check(response, "Failed to send message")

    def cancel(self, session_id: str) -> None:
        response = self._call("POST", f"/v1/cli/sessions/{session_id}/messages", json={"type": "cancel"})
        _check(response, "Failed to cancel")

    def post_tool_result(self, session_id: str, request_id: str, result: dict[str, Any]) -> None:
        body = {"request_id": request_id, "result": result}
        _check(
            self._call("POST", f"/v1/cli/sessions/{session_id}/tool-results", json=body),
            "Failed to send tool result",
        )

    def expire(self, session_id: str) -> None:
        response = self._call("POST", f"/v1/cli/sessions/{session_id}/expire")
        if response.status_code != 404:  # already gone: what expiring wanted
            _check(response, "Failed to end session")

    def events(self, session_id: str, cursor: int) -> Iterator[tuple[int, dict[str, Any]]]:
        """(id, event) of one events stream, until the server ends it."""
        params = {"cursor": str(cursor)} if cursor else None
        headers = {"Accept": "text/event-stream", "X-Client-Explicit-Cancel": "1"}
        response = self._call(
            "GET", f"/v1/cli/sessions/{session_id}/events", params=params, headers=headers, stream=True
        )
        with response:
            _check(response, "Failed to stream events")
            try:
                yield from parse_events(response.iter_lines(decode_unicode=True), cursor)
            except requests.RequestException:
                return  # cut off: the caller opens the stream again after the last event it got

    def _call(
        self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> requests.Response:
        authorization = {"Authorization": f"Bearer {self.session.access_token()}"}
        return send(method, self.url + path, headers={**authorization, **(headers or {})}, **kwargs)

    def _json(self, method: str, path: str, what: str, **kwargs: Any) -> dict[str, Any]:
        response = self._call(method, path, **kwargs)
        _check(response, what)
        return json_object(response.text)


def parse_events(lines: Iterator[str], cursor: int) -> Iterator[tuple[int, dict[str, Any]]]:
    """Server-Sent Events: `id:` and `data:` lines up to a blank line make one event; comments are skipped."""
    event_id, data = cursor, []
    for line in lines:
        if line == "":
            if data:
                yield event_id, json.loads("\n".join(data))
            data = []
        elif line.startswith("data:"):
            data.append(line[len("data:") :].lstrip())
        elif line.startswith("id:"):
            event_id = int(line[len("id:") :].strip())


def run_headless(
    settings: seqera.SeqeraSettings, store: seqera.Store, message: str, cwd: Path, run_tools: bool
) -> None:
    backend = CoScientist(settings.backend_url, seqera.Session(settings, store))
    organization = store.read_metadata().get("selected_organization") or {}
    session_id = backend.create_session(cwd, organization.get("org_id"))
    try:
        backend.send_message(session_id, message)
        _print_reply(backend, session_id, cwd, run_tools)
    except KeyboardInterrupt:
        backend.cancel(session_id)
        raise
    finally:
        try:
            backend.expire(session_id)
        except ClientError as exc:
            click.secho(f"Could not end session {session_id}: {exc}", fg="yellow", err=True)


def _print_reply(backend: CoScientist, session_id: str, cwd: Path, run_tools: bool) -> None:
    cursor, empty_streams = 0, 0
    while empty_streams < MAX_EMPTY_STREAMS:
        empty_streams += 1
        for event_id, event in backend.events(session_id, cursor):
            cursor, empty_streams = event_id, 0
            kind = event.get("type")
            if kind == "text-delta":
                click.echo(event.get("delta", ""), nl=False)
            elif kind == "tool-request":
                result = run_tool(str(event.get("command", "")), cwd, run_tools)
                backend.post_tool_result(session_id, str(event.get("request_id")), result)
            elif kind == "finish":
                click.echo()
                if event.get("reason") == "cancelled":
                    raise PlatformError("The reply was cancelled")
                return
    raise PlatformError(
        f"The events stream of session {session_id} ended {MAX_EMPTY_STREAMS} times without an event or a finish"
    )


def run_tool(command: str, cwd: Path, run_tools: bool) -> dict[str, Any]:
    """Run what the assistant asked for (only with ``run_tools``), as the result the backend expects."""
    if not run_tools:
        click.secho(f"[tool] not running: {command} (pass --run-tools to allow it)", fg="yellow", err=True)
        return {
            "stdout": "",
            "stderr": "platform-auth did not run this command: pass --run-tools to run the commands the assistant asks for",
            "exit_code": NOT_RUN_EXIT_CODE,
        }
    click.secho(f"[tool] $ {command}", err=True)
    try:
        done = subprocess.run(  # noqa: S602 - a shell command is what the assistant asks for; opt-in
            command,
            shell=True,
            cwd=cwd,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=TOOL_TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        return {
            "stdout": "",
            "stderr": f"timed out after {TOOL_TIMEOUT_SECONDS} s",
            "exit_code": TIMED_OUT_EXIT_CODE,
        }
    click.secho(f"[tool] exit code {done.returncode}", err=True)
    return {"stdout": done.stdout, "stderr": done.stderr, "exit_code": done.returncode}


def _check(response: requests.Response, what: str) -> None:
    """The Seqera CLI's error text: ``<what>: <status> <body>``."""
    if not response.ok:
        raise PlatformError(f"{what}: {response.status_code} {response.text.strip()[:500]}")
