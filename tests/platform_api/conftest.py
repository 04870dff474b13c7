"""Fixtures for the Platform REST API tests: private servers, OIDC logins, and HTTP sessions whose
every response is checked against the server's own openapi.json."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
import requests

from mock_platform.testing import RunningServer, run_server

from ..oidc_flows import login_tokens
from .openapi_check import OpenApiChecker

TIMEOUT = 10


class PlatformSession(requests.Session):
    """requests to one mock: relative URLs go to the issuer, `ai()` builds Co-Scientist URLs, and
    every response is checked against the mock's openapi.json before the test sees it."""

    def __init__(self, server: RunningServer, checker: OpenApiChecker) -> None:
        super().__init__()
        self.server = server
        self.checker = checker
        self.hooks["response"].append(lambda response, *args, **kwargs: checker.check(response))

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT)
        if isinstance(url, str) and url.startswith("/"):
            url = self.server.issuer + url
        return super().request(method, url, *args, **kwargs)

    def ai(self, path: str) -> str:
        return self.server.base_url + self.server.settings.ai_path + path


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def basic(token: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"@token:{token}".encode()).decode()}


def login(server: RunningServer, user: str = "alice", client_id: str = "nextflow_cli") -> dict[str, Any]:
    """The token response of a headless code + PKCE login of `user` at `client_id`."""
    redirect_uri = "http://127.0.0.1:53682/callback"
    return login_tokens(server.issuer, login_hint=user, client_id=client_id, redirect_uri=redirect_uri)


def advance_clock(server: RunningServer, seconds: float) -> None:
    """Move the mock clock (what the control API's clock does) without sleeping."""
    server.app.extensions["mock_platform"].store.set_clock_offset(seconds)


@pytest.fixture(scope="session")
def session_for() -> Callable[[RunningServer], PlatformSession]:
    """A checked session for a server, against the openapi.json that server serves."""

    def make(server: RunningServer) -> PlatformSession:
        response = requests.get(server.issuer + "/openapi.json", timeout=TIMEOUT)
        assert response.status_code == 200, response.text
        return PlatformSession(server, OpenApiChecker(response.json()))

    return make


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A private mock per test module: tests may create and delete tokens, never move its clock."""
    with run_server(tmp_path_factory.mktemp("platform-api")) as server:
        yield server


@pytest.fixture
def start_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., RunningServer]]:
    """Start fresh mocks with settings of the test's own (clock moves, defects, paths)."""
    with ExitStack() as stack:

        def start(**settings: Any) -> RunningServer:
            return stack.enter_context(run_server(tmp_path_factory.mktemp("platform-api"), **settings))

        yield start


@pytest.fixture
def api(platform: RunningServer, session_for: Callable[[RunningServer], PlatformSession]) -> PlatformSession:
    return session_for(platform)
