"""Judges of CLI-33 to CLI-35: resilience."""

from __future__ import annotations

from ..runs import LoginRun, ScenarioRun
from .base import Judged, Observed, Verdict, bad, command_evidence, judge, needs_login, ok, skip


def _slow(observed: Observed, name: str) -> tuple[ScenarioRun, LoginRun]:
    if not observed.settings.slow:
        raise Judged(skip("a slow scenario: run with --slow"))
    return needs_login(observed, name)


@judge("CLI-33")
def gives_up_without_browser(observed: Observed) -> Verdict:
    _, login = _slow(observed, "no-browser")
    command = login.command
    evidence = [command_evidence(command)]
    if command.exit_code is None:
        return skip(
            f"still waiting after {observed.settings.time_limit:g} s (the time limit): a longer bounded wait "
            "cannot be told from an unbounded one; give the login command a shorter timeout if it has one"
        )
    if command.exit_code == 0 or not command.output.strip():
        return bad(f"{command.describe()}: no failure with a message", *evidence)
    return ok(f"gave up: {command.describe()}", *evidence)


@judge("CLI-34")
def times_out_on_hanging_provider(observed: Observed) -> Verdict:
    run, login = _slow(observed, "provider-hangs")
    if not login.code_exchanges(run.endpoints):
        return skip("the client made no code exchange for the provider to hang on")
    evidence = [command_evidence(login.command)]
    if login.exit_after_browser is None:
        return bad(
            f"still waiting for the token endpoint at the time limit ({observed.settings.time_limit:g} s)",
            *evidence,
        )
    if login.command.exit_code == 0 or not login.command.output.strip():
        return bad(f"{login.command.describe()}: no failure with a message", *evidence)
    return ok(f"gave up after {login.exit_after_browser:.1f} s: {login.command.last_line()}", *evidence)


@judge("CLI-35")
def retries_jwks(observed: Observed) -> Verdict:
    return skip(
        "the key-rotation scenario is not part of the checker yet (it matters only to a client that validates ID tokens, CLI-21)"
    )
