"""Users (POST, PUT, DELETE /_mock/users) and clients (POST /_mock/clients) at run time."""

from __future__ import annotations

import pytest

from mock_platform.testing import ControlError
from tests.oidc_flows import refresh

from .helpers import bearer_get, control, create_pat, verified_claims


def test_a_new_user_signs_in_with_claims_and_memberships(mock_platform, oidc_login):
    created = mock_platform.control.create_user(
        "dave",
        firstName="Dave",
        claims={"employee_id": "E-42"},
        organizations={"acme": "member"},
        workspaces={"acme/genomics": "launch"},
    )
    assert (created["id"], created["email"], created["password"]) == (
        1004,
        "dave@example.com",
        "dave-password",
    )

    tokens = oidc_login(user="dave")

    id_token = verified_claims(mock_platform, tokens["id_token"])
    userinfo = bearer_get(mock_platform, "/userinfo", tokens["access_token"]).json()
    assert id_token["employee_id"] == userinfo["employee_id"] == "E-42"
    assert id_token["given_name"] == "Dave"
    workspaces = bearer_get(mock_platform, "/user/1004/workspaces", tokens["access_token"]).json()
    assert {(row["orgName"], row["workspaceName"]) for row in workspaces["orgsAndWorkspaces"]} == {
        ("acme", None),
        ("acme", "genomics"),
    }


def test_put_changes_claims_and_roles_of_an_existing_user(mock_platform, oidc_login):
    updated = mock_platform.control.update_user(
        "bob",
        claims={"groups": ["ops"], "email": "bob@ops.example"},
        organizations={"beta-labs": None},
        workspaces={"acme/imaging": "view", "75887156211589": None},
    )

    assert updated["organizations"] == {"acme": "member"}
    assert updated["workspaces"] == {"acme/imaging": "view"}
    tokens = oidc_login(user="bob", scope="openid profile")
    claims = verified_claims(mock_platform, tokens["id_token"])
    assert claims["groups"] == ["ops"]
    assert "email" not in claims  # a standard claim stays behind its scope
    assert bearer_get(mock_platform, "/userinfo", tokens["access_token"]).json()["groups"] == ["ops"]


def test_put_creates_a_user_that_does_not_exist_yet(mock_platform):
    response = control(mock_platform, "PUT", "/users/erin", {"claims": {"level": 3}})

    assert response.status_code == 201
    assert response.json()["userName"] == "erin" and response.json()["claims"] == {"level": 3}


def test_a_deleted_users_tokens_stop_working(mock_platform, oidc_login):
    token = oidc_login(user="carol")["access_token"]

    mock_platform.control.delete_user("carol")

    assert bearer_get(mock_platform, "/user-info", token).status_code == 401
    assert "carol" not in [user["userName"] for user in mock_platform.control.users()]


