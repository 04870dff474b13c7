"""What a scenario observed: the commands it ran, what the browser saw, what the mock received, and
the client's files. The judges read only these records."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .browser import Visit
from .process import CommandResult
from .secrets import Secrets
from .sockets import Listener
from .tap import Exchange

CREDENTIAL_KINDS = ("access token", "refresh token", "ID token", "PAT", "code")
LARGEST_SCANNED_FILE = 1024 * 1024


@dataclass(frozen=True)
class Endpoints:
    """Paths the mock serves (after any alias): which exchange went where."""

    authorize: str
    token: str
    revocation: str
    advertised_authorize: str  # the URL discovery advertises (an alias in non-default-paths)
    advertised_token: str
    personal_tokens: str  # the Platform's POST /tokens


@dataclass(frozen=True)
class StoredFile:
    path: str  # relative to HOME
    mode: int
    secrets: tuple[str, ...]  # kinds of the credentials found in it
    text: str

    @property
    def private(self) -> bool:
        return self.mode & 0o077 == 0


def scan_home(home: Path, secrets: Secrets) -> dict[str, StoredFile]:
    """Every file under HOME with the issued credentials it holds (the BROWSER helper lives outside)."""
    files = {}
    credentials = [(secrets.kind_of(value) or "", value) for value in secrets.values(*CREDENTIAL_KINDS)]
    for directory, _, names in os.walk(home):
        for name in names:
            path = Path(directory) / name
            try:
                info = path.lstat()
                if not stat.S_ISREG(info.st_mode) or info.st_size > LARGEST_SCANNED_FILE:
                    continue
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            found = tuple(sorted({kind for kind, value in credentials if value in text}))
            relative = str(path.relative_to(home))
            files[relative] = StoredFile(relative, stat.S_IMODE(info.st_mode), found, text)
    return files


@dataclass
class LoginRun:
    command: CommandResult
    url: str | None
    url_source: str | None
    visits: list[Visit]
    exchanges: list[Exchange]
    listeners: list[Listener] | None = None
    port_answered_after_exit: bool | None = None
    files: dict[str, StoredFile] = field(default_factory=dict)
    exit_after_browser: float | None = None  # seconds from the browser's last step to the exit

    @property
    def params(self) -> dict[str, str]:
        if not self.url:
            return {}
        return {name: values[0] for name, values in parse_qs(urlsplit(self.url).query).items()}

    @property
    def redirect_uri(self) -> str:
        return self.params.get("redirect_uri", "")

    @property
    def callbacks(self) -> list[Any]:
        return [visit.callback for visit in self.visits if visit.callback is not None]

    def code_exchanges(self, endpoints: Endpoints) -> list[Exchange]:
        return [
            e
            for e in self.exchanges
            if e.method == "POST"
            and e.field("grant_type") == "authorization_code"
            and e.routed == endpoints.token
        ]

    def tokens(self, endpoints: Endpoints) -> dict[str, Any]:
        """The token response of the client's successful code exchange, or {}."""
        for exchange in self.code_exchanges(endpoints):
            if exchange.status == 200 and isinstance(exchange.document, dict):
                return exchange.document
        return {}

    def completed(self, endpoints: Endpoints) -> bool:
        return self.command.exit_code == 0 and bool(self.tokens(endpoints))

    def describe(self, endpoints: Endpoints) -> str:
        """One line on how far the login got (mask before showing)."""
        if not self.url:
            return f"no sign-in URL; the command {self.command.describe()}"
        for visit in self.visits:
            if visit.stopped_at:
                return f"the browser never reached the callback, it stayed at {visit.stopped_at}"
        exchanges = self.code_exchanges(endpoints)
        if self.callbacks and not exchanges:
            return f"no code exchange after the callback; the command {self.command.describe()}"
        if exchanges and exchanges[-1].status != 200:
            return f"the code exchange failed ({exchanges[-1].status}); the command {self.command.describe()}"
        return f"the command {self.command.describe()}"


@dataclass
class Step:
    """A command (or two at once) run on the state a login left: refresh, logout."""

    label: str
    commands: list[CommandResult]
    exchanges: list[Exchange]
    notes: dict[str, Any] = field(default_factory=dict)
    files: dict[str, StoredFile] = field(default_factory=dict)

    def refresh_grants(self, endpoints: Endpoints) -> list[Exchange]:
        return [
            e
            for e in self.exchanges
            if e.method == "POST" and e.field("grant_type") == "refresh_token" and e.routed == endpoints.token
        ]

    @property
    def succeeded(self) -> bool:
        return all(command.exit_code == 0 for command in self.commands)


@dataclass
class ScenarioRun:
    name: str
    endpoints: Endpoints
    login: LoginRun | None = None
    control: LoginRun | None = None  # the same login where it must succeed, run before `login`
    steps: dict[str, Step] = field(default_factory=dict)
    skipped: str | None = None  # why the scenario (or its steps) could not run
    duration: float = 0.0
    notes: dict[str, Any] = field(default_factory=dict)

    def exchanges(self) -> list[Exchange]:
        found = list(self.login.exchanges) if self.login else []
        for step in self.steps.values():
            found += step.exchanges
        return found

    def issued(self, key: str) -> list[str]:
        """Values of `key` in the mock's answers to the client, oldest first (refresh_token, ...)."""
        found = []
        for exchange in self.exchanges():
            if exchange.routed == self.endpoints.token and isinstance(exchange.document, dict):
                value = exchange.document.get(key)
                if isinstance(value, str) and value:
                    found.append(value)
        return found

    def created_pat(self) -> str | None:
        """The personal access token the client created (POST /tokens), if it did."""
        for exchange in self.exchanges():
            if (
                exchange.method == "POST"
                and exchange.routed.replace("//", "/") == self.endpoints.personal_tokens
            ):
                document = exchange.document
                if isinstance(document, dict) and isinstance(document.get("accessKey"), str):
                    return document["accessKey"]
        return None

    def commands(self) -> list[CommandResult]:
        found = [self.login.command] if self.login else []
        for step in self.steps.values():
            found += step.commands
        return found
