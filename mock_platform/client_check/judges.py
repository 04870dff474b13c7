"""One judge per catalog case: from the scenarios' records to a verdict with evidence.

A judge says `ok`, `bad`, `warn` (a MUST whose SHOULD part failed), `info` or `skip`; the case's level
turns `bad` into FAIL, WARN or INFO. A judge that cannot see what its case needs skips with the
reason: nothing passes unobserved.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .browser import CallbackAnswer
from .process import CommandResult
from .profiles import PROFILES
from .runs import CREDENTIAL_KINDS, LoginRun, ScenarioRun, Step
from .scenarios import (
    EXIT_AFTER_ERROR,
    LOGOUT,
    OTHER_ISSUER,
    REFRESH_1,
    REFRESH_2,
    REFRESH_AFTER,
    REFRESH_REVOKED,
    REFRESH_TOGETHER,
)
from .secrets import Secrets
from .stage import CheckSettings
from .tap import Exchange

UNRESERVED = set(string.ascii_letters + string.digits + "-._~")
LOOPBACK_HOSTS = ("127.0.0.1", "::1")
LOG_IN_AGAIN = re.compile(
    r"\blog\s*-?\s*in\b|\blogin\b|\bsign\s*-?\s*in\b|\bre-?authenticate\b", re.IGNORECASE
)
NOT_LISTENING = "net::ERR_CONNECTION_REFUSED"


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


def skip(reason: str) -> Verdict:
    return Verdict("skip", reason)


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


def needs_login(observed: Observed, name: str = "login") -> tuple[ScenarioRun, LoginRun] | Verdict:
    run = observed.run(name)
    if run is None or run.login is None:
        return skip(f"the {name} scenario did not run")
    if not run.login.url:
        return skip(f"the {name} scenario's login showed no sign-in URL: {run.login.command.describe()}")
    return run, run.login


def needs_step(observed: Observed, name: str, step: str, option: str) -> tuple[ScenarioRun, Step] | Verdict:
    run = observed.run(name)
    if getattr(observed.settings, option) is None:
        return skip(f"needs --{option} CMD")
    if run is None:
        return skip(f"the {name} scenario did not run")
    if step not in run.steps:
        return skip(run.skipped or f"the step '{step}' did not run")
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


# Discovery -----------------------------------------------------------------------------------------


@judge("CLI-01")
def takes_endpoints_from_discovery(observed: Observed) -> Verdict:
    found = needs_login(observed)
    if isinstance(found, Verdict):
        return found
    run, login = found
    problems, evidence = [], [url_evidence(login)]
    if not login.completed(run.endpoints):
        problems.append(f"the plain login did not complete: {login.describe(run.endpoints)}")
    moved = observed.run("non-default-paths")
    if moved is not None and moved.login is not None:
        advertised = moved.endpoints
        other = moved.login
        if other.url and not other.url.startswith(advertised.advertised_authorize + "?"):
            problems.append(
                f"with endpoints at non-default paths it built the sign-in URL {other.url.split('?')[0]} "
                f"instead of taking {advertised.advertised_authorize} from discovery"
            )
        for exchange in other.exchanges:
            if (
                exchange.routed in (advertised.token, advertised.revocation)
                and exchange.path == exchange.routed
            ):
                problems.append(
                    f"it sent {exchange.method} {exchange.path}, a path discovery did not advertise"
                )
                evidence.append(exchange_evidence("request to a default path", exchange))
        if not other.completed(advertised):
            problems.append(
                f"with endpoints at non-default paths the login did not complete: {other.describe(advertised)}"
            )
        evidence.append(url_evidence(other) if other.url else command_evidence(other.command))
    else:
        evidence.append(note("non-default paths", "scenario not run"))
    return problems_verdict(
        problems, "the login completes, also with endpoints at non-default paths", evidence
    )


@judge("CLI-02")
def refuses_issuer_mismatch(observed: Observed) -> Verdict:
    run = observed.run("issuer-mismatch")
    if run is None or run.login is None:
        return skip("the issuer-mismatch scenario did not run")
    login = run.login
    evidence = [command_evidence(login.command)]
    if login.url:
        return bad(
            f"it went on to sign-in although discovery advertised issuer {OTHER_ISSUER}, not the URL it was given",
            url_evidence(login),
            *evidence,
        )
    if login.command.exit_code is None:
        return bad("it neither stopped nor showed a sign-in URL", *evidence)
    if login.command.exit_code == 0:
        return bad("it exited 0 without signing in and without an error", *evidence)
    return ok("it stopped before sign-in with a message", *evidence)


@judge("CLI-03")
def accepts_trailing_slash(observed: Observed) -> Verdict:
    found = needs_login(observed, "trailing-slash")
    if isinstance(found, Verdict):
        return found
    run, login = found
    if login.completed(run.endpoints):
        return ok("the login completes with the issuer URL ending in '/'", command_evidence(login.command))
    return bad(
        f"with the issuer URL ending in '/': {login.describe(run.endpoints)}", command_evidence(login.command)
    )


@judge("CLI-04")
def refuses_untrusted_certificate(observed: Observed) -> Verdict:
    return skip("needs the mock's TLS mode")


# Authorization request -----------------------------------------------------------------------------


@judge("CLI-05")
def response_type_and_client(observed: Observed) -> Verdict:
    found = needs_login(observed)
    if isinstance(found, Verdict):
        return found
    _, login = found
    params, problems = login.params, []
    if params.get("response_type") != "code":
        problems.append(f"response_type is {params.get('response_type')!r}, not 'code'")
    if params.get("client_id") not in observed.client_ids:
        problems.append(
            f"client_id {params.get('client_id')!r} is not registered (registered: {', '.join(sorted(observed.client_ids))})"
        )
    return problems_verdict(
        problems, f"response_type=code, client_id={params.get('client_id')}", [url_evidence(login)]
    )


@judge("CLI-06")
def pkce_s256(observed: Observed) -> Verdict:
    found = needs_login(observed)
    if isinstance(found, Verdict):
        return found
    run, login = found
    params, problems, evidence = login.params, [], [url_evidence(login)]
    method, challenge = params.get("code_challenge_method"), params.get("code_challenge")
    if not challenge:
        problems.append("no code_challenge")
    if method != "S256":
        problems.append(f"code_challenge_method is {method!r}, not 'S256'")
    for exchange in login.code_exchanges(run.endpoints):
        verifier = exchange.field("code_verifier")
        evidence.append(exchange_evidence("code exchange", exchange))
        if verifier is None:
            problems.append("the code exchange sent no code_verifier")
        elif challenge and s256(verifier) != challenge:
            problems.append("the code_challenge is not the S256 of the code_verifier sent")
    return problems_verdict(problems, "S256 challenge, matching verifier", evidence)


@judge("CLI-07")
def fresh_valid_verifier(observed: Observed) -> Verdict:
    found = verifiers(observed)
    if len(found) < 2:
        return skip(f"needs two code exchanges to compare verifiers; saw {len(found)}")
    problems = []
    for verifier, _ in found:
        if not 43 <= len(verifier) <= 128 or not set(verifier) <= UNRESERVED:
            problems.append(
                f"a verifier of {len(verifier)} characters outside RFC 7636 §4.1's 43-128 unreserved ones"
            )
    values = [verifier for verifier, _ in found]
    if len(set(values)) < len(values):
        problems.append(
            f"the same verifier was used again: {len(set(values))} distinct in {len(values)} logins"
        )
    evidence = [exchange_evidence("code exchange", exchange) for _, exchange in found]
    return problems_verdict(
        problems, f"{len(values)} code exchanges, {len(values)} distinct valid verifiers", evidence
    )


@judge("CLI-08")
def verifier_entropy(observed: Observed) -> Verdict:
    found = verifiers(observed)
    if len(found) < 2:
        return skip(f"needs two code exchanges to compare verifiers; saw {len(found)}")
    values = [verifier for verifier, _ in found]
    weakest = min(entropy_bits(value) for value in values)
    problems = []
    if weakest < 256:
        problems.append(f"a verifier carries at most about {weakest:.0f} bits")
    if len(set(values)) < len(values):
        problems.append("a verifier was used twice")
    return problems_verdict(problems, f"at least about {weakest:.0f} bits, all distinct", [])


@judge("CLI-09")
def state_fresh_and_strong(observed: Observed) -> Verdict:
    states = [(login.params.get("state"), login) for _, login in observed.logins() if login.url]
    if len(states) < 2:
        return skip(f"needs two logins to compare states; saw {len(states)}")
    problems = []
    for state, _ in states:
        if not state:
            problems.append("a sign-in URL without state")
        elif entropy_bits(state) < 128:
            problems.append(f"a state of about {entropy_bits(state):.0f} bits ({len(state)} characters)")
    values = [state for state, _ in states if state]
    if len(set(values)) < len(values):
        problems.append("the same state was sent twice")
    return problems_verdict(
        problems, f"{len(values)} distinct states of 128 bits or more", [url_evidence(states[0][1])]
    )


def _redirect(observed: Observed) -> tuple[LoginRun, Any] | Verdict:
    found = needs_login(observed)
    if isinstance(found, Verdict):
        return found
    _, login = found
    if not login.redirect_uri:
        return bad("the sign-in URL has no redirect_uri", url_evidence(login))
    return login, urlsplit(login.redirect_uri)


@judge("CLI-10")
def loopback_ip_redirect(observed: Observed) -> Verdict:
    found = _redirect(observed)
    if isinstance(found, Verdict):
        return found
    login, parts = found
    problems = []
    if parts.scheme != "http":
        problems.append(f"scheme {parts.scheme!r}, not http")
    if parts.hostname not in LOOPBACK_HOSTS:
        problems.append(
            f"host {parts.hostname!r} is not 127.0.0.1 or [::1]"
            + (
                " (both Platform clients register 127.0.0.1, so the provider refuses it)"
                if parts.hostname == "localhost"
                else ""
            )
        )
    if parts.port is None:
        problems.append("no port")
    evidence = [note("redirect_uri", login.redirect_uri)]
    evidence += [
        note("the browser stayed at", visit.stopped_at) for visit in login.visits if visit.stopped_at
    ]
    return problems_verdict(problems, f"redirect_uri {login.redirect_uri}", evidence)


@judge("CLI-11")
def not_localhost(observed: Observed) -> Verdict:
    found = _redirect(observed)
    if isinstance(found, Verdict):
        return found
    login, parts = found
    if parts.hostname == "localhost":
        return bad("the redirect host is localhost", note("redirect_uri", login.redirect_uri))
    return ok(f"redirect host {parts.hostname}", note("redirect_uri", login.redirect_uri))


@judge("CLI-12")
def listens_on_loopback(observed: Observed) -> Verdict:
    found = needs_login(observed)
    if isinstance(found, Verdict):
        return found
    _, login = found
    if login.listeners is None:
        return skip("needs Linux's /proc to see the client's sockets")
    if not login.listeners:
        return skip("no listening socket found in the client's processes while it waited")
    shown = note("listening sockets", ", ".join(str(listener) for listener in login.listeners))
    exposed = [str(listener) for listener in login.listeners if not listener.loopback]
    if exposed:
        return bad(f"listens beyond loopback: {', '.join(exposed)}", shown)
    return ok("every listening socket is on loopback", shown)


@judge("CLI-13")
def asks_for_openid(observed: Observed) -> Verdict:
    found = needs_login(observed)
    if isinstance(found, Verdict):
        return found
    _, login = found
    scopes = set(login.params.get("scope", "").split())
    problems = []
    if "openid" not in scopes:
        problems.append("scope has no openid")
    if observed.keeps_refresh_token() and "offline_access" not in scopes:
        problems.append("it keeps a refresh token but does not ask for offline_access")
    return problems_verdict(
        problems, f"scope {' '.join(sorted(scopes))}", [note("scope", login.params.get("scope"))]
    )


# Callback ------------------------------------------------------------------------------------------


@judge("CLI-14")
def complete_callback_answer(observed: Observed) -> Verdict:
    answers = [
        (run.name, answer)
        for run, login in observed.logins()
        for answer in login.callbacks
        if answer.failure != NOT_LISTENING
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
    found = needs_login(observed, "wrong-state")
    if isinstance(found, Verdict):
        return found
    run, login = found
    code = run.notes.get("code delivered with a wrong state")
    if not code:
        return skip(run.skipped or "the checker could not deliver a code with a wrong state")
    evidence = [callback_evidence(answer) for answer in login.callbacks]
    redeemed = [e for e in login.code_exchanges(run.endpoints) if e.field("code") == code]
    evidence += [exchange_evidence("code exchange", e) for e in login.code_exchanges(run.endpoints)]
    if redeemed:
        return bad("it redeemed the code that came with a wrong state", *evidence)
    return ok("it redeemed no code from the callback with a wrong state", *evidence)


def _stops_after_error(login: LoginRun, what: str) -> Verdict:
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
    found = needs_login(observed, "cancel")
    if isinstance(found, Verdict):
        return found
    _, login = found
    if not any("error=" in answer.url for answer in login.callbacks):
        return skip("the Cancel never reached the client's callback")
    return _stops_after_error(login, "error=access_denied")


@judge("CLI-17")
def escapes_error_description(observed: Observed) -> Verdict:
    found = needs_login(observed, "error-markup")
    if isinstance(found, Verdict):
        return found
    _, login = found
    answers = [answer for answer in login.callbacks if answer.complete]
    if not answers:
        return skip("no complete callback page to look at (see CLI-14)")
    evidence = [callback_evidence(answer) for answer in answers]
    if any(answer.markup_rendered for answer in answers):
        return bad("the markup in error_description became part of the page", *evidence)
    return ok("the markup in error_description shows as text", *evidence)


@judge("CLI-18")
def stops_listening(observed: Observed) -> Verdict:
    found = needs_login(observed)
    if isinstance(found, Verdict):
        return found
    _, login = found
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


# Token request and tokens ----------------------------------------------------------------------------


@judge("CLI-19")
def token_request(observed: Observed) -> Verdict:
    found = needs_login(observed)
    if isinstance(found, Verdict):
        return found
    run, login = found
    codes = [answer for answer in login.callbacks if "code=" in answer.url]
    if not codes:
        return skip("the browser never delivered a code to the client's callback")
    exchanges = login.code_exchanges(run.endpoints)
    if not exchanges:
        return bad("no code exchange after the browser delivered the code", callback_evidence(codes[0]))
    exchange, params, problems = exchanges[0], login.params, []
    if not exchange.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
        problems.append(f"Content-Type {exchange.headers.get('Content-Type')!r}, not a form")
    if exchange.path != urlsplit(run.endpoints.advertised_token).path:
        problems.append(f"sent to {exchange.path}, not the discovered {run.endpoints.advertised_token}")
    expected = {
        "redirect_uri": params.get("redirect_uri"),
        "client_id": params.get("client_id"),
    }
    for name, value in expected.items():
        if exchange.field(name) != value:
            problems.append(
                f"{name} {exchange.field(name)!r} differs from the authorization request's {value!r}"
            )
    if not exchange.field("code_verifier"):
        problems.append("no code_verifier")
    delivered = dict(parse_qsl(urlsplit(codes[0].url).query)).get("code")
    if exchange.field("code") != delivered:
        problems.append("the code sent is not the one the browser delivered")
    return problems_verdict(
        problems, "form POST with every required field", [exchange_evidence("code exchange", exchange)]
    )


@judge("CLI-20")
def no_secret_sent(observed: Observed) -> Verdict:
    exchanges = [(run, e) for run in observed.runs.values() for e in run.exchanges()]
    if not exchanges:
        return skip("the client sent no request")
    credentials = observed.secrets.values(*CREDENTIAL_KINDS, "credential")
    problems, evidence = [], []
    for run, exchange in exchanges:
        if "client_secret" in exchange.form or "client_secret" in exchange.params:
            problems.append(f"client_secret sent to {exchange.path}")
        if exchange.routed == run.endpoints.token and exchange.headers.get(
            "Authorization", ""
        ).lower().startswith("basic"):
            problems.append(f"client credentials in Basic auth to {exchange.path}")
        address = exchange.path + "?" + exchange.query
        for value in credentials:
            if value in address:
                problems.append(
                    f"a {observed.secrets.kind_of(value)} in the URL of {exchange.method} {exchange.path}"
                )
                evidence.append(exchange_evidence("credential in a URL", exchange))
    return problems_verdict(
        sorted(set(problems)), f"{len(exchanges)} requests, no secret in a URL or form", evidence
    )


@judge("CLI-21")
def validates_id_token(observed: Observed) -> Verdict:
    found = needs_login(observed, "forged-id-token")
    if isinstance(found, Verdict):
        return found
    run, login = found
    if not login.tokens(run.endpoints):
        return skip(f"the client got no token response: {login.describe(run.endpoints)}")
    evidence = [command_evidence(login.command)]
    if login.command.exit_code == 0:
        return Verdict(
            "info",
            "ignores the ID token: the login completed with one signed by a key JWKS does not publish "
            "(a client that uses the ID token fails this MUST)",
            evidence,
            level="INFO",
        )
    return ok("refused the ID token signed with an unpublished key", *evidence, level="MUST")


@judge("CLI-22")
def stops_on_token_error(observed: Observed) -> Verdict:
    found = needs_login(observed, "token-error")
    if isinstance(found, Verdict):
        return found
    run, login = found
    refused = [e for e in login.code_exchanges(run.endpoints) if e.status >= 400]
    if not refused:
        return skip("the client made no code exchange for the mock to refuse")
    verdict = _stops_after_error(login, "invalid_grant from the token endpoint")
    verdict.evidence.append(exchange_evidence("code exchange", refused[0]))
    return verdict


@judge("CLI-23")
def prints_no_secret(observed: Observed) -> Verdict:
    secrets = observed.secrets.values(*CREDENTIAL_KINDS, "credential")
    if not secrets:
        return skip("the mock issued nothing secret")
    problems, evidence, commands = [], [], 0
    for run in observed.runs.values():
        for command in run.commands():
            commands += 1
            for stream, text in (("stdout", command.stdout), ("stderr", command.stderr)):
                kinds = sorted({observed.secrets.kind_of(value) or "" for value in secrets if value in text})
                if kinds:
                    problems.append(
                        f"the {' and '.join(kinds)} on the {stream} of {run.name}: {command.label}"
                    )
                    evidence.append(note(f"{command.label} {stream}", text.strip()[-500:]))
    return problems_verdict(problems, f"no secret in the output of {commands} commands", evidence)


# After login ---------------------------------------------------------------------------------------


def _profile_login(observed: Observed, profile: str) -> tuple[ScenarioRun, LoginRun] | Verdict:
    if observed.settings.profile != profile:
        return skip(f"applies to --profile {profile}")
    found = needs_login(observed)
    if isinstance(found, Verdict):
        return found
    run, login = found
    if not login.tokens(run.endpoints):
        return skip(f"the login got no tokens: {login.describe(run.endpoints)}")
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
    found = _profile_login(observed, "nextflow")
    if isinstance(found, Verdict):
        return found
    run, login = found
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
    found = _profile_login(observed, "seqera")
    if isinstance(found, Verdict):
        return found
    _, login = found
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


# Refresh -------------------------------------------------------------------------------------------


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
    found = needs_step(observed, "login", REFRESH_TOGETHER, "refresh")
    if isinstance(found, Verdict):
        return found
    run, together = found
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
    found = needs_step(observed, "login", REFRESH_1, "refresh")
    if isinstance(found, Verdict):
        return found
    run, _ = found
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
    found = needs_step(observed, "refresh-revoked", REFRESH_REVOKED, "refresh")
    if isinstance(found, Verdict):
        return found
    run, step = found
    grants = step.refresh_grants(run.endpoints)
    if not grants:
        return skip("the refresh command made no refresh_token grant after the grant was revoked")
    command, evidence = step.commands[0], _refresh_evidence(run, [step])
    if command.exit_code == 0:
        return bad("exit 0 after the token endpoint refused the refresh with invalid_grant", *evidence)
    if not LOG_IN_AGAIN.search(command.output):
        return bad(f"{command.describe()}: it does not tell the user to log in again", *evidence)
    return ok(f"{command.describe()}", *evidence)


@judge("CLI-29")
def refreshes_before_expiry(observed: Observed) -> Verdict:
    found = needs_step(observed, "login", REFRESH_1, "refresh")
    if isinstance(found, Verdict):
        return found
    run, step = found
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


# Logout --------------------------------------------------------------------------------------------


@judge("CLI-30")
def revokes_on_logout(observed: Observed) -> Verdict:
    level = "MUST" if observed.settings.profile == "seqera" else "SHOULD"
    found = needs_step(observed, "login-again", LOGOUT, "logout")
    if isinstance(found, Verdict):
        return found
    run, step = found
    if not observed.keeps_refresh_token():
        return skip(
            "the client keeps no refresh token (none in its files after login, no refresh_token grant)"
        )
    status = step.notes.get("refresh token at the token endpoint after logout")
    if status is None:
        return skip("the login gave the client no refresh token")
    revocations = [e for e in step.exchanges if e.routed == run.endpoints.revocation]
    evidence = [
        command_evidence(step.commands[0]),
        note("the checker's refresh with it after logout", status),
    ]
    evidence += [exchange_evidence("revocation", e) for e in revocations]
    if status == 200:
        return bad("the refresh token still works after logout", *evidence, level=level)
    return ok("the refresh token is refused after logout", *evidence, level=level)


@judge("CLI-31")
def deletes_pat(observed: Observed) -> Verdict:
    found = needs_step(observed, "login-again", LOGOUT, "logout")
    if isinstance(found, Verdict):
        return found
    run, step = found
    status = step.notes.get("PAT at GET /user-info after logout")
    if status is None:
        return skip("the client created no PAT at login")
    pat = run.created_pat()
    deletes = [e for e in step.exchanges if e.method == "DELETE" and "/tokens/" in e.routed]
    evidence = [command_evidence(step.commands[0]), note("the checker's GET /user-info with the PAT", status)]
    evidence += [exchange_evidence("PAT deletion", e) for e in deletes]
    if status == 200:
        return bad("the PAT still works after logout", *evidence)
    if not any(e.bearer == pat for e in deletes):
        return ok("the PAT is refused after logout (though not deleted with the PAT itself)", *evidence)
    return ok("the PAT deleted itself and is refused after logout", *evidence)


@judge("CLI-32")
def removes_local_credentials(observed: Observed) -> Verdict:
    found = needs_step(observed, "login-again", LOGOUT, "logout")
    if isinstance(found, Verdict):
        return found
    _, step = found
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


# Resilience ----------------------------------------------------------------------------------------


def _slow(observed: Observed, name: str) -> tuple[ScenarioRun, LoginRun] | Verdict:
    if not observed.settings.slow:
        return skip("a slow scenario: run with --slow")
    return needs_login(observed, name)


@judge("CLI-33")
def gives_up_without_browser(observed: Observed) -> Verdict:
    found = _slow(observed, "no-browser")
    if isinstance(found, Verdict):
        return found
    _, login = found
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
    found = _slow(observed, "provider-hangs")
    if isinstance(found, Verdict):
        return found
    run, login = found
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
