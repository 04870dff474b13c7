"""Federated sign-in in headless Chromium, through the upstream's real sign-in form."""

from __future__ import annotations

import pytest

from client.errors import LoginError

from ..oidc_flows import BrowserLogin, redeem, sign_in, userinfo

pytestmark = pytest.mark.browser


def test_the_sign_in_page_offers_openid_connect_and_the_upstream_form_signs_in(
    start_federation, chromium_page
):
    federation = start_federation()
    platform, upstream = federation.platform, federation.upstream
    login = BrowserLogin(platform.issuer)
    page = chromium_page
    with login.listener:
        page.goto(login.url)
        assert page.locator("#login-form input[name=password]").is_visible()  # local login is still offered
        page.get_by_role("button", name="Sign in with OpenID Connect").click()
        page.wait_for_url(f"{upstream.issuer}/oauth/authorize?**")
        sign_in(page, "dana", "dana-password")
        page.wait_for_url(f"{login.listener.redirect_uri}?**")
        code = login.listener.wait(5)
    tokens = redeem(login.authorization(code)).json()
    assert userinfo(platform.issuer, tokens["access_token"]).json()["email"] == "Dana.Smith@corp.example"


def test_prompt_login_goes_to_the_upstream_form_and_is_answered_after_it(start_federation, chromium_page):
    federation = start_federation(local_login=False)
    login = BrowserLogin(federation.platform.issuer, login_hint="bob", prompt="login")
    page = chromium_page
    with login.listener:
        page.goto(login.url)
        assert page.url.startswith(f"{federation.upstream.issuer}/oauth/authorize?")
        assert page.locator("input[name=username]").input_value() == "bob"  # login_hint, passed on
        page.fill("input[name=password]", "bob-password")
        page.click("button[value=login]")
        page.wait_for_url(f"{login.listener.redirect_uri}?**")
        code = login.listener.wait(5)
    tokens = redeem(login.authorization(code)).json()
    assert userinfo(federation.platform.issuer, tokens["access_token"]).json()["email"] == "bob@example.com"


def test_cancelling_at_the_upstream_shows_why_and_returns_access_denied(start_federation, chromium_page):
    federation = start_federation(local_login=False)
    login = BrowserLogin(federation.platform.issuer)
    page = chromium_page
    with login.listener:
        page.goto(login.url)
        page.click("button[value=cancel]")
        assert page.get_by_role("heading").inner_text() == "Sign-in refused"
        assert page.get_by_role("alert").inner_text() == (
            "The sign-in stopped because the identity provider did not sign you in: access_denied "
            "(the user cancelled the sign-in)."
        )
        page.get_by_role("link", name="Return to Nextflow CLI now").click()
        with pytest.raises(
            LoginError, match=r"Authentication error: the identity provider did not sign you in"
        ):
            login.listener.wait(5)
    assert "error=access_denied" in page.url and f"state={login.pkce.state}" in page.url


def test_the_refusal_page_returns_to_the_application_by_itself(start_federation, chromium_page):
    federation = start_federation(local_login=False, upstream_allow_list="*@example.org")
    login = BrowserLogin(federation.platform.issuer)
    page = chromium_page
    with login.listener:
        page.goto(login.url)
        sign_in(page, "alice", "alice-password")
        assert page.get_by_role("heading").inner_text() == "Sign-in refused"
        assert "alice@example.com is not on the allow-list" in page.get_by_role("alert").inner_text()
        page.wait_for_url(f"{login.listener.redirect_uri}?**", timeout=15_000)  # the page's own refresh
        with pytest.raises(LoginError, match=r"alice@example\.com is not on the allow-list"):
            login.listener.wait(5)
