"""The provider's pages in headless Chromium: the primary action looks primary, consent lists the
scopes, sign-out can be cancelled, each error explains itself, and commands do not wrap mid-word."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlencode

import pytest
import requests

from client.callback import CallbackServer
from client.errors import LoginError
from mock_platform.pkce_login import PkceLogin
from tests.oidc_flows import endpoint, sign_in

pytestmark = pytest.mark.browser

THIRD_PARTY = {
    "client-id": "third_app",
    "client-name": "Third <b>App</b>",
    "token-endpoint-auth-method": "none",
    "redirect-uris": ["http://127.0.0.1/callback"],
    "allowed-flows": ["authorization_code_pkce"],
    "allowed-scopes": ["openid", "email", "offline_access"],
    "third-party": True,
}


def callback_uri() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/callback"


def authorize_url(issuer: str, login: PkceLogin, **extra: str) -> str:
    return f"{endpoint(issuer, 'authorize')}?{urlencode(login.authorize_query(**extra))}"


@contextmanager
def listening(login: PkceLogin) -> Iterator[CallbackServer]:
    """The client's loopback listener for `login`, as the CLIs run it (its redirect URI becomes the login's)."""
    with CallbackServer(login.state) as listener:
        login.redirect_uri = listener.redirect_uri
        yield listener


def background(page, selector: str) -> str:
    return page.eval_on_selector(selector, "element => getComputedStyle(element).backgroundColor")


def test_sign_in_is_the_primary_action_and_cancel_is_not(mock_platform, chromium_page):
    page = chromium_page
    page.goto(authorize_url(mock_platform.issuer, PkceLogin(login_hint=None, redirect_uri=callback_uri())))
    assert page.locator("button.primary").all_inner_texts() == ["Sign in"]
    assert background(page, "button[value=login]") == "rgb(36, 87, 197)"
    assert background(page, "button[value=cancel]") == "rgb(255, 255, 255)"


@contextmanager
def consent_page(mock_platform, page, user: str, scope: str) -> Iterator[CallbackServer]:
    """The third-party client's consent page for `user`, its listener waiting for the answer."""
    mock_platform.control.register_client(THIRD_PARTY)
    login = PkceLogin("third_app", None, scope=scope)
    with listening(login) as listener:
        page.goto(authorize_url(mock_platform.issuer, login))
        sign_in(page, user, f"{user}-password")
        assert page.locator("h1").inner_text() == "Allow access?"
        yield listener


def test_consent_lists_each_scope_with_its_meaning_and_what_is_not_granted(mock_platform, chromium_page):
    page = chromium_page
    with consent_page(mock_platform, page, "alice", "openid email offline_access profile") as listener:
        assert "Third <b>App</b>" in page.locator("main p").first.inner_text()  # escaped, not bold
        items = page.locator("#scopes li").all_inner_texts()
        assert items[0] == "openid: sign you in: it learns your user id (OpenID Connect)"
        assert items[1] == "email: read your e-mail address"
        assert items[2].startswith("offline_access: stay signed in: a refresh token lets it get new access")
        assert items[2].endswith("or it goes unused for 30 days")
        assert items[3] == (
            "profile: read your name and user name (not granted: third_app is not registered for it)"
        )
        assert page.locator("button.primary").all_inner_texts() == ["Allow"]
        page.click("button[value=allow]")
        assert listener.wait(10)  # a code, with this login's state


def test_deny_on_the_consent_page_answers_access_denied(mock_platform, chromium_page):
    page = chromium_page
    with consent_page(mock_platform, page, "bob", "openid") as listener:
        assert page.locator("#scopes li").all_inner_texts() == [
            "openid: sign you in: it learns your user id (OpenID Connect)"
        ]
        page.click("button[value=deny]")
        with pytest.raises(LoginError, match="the user cancelled the sign-in"):
            listener.wait(10)
    assert "error=access_denied" in page.url


