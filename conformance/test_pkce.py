"""PKCE: RFC 7636 with S256 only, required for the public CLI client (RFC 9700 §2.1.1)."""

from __future__ import annotations

import base64
import re

import pytest

from .checks import Check
from .expectations import error_or_page, json_body, token_error
from .harness import OAuth
from .oauth import UNRESERVED, Flow, Pairs, new_verifier, s256

case = pytest.mark.case
RFC_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
RFC_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def refused_at_authorize(check: Check, oauth: OAuth, label: str, pairs: Pairs, flow: Flow) -> None:
    """The authorization request must fail with invalid_request: a redirect (or, warned, a page)."""
    navigation = oauth.attempt(oauth.url(pairs), listener=flow.listener)
    error_or_page(check, navigation, flow, label, {"invalid_request"}, page_is_warning=True)


@case("PKCE-01")
def test_harness_pkce(check: Check) -> None:
    check.must(s256(RFC_VERIFIER) == RFC_CHALLENGE, "S256 of the RFC 7636 Appendix B verifier is wrong")
    octets = base64.urlsafe_b64decode(RFC_VERIFIER + "=")
    check.must(
        list(octets[:4]) == [116, 24, 223, 180] and len(octets) == 32,
        "the Appendix B verifier does not decode to its 32 octets",
    )
    for length in (43, 64, 128):
        verifier = new_verifier(length)
        check.must(
            VERIFIER.match(verifier) and len(verifier) == length,
            f"generated verifier of {length} characters is not 43-128 unreserved characters",
        )
    check.must(len({new_verifier() for _ in range(50)}) == 50, "the verifier generator repeats itself")
    check.must(
        set(RFC_CHALLENGE) <= set(UNRESERVED) and "=" not in s256(new_verifier()),
        "challenges must be unpadded base64url",
    )


@case("PKCE-02")
def test_rfc_example(check: Check, oauth: OAuth) -> None:
    flow = oauth.flow(verifier=RFC_VERIFIER)
    check.must(flow.challenge == RFC_CHALLENGE, "harness: wrong challenge for the Appendix B verifier")
    authorization = oauth.login(flow)
    response = oauth.exchange(flow, authorization.code or "")
    check.must(
        response.status_code == 200,
        f"the Appendix B verifier was refused: HTTP {response.status_code}",
        field="code_verifier",
    )


@case("PKCE-03")
def test_verifier_lengths(check: Check, oauth: OAuth) -> None:
    for length in (43, 128):
        flow = oauth.flow(verifier=new_verifier(length))
        response = oauth.exchange(flow, oauth.login(flow).code or "")
        check.must(
            response.status_code == 200,
            f"a {length}-character verifier was refused: HTTP {response.status_code}",
            field="code_verifier",
        )


@case("PKCE-04")
def test_challenge_required(check: Check, oauth: OAuth) -> None:
    flow = oauth.flow()
    omitted = flow.params(drop=["code_challenge", "code_challenge_method"])
    refused_at_authorize(check, oauth, "no code_challenge", omitted, flow)
    flow = oauth.flow()
    refused_at_authorize(check, oauth, "empty code_challenge", flow.params(code_challenge=""), flow)


@case("PKCE-05")
def test_plain_refused(check: Check, oauth: OAuth) -> None:
    flow = oauth.flow()
    plain = flow.params(code_challenge=flow.verifier, code_challenge_method="plain")
    refused_at_authorize(check, oauth, "code_challenge_method=plain", plain, flow)


@case("PKCE-06")
def test_method_omitted(check: Check, oauth: OAuth) -> None:
    flow = oauth.flow()
    navigation = oauth.attempt(oauth.url(flow.params(drop=["code_challenge_method"])), listener=flow.listener)
    hit = navigation.hit
    if hit is not None and hit.param("code"):
        response = oauth.exchange(flow, hit.param("code") or "")
        check.record("transform applied", "S256" if response.status_code == 200 else "not S256 (plain?)")
        check.should(
            False,
            "a code_challenge without code_challenge_method was accepted",
            field="code_challenge_method",
        )
        return
    error_or_page(check, navigation, flow, "code_challenge_method omitted", {"invalid_request"})


