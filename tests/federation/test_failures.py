"""Every way a federated sign-in fails: the platform's page names the cause, the client's callback gets
access_denied or server_error (only at its validated redirect_uri), and nothing is left half-made."""

from __future__ import annotations

import socket

import pytest

from mock_platform.testing import UPSTREAM_CLIENT_ID, UPSTREAM_CLIENT_SECRET, run_server

from .flows import HttpLogin, returned_error, stated_cause, upstream_location


def assert_failed(page, login: HttpLogin, status: int, error: str, cause: str) -> None:
    assert page.status_code == status, page.text[:500]
    assert stated_cause(page) == f"The sign-in stopped because {cause}."
    returned = returned_error(page)
    assert (returned["error"], returned["state"]) == (error, login.pkce.state)
    assert returned["error_description"] == cause


def assert_login_fails(federation, status: int, error: str, cause: str) -> None:
    login = HttpLogin(federation.platform)
    assert_failed(login.run(), login, status, error, cause)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def assert_first_step_fails(data_dir, upstream_issuer: str, cause: str) -> None:
    """A platform whose upstream_issuer is `upstream_issuer` starts, and fails at the first authorize."""
    with run_server(
        data_dir, upstream_issuer=upstream_issuer, upstream_client_id=UPSTREAM_CLIENT_ID, local_login=False
    ) as platform:
        login = HttpLogin(platform)
        assert_failed(login.authorize(), login, 502, "server_error", cause)


def test_an_unreachable_upstream_does_not_stop_the_start_and_fails_each_sign_in_clearly(tmp_path):
    issuer = f"http://127.0.0.1:{closed_port()}/api"
    assert_first_step_fails(
        tmp_path,
        issuer,
        f"the identity provider at {issuer} cannot be reached (connection refused); check "
        "MOCK_PLATFORM_UPSTREAM_ISSUER (or TOWER_OIDC_ISSUER) and that the provider is running",
    )


def test_an_issuer_that_is_not_the_discovered_one_is_named(federation, tmp_path):
    configured = federation.upstream.issuer + "/"
    assert_first_step_fails(
        tmp_path,
        configured,
        f"the identity provider's discovery document names the issuer {federation.upstream.issuer}, not "
        f"{configured}; set MOCK_PLATFORM_UPSTREAM_ISSUER (or TOWER_OIDC_ISSUER) to exactly its issuer",
    )


def test_the_upstream_refusing_the_sign_in_is_access_denied(federation):
    federation.upstream.control.add_fault("authorize", error="access_denied", error_description="not today")
    assert_login_fails(
        federation,
        403,
        "access_denied",
        "the identity provider did not sign you in: access_denied (not today)",
    )


def test_another_upstream_error_is_server_error(federation):
    federation.upstream.control.add_fault("authorize", error="temporarily_unavailable")
    login = HttpLogin(federation.platform)
    page = login.run()
    assert returned_error(page)["error"] == "server_error"
    assert stated_cause(page).startswith(
        "The sign-in stopped because the identity provider answered with the error temporarily_unavailable"
    )


def test_an_upstream_token_endpoint_that_fails_is_named(federation):
    federation.upstream.control.add_fault("token", status=503)
    assert_login_fails(
        federation,
        502,
        "server_error",
        f"the identity provider answered HTTP 503 at {federation.upstream.issuer}/oauth/token",
    )


def test_a_wrong_client_secret_is_named(start_federation):
    federation = start_federation(local_login=False, upstream_client_secret="not-" + UPSTREAM_CLIENT_SECRET)
    login = HttpLogin(federation.platform)
    page = login.run()
    assert returned_error(page)["error"] == "server_error"
    assert stated_cause(page).startswith(
        "The sign-in stopped because the identity provider refused to redeem its code (invalid_client"
    )


BAD_ID_TOKENS = {
    "signed with another key": (
        {"wrong_key": True},
        "its signature does not verify with the keys the provider publishes (JWKS)",
    ),
    "unpublished kid": (
        {"kid": "never-published"},
        "it is signed with a key (kid) the provider does not publish in its JWKS",
    ),
    "another issuer": ({"iss": "https://elsewhere.example"}, "its iss claim is not the issuer {upstream}"),
    "another audience": (
        {"aud": "someone-else"},
        f"its aud claim is not this server's client id {UPSTREAM_CLIENT_ID}",
    ),
    "expired": ({"expired": True}, "it has expired (exp is in the past)"),
    "another nonce": ({"nonce": "not-the-nonce-sent"}, "its nonce claim is not the nonce this sign-in sent"),
}


@pytest.mark.parametrize("case", BAD_ID_TOKENS)
def test_a_bad_id_token_is_rejected_and_nothing_is_created(start_federation, case):
    """The upstream's token endpoint answers with a token minted by its control API, broken in one way."""
    federation = start_federation(local_login=False)
    upstream = federation.upstream
    broken, reason = BAD_ID_TOKENS[case]
    login = HttpLogin(federation.platform, login_hint="dana")
    sent = login.authorize()
    nonce = upstream_location(sent)["nonce"]
    minted = upstream.control.mint_token(
        "dana",
        client_id=UPSTREAM_CLIENT_ID,
        scope="openid email profile",
        id_token=True,
        **{"nonce": nonce, **broken},
    )
    body = {key: minted[key] for key in ("access_token", "token_type", "expires_in", "id_token")}
    upstream.control.add_fault("token", status=200, body=body)
    before = federation.platform.control.users()
    assert_failed(
        login.follow(sent),
        login,
        502,
        "server_error",
        "the ID token of the identity provider was rejected: " + reason.format(upstream=upstream.issuer),
    )
    assert federation.platform.control.users() == before


