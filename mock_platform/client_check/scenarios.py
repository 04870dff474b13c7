"""The scenarios: what each arranges on a fresh mock, and what it records for the judges.

A scenario never judges; it only makes a situation happen and keeps what the client did in it.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from ..serving import refused_handshakes_unlogged
from .browser import MARKUP, Visit
from .runs import ScenarioRun
from .stage import Stage, callback_prefix, redirect_uri

ALIAS_PREFIX = "/protocol/openid-connect"  # Keycloak's layout: a common non-default one
OTHER_ISSUER = "https://issuer.example.com/api"
EXIT_AFTER_ERROR = 10.0  # "without waiting for its timeout": seconds a client gets to stop after an error
STILL_WAITING = 1.0  # a client that is still running this long after a wrong state kept waiting
OVERLAP = 2.0  # how long the first of two concurrent refresh grants is held

# Step names, shared with the judges.
REFRESH_1, REFRESH_2 = "refresh after the clock moved", "refresh after the clock moved again"
REFRESH_TOGETHER, REFRESH_AFTER = "two refreshes at once", "refresh after the two"
REFRESH_REVOKED, LOGOUT = "refresh after the grant was revoked", "logout"
TRUSTING_LOGIN, UNTRUSTING_LOGIN = "login with the CA given", "login without the CA"
# What the checker found out itself, kept in the notes of a run or step.
PAT_AFTER_LOGOUT = "status of GET /user-info with the PAT after logout"
REFRESH_TOKEN_AFTER_LOGOUT = "status of a refresh with the refresh token after logout"
WRONG_STATE_CODE = "the code delivered with a wrong state"
REVOKED_BY_CHECKER = "status of the checker's revocation of the refresh token"


def login(stage: Stage) -> ScenarioRun:
    run = ScenarioRun("login", stage.endpoints(), login=stage.login())
    refresh = stage.settings.refresh
    if refresh is None:
        return run
    if not run.login or not run.login.completed(run.endpoints):
        run.skipped = "the refresh steps need a completed login"
        return run
    advance = _lifetime(run) + 60  # past the access token's expiry, so every run must refresh
    wanted = {REFRESH_1: ("CLI-27", "CLI-29"), REFRESH_2: ("CLI-27",)}
    for label, cases in wanted.items():
        if stage.settings.wants(*cases):
            stage.control.advance_clock(advance)
            run.steps[label] = stage.step(label, refresh)
    if stage.settings.wants("CLI-26"):
        stage.control.advance_clock(advance)
        # The first refresh grant waits at the mock, so the second process reads the same refresh
        # token before the first can store the rotated one: "at once" whatever the machine's speed.
        stage.control.add_fault("token", delay=OVERLAP)
        run.steps[REFRESH_TOGETHER] = stage.step(REFRESH_TOGETHER, refresh, copies=2)
        run.steps[REFRESH_AFTER] = stage.step(REFRESH_AFTER, refresh)
    return run


def login_again(stage: Stage) -> ScenarioRun:
    run = ScenarioRun("login-again", stage.endpoints(), login=stage.login())
    logout = stage.settings.logout
    if logout is None or not stage.settings.wants("CLI-30", "CLI-31", "CLI-32"):
        return run
    if not run.login or not run.login.completed(run.endpoints):
        run.skipped = "the logout step needs a completed login"
        return run
    pat = run.created_pat()
    refresh_token = next(reversed(run.issued("refresh_token")), None)
    step = run.steps[LOGOUT] = stage.step(LOGOUT, logout)
    if pat:
        answer = stage.http.get(
            f"{stage.server.issuer}/user-info", headers={"Authorization": f"Bearer {pat}"}, timeout=10
        )
        step.notes[PAT_AFTER_LOGOUT] = answer.status_code
    if refresh_token:
        answer = stage.http.post(
            run.endpoints.advertised_token,
            data={
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": run.login.params.get("client_id", ""),
            },
            timeout=10,
        )
        step.notes[REFRESH_TOKEN_AFTER_LOGOUT] = answer.status_code
    return run


def refresh_revoked(stage: Stage) -> ScenarioRun:
    run = ScenarioRun("refresh-revoked", stage.endpoints(), login=stage.login())
    refresh = stage.settings.refresh
    assert refresh is not None
    refresh_token = next(reversed(run.issued("refresh_token")), None)
    if not run.login or not run.login.completed(run.endpoints) or not refresh_token:
        run.skipped = "needs a completed login that gave the client a refresh token"
        return run
    revoked = stage.http.post(
        stage.metadata["revocation_endpoint"],
        data={
            "token": refresh_token,
            "token_type_hint": "refresh_token",
            "client_id": run.login.params.get("client_id", ""),
        },
        timeout=10,
    )
    run.notes[REVOKED_BY_CHECKER] = revoked.status_code
    stage.control.advance_clock(_lifetime(run) + 60)
    run.steps[REFRESH_REVOKED] = stage.step(REFRESH_REVOKED, refresh)
    return run


def non_default_paths(stage: Stage) -> ScenarioRun:
    """Discovery points authorize, token and revocation at Keycloak-style paths; the default token and
    revocation paths answer 404, so a client that builds them itself fails."""
    document = dict(stage.metadata)
    issuer_path = urlsplit(stage.server.issuer).path
    moved = {
        "authorization_endpoint": "/auth",
        "token_endpoint": "/token",
        "revocation_endpoint": "/revoke",
    }
    for key, suffix in moved.items():
        real = urlsplit(document[key]).path
        alias = f"{issuer_path}{ALIAS_PREFIX}{suffix}"
        stage.tap.aliases[alias] = real
        document[key] = stage.server.base_url + alias
        if key != "authorization_endpoint":  # the sign-in page posts to its real path
            stage.tap.blocked[real] = f"not served here: discovery advertises {document[key]}"
    stage.control.add_fault("discovery", status=200, body=document, count="unlimited")
    return ScenarioRun("non-default-paths", stage.endpoints(document), login=stage.login())


def trailing_slash(stage: Stage) -> ScenarioRun:
    return ScenarioRun("trailing-slash", stage.endpoints(), login=stage.login())


def issuer_mismatch(stage: Stage) -> ScenarioRun:
    document = {**stage.metadata, "issuer": OTHER_ISSUER}
    stage.control.add_fault("discovery", status=200, body=document, count="unlimited")
    return ScenarioRun("issuer-mismatch", stage.endpoints(), login=stage.login(stop_at_url=True))


def untrusted_tls(stage: Stage) -> ScenarioRun:
    """The mock over https with a fresh CA. First the positive control: the login, in its own HOME,
    with the CA given (CA variables, a Java truststore, a Chromium that trusts it) must complete;
    then the login in a fresh HOME without the CA, stopped as soon as it shows a URL."""
    run = ScenarioRun("untrusted-tls", stage.endpoints())
    ca_file = stage.server.ca_file
    assert ca_file is not None
    with contextlib.ExitStack() as stack:
        try:
            driver = stack.enter_context(stage.driver.trusting(ca_file))
        except Exception as error:  # Playwright's Error, no certutil: nothing to say about the client
            first_line = (str(error).splitlines() or [type(error).__name__])[0]
            run.skipped = f"no Chromium that trusts the mock's CA for the control login: {first_line}"
            return run
        run.control = stage.login(
            lambda url: [driver.sign_in(url, callback_prefix(redirect_uri(url)))],
            label=TRUSTING_LOGIN,
            workspace=stage.new_workspace("client-trusting-the-ca", ca_file),
        )
    if not run.control.completed(run.endpoints):
        run.skipped = (
            f"the control login with the CA given did not complete: {run.control.describe(run.endpoints)}"
        )
        return run
    with refused_handshakes_unlogged():  # the refusal is what this login should do
        run.login = stage.login(
            label=UNTRUSTING_LOGIN, stop_at_url=True, workspace=stage.new_workspace("client-without-the-ca")
        )
    return run


def wrong_state(stage: Stage) -> ScenarioRun:
    run = ScenarioRun("wrong-state", stage.endpoints())

    def drive(url: str) -> list[Visit]:
        prefix = callback_prefix(redirect_uri(url))
        held = stage.driver.collect_callbacks(url, prefix, 2)
        if len(held) < 2:
            run.skipped = f"the provider redirected {len(held)} time(s) instead of twice"
            return []
        wrong = _with_state(held[0], "wrong-state-from-mock-platform-check-client")
        run.notes[WRONG_STATE_CODE] = dict(parse_qsl(urlsplit(held[0]).query)).get("code")
        visits = [stage.driver.deliver(wrong, prefix)]
        process = stage.login_process
        if process is not None and process.wait(STILL_WAITING) is None:  # it ignored the wrong state
            visits.append(stage.driver.deliver(held[1], prefix))
        return visits

    run.login = stage.login(drive)
    return run


def cancel(stage: Stage) -> ScenarioRun:
    drive = functools.partial(stage.sign_in, cancel=True)
    return ScenarioRun("cancel", stage.endpoints(), login=stage.login(drive, exit_within=EXIT_AFTER_ERROR))


def error_markup(stage: Stage) -> ScenarioRun:
    stage.control.add_fault("authorize", error="access_denied", error_description=MARKUP)
    return ScenarioRun("error-markup", stage.endpoints(), login=stage.login(exit_within=EXIT_AFTER_ERROR))


def token_error(stage: Stage) -> ScenarioRun:
    stage.control.add_fault(
        "token", error="invalid_grant", error_description="the code was refused by mock-platform check-client"
    )
    return ScenarioRun("token-error", stage.endpoints(), login=stage.login(exit_within=EXIT_AFTER_ERROR))


def forged_id_token(stage: Stage) -> ScenarioRun:
    return ScenarioRun("forged-id-token", stage.endpoints(), login=stage.login())


def no_browser(stage: Stage) -> ScenarioRun:
    return ScenarioRun("no-browser", stage.endpoints(), login=stage.login(lambda url: []))


def provider_hangs(stage: Stage) -> ScenarioRun:
    stage.tap.hanging.add(urlsplit(stage.metadata["token_endpoint"]).path)
    return ScenarioRun("provider-hangs", stage.endpoints(), login=stage.login())


# Each scenario with the mock settings its fresh mock needs.
SCENARIO_RUNNERS: dict[str, tuple[Callable[[Stage], ScenarioRun], dict[str, Any]]] = {
    "login": (login, {}),
    "login-again": (login_again, {}),
    "refresh-revoked": (refresh_revoked, {}),
    "non-default-paths": (non_default_paths, {}),
    "trailing-slash": (trailing_slash, {"trailing_slash": True}),
    "issuer-mismatch": (issuer_mismatch, {}),
    "untrusted-tls": (untrusted_tls, {"tls": True}),
    "wrong-state": (wrong_state, {}),
    "cancel": (cancel, {}),
    "error-markup": (error_markup, {}),
    "token-error": (token_error, {}),
    "forged-id-token": (forged_id_token, {"defects": ["id-token-unpublished-key"]}),
    "no-browser": (no_browser, {}),
    "provider-hangs": (provider_hangs, {}),
}


def _lifetime(run: ScenarioRun) -> int:
    assert run.login is not None
    expires_in = run.login.tokens(run.endpoints).get("expires_in")
    return int(expires_in) if isinstance(expires_in, int | float) and expires_in > 0 else 3600


def _with_state(callback_url: str, state: str) -> str:
    parts = urlsplit(callback_url)
    query = [(name, state if name == "state" else value) for name, value in parse_qsl(parts.query)]
    return parts._replace(query=urlencode(query)).geturl()