@case("PKCE-07")
def test_unknown_methods(check: Check, oauth: OAuth) -> None:
    for method in ("S512", "s256"):
        flow = oauth.flow()
        navigation = oauth.attempt(
            oauth.url(flow.params(code_challenge_method=method)), listener=flow.listener
        )
        error_or_page(check, navigation, flow, f"code_challenge_method={method}", {"invalid_request"})


@case("PKCE-08")
def test_malformed_challenge(check: Check, oauth: OAuth) -> None:
    challenge = s256(new_verifier())
    for label, value in (
        ("42 characters", challenge[:42]),
        ("129 characters", (challenge * 4)[:129]),
        ("+ / = characters", challenge[:40] + "+/="),
    ):
        flow = oauth.flow()
        navigation = oauth.attempt(oauth.url(flow.params(code_challenge=value)), listener=flow.listener)
        error_or_page(check, navigation, flow, f"code_challenge of {label}", {"invalid_request"})


@case("PKCE-09")
def test_verifier_required(check: Check, oauth: OAuth) -> None:
    authorization = oauth.login()
    response = oauth.exchange(authorization.flow, authorization.code or "", code_verifier=None)
    token_error(
        check,
        response,
        "token request without code_verifier",
        {"invalid_grant"},
        tolerated={"invalid_request"},
        clause="RFC 7636 §4.6",
    )


@case("PKCE-10")
def test_wrong_verifier(check: Check, oauth: OAuth) -> None:
    authorization = oauth.login()
    response = oauth.exchange(authorization.flow, authorization.code or "", code_verifier=new_verifier())
    token_error(check, response, "wrong code_verifier", {"invalid_grant"}, clause="RFC 7636 §4.6")


@case("PKCE-11")
def test_verifier_equal_to_challenge(check: Check, oauth: OAuth) -> None:
    authorization = oauth.login()
    flow = authorization.flow
    response = oauth.exchange(flow, authorization.code or "", code_verifier=flow.challenge)
    token_error(
        check, response, "code_verifier equal to the challenge", {"invalid_grant"}, clause="RFC 7636 §7.2"
    )


@case("PKCE-12")
def test_malformed_verifier(check: Check, oauth: OAuth) -> None:
    for label, verifier in (
        ("42 characters", new_verifier(42)),
        ("129 characters", new_verifier(129)),
        ("illegal characters", new_verifier(40) + "+/="),
    ):
        authorization = oauth.login()
        response = oauth.exchange(authorization.flow, authorization.code or "", code_verifier=verifier)
        token_error(check, response, f"code_verifier of {label}", {"invalid_request", "invalid_grant"})


@case("PKCE-13")
def test_crossed_verifier(check: Check, oauth: OAuth) -> None:
    first, second = oauth.login(), oauth.login()
    response = oauth.exchange(first.flow, first.code or "", code_verifier=second.flow.verifier)
    token_error(
        check, response, "flow A's code with flow B's verifier", {"invalid_grant"}, clause="RFC 7636 §4.6"
    )


@case("PKCE-14")
def test_retry_after_failed_verifier(check: Check, oauth: OAuth) -> None:
    authorization = oauth.login()
    flow, code = authorization.flow, authorization.code or ""
    wrong = oauth.exchange(flow, code, code_verifier=new_verifier())
    check.record("wrong verifier", wrong.status_code)
    right = oauth.exchange(flow, code)
    check.record(
        "then the right verifier", "success" if right.status_code == 200 else "code burned (invalid_grant)"
    )
    again = oauth.exchange(flow, code)
    check.expect(not (right.status_code == 200 and again.status_code == 200), "the code was exchanged twice")


@case("PKCE-15")
def test_code_without_challenge(check: Check, oauth: OAuth) -> None:
    issued = 0
    for with_verifier in (True, False):
        flow = oauth.flow()
        authorization = oauth.authorize(flow, flow.params(drop=["code_challenge", "code_challenge_method"]))
        if not authorization.code:
            continue
        issued += 1
        response = oauth.exchange(
            flow, authorization.code, code_verifier=flow.verifier if with_verifier else None
        )
        label = "with a code_verifier" if with_verifier else "without a code_verifier"
        check.must(
            response.status_code != 200 and "access_token" not in (json_body(response) or {}),
            f"a code issued without code_challenge was redeemed {label}",
            field="code_challenge",
        )
    check.record("codes issued without a challenge", issued)
