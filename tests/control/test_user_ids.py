"""User ids at run time: never given twice, a deleted user's codes, queued identities and browser
sessions die with it, and ids are bounded where they come in (issue 18, findings 5 and 6)."""

from __future__ import annotations

import pytest
import requests

from mock_platform.directory import MAX_ID
from mock_platform.testing import ControlError
from tests.oidc_flows import (
    Authorization,
    authorization_code,
    authorize,
    endpoint,
    password_sign_in,
    pkce_login,
    redeem,
    userinfo,
)

from .helpers import control


def user_id(mock_platform, user_name: str) -> int:
    return next(user["id"] for user in mock_platform.control.users() if user["userName"] == user_name)


def test_an_unredeemed_code_of_a_deleted_user_gives_nobody_tokens(mock_platform):
    mock_platform.control.create_user("mallory")
    unredeemed = authorization_code(mock_platform.issuer, login_hint="mallory")
    mallory = user_id(mock_platform, "mallory")
    mock_platform.control.delete_user("mallory")

    victor = mock_platform.control.create_user("victor")

    assert victor["id"] != mallory
    response = redeem(unredeemed)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_a_deleted_users_browser_session_signs_nobody_in(mock_platform):
    mock_platform.control.create_user("erin")
    with requests.Session() as browser:
        assert password_sign_in(mock_platform.issuer, browser, "erin").status_code == 303
        mock_platform.control.delete_user("erin")
        mock_platform.control.create_user("frank")

        after = authorize(mock_platform.issuer, browser, login_hint=None)

    assert after.status_code == 200 and 'id="login-form"' in after.text


def test_a_session_from_before_a_reset_does_not_sign_in_the_new_owner_of_its_id(mock_platform):
    """A reset starts the directory afresh, ids included; the session names its user by name too."""
    erin = mock_platform.control.create_user("erin")
    with requests.Session() as browser:
        assert password_sign_in(mock_platform.issuer, browser, "erin").status_code == 303
        mock_platform.control.reset()
        frank = mock_platform.control.create_user("frank")

        after = authorize(mock_platform.issuer, browser, login_hint=None)

    assert frank["id"] == erin["id"]
    assert after.status_code == 200 and 'id="login-form"' in after.text


def test_a_queued_identity_of_a_deleted_user_signs_nobody_in(mock_platform):
    mock_platform.control.create_user("mallory")
    mock_platform.control.queue_identity("mallory")
    mock_platform.control.delete_user("mallory")
    mock_platform.control.create_user("victor")

    response = authorize(mock_platform.issuer, login_hint=None)

    assert response.status_code == 200 and 'id="login-form"' in response.text


@pytest.mark.parametrize("huge", [2**63, 2**70, MAX_ID + 1])
@pytest.mark.parametrize("path", ["/users", "/identity"])
def test_ids_beyond_the_bound_are_refused_at_input(mock_platform, path, huge):
    user = {"userName": "huge", "id": huge}

    response = control(mock_platform, "POST", path, user if path == "/users" else {"user": user})

    assert response.status_code == 400
    assert f"id: must be a whole number from 1 to {MAX_ID}, got {huge}" in response.json()["message"]
    assert huge not in [user["id"] for user in mock_platform.control.users()]
    assert authorize(mock_platform.issuer, login_hint="alice").status_code == 302


def test_the_highest_id_works_from_sign_in_to_the_rest_api(mock_platform):
    mock_platform.control.create_user("last", id=MAX_ID)
    login = pkce_login(login_hint="last")
    response = requests.get(
        endpoint(mock_platform.issuer, "authorize"),
        params=login.authorize_query(),
        allow_redirects=False,
        timeout=10,
    )
    tokens = redeem(Authorization(mock_platform.issuer, login, login.code_from(response.headers["Location"])))

    assert userinfo(mock_platform.issuer, tokens.json()["access_token"]).json()["sub"] == str(MAX_ID)
    with pytest.raises(ControlError, match=f"must be a whole number from 1 to {MAX_ID}"):
        mock_platform.control.create_user("after-last")  # the next id would be out of bounds
