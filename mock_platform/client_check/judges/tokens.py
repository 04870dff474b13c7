"""Judges of CLI-19 to CLI-23: the token request and the tokens."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from ..runs import CREDENTIAL_KINDS
from .base import (
    Observed,
    Verdict,
    bad,
    callback_evidence,
    command_evidence,
    exchange_evidence,
    judge,
    needs_login,
    note,
    ok,
    problems_verdict,
    skip,
)
from .callback import stops_after_error


@judge("CLI-19")
def token_request(observed: Observed) -> Verdict:
    run, login = needs_login(observed)
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
    run, login = needs_login(observed, "forged-id-token")
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
    run, login = needs_login(observed, "token-error")
    refused = [e for e in login.code_exchanges(run.endpoints) if e.status >= 400]
    if not refused:
        return skip("the client made no code exchange for the mock to refuse")
    verdict = stops_after_error(login, "invalid_grant from the token endpoint")
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
                    evidence.append(note(f"{command.label} {stream}", text.strip()))  # the report shortens it
    return problems_verdict(problems, f"no secret in the output of {commands} commands", evidence)