def test_a_user_created_after_a_deletion_inherits_none_of_its_tokens(mock_platform, oidc_login):
    mock_platform.control.create_user("mallory")
    tokens = oidc_login(user="mallory")
    pat = create_pat(mock_platform, tokens["access_token"], "kept")
    mallory_id = next(u["id"] for u in mock_platform.control.users() if u["userName"] == "mallory")
    mock_platform.control.delete_user("mallory")

    victor = mock_platform.control.create_user("victor")

    assert victor["id"] != mallory_id
    for credential in (tokens["access_token"], pat):
        assert bearer_get(mock_platform, "/user-info", credential).status_code == 401
    assert refresh(mock_platform.issuer, tokens["refresh_token"]).status_code == 400
    # nor can a user be given the old id explicitly: ids are never reused
    with pytest.raises(ControlError, match=f"id {mallory_id} belonged to a deleted user"):
        mock_platform.control.create_user("trudy", id=mallory_id)


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "message"),
    [
        (
            "POST",
            "/users",
            {"userName": "alice"},
            409,
            "userName: user 'alice' already exists; change it with PUT",
        ),
        ("POST", "/users", {"email": "x@example.com"}, 400, "userName: required, the new user's login name"),
        (
            "POST",
            "/users",
            {"userName": "bad name"},
            400,
            "users[3].userName: must be 1-40 characters of letters, digits, . _ - (starting alphanumeric), "
            "got 'bad name'",
        ),
        (
            "POST",
            "/users",
            {"userName": "dave", "organizations": {"nope": "member"}},
            400,
            "organizations.nope: no such organization; organizations: acme, beta-labs",
        ),
        (
            "POST",
            "/users",
            {"userName": "dave", "organizations": {"acme": "boss"}},
            400,
            'organizations.acme: must be one of owner, member, collaborator, or null to remove, got "boss"',
        ),
        (
            "POST",
            "/users",
            {"userName": "dave", "workspaces": {"acme/genomics": "launch"}},
            400,
            'dave is not a member of organization acme; add "organizations": {"acme": "member"}',
        ),
        (
            "POST",
            "/users",
            {"userName": "dave", "workspaces": {"acme/nope": "view"}},
            400,
            "workspaces.acme/nope: no such workspace; use <org>/<workspace> or an id",
        ),
        (
            "POST",
            "/users",
            {"userName": "dave", "claims": {"sub": "x"}},
            400,
            "claims.sub: `sub` is the user id",
        ),
        ("PUT", "/users/alice", {"userName": "alicia"}, 400, "userName: users cannot be renamed"),
        ("PUT", "/users/alice", {"id": 7}, 400, "unknown field 'id'; known fields: avatar,"),
        (
            "PUT",
            "/users/alice",
            {"lastname": "L"},
            400,
            "unknown field 'lastname' (did you mean 'lastName'?)",
        ),
        ("GET", "/users/nobody", None, 404, "no user 'nobody'"),
        ("DELETE", "/users/nobody", None, 404, "no user 'nobody'"),
    ],
)
def test_bad_user_changes_are_refused_and_change_nothing(mock_platform, method, path, body, status, message):
    before = mock_platform.control.users()

    response = control(mock_platform, method, path, body)

    assert response.status_code == status
    assert message in response.json()["message"]
    assert mock_platform.control.users() == before


def test_a_client_registered_at_run_time_can_log_in(mock_platform, oidc_login):
    entry = {
        "client-id": "ci_tool",
        "redirect-uris": ["http://127.0.0.1/cb"],
        "allowed-scopes": ["openid", "email"],
    }
    registered = mock_platform.control.register_client(entry)

    tokens = oidc_login("ci_tool", scope="openid email")

    assert registered["client-id"] == "ci_tool" and registered["replaced"] is False
    assert verified_claims(mock_platform, tokens["id_token"])["aud"] == "ci_tool"
    assert "ci_tool" in [client["client-id"] for client in mock_platform.control.clients()]


def test_a_confidential_client_logs_in_with_its_secret(mock_platform, oidc_login):
    mock_platform.control.register_client(
        {
            "client-id": "web_app",
            "token-endpoint-auth-method": "client_secret_basic",
            "client-secret": "s3cret-s3cret",
            "allowed-flows": ["authorization_code"],
            "redirect-uris": ["https://app.example/callback"],
        }
    )

    assert "access_token" in oidc_login("web_app")


def test_an_invalid_client_is_refused_like_the_yaml_would_be(mock_platform):
    with pytest.raises(ControlError) as refused:
        mock_platform.control.register_client(
            {"client-id": "bad", "redirect-uris": ["http://127.0.0.1"], "client-secret": "x"}
        )

    assert refused.value.status == 400
    assert (
        "client (bad).client-secret: a public client (auth method none) must not have a secret"
        in refused.value.message
    )
    with pytest.raises(ControlError, match=r"unknown key 'client_id' \(did you mean 'client-id'\?\)"):
        mock_platform.control.register_client({"client_id": "bad"})
