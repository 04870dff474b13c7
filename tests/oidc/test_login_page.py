"""The real login page in headless Chromium: type credentials, submit, land on a loopback listener."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from client.errors import LoginError
from tests.oidc_flows import BrowserLogin, endpoint, redeem, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def context(chromium_browser) -> Iterator[object]:
    context = chromium_browser.new_context()
    yield context
    context.close()


def test_typing_credentials_completes_the_login(live_platform, context):
    login = BrowserLogin(live_platform.issuer)
    page = context.new_page()
    redirects = []
    page.on(
        "response", lambda r: redirects.append(r.status) if r.status in (301, 302, 303, 307, 308) else None
    )
    with login.listener:
        page.goto(login.url)
        assert page.locator("#login-form").is_visible()
        sign_in(page, "alice", "alice-password")
        page.wait_for_url(f"{login.listener.redirect_uri}?**")
        assert "Login successful" in page.content()
        code = login.listener.wait(5)
    assert redirects == [303]  # after the credentials POST; never 307
    assert redeem(login.authorization(code)).status_code == 200


def test_wrong_password_shows_an_error_and_stays_on_the_page(live_platform, context):
    login = BrowserLogin(live_platform.issuer)
    page = context.new_page()
    with login.listener:
        page.goto(login.url)
        sign_in(page, "alice", "not-her-password")
        assert page.locator(".error").inner_text() == "Wrong username, e-mail or password."
        sign_in(page, "alice@example.com", "alice-password")
        page.wait_for_url(f"{login.listener.redirect_uri}?**")
        assert login.listener.wait(5)


def test_cancel_returns_access_denied_with_state(live_platform, context):
    login = BrowserLogin(live_platform.issuer)
    page = context.new_page()
    with login.listener:
        page.goto(login.url)
        page.click("button[value=cancel]")
        with pytest.raises(LoginError, match="Authentication error: the user cancelled the sign-in"):
            login.listener.wait(5)
        assert f"state={login.pkce.state}" in page.url and "error=access_denied" in page.url


def test_the_session_skips_the_page_until_prompt_login_or_logout(live_platform, context):
    issuer = live_platform.issuer
    page = context.new_page()
    first = BrowserLogin(issuer)
    with first.listener:
        page.goto(first.url)
        sign_in(page, "bob", "bob-password")
        first.listener.wait(5)
    second = BrowserLogin(issuer)
    with second.listener:
        page.goto(second.url)  # no page: straight back to the listener
        assert second.listener.wait(5)
    forced = BrowserLogin(issuer, prompt="login")
    with forced.listener:
        page.goto(forced.url)
        assert page.locator("#login-form").is_visible()
    page.goto(endpoint(issuer, "logout"))
    page.get_by_role("button", name="Sign out").click()  # no id_token_hint: the user confirms
    page.wait_for_selector("text=You are signed out")
    after = BrowserLogin(issuer)
    with after.listener:
        page.goto(after.url)
        assert page.locator("#login-form").is_visible()


def test_login_hint_needs_no_page(live_platform, context):
    login = BrowserLogin(live_platform.issuer, login_hint="alice")
    page = context.new_page()
    with login.listener:
        page.goto(login.url)
        assert redeem(login.authorization(login.listener.wait(5))).status_code == 200
