"""PKCE: S256 only, required for public clients, verified at the token endpoint (RFC 7636)."""

from __future__ import annotations

import pytest

from client.pkce import compute_challenge
from tests.oidc_flows import authorization_code, authorize, redeem, redirect_params

RFC7636_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
RFC7636_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"code_challenge": None, "code_challenge_method": None}, "code_challenge is required"),
        ({"code_challenge": ""}, "code_challenge_method was sent without code_challenge"),
        ({"code_challenge_method": "plain"}, "must be S256"),
        ({"code_challenge_method": None}, "must be S256"),
        ({"code_challenge_method": "s256"}, "must be S256"),
        ({"code_challenge_method": "S512"}, "must be S256"),
        ({"code_challenge": "a" * 42}, "43-128 characters"),
        ({"code_challenge": "a" * 129}, "43-128 characters"),
        ({"code_challenge": "a+/=" * 11}, "43-128 characters"),
    ],
)
def test_bad_challenges_are_refused_by_redirect(live_platform, changes, why):
    response = authorize(live_platform.issuer, state="s1", **changes)
    query = redirect_params(response)
    assert query["error"] == "invalid_request"
    assert why in query["error_description"]
    assert query["state"] == "s1" and "code" not in query


def test_missing_verifier_is_invalid_grant(live_platform):
    response = redeem(authorization_code(live_platform.issuer), code_verifier=None)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_wrong_verifier_is_invalid_grant_and_does_not_burn_the_code(live_platform):
    auth = authorization_code(live_platform.issuer)
    wrong = redeem(auth, code_verifier="W" * 43)
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    challenge_as_verifier = redeem(auth, code_verifier=compute_challenge(auth.verifier))
    assert challenge_as_verifier.json()["error"] == "invalid_grant"
    assert redeem(auth).status_code == 200


@pytest.mark.parametrize("verifier", ["a" * 42, "a" * 129, "a" * 42 + "+"])
def test_malformed_verifier_is_invalid_request(live_platform, verifier):
    response = redeem(authorization_code(live_platform.issuer), code_verifier=verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
