"""pytest fixtures for projects that test their login code against the mock (entry point `mock_platform`).

    def test_admin_login(mock_platform, oidc_login):
        mock_platform.control.queue_identity("bob", claims={"role": "admin"})
        tokens = oidc_login(user=None)                     # bob, from the queue
        mock_platform.control.add_fault("token", error="invalid_grant")

    @pytest.mark.settings(api_path="")                     # this test gets its own server
    def test_cloud_shape(mock_platform): ...

Every pytest run that has this distribution installed loads this module, so it imports only pytest;
the mock, requests and Playwright are imported inside the fixtures that need them.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from .client_check import Report
    from .testing import RunningServer


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "settings(**kwargs): settings for the mock_platform fixture of this test (its own server)"
    )


@pytest.fixture(scope="session")
def mock_platform_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The server behind `mock_platform`: one per test session, on 127.0.0.1 and a free port."""
    from .testing import run_server

    with run_server(tmp_path_factory.mktemp("mock-platform")) as server:
        yield server


@pytest.fixture
def mock_platform(request: pytest.FixtureRequest, mock_platform_factory: Callable[..., Any]) -> RunningServer:
    """A running mock reset to its seed (`.issuer`, `.base_url`, `.control`); shared by the session's tests,
    unless the test has `@pytest.mark.settings(...)`, which gives it a server of its own."""
    marker = request.node.get_closest_marker("settings")
    if marker is not None:
        return mock_platform_factory(**marker.kwargs)
    server: RunningServer = request.getfixturevalue("mock_platform_session")
    server.control.reset()
    return server


@pytest.fixture
def mock_platform_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Any]]:
    """Start more servers, stopped after the test: `mock_platform_factory(api_path="", clients=[...],
    users=[...], organizations=[...])`, the lists in the shape of clients.yml and directory.yml."""
    from .testing import run_server

    with ExitStack() as stack:

        def start(**settings: Any) -> RunningServer:
            return stack.enter_context(run_server(tmp_path_factory.mktemp("mock-platform"), **settings))

        yield start


@pytest.fixture
def oidc_login(request: pytest.FixtureRequest) -> Callable[..., dict[str, Any]]:
    """`oidc_login(client_id="nextflow_cli", user="alice", scope=..., server=None)`: a headless
    code + PKCE login (login_hint) on `mock_platform`, or on `server`; returns the token response."""
    from .testing import DEFAULT_SCOPE
    from .testing import oidc_login as login

    def run(
        client_id: str = "nextflow_cli",
        user: str | None = "alice",
        scope: str = DEFAULT_SCOPE,
        *,
        server: RunningServer | None = None,
        **options: Any,
    ) -> dict[str, Any]:
        return login(server or request.getfixturevalue("mock_platform"), client_id, user, scope, **options)

    return run


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Browser]:
    """Headless Chromium for the session: the system one where there is one, else Playwright's own.
    Without a usable browser the tests that need it are skipped, but fail when CI=true."""
    from headless_chromium import chromium_install_hint, launch_chromium, playwright_install_hint

    try:
        browser = launch_chromium()
    except ImportError:
        _no_browser(f"Playwright is not installed: {playwright_install_hint()}")
    except Exception as error:  # Playwright's Error, or an OSError from a bad executable path
        _no_browser(
            f"no usable Chromium ({type(error).__name__}: {str(error).splitlines()[0]}); "
            + chromium_install_hint()
        )
    yield browser
    browser.close()


def _no_browser(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def chromium_page(chromium_browser: Browser) -> Iterator[Page]:
    """A fresh page (own cookies) in the session's Chromium."""
    context = chromium_browser.new_context()
    yield context.new_page()
    context.close()


@pytest.fixture
def check_client(chromium_browser: Browser) -> Callable[..., Report]:
    """`check_client(login, refresh=None, logout=None, profile=None, cases=None, **options)`: what
    `mock-platform check-client` does, from a test, on the session's Chromium. Commands are strings
    (split as a shell would) or lists, with {issuer}, {base_url} and {ai_url}; `options` are those of
    `CheckSettings` (stdin, time_limit, slow, mock_config, user, password). Returns the report:
    `.ok` (no MUST failed), `.summary`, `.lines()`, `.result("CLI-14")`, `.write(path)`.

        def test_login_contract(check_client):
            report = check_client("mycli login --url {issuer}", logout="mycli logout")
            assert report.ok, "\\n".join(report.lines())
    """
    from .client_check import CheckSettings, check

    def words(command: str | Sequence[str] | None) -> tuple[str, ...] | None:
        if command is None:
            return None
        return tuple(shlex.split(command) if isinstance(command, str) else command)

    def run(
        login: str | Sequence[str],
        *,
        refresh: str | Sequence[str] | None = None,
        logout: str | Sequence[str] | None = None,
        cases: Sequence[str] | None = None,
        **options: Any,
    ) -> Report:
        settings = CheckSettings(
            login=words(login) or (),
            refresh=words(refresh),
            logout=words(logout),
            cases=frozenset(cases) if cases else None,
            **options,
        )
        return check(settings, browser=chromium_browser)

    return run