def test_cancel_on_the_sign_out_confirmation_keeps_the_session(mock_platform, chromium_page):
    page = chromium_page
    first = PkceLogin(login_hint=None)
    with listening(first) as listener:
        page.goto(authorize_url(mock_platform.issuer, first))
        sign_in(page, "bob", "bob-password")
        assert listener.wait(10)
    page.goto(endpoint(mock_platform.issuer, "logout"))
    assert page.locator("button.primary").all_inner_texts() == ["Sign out"]
    page.click("button[value=cancel]")
    assert page.locator("h1").inner_text() == "You are still signed in"
    again = PkceLogin(login_hint=None)
    with listening(again) as listener:
        page.goto(authorize_url(mock_platform.issuer, again))  # the session signs bob in: no page
        assert listener.wait(10)
    page.goto(endpoint(mock_platform.issuer, "logout"))
    page.click("button[value=sign-out]")
    assert page.locator("h1").inner_text() == "You are signed out"


def error_page(page) -> tuple[str, str, str]:
    return (
        page.locator("h1").inner_text(),
        page.locator(".error").inner_text(),
        page.locator("#explanation").inner_text(),
    )


def test_every_error_page_explains_its_own_case(mock_platform, chromium_page):
    page = chromium_page
    issuer = mock_platform.issuer
    login = PkceLogin(login_hint=None, redirect_uri=callback_uri())
    pages = {}
    page.goto(authorize_url(issuer, login, client_id="nobody"))
    pages["unknown client"] = error_page(page)
    page.goto(authorize_url(issuer, login, redirect_uri="http://evil.example/cb"))
    pages["unregistered redirect"] = error_page(page)
    page.goto(authorize_url(issuer, login, response_type="token", redirect_uri="http://evil.example/cb"))
    pages["implicit flow"] = error_page(page)
    page.goto(f"{endpoint(issuer, 'logout')}?id_token_hint=not-a-token")
    pages["bad id_token_hint"] = error_page(page)
    page.goto("about:blank")
    page.set_content(  # a page of another origin posting the mock's sign-in form
        f'<form method="post" action="{endpoint(issuer, "authorize")}">'
        + "".join(f'<input name="{k}" value="{v}">' for k, v in login.authorize_query().items())
        + '<input name="username" value="alice"><input name="password" value="alice-password">'
        '<button name="action" value="login">go</button></form>'
    )
    page.click("button")
    pages["form from another site"] = error_page(page)

    assert pages["unknown client"][1] == "invalid_client: The client does not exist on this server."
    assert (
        "client_id" in pages["unknown client"][2]
        and "mock-platform check-config" in pages["unknown client"][2]
    )
    assert (
        "redirect_uri" in pages["unregistered redirect"][2]
        and "localhost is not 127.0.0.1" in (pages["unregistered redirect"][2])
    )
    assert "response_type=code" in pages["implicit flow"][2]
    assert pages["bad id_token_hint"][0] == "The sign-out request cannot be completed"
    assert "You are still signed in" in pages["bad id_token_hint"][2]
    assert "another site" in pages["form from another site"][2]
    explanations = [explanation for _, _, explanation in pages.values()]
    assert len(set(explanations)) == len(explanations), "two error cases share one explanation"
    assert {heading for heading, _, _ in pages.values()} == {
        "The sign-in request cannot be completed",
        "The sign-out request cannot be completed",
    }


def test_the_check_config_command_never_wraps_inside(mock_platform, chromium_browser):
    page = chromium_browser.new_page(viewport={"width": 360, "height": 700})
    try:
        page.goto(authorize_url(mock_platform.issuer, PkceLogin(login_hint=None), client_id="nobody"))
        command = page.locator("#explanation code.command")
        assert command.inner_text() == "mock-platform check-config"
        assert command.evaluate("element => element.getClientRects().length") == 1
    finally:
        page.close()


def test_pages_keep_the_strict_policy_and_escape_what_they_echo(mock_platform):
    login = PkceLogin(login_hint='"><script>alert(1)</script>', redirect_uri=callback_uri())
    response = requests.get(
        endpoint(mock_platform.issuer, "authorize"), params=login.authorize_query(), timeout=10
    )
    assert response.status_code == 200  # nobody of that name: the sign-in page, the name filled in
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none';")
    assert "<script>" not in response.text
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in response.text
