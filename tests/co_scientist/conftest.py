"""Fixtures for the Co-Scientist backend: the Platform API tests' mocks and OpenAPI-checked sessions,
and `Backend`, one caller's view of the backend with helpers for sessions and their event streams."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from mock_platform.testing import RunningServer

# The Platform API tests' fixtures, imported to be used here too (F811: fixture parameters share their names).
from ..platform_api.conftest import (  # noqa: F401
    PlatformSession,
    api,
    bearer,
    login,
    platform,
    session_for,
    start_platform,
)
from ..platform_api.openapi_check import sse_data

ACME = 81702924135038
BETA_LABS = 89712300011001


class Backend:
    """One caller at the Co-Scientist backend of one mock; every answer is checked against openapi.json."""

    def __init__(self, api: PlatformSession, headers: dict[str, str]) -> None:  # noqa: F811
        self.api = api
        self.headers = headers

    def url(self, path: str) -> str:
        return self.api.ai(path)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.api.get(self.url(path), headers=self.headers, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
        return self.api.post(self.url(path), json=body, headers=self.headers, **kwargs)

    def start(self, cwd: str = "/home/me/pipeline", **body: Any) -> str:
        response = self.post("/v1/cli/sessions", {"cwd": cwd, "headless": True, **body})
        assert response.status_code == 200, response.text
        return response.json()["session_id"]

    def send(self, session_id: str, content: str) -> requests.Response:
        return self.post(
            f"/v1/cli/sessions/{session_id}/messages", {"type": "user_message", "content": content}
        )

    def stream(self, session_id: str, **params: Any) -> requests.Response:
        response = self.get(f"/v1/cli/sessions/{session_id}/events", params=params)
        assert response.status_code == 200, response.text
        return response

    def events(self, session_id: str, **params: Any) -> list[dict[str, Any]]:
        return sse_data(self.stream(session_id, **params).text)

    def last_event_id(self, session_id: str) -> int:
        ids = [
            line
            for line in self.stream(session_id, history_only="true").text.splitlines()
            if line.startswith("id: ")
        ]
        return int(ids[-1].removeprefix("id: ")) if ids else 0

    def ask(self, session_id: str, content: str) -> str:
        """Send `content`, read the stream from after the last event to its end, return the reply's text."""
        cursor = self.last_event_id(session_id)
        assert self.send(session_id, content).status_code == 200
        return reply_text(self.events(session_id, cursor=cursor))


def reply_text(events: list[dict[str, Any]]) -> str:
    return "".join(event["delta"] for event in events if event["type"] == "text-delta")


@pytest.fixture
def backend_for(session_for: Callable[[RunningServer], PlatformSession]) -> Callable[..., Backend]:  # noqa: F811
    """`backend_for(server, user="alice", client_id="seqera_ai_cli")`: that user's Backend on that mock."""

    def make(server: RunningServer, user: str = "alice", client_id: str = "seqera_ai_cli") -> Backend:
        return Backend(session_for(server), bearer(login(server, user, client_id)["access_token"]))

    return make


@pytest.fixture
def alice(platform: RunningServer, backend_for: Callable[..., Backend]) -> Backend:  # noqa: F811
    return backend_for(platform)
