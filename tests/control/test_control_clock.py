"""POST /_mock/clock: codes, access tokens and refresh tokens expire by the mock's clock, no sleeping."""

from __future__ import annotations

import pytest
import requests

from tests.oidc_flows import authorization_code, authorize, redeem, refresh

from .helpers import bearer_get, control


def test_an_authorization_code_expires_when_the_clock_moves_past_its_lifetime(mock_platform):
    code = authorization_code(mock_platform.issuer)

    mock_platform.control.advance_clock(mock_platform.settings.code_lifetime + 1)
    response = redeem(code)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_an_access_token_stops_working_at_user_info_and_the_refresh_token_later(mock_platform, oidc_login):
    tokens = oidc_login()
    assert bearer_get(mock_platform, "/user-info", tokens["access_token"]).status_code == 200

    mock_platform.control.advance_clock(mock_platform.settings.access_token_lifetime + 1)

    assert bearer_get(mock_platform, "/user-info", tokens["access_token"]).status_code == 401
    assert bearer_get(mock_platform, "/userinfo", tokens["access_token"]).status_code == 401
    renewed = refresh(mock_platform.issuer, tokens["refresh_token"])
    assert renewed.status_code == 200, renewed.text
    assert bearer_get(mock_platform, "/user-info", renewed.json()["access_token"]).status_code == 200

    mock_platform.control.advance_clock("31d")
    expired = refresh(mock_platform.issuer, renewed.json()["refresh_token"])
    assert (expired.status_code, expired.json()["error"]) == (400, "invalid_grant")


def test_the_clock_shows_its_offset_and_resets_to_real_time(mock_platform):
    before = mock_platform.control.clock()
    moved = mock_platform.control.advance_clock("2h")
    moved_again = mock_platform.control.advance_clock(90)

    assert before["offset"] == 0
    assert moved["offset"] == 7200 and moved_again["offset"] == 7290
    assert moved_again["now"] - before["now"] >= 7290
    assert mock_platform.control.reset_clock()["offset"] == 0


def test_a_session_signed_in_before_the_clock_was_reset_is_not_reused(mock_platform):
    """With the clock moved back, the session's auth_time is in the future: max_age cannot measure it."""
    browser = requests.Session()
    mock_platform.control.advance_clock("1h")
    assert authorize(mock_platform.issuer, browser).status_code == 302  # signs alice in via login_hint
    mock_platform.control.reset_clock()
    mock_platform.control.advance_clock(2)

    again = authorize(mock_platform.issuer, browser, login_hint=None, max_age="1")

    assert again.status_code == 200 and "Sign in" in again.text, again.headers.get("Location")


def test_tokens_minted_after_a_move_carry_the_mock_time(mock_platform):
    moved = mock_platform.control.advance_clock("1d")

    minted = mock_platform.control.mint_token("alice")

    assert abs(minted["claims"]["iat"] - moved["now"]) < 5


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "advance: required, the seconds to move the clock forward"),
        ({"advance": -5}, "advance: must be more than 0 and at most 315360000 seconds, got -5"),
        (
            {"advance": "soon"},
            'advance: must be seconds (a number) or a string like "90s", "15m", "2h", "1d"',
        ),
        (
            {"advance": True},
            'advance: expected the seconds to move the clock forward: a number, or "15m", "2h", "1d", got true',
        ),
        ({"ofset": 5}, "unknown field 'ofset'; known fields: advance"),
    ],
)
def test_bad_clock_moves_are_refused(mock_platform, body, message):
    response = control(mock_platform, "POST", "/clock", body)

    assert response.status_code == 400
    assert message in response.json()["message"]
    assert mock_platform.control.clock()["offset"] == 0
