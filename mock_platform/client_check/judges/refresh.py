"""Judges of CLI-26 to CLI-29: refresh."""

from __future__ import annotations

import re
from typing import Any

from ..runs import ScenarioRun, Step
from ..scenarios import (
    REFRESH_1,
    REFRESH_2,
    REFRESH_AFTER,
    REFRESH_REVOKED,
    REFRESH_TOGETHER,
    REVOKED_BY_CHECKER,
)
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
    problems_verdict,
    skip,
)

LOG_IN_AGAIN = re.compile(
    r"\blog\s*-?\s*in\b|\blogin\b|\bsign\s*-?\s*in\b|\bre-?authenticate\b", re.IGNORECASE
)


def _refresh_evidence(run: ScenarioRun, steps: list[Step]) -> list[dict[str, Any]]:
    evidence = []
    for step in steps:
        evidence += [command_evidence(command) for command in step.commands]
        evidence += [
            exchange_evidence(f"{step.label}: refresh grant", e) for e in step.refresh_grants(run.endpoints)
        ]
    return evidence


@judge("CLI-26")
def survives_concurrent_refresh(observed: Observed) -> Verdict:
    run, together = needs_step(observed, "login", REFRESH_TOGETHER, "refresh")
    if not together.refresh_grants(run.endpoints):
        return skip("the refresh command made no refresh_token grant")
    after = run.steps.get(REFRESH_AFTER)
    steps = [together] + ([after] if after else [])
    evidence = _refresh_evidence(run, steps)
    if not together.succeeded:
        return bad("one of the two refresh commands started together failed", *evidence)
    if after is None or not after.succeeded:
        return bad(
            "after two refresh commands ran together, the next one failed: the user is logged out", *evidence
        )
    return ok("both refresh commands and the next one succeeded", *evidence)


@judge("CLI-27")
def newest_refresh_token(observed: Observed) -> Verdict:
    run, _ = needs_step(observed, "login", REFRESH_1, "refresh")
    steps = [run.steps[label] for label in (REFRESH_1, REFRESH_2) if label in run.steps]
    grants = [grant for step in steps for grant in step.refresh_grants(run.endpoints)]
    if not grants:
        return skip("the refresh command made no refresh_token grant")
    issued = [
        (e.number, e.document["refresh_token"])
        for e in run.exchanges()
        if e.routed == run.endpoints.token
        and isinstance(e.document, dict)
        and e.document.get("refresh_token")
    ]
    problems = []
    for grant in grants:
        before = [token for number, token in issued if number < grant.number]
        sent = grant.field("refresh_token")
        if before and sent != before[-1]:
            problems.append(
                f"request {grant.number} replayed an older refresh token"
                if sent in before
                else f"request {grant.number} sent a refresh token the mock never issued"
            )
    failed = [step.label for step in steps if not step.succeeded]
    message = f"{len(grants)} refresh grants, each with the newest refresh token"
    if failed and not problems:
        message += f" (but the command failed in: {', '.join(failed)})"
    return problems_verdict(problems, message, _refresh_evidence(run, steps))


@judge("CLI-28")
def relogin_on_invalid_grant(observed: Observed) -> Verdict:
    run, step = needs_step(observed, "refresh-revoked", REFRESH_REVOKED, "refresh")
    grants = step.refresh_grants(run.endpoints)
    if not grants:
        return skip("the refresh command made no refresh_token grant after the grant was revoked")
    command = step.commands[0]
    evidence = [note(REVOKED_BY_CHECKER, run.notes.get(REVOKED_BY_CHECKER)), *_refresh_evidence(run, [step])]
    if command.exit_code == 0:
        return bad("exit 0 after the token endpoint refused the refresh with invalid_grant", *evidence)
    if not LOG_IN_AGAIN.search(command.output):
        return bad(f"{command.describe()}: it does not tell the user to log in again", *evidence)
    return ok(f"{command.describe()}", *evidence)


@judge("CLI-29")
def refreshes_before_expiry(observed: Observed) -> Verdict:
    run, step = needs_step(observed, "login", REFRESH_1, "refresh")
    assert run.login is not None
    access_token = run.login.tokens(run.endpoints).get("access_token")
    used = [e for e in step.exchanges if access_token and e.bearer == access_token]
    grants = step.refresh_grants(run.endpoints)
    evidence = _refresh_evidence(run, [step]) + [
        exchange_evidence("expired access token sent", e) for e in used[:1]
    ]
    if used and (not grants or used[0].number < grants[0].number):
        return skip(
            "it sent its cached access token after the mock's clock passed its expiry; the checker moves "
            "the provider's clock, not the client's, so a client that checks expiry against its own clock "
            "cannot be told from one that never checks"
        )
    if not grants:
        return skip("the refresh command neither refreshed nor used the login's access token")
    return ok("it refreshed instead of sending the expired access token", *evidence)
