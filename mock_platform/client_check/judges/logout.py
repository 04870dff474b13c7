"""Judges of CLI-30 to CLI-32: logout."""

from __future__ import annotations

from ..profiles import PROFILES
from ..scenarios import LOGOUT, PAT_AFTER_LOGOUT, REFRESH_TOKEN_AFTER_LOGOUT
from .base import (
    Observed,
    Verdict,
    bad,
    command_evidence,
    exchange_evidence,
    judge,
    needs_step,
    note,
    ok,
    skip,
)


@judge("CLI-30")
def revokes_on_logout(observed: Observed) -> Verdict:
    level = "MUST" if observed.settings.profile == "seqera" else "SHOULD"
    run, step = needs_step(observed, "login-again", LOGOUT, "logout")
    if not observed.keeps_refresh_token():
        return skip(
            "the client keeps no refresh token (none in its files after login, no refresh_token grant)"
        )
    status = step.notes.get(REFRESH_TOKEN_AFTER_LOGOUT)
    if status is None:
        return skip("the login gave the client no refresh token")
    revocations = [e for e in step.exchanges if e.routed == run.endpoints.revocation]
    evidence = [
        command_evidence(step.commands[0]),
        note(REFRESH_TOKEN_AFTER_LOGOUT, status),
    ]
    evidence += [exchange_evidence("revocation", e) for e in revocations]
    if status == 200:
        return bad("the refresh token still works after logout", *evidence, level=level)
    return ok("the refresh token is refused after logout", *evidence, level=level)


@judge("CLI-31")
def deletes_pat(observed: Observed) -> Verdict:
    run, step = needs_step(observed, "login-again", LOGOUT, "logout")
    status = step.notes.get(PAT_AFTER_LOGOUT)
    if status is None:
        return skip("the client created no PAT at login")
    pat = run.created_pat()
    deletes = [e for e in step.exchanges if e.method == "DELETE" and "/tokens/" in e.routed]
    evidence = [command_evidence(step.commands[0]), note(PAT_AFTER_LOGOUT, status)]
    evidence += [exchange_evidence("PAT deletion", e) for e in deletes]
    if status == 200:
        return bad("the PAT still works after logout", *evidence)
    if not any(e.bearer == pat for e in deletes):
        return ok("the PAT is refused after logout (though not deleted with the PAT itself)", *evidence)
    return ok("the PAT deleted itself and is refused after logout", *evidence)


@judge("CLI-32")
def removes_local_credentials(observed: Observed) -> Verdict:
    _, step = needs_step(observed, "login-again", LOGOUT, "logout")
    problems, leftovers = [], []
    for stored in step.files.values():
        kinds = [kind for kind in stored.secrets if kind != "code"]
        if kinds:
            problems.append(f"~/{stored.path} still holds the {' and '.join(kinds)}")
    profile = PROFILES.get(observed.settings.profile or "")
    if profile:
        problems += [f"~/{name} still exists" for name in profile.credential_files if name in step.files]
        leftovers = [name for name in profile.other_files if name in step.files]
    evidence = [
        command_evidence(step.commands[0]),
        note("files after logout", ", ".join(f"~/{name}" for name in step.files) or "none"),
    ]
    if problems:
        return bad("; ".join(problems), *evidence)
    if leftovers:
        return Verdict(
            "warn", f"no credential left, but {', '.join(f'~/{n}' for n in leftovers)} remains", evidence
        )
    return ok("no credential left on disk", *evidence)
