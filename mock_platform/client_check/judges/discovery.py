"""Judges of CLI-01 to CLI-04: discovery."""

from __future__ import annotations

from ..scenarios import OTHER_ISSUER
from .base import (
    Observed,
    Verdict,
    bad,
    command_evidence,
    exchange_evidence,
    judge,
    needs_login,
    note,
    ok,
    problems_verdict,
    skip,
    url_evidence,
)


@judge("CLI-01")
def takes_endpoints_from_discovery(observed: Observed) -> Verdict:
    run, login = needs_login(observed)
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
    run, login = needs_login(observed, "trailing-slash")
    if login.completed(run.endpoints):
        return ok("the login completes with the issuer URL ending in '/'", command_evidence(login.command))
    return bad(
        f"with the issuer URL ending in '/': {login.describe(run.endpoints)}", command_evidence(login.command)
    )


@judge("CLI-04")
def refuses_untrusted_certificate(observed: Observed) -> Verdict:
    """Credited only after the positive control: the same login completed with the CA given."""
    run = observed.run("untrusted-tls")
    if run is None:
        return skip("the untrusted-tls scenario did not run")
    control = [command_evidence(run.control.command)] if run.control else []
    if run.login is None:
        return skip(f"inconclusive: {run.skipped}", *control)
    login = run.login
    evidence = [*control, command_evidence(login.command)]
    through = [exchange_evidence("request over the untrusted connection", e) for e in login.exchanges]
    if login.url:
        return bad(
            "without the mock's CA it went on to sign-in over https with a certificate it does not trust",
            url_evidence(login),
            *through,
            *evidence,
        )
    if through:
        return bad(
            f"without the mock's CA it sent {len(through)} request(s) over the untrusted connection",
            *through,
            *evidence,
        )
    command = login.command
    if command.exit_code is None:
        return bad("without the mock's CA it neither stopped nor showed a sign-in URL", *evidence)
    if command.exit_code == 0:
        return bad("without the mock's CA it exited 0 without signing in and without an error", *evidence)
    if not command.output.strip():
        return bad(f"without the mock's CA it exited {command.exit_code} without a message", *evidence)
    return ok(
        "without the mock's CA it stopped with a message before sign-in; with the CA the same login completed",
        *evidence,
    )
