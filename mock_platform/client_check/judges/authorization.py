"""Judges of CLI-05 to CLI-13: the authorization request."""

from __future__ import annotations

import string
from typing import Any
from urllib.parse import urlsplit

from ..runs import LoginRun
from .base import (
    Judged,
    Observed,
    Verdict,
    bad,
    entropy_bits,
    exchange_evidence,
    judge,
    needs_login,
    note,
    ok,
    problems_verdict,
    s256,
    skip,
    url_evidence,
    verifiers,
)

UNRESERVED = set(string.ascii_letters + string.digits + "-._~")
LOOPBACK_HOSTS = ("127.0.0.1", "::1")


@judge("CLI-05")
def response_type_and_client(observed: Observed) -> Verdict:
    _, login = needs_login(observed)
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
    run, login = needs_login(observed)
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


def _redirect(observed: Observed) -> tuple[LoginRun, Any]:
    _, login = needs_login(observed)
    if not login.redirect_uri:
        raise Judged(bad("the sign-in URL has no redirect_uri", url_evidence(login)))
    return login, urlsplit(login.redirect_uri)


@judge("CLI-10")
def loopback_ip_redirect(observed: Observed) -> Verdict:
    login, parts = _redirect(observed)
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
    login, parts = _redirect(observed)
    if parts.hostname == "localhost":
        return bad("the redirect host is localhost", note("redirect_uri", login.redirect_uri))
    return ok(f"redirect host {parts.hostname}", note("redirect_uri", login.redirect_uri))


@judge("CLI-12")
def listens_on_loopback(observed: Observed) -> Verdict:
    _, login = needs_login(observed)
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
    _, login = needs_login(observed)
    scopes = set(login.params.get("scope", "").split())
    problems = []
    if "openid" not in scopes:
        problems.append("scope has no openid")
    if observed.keeps_refresh_token() and "offline_access" not in scopes:
        problems.append("it keeps a refresh token but does not ask for offline_access")
    return problems_verdict(
        problems, f"scope {' '.join(sorted(scopes))}", [note("scope", login.params.get("scope"))]
    )
