"""A headless sign-in (login_hint, auto-login) is for its own request only: it leaves no browser
session that a later login would pick up silently (issue 18, finding 4: login CSRF)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
import requests

from mock_platform.testing import run_server
from tests.oidc_flows import (
    Authorization,
    BrowserLogin,
    authorize,
    authorize_params,
    endpoint,
    password_sign_in,
    pkce_login,
    redeem,
    sign_in,
    userinfo,
)
from tests.one_page_server import one_page_server


def test_a_login_hint_sign_in_sets_no_session_cookie(live_platform):
    with requests.Session() as browser:
        signed_in = authorize(live_platform.issuer, browser, login_hint="carol")
        later = authorize(live_platform.issuer, browser, login_hint=None)

    assert signed_in.status_code == 302 and "code=" in signed_in.headers["Location"]
    assert "Set-Cookie" not in signed_in.headers and not browser.cookies
    assert later.status_code == 200 and 'id="login-form"' in later.text


def test_a_login_hint_leaves_the_session_of_a_real_sign_in_alone(live_platform):
    later = pkce_login(login_hint=None)
    with requests.Session() as browser:
        assert password_sign_in(live_platform.issuer, browser, "alice").status_code == 303
        assert authorize(live_platform.issuer, browser, login_hint="carol").status_code == 302
        response = browser.get(
            endpoint(live_platform.issuer, "authorize"),
            params=later.authorize_query(),
            allow_redirects=False,
            timeout=10,
        )

    tokens = redeem(Authorization(live_platform.issuer, later, later.code_from(response.headers["Location"])))
    assert (
        userinfo(live_platform.issuer, tokens.json()["access_token"]).json()["preferred_username"] == "alice"
    )


def test_auto_login_sets_no_session_cookie(tmp_path):
    """Auto-login signs in at every request anyway; a session from it would outlive a restart without it."""
    with run_server(tmp_path, auto_login="bob") as server, requests.Session() as browser:
        response = authorize(server.issuer, browser, login_hint=None)
        assert response.status_code == 302 and "code=" in response.headers["Location"]
        assert "Set-Cookie" not in response.headers and not browser.cookies


@pytest.fixture
def attacker_site(live_platform) -> Iterator[str]:
    """Another site's page with a link to the mock's authorize, naming carol."""

    def page(port: int) -> tuple[bytes, str]:
        # Where the code goes does not matter here: a loopback port of the attacker's, nextflow_cli accepts any.
        query = urlencode(
            authorize_params(login_hint="carol", redirect_uri=f"http://127.0.0.1:{port}/callback")
        )
        target = f"{endpoint(live_platform.issuer, 'authorize')}?{query}"
        return f'<!doctype html><a id="prize" href="{target}">You won a prize</a>'.encode(), "text/html"

    with one_page_server(page) as port:
        yield f"http://localhost:{port}/"  # another site than 127.0.0.1


@pytest.mark.browser
def test_a_cross_site_link_with_login_hint_does_not_sign_the_next_login_in(
    live_platform, attacker_site, chromium_browser
):
    context = chromium_browser.new_context()
    try:
        page = context.new_page()
        page.goto(attacker_site)
        page.click("#prize")  # the mock signs carol in, and sends the code on
        page.wait_for_url("http://127.0.0.1:*/callback?**")
        assert not [cookie for cookie in context.cookies() if cookie["domain"] == "127.0.0.1"]

        login = BrowserLogin(live_platform.issuer)  # the developer's next `nextflow auth login`
        with login.listener:
            page.goto(login.url)
            assert page.locator("#login-form").is_visible()  # asked, not signed in as carol
            sign_in(page, "alice", "alice-password")
            page.wait_for_url(f"{login.listener.redirect_uri}?**")
            code = login.listener.wait(5)
        tokens = redeem(login.authorization(code)).json()
        assert userinfo(live_platform.issuer, tokens["access_token"]).json()["preferred_username"] == "alice"
    finally:
        context.close()
