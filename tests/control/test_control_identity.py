"""POST /_mock/identity: who signs in next, with which extra claims, for which client, how often."""

from __future__ import annotations

import pytest
import requests

from mock_platform.testing import LoginFailed

from .helpers import bearer_get, control, verified_claims


def test_queued_identity_shows_up_in_id_token_access_token_and_userinfo(mock_platform, oidc_login):
    queued = mock_platform.control.queue_identity(
        "bob",
        claims={"team": "genomics"},
        id_token_claims={"acr_note": "queued"},
        userinfo_claims={"department": "R&D"},
    )
    assert queued["user"] == "bob"

    tokens = oidc_login(user=None)

    id_token = verified_claims(mock_platform, tokens["id_token"])
    access = verified_claims(mock_platform, tokens["access_token"])
    userinfo = bearer_get(mock_platform, "/userinfo", tokens["access_token"]).json()
    assert id_token["sub"] == access["sub"] == userinfo["sub"] == "1002"
    assert id_token["team"] == access["team"] == userinfo["team"] == "genomics"
    assert id_token["acr_note"] == "queued" and "acr_note" not in access and "acr_note" not in userinfo
    assert userinfo["department"] == "R&D" and "department" not in id_token
    assert userinfo["email"] == "bob@example.com"
    assert mock_platform.control.identities() == []


def test_the_queue_wins_over_login_hint_and_runs_out_after_count(mock_platform, oidc_login):
    mock_platform.control.queue_identity("carol", count=2)

    subjects = [verified_claims(mock_platform, oidc_login(user="alice")["id_token"])["sub"] for _ in range(3)]

    assert subjects == ["1003", "1003", "1001"]


def test_identity_survives_a_refresh(mock_platform, oidc_login):
    mock_platform.control.queue_identity("bob", claims={"team": "genomics"})
    tokens = oidc_login(user=None)

    refreshed = requests.post(
        f"{mock_platform.issuer}/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": "nextflow_cli",
        },
        timeout=10,
    ).json()

    assert verified_claims(mock_platform, refreshed["access_token"])["team"] == "genomics"
    assert verified_claims(mock_platform, refreshed["id_token"])["team"] == "genomics"


def test_an_identity_for_one_client_waits_for_that_client(mock_platform, oidc_login):
    mock_platform.control.queue_identity("bob", client_id="seqera_ai_cli")

    nextflow = verified_claims(mock_platform, oidc_login("nextflow_cli", user="alice")["id_token"])
    seqera = verified_claims(mock_platform, oidc_login("seqera_ai_cli", user="alice")["id_token"])

    assert (nextflow["sub"], seqera["sub"]) == ("1001", "1002")


def test_a_new_user_can_be_queued_and_is_added_to_the_directory(mock_platform, oidc_login):
    queued = mock_platform.control.queue_identity({"userName": "dave", "claims": {"employee": True}})

    tokens = oidc_login(user=None)

    assert queued["created_user"] is True
    claims = verified_claims(mock_platform, tokens["id_token"])
    assert claims["preferred_username"] == "dave" and claims["employee"] is True
    assert mock_platform.control.user("dave")["email"] == "dave@example.com"
    assert (
        bearer_get(mock_platform, "/user-info", tokens["access_token"]).json()["user"]["userName"] == "dave"
    )


def test_without_a_queue_or_hint_nobody_is_signed_in(mock_platform, oidc_login):
    with pytest.raises(LoginFailed, match="sign-in page"):
        oidc_login(user=None)


def test_the_queue_can_be_listed_and_cleared(mock_platform):
    mock_platform.control.queue_identity("bob", count=3, client_id="nextflow_cli")

    [entry] = mock_platform.control.identities()
    assert (entry["user"], entry["remaining"], entry["client_id"]) == ("bob", 3, "nextflow_cli")
    mock_platform.control.clear_identities()
    assert mock_platform.control.identities() == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"user": "nobody"},
            'user: "nobody" is not a userName, email or id of a user; users: alice, bob, carol',
        ),
        ({}, "user: required, the userName, email or id of the user"),
        (
            {"user": "bob", "cout": 2},
            "unknown field 'cout' (did you mean 'count'?); known fields: access_token_claims,",
        ),
        ({"user": "bob", "count": 0}, "count: must be a whole number from 1 to 1000, got 0"),
        (
            {"user": "bob", "client_id": "nope"},
            'client_id: no client "nope"; registered: nextflow_cli, seqera_ai_cli',
        ),
        ({"user": "bob", "claims": {"sub": "1"}}, "claims.sub: a claim the protocol sets"),
        ({"user": "bob", "id_token_claims": {"aud": "x"}}, "id_token_claims.aud: a claim the protocol sets"),
        ({"user": "bob", "claims": ["team"]}, 'claims: expected a JSON object, got ["team"]'),
        ({"user": True}, "user: expected the userName, email or id of the user, or an object for a new user"),
        ({"user": {"userName": "alice"}}, "user.userName: user 'alice' already exists"),
        (
            {"user": {"userName": "dave", "email": "not-an-email"}},
            "users[3] (dave).email: must be an e-mail address, got 'not-an-email'",
        ),
    ],
)
def test_bad_identities_are_refused_with_a_message_naming_the_field(mock_platform, body, message):
    response = control(mock_platform, "POST", "/identity", body)

    assert response.status_code in (400, 409)
    assert message in response.json()["message"]
    assert mock_platform.control.identities() == []


def test_a_body_that_is_not_a_json_object_is_refused(mock_platform):
    response = requests.post(f"{mock_platform.base_url}/_mock/identity", data="user=bob", timeout=10)

    assert response.status_code == 400
    assert response.json() == {"message": 'the body must be a JSON object, e.g. {"user": "alice"}'}
