"""One scenario's world: a fresh mock on a free loopback port behind the tap, a throwaway HOME, and
the client's commands run in it with the placeholders filled in.

The mock runs in this process (`run_server`), not as a `mock-platform serve` subprocess: the tap and
the endpoint aliases wrap the app's WSGI callable, and a fresh in-process mock per scenario starts
in about 0.3 s where a `mock-platform serve` subprocess takes about 2 s.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

import requests

from ..testing import ControlClient, RunningServer, run_server
from . import sockets
from .browser import Driver, Visit
from .process import ClientProcess, CommandResult, Workspace, fill
from .profiles import PROFILES
from .runs import Endpoints, LoginRun, Step, scan_home
from .secrets import Secrets
from .tap import SOURCE_HEADER, Tap

HTTP_TIMEOUT = 10.0


@dataclass(frozen=True)
class CheckSettings:
    """Everything `mock-platform check-client` was asked to do."""

    login: tuple[str, ...]
    refresh: tuple[str, ...] | None = None
    logout: tuple[str, ...] | None = None
    profile: str | None = None
    stdin: str | None = None
    time_limit: float = 60.0
    cases: frozenset[str] | None = None  # None: every case
    slow: bool = False
    mock_config: Path | None = None
    user: str = "alice"
    password: str = "alice-password"
    mock_settings: dict[str, Any] = field(default_factory=dict)

    def wants(self, *case_ids: str) -> bool:
        """Whether any of these cases is being checked (a step only they need runs only then)."""
        return self.cases is None or not self.cases.isdisjoint(case_ids)


class Stage:
    def __init__(
        self,
        name: str,
        settings: CheckSettings,
        secrets: Secrets,
        driver: Driver,
        root: Path,
        *,
        trailing_slash: bool = False,
        **mock_settings: Any,
    ) -> None:
        self.name = name
        self.settings = settings
        self.secrets = secrets
        self.driver = driver
        self.root = root
        self.trailing_slash = trailing_slash
        self.mock_settings = {**settings.mock_settings, **mock_settings}
        self.deadline = time.monotonic() + settings.time_limit
        self.login_process: ClientProcess | None = None
        self._stack = ExitStack()

    def __enter__(self) -> Self:
        self.root.mkdir(parents=True)
        if self.settings.mock_config:
            self.mock_settings.setdefault("config", self.settings.mock_config)
        self.server: RunningServer = self._stack.enter_context(
            run_server(self.root / "mock", **self.mock_settings)
        )
        self.tap = Tap(self.server.app.wsgi_app, self.secrets)
        self.server.app.wsgi_app = self.tap  # type: ignore[method-assign]
        self.http = requests.Session()
        self.http.trust_env = False  # the mock's CA (over https), not REQUESTS_CA_BUNDLE; no proxy
        self.http.verify = self.server.verify
        self.http.headers[SOURCE_HEADER] = "checker"
        self.control = ControlClient(self.server.base_url, verify=self.server.verify)
        self.control.http.headers[SOURCE_HEADER] = "checker"
        self.metadata: dict[str, Any] = self.http.get(
            f"{self.server.issuer}/.well-known/openid-configuration", timeout=HTTP_TIMEOUT
        ).json()
        self.workspace = self.new_workspace("client")
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.tap.release()
        self.http.close()
        self._stack.close()

    # where things are --------------------------------------------------------------------------

    @property
    def urls(self) -> dict[str, str]:
        server = self.server
        issuer = server.issuer + ("/" if self.trailing_slash else "")
        return {
            "issuer": issuer,
            "base_url": server.base_url,
            "ai_url": server.base_url + server.settings.ai_path,
        }

    def endpoints(self, advertised: dict[str, Any] | None = None) -> Endpoints:
        advertised = advertised or self.metadata
        return Endpoints(
            authorize=urlsplit(self.metadata["authorization_endpoint"]).path,
            token=urlsplit(self.metadata["token_endpoint"]).path,
            revocation=urlsplit(self.metadata["revocation_endpoint"]).path,
            advertised_authorize=advertised["authorization_endpoint"],
            advertised_token=advertised["token_endpoint"],
            personal_tokens=urlsplit(self.server.issuer).path + "/tokens",
        )

    def is_sign_in_url(self, url: str) -> bool:
        """A URL on the mock that carries authorize parameters."""
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        return parts.netloc == urlsplit(self.server.base_url).netloc and bool(
            {"client_id", "response_type", "redirect_uri"} & query.keys()
        )

    def remaining(self) -> float:
        return max(self.deadline - time.monotonic(), 0.0)

    # running the client -----------------------------------------------------------------------

    def new_workspace(self, name: str, ca_file: Path | None = None) -> Workspace:
        """A fresh installation of the client (its own HOME), trusting `ca_file` when given."""
        return Workspace.create(self.root / name, ca_file)

    def environment(self, workspace: Workspace) -> dict[str, str]:
        profile = PROFILES.get(self.settings.profile or "")
        extra = profile.env(workspace.home, self.urls) if profile else {}
        return workspace.environment(extra)

    def start(
        self, label: str, command: tuple[str, ...], workspace: Workspace | None = None
    ) -> ClientProcess:
        workspace = workspace or self.workspace
        argv = fill(list(command), self.urls)
        return ClientProcess(label, argv, workspace, self.environment(workspace), self.settings.stdin)

    def finish(self, process: ClientProcess, wait: float | None = None) -> CommandResult:
        """Wait for the command to exit (up to the time limit, or `wait` seconds), then end what is left."""
        if process.wait(self.remaining() if wait is None else wait) is None:
            reason = f"the scenario's time limit of {self.settings.time_limit:g} s"
            process.stop(reason if wait is None else "it was still running")
        process.stop("cleanup")
        return process.result()

    def step(self, label: str, command: tuple[str, ...], copies: int = 1) -> Step:
        """Run a command (`copies` of it at once) on the state the login left."""
        first = self.tap.count
        processes = [self.start(label, command) for _ in range(copies)]
        results = [self.finish(process) for process in processes]
        files = scan_home(self.workspace.home, self.secrets)
        return Step(label, results, self.tap.since(first), files=files)

    def login(
        self,
        drive: Callable[[str], list[Visit]] | None = None,
        *,
        label: str = "login",
        stop_at_url: bool = False,
        exit_within: float | None = None,
        workspace: Workspace | None = None,
    ) -> LoginRun:
        """Run the login command, catch its URL and let `drive` play the browser (default: sign in).

        `stop_at_url` ends the command as soon as it shows a URL; `exit_within` is how long it may
        take to exit after the browser's last step (default: the rest of the time limit);
        `workspace` is another installation of the client than the stage's own.
        """
        workspace = workspace or self.workspace
        first = self.tap.count
        process = self.login_process = self.start(label, self.settings.login, workspace)
        url, source = process.wait_for_url(self.is_sign_in_url, self.remaining()) or (None, None)
        listeners, visits, port_answered, exit_after = None, [], None, None
        if url and stop_at_url:
            process.stop("it showed a sign-in URL")
        elif url:
            listeners = sockets.listeners(process.pid)
            visits = (drive or self.sign_in)(url)
            browser_done = time.monotonic()
            if visits and all(visit.stopped_at for visit in visits):
                exit_within = 0.0  # the browser never reached the callback: nothing more can happen
            limit = self.remaining() if exit_within is None else min(exit_within, self.remaining())
            if process.wait(limit) is not None:
                exit_after = max(process.ended - browser_done, 0.0)
                port = urlsplit(redirect_uri(url)).port
                port_answered = sockets.port_answers("127.0.0.1", port) if port else None
        return LoginRun(
            command=self.finish(process, 0.0 if exit_within is not None else None),
            url=url,
            url_source=source,
            visits=visits,
            exchanges=self.tap.since(first),
            listeners=listeners,
            port_answered_after_exit=port_answered,
            files=scan_home(workspace.home, self.secrets),
            exit_after_browser=exit_after,
        )

    def sign_in(self, url: str, cancel: bool = False) -> list[Visit]:
        return [self.driver.sign_in(url, callback_prefix(redirect_uri(url)), cancel=cancel)]


def redirect_uri(url: str) -> str:
    return parse_qs(urlsplit(url).query).get("redirect_uri", [""])[0]


def callback_prefix(redirect_uri: str) -> str:
    """The part of the redirect URI every callback starts with (scheme, host, port and path)."""
    return redirect_uri.split("?", 1)[0]
