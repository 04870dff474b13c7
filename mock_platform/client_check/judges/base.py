"""What every judge shares: the verdict, the registry, evidence entries and common reads."""

from __future__ import annotations

import base64
import hashlib
import math
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..browser import CallbackAnswer
from ..process import CommandResult
from ..runs import LoginRun, ScenarioRun, Step
from ..secrets import Secrets
from ..stage import CheckSettings
from ..tap import Exchange


@dataclass
class Verdict:
    status: str  # ok | bad | warn | info | skip
    message: str
    evidence: list[dict[str, Any]] = field(default_factory=list)
    level: str | None = None  # when the case's level depends on the client (CLI-21, CLI-30)


@dataclass
class Observed:
    settings: CheckSettings
    runs: dict[str, ScenarioRun]
    secrets: Secrets
    client_ids: frozenset[str]

    def run(self, name: str) -> ScenarioRun | None:
        return self.runs.get(name)

    def logins(self) -> list[tuple[ScenarioRun, LoginRun]]:
        return [(run, run.login) for run in self.runs.values() if run.login is not None]

    def keeps_refresh_token(self) -> bool:
        """The client stored a refresh token in a file, or used one."""
        for run, login in self.logins():
            if any("refresh token" in f.secrets for f in login.files.values()):
                return True
            if any(step.refresh_grants(run.endpoints) for step in run.steps.values()):
                return True
        return False


JUDGES: dict[str, Callable[[Observed], Verdict]] = {}


def judge(case_id: str) -> Callable[[Callable[[Observed], Verdict]], Callable[[Observed], Verdict]]:
    def register(function: Callable[[Observed], Verdict]) -> Callable[[Observed], Verdict]:
        JUDGES[case_id] = function
        return function

    return register


def ok(message: str, *evidence: dict[str, Any], level: str | None = None) -> Verdict:
    return Verdict("ok", message, list(evidence), level)


def bad(message: str, *evidence: dict[str, Any], level: str | None = None) -> Verdict:
    return Verdict("bad", message, list(evidence), level)


def skip(reason: str, *evidence: dict[str, Any]) -> Verdict:
    return Verdict("skip", reason, list(evidence))


def problems_verdict(problems: list[str], good: str, evidence: list[dict[str, Any]]) -> Verdict:
    return bad("; ".join(problems), *evidence) if problems else ok(good, *evidence)


# evidence ------------------------------------------------------------------------------------------


def exchange_evidence(label: str, exchange: Exchange) -> dict[str, Any]:
    return {
        "label": label,
        "request": f"{exchange.method} {exchange.path}",
        "status": exchange.status,
        "detail": exchange.describe(),
    }


def command_evidence(command: CommandResult) -> dict[str, Any]:
    return {
        "label": f"{command.label} command",
        "command": " ".join(command.argv),
        "detail": command.describe(),
    }


def callback_evidence(answer: CallbackAnswer, label: str = "browser at the callback") -> dict[str, Any]:
    return {
        "label": label,
        "request": f"GET {answer.url}",
        "status": answer.status,
        "complete": answer.complete,
        "detail": answer.describe(),
    }


def note(label: str, detail: Any) -> dict[str, Any]:
    return {"label": label, "detail": detail}


def url_evidence(login: LoginRun) -> dict[str, Any]:
    return note(f"sign-in URL (from {login.url_source})", login.url)


# shared reads --------------------------------------------------------------------------------------


class Judged(Exception):
    """A verdict reached inside a helper (`needs_login` and friends): the case ends with it."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(verdict.message)
        self.verdict = verdict


def verdict(case_id: str, observed: Observed) -> Verdict:
    try:
        return JUDGES[case_id](observed)
    except Judged as judged:
        return judged.verdict


def needs_login(observed: Observed, name: str = "login") -> tuple[ScenarioRun, LoginRun]:
    """The scenario's login, with a sign-in URL; else the case is skipped."""
    run = observed.run(name)
    if run is None or run.login is None:
        raise Judged(skip(f"the {name} scenario did not run"))
    if not run.login.url:
        raise Judged(
            skip(f"the {name} scenario's login showed no sign-in URL: {run.login.command.describe()}")
        )
    return run, run.login


def needs_step(observed: Observed, name: str, step: str, option: str) -> tuple[ScenarioRun, Step]:
    """A step run after the scenario's login (refresh, logout); else the case is skipped."""
    run = observed.run(name)
    if getattr(observed.settings, option) is None:
        raise Judged(skip(f"needs --{option} CMD"))
    if run is None:
        raise Judged(skip(f"the {name} scenario did not run"))
    if step not in run.steps:
        raise Judged(skip(run.skipped or f"the step '{step}' did not run"))
    return run, run.steps[step]


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def entropy_bits(value: str) -> float:
    """A generous estimate: length times the bits of the smallest usual alphabet holding the value."""
    characters = set(value)
    if characters <= set(string.digits):
        per_character = math.log2(10)
    elif characters <= set(string.hexdigits):
        per_character = 4.0
    else:
        per_character = 6.0
    return len(value) * per_character


def verifiers(observed: Observed) -> list[tuple[str, Exchange]]:
    found = []
    for run, login in observed.logins():
        for exchange in login.code_exchanges(run.endpoints):
            verifier = exchange.field("code_verifier")
            if verifier is not None:
                found.append((verifier, exchange))
    return found
