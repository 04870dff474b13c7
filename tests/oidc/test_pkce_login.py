"""The one headless login helper's steps (mock_platform/pkce_login.py), without a server."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mock_platform.pkce_login import CallbackError, PkceLogin

RFC7636_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
RFC7636_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
CALLBACK = "http://127.0.0.1:53682/callback"
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)))


def test_the_authorize_query_is_the_clis_in_its_order_with_an_s256_challenge():
    login = PkceLogin("nextflow_cli", "alice", CALLBACK, verifier=RFC7636_VERIFIER, state="s")
    assert list(login.authorize_query().items()) == [
        ("client_id", "nextflow_cli"),
        ("response_type", "code"),
        ("scope", "openid profile email offline_access"),
        ("redirect_uri", CALLBACK),
        ("state", "s"),
        ("code_challenge", RFC7636_CHALLENGE),
        ("code_challenge_method", "S256"),
        ("login_hint", "alice"),
    ]


def test_extra_parameters_follow_replace_in_place_or_leave_out():
    login = PkceLogin(login_hint=None, nonce="n", state="s")
    query = login.authorize_query(state="t", code_challenge_method=None, prompt="login")
    assert list(query) == [
        "client_id", "response_type", "scope", "redirect_uri", "state", "code_challenge", "nonce", "prompt",
    ]  # fmt: skip
    assert (query["state"], query["nonce"], query["prompt"]) == ("t", "n", "login")


def test_each_login_has_its_own_verifier_and_state_within_rfc_7636():
    logins = [PkceLogin() for _ in range(20)]
    assert len({login.verifier for login in logins}) == len({login.state for login in logins}) == 20
    assert all(re.fullmatch(r"[A-Za-z0-9\-._~]{43,128}", login.verifier) for login in logins)


@given(code=text.filter(bool), state=text.filter(bool))
def test_the_code_comes_back_from_any_callback_that_answers_this_login(code, state):
    login = PkceLogin(redirect_uri=CALLBACK, state=state)
    assert login.code_from(f"{CALLBACK}?{urlencode({'state': state, 'code': code, 'iss': 'x'})}") == code


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("http://127.0.0.1:1/callback?code=c&state=s", "not to http://127.0.0.1:53682/callback"),
        (
            f"{CALLBACK}?error=access_denied&error_description=no+thanks&state=s",
            "error=access_denied: no thanks",
        ),
        (f"{CALLBACK}?code=c&state=other", "state 'other' is not 's'"),
        (f"{CALLBACK}?code=c", "state None is not 's'"),
        (f"{CALLBACK}?state=s", "carries no code"),
        (f"{CALLBACK}?code=&state=s", "carries no code"),
    ],
)
def test_a_callback_that_does_not_answer_this_login_is_an_error_naming_why(location, message):
    with pytest.raises(CallbackError, match=re.escape(message)):
        PkceLogin(redirect_uri=CALLBACK, state="s").code_from(location)


def test_the_token_form_is_nextflows_code_exchange():
    login = PkceLogin("seqera_ai_cli", redirect_uri=CALLBACK, verifier=RFC7636_VERIFIER)
    assert list(login.token_form("the-code").items()) == [
        ("grant_type", "authorization_code"),
        ("client_id", "seqera_ai_cli"),
        ("code", "the-code"),
        ("code_verifier", RFC7636_VERIFIER),
        ("redirect_uri", CALLBACK),
    ]
