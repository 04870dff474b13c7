"""Judges of CLI-14 to CLI-18: the callback."""

from __future__ import annotations

from ..runs import LoginRun
from ..scenarios import EXIT_AFTER_ERROR, WRONG_STATE_CODE
from .base import (
    Observed,
    Verdict,
    bad,
    callback_evidence,
    command_evidence,
    exchange_evidence,
    judge,
    needs_login,
    ok,
    skip,
)

NOT_LISTENING = "net::ERR_CONNECTION_REFUSED"


@judge("CLI-14")
def complete_callback_answer(observed: Observed) -> Verdict:
    # The first callback of each login: the one the client was surely waiting for.
    answers = [
        (run.name, login.callbacks[0])
        for run, login in observed.logins()
        if login.callbacks and login.callbacks[0].failure != NOT_LISTENING
    ]
    if not answers:
        return skip("the browser never reached the client's callback")
    evidence = [callback_evidence(answer, f"browser at the callback ({name})") for name, answer in answers]
    broken = [(name, answer) for name, answer in answers if not answer.complete]
    if broken:
        where = ", ".join(f"{name}: {answer.failure}" for name, answer in broken)
        return bad(
            f"{len(broken)} of {len(answers)} callbacks got no complete HTTP response ({where})", *evidence
        )
    return ok(f"{len(answers)} callbacks answered completely", *evidence)


@judge("CLI-15")
def refuses_wrong_state(observed: Observed) -> Verdict:
    run, login = needs_login(observed, "wrong-state")
    code = run.notes.get(WRONG_STATE_CODE)
    if not code:
        return skip(run.skipped or "the checker could not deliver a code with a wrong state")
    evidence = [callback_evidence(answer) for answer in login.callbacks]
    redeemed = [e for e in login.code_exchanges(run.endpoints) if e.field("code") == code]
    evidence += [exchange_evidence("code exchange", e) for e in login.code_exchanges(run.endpoints)]
    if redeemed:
        return bad("it redeemed the code that came with a wrong state", *evidence)
    return ok("it redeemed no code from the callback with a wrong state", *evidence)


def stops_after_error(login: LoginRun, what: str) -> Verdict:
    evidence = [command_evidence(login.command)]
    evidence += [callback_evidence(answer) for answer in login.callbacks]
    command = login.command
    if command.exit_code is None:
        return bad(f"still running {EXIT_AFTER_ERROR:g} s after {what}", *evidence)
    if command.exit_code == 0:
        return bad(f"exit 0 after {what}", *evidence)
    if not command.output.strip():
        return bad(f"exit {command.exit_code} after {what}, without a message", *evidence)
    return ok(f"exit {command.exit_code} with a message after {what}", *evidence)


@judge("CLI-16")
def stops_on_cancel(observed: Observed) -> Verdict:
    _, login = needs_login(observed, "cancel")
    if not any("error=" in answer.url for answer in login.callbacks):
        return skip("the Cancel never reached the client's callback")
    return stops_after_error(login, "error=access_denied")


@judge("CLI-17")
def escapes_error_description(observed: Observed) -> Verdict:
    _, login = needs_login(observed, "error-markup")
    answers = [answer for answer in login.callbacks if answer.complete]
    if not answers:
        return skip("no complete callback page to look at (see CLI-14)")
    evidence = [callback_evidence(answer) for answer in answers]
    if any(answer.markup_rendered for answer in answers):
        return bad("the markup in error_description became part of the page", *evidence)
    return ok("the markup in error_description shows as text", *evidence)


@judge("CLI-18")
def stops_listening(observed: Observed) -> Verdict:
    _, login = needs_login(observed)
    if not login.callbacks:
        return skip("the browser never reached the client's callback")
    evidence = [command_evidence(login.command)]
    if login.exit_after_browser is None:
        return bad("it did not exit after the login", *evidence)
    if login.port_answered_after_exit:
        return bad(f"after it exited, {login.redirect_uri} still accepts connections", *evidence)
    return ok(
        f"exited within {login.exit_after_browser:.1f} s of the browser's callback; the port is closed",
        *evidence,
    )