def test_a_token_response_without_an_id_token_is_refused(federation):
    upstream = federation.upstream
    minted = upstream.control.mint_token("alice", client_id=UPSTREAM_CLIENT_ID, scope="openid email profile")
    upstream.control.add_fault(
        "token", status=200, body={"access_token": minted["access_token"], "token_type": "Bearer"}
    )
    assert_login_fails(
        federation,
        502,
        "server_error",
        "the identity provider's token response has no ID token; its client for this server must be an "
        "OpenID Connect client granted the openid scope",
    )


def test_an_answer_for_no_sign_in_in_progress_is_a_page_and_goes_nowhere(federation):
    login = HttpLogin(federation.platform)
    page = login.http.get(
        f"{federation.platform.base_url}/oauth/callback/oidc?code=abc&state=forged", timeout=10
    )
    assert page.status_code == 400
    assert "return-to-application" not in page.text
    assert stated_cause(page).startswith(
        "The sign-in stopped because the identity provider's answer does not belong to a sign-in in progress"
    )


def test_a_wrong_state_fails_the_sign_in_in_progress(federation):
    login = HttpLogin(federation.platform)
    login.authorize()
    page = login.http.get(
        f"{federation.platform.base_url}/oauth/callback/oidc",
        params={"code": "abc", "state": "forged"},
        timeout=10,
    )
    assert_failed(
        page,
        login,
        400,
        "server_error",
        "the identity provider's answer does not belong to a sign-in in progress in this browser (its state "
        "matches none); it may be old, or come from elsewhere",
    )


def test_an_answer_counts_once(federation):
    login = HttpLogin(federation.platform)
    answer = login.http.get(login.authorize().headers["Location"], allow_redirects=False, timeout=10)
    callback = answer.headers["Location"]
    assert login.tokens(login.follow(answer))
    replayed = login.http.get(callback, allow_redirects=False, timeout=10)
    assert replayed.status_code == 400 and "return-to-application" not in replayed.text


def test_sign_ins_in_two_tabs_of_one_browser_each_complete(federation):
    first, second = HttpLogin(federation.platform, "alice"), HttpLogin(federation.platform, "bob")
    second.http = first.http  # one cookie jar: one browser
    first_sent, second_sent = first.authorize(), second.authorize()
    assert second.tokens(second.follow(second_sent))
    assert first.tokens(first.follow(first_sent))


def callback_for(federation, login: HttpLogin, **answer: str) -> object:
    """The platform's callback, answered as the upstream would not: for the sign-in `login` started."""
    state = upstream_location(login.authorize())["state"]
    return login.http.get(
        f"{federation.platform.base_url}/oauth/callback/oidc", params={"state": state, **answer}, timeout=10
    )


def test_an_answer_naming_another_issuer_is_refused(federation):
    login = HttpLogin(federation.platform)
    page = callback_for(federation, login, code="abc", iss="https://elsewhere.example")
    assert_failed(
        page,
        login,
        502,
        "server_error",
        f"the answer names the issuer https://elsewhere.example, not {federation.upstream.issuer}",
    )


def test_an_answer_without_a_code_is_refused(federation):
    login = HttpLogin(federation.platform)
    page = callback_for(federation, login)
    assert_failed(
        page, login, 502, "server_error", "the identity provider came back without an authorization code"
    )


def test_a_sign_in_that_took_too_long_is_refused(federation):
    login = HttpLogin(federation.platform)
    sent = login.authorize()
    federation.platform.control.advance_clock("11m")
    assert_failed(
        login.follow(sent),
        login,
        502,
        "server_error",
        "the sign-in at the identity provider took longer than 10 minutes; start it again from your application",
    )


UNUSABLE_IDENTITIES = {
    "no email": ({"scope": "openid profile"}, 502, "server_error", "the identity provider's ID token has no e-mail address (claim email); configure its client for this server to release the email claim"),
    "unverified email": ({"id_token_claims": {"email_verified": False}}, 403, "access_denied", "the identity provider has not verified the address Dana.Smith@corp.example"),
}  # fmt: skip


@pytest.mark.parametrize("case", UNUSABLE_IDENTITIES)
def test_an_id_token_that_names_nobody_usable_is_refused(federation, case):
    upstream = federation.upstream
    minted_with, status, error, cause = UNUSABLE_IDENTITIES[case]
    login = HttpLogin(federation.platform, login_hint="dana")
    sent = login.authorize()
    minted = upstream.control.mint_token(
        "dana",
        client_id=UPSTREAM_CLIENT_ID,
        id_token=True,
        nonce=upstream_location(sent)["nonce"],
        **{"scope": "openid email profile", **minted_with},
    )
    body = {key: minted[key] for key in ("access_token", "token_type", "id_token")}
    upstream.control.add_fault("token", status=200, body=body)
    before = federation.platform.control.users()
    assert_failed(login.follow(sent), login, status, error, cause)
    assert federation.platform.control.users() == before


def test_an_https_upstream_on_a_private_ca_is_used_once_its_ca_is_trusted(start_federation, monkeypatch):
    federation = start_federation(local_login=False, upstream_settings={"tls": True})
    upstream = federation.upstream
    assert upstream.issuer.startswith("https://")
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    untrusted = HttpLogin(federation.platform)
    assert_failed(
        untrusted.authorize(),
        untrusted,
        502,
        "server_error",
        f"the identity provider at {upstream.issuer} presents a TLS certificate this server does not "
        "trust; give the mock its CA with REQUESTS_CA_BUNDLE",
    )
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(upstream.ca_file))
    trusted = HttpLogin(federation.platform, login_hint="bob")
    assert trusted.tokens(trusted.follow(trusted.authorize()))
