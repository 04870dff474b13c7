"""Who a federated sign-in is: the directory user with the upstream's e-mail, or one made at the first sign-in."""

from __future__ import annotations

from ..oidc_flows import userinfo
from .flows import HttpLogin, returned_error, stated_cause


def signed_in_sub(federation, login_hint: str) -> str:
    login = HttpLogin(federation.platform, login_hint=login_hint)
    tokens = login.tokens(login.run())
    return userinfo(federation.platform.issuer, tokens["access_token"]).json()["sub"]


def platform_user(federation, user_name: str) -> dict:
    return federation.platform.control.user(user_name)


def user_names(federation) -> list[str]:
    return [user["userName"] for user in federation.platform.control.users()]


def test_the_first_sign_in_creates_the_user_as_platform_does_and_the_next_reuses_it(federation):
    before = user_names(federation)
    first = signed_in_sub(federation, "dana")
    created = platform_user(federation, "dana.smith")
    assert user_names(federation) == [*before, "dana.smith"]
    assert (created["email"], created["firstName"], created["lastName"]) == (
        "Dana.Smith@corp.example",
        "Dana",
        "Smith",
    )
    assert created["organizations"] == {} and created["password"] != "dana-password"  # dana's at the upstream
    assert first == str(created["id"])
    assert signed_in_sub(federation, "dana") == first
    assert user_names(federation) == [*before, "dana.smith"]


def test_the_email_picks_the_user_without_regard_to_case(start_federation):
    federation = start_federation(
        local_login=False,
        upstream_users=[
            {"id": 1001, "userName": "alice", "email": "ALICE@Example.COM", "password": "pw-alice"}
        ],
    )
    before = user_names(federation)
    assert signed_in_sub(federation, "alice") == str(platform_user(federation, "alice")["id"])
    assert user_names(federation) == before


def test_a_taken_user_name_gets_a_number(start_federation):
    federation = start_federation(
        local_login=False,
        upstream_users=[
            {"id": 2002, "userName": "alice-corp", "email": "alice@corp.example", "password": "pw"}
        ],
    )
    signed_in_sub(federation, "alice-corp")
    assert platform_user(federation, "alice2")["email"] == "alice@corp.example"
    assert platform_user(federation, "alice")["email"] == "alice@example.com"


def test_with_creation_off_an_unknown_address_is_refused_and_nothing_is_created(start_federation):
    federation = start_federation(local_login=False, upstream_create_users=False)
    before = federation.platform.control.users()
    login = HttpLogin(federation.platform, login_hint="dana")
    page = login.run()
    assert page.status_code == 403
    assert "Sign-in refused" in page.text
    assert stated_cause(page) == (
        "The sign-in stopped because no user of this Platform has the e-mail address Dana.Smith@corp.example, "
        "and users are not created at their first sign-in here (MOCK_PLATFORM_UPSTREAM_CREATE_USERS=off); ask "
        "the administrator to add you."
    )
    returned = returned_error(page)
    assert (returned["error"], returned["state"]) == ("access_denied", login.pkce.state)
    assert returned["error_description"].startswith("no user of this Platform has the e-mail address")
    assert federation.platform.control.users() == before
    retry = login.authorize()  # no session was started: the next authorize goes upstream again
    assert retry.headers["Location"].startswith(federation.upstream.issuer)
    assert signed_in_sub(federation, "bob")


def test_the_allow_list_admits_patterns_and_exact_addresses_and_refuses_the_rest(start_federation):
    federation = start_federation(
        local_login=False, upstream_allow_list="*@example.com,dana.smith@corp.example"
    )
    for allowed in ("alice", "dana"):
        assert signed_in_sub(federation, allowed)
    refused = HttpLogin(federation.platform, login_hint="carol")
    page = refused.run()
    assert page.status_code == 403
    assert stated_cause(page) == (
        "The sign-in stopped because carol@example.org is not on the allow-list of e-mail addresses that may "
        "sign in here; ask the administrator to add it (MOCK_PLATFORM_UPSTREAM_ALLOW_LIST)."
    )
    assert returned_error(page)["error"] == "access_denied"
