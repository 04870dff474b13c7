"""Judges of CLI-24 and CLI-25: what the two real clients keep after login."""

from __future__ import annotations

import json

from ..profiles import PROFILES
from ..runs import LoginRun, ScenarioRun
from .base import (
    Judged,
    Observed,
    Verdict,
    exchange_evidence,
    judge,
    needs_login,
    note,
    problems_verdict,
    skip,
)


def _profile_login(observed: Observed, profile: str) -> tuple[ScenarioRun, LoginRun]:
    if observed.settings.profile != profile:
        raise Judged(skip(f"applies to --profile {profile}"))
    run, login = needs_login(observed)
    if not login.tokens(run.endpoints):
        raise Judged(skip(f"the login got no tokens: {login.describe(run.endpoints)}"))
    return run, login


def _file_problems(login: LoginRun, names: tuple[str, ...], must_hold: str) -> list[str]:
    problems = []
    for name in names:
        stored = login.files.get(name)
        if stored is None:
            problems.append(f"no ~/{name} after login")
            continue
        if not stored.private:
            problems.append(f"~/{name} has mode {stored.mode:o}, not 600")
        if must_hold not in stored.secrets:
            problems.append(f"~/{name} does not hold the {must_hold}")
    return problems


@judge("CLI-24")
def nextflow_pat(observed: Observed) -> Verdict:
    run, login = _profile_login(observed, "nextflow")
    access_token = login.tokens(run.endpoints).get("access_token")
    calls = {
        "GET /user-info": [
            e for e in login.exchanges if e.method == "GET" and e.routed.endswith("/user-info")
        ],
        "POST /tokens": [
            e for e in login.exchanges if e.method == "POST" and e.routed == run.endpoints.personal_tokens
        ],
    }
    problems, evidence = [], []
    for call, exchanges in calls.items():
        if not any(e.bearer == access_token for e in exchanges):
            problems.append(f"no {call} with the OAuth access token")
        evidence += [exchange_evidence(call, e) for e in exchanges]
    profile = PROFILES["nextflow"]
    problems += _file_problems(login, profile.credential_files, "PAT")
    for name in profile.credential_files:
        stored = login.files.get(name)
        leaked = [kind for kind in ("access token", "refresh token") if stored and kind in stored.secrets]
        if leaked:
            problems.append(f"~/{name} holds the OAuth {' and '.join(leaked)}")
    return problems_verdict(problems, "the PAT, and only the PAT, in seqera-auth.config (0600)", evidence)


@judge("CLI-25")
def seqera_refresh_token(observed: Observed) -> Verdict:
    _, login = _profile_login(observed, "seqera")
    profile = PROFILES["seqera"]
    problems = _file_problems(login, profile.credential_files, "refresh token")
    for stored in login.files.values():
        leaked = [kind for kind in ("access token", "ID token") if kind in stored.secrets]
        if leaked:
            problems.append(f"~/{stored.path} holds the {' and '.join(leaked)}")
    metadata_name = profile.other_files[0]
    try:
        metadata = json.loads(login.files[metadata_name].text)
    except (KeyError, ValueError):
        metadata = None
    if not isinstance(metadata, dict) or not metadata.get("selected_organization"):
        problems.append(f"no organization selected in ~/{metadata_name}")
    files = note("files after login", ", ".join(f"~/{f.path} ({f.mode:o})" for f in login.files.values()))
    return problems_verdict(
        problems, "only the refresh token on disk (0600), an organization selected", [files]
    )
