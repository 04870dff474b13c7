"""A person's login in headless Chromium, end to end, timed: the CLI's half and the browser's half.

One login: start the reference client's loopback listener (client/callback.py), open the authorize
URL in a fresh browser context, sign in the way each provider's pages ask (typing into its form,
pressing its buttons; no login_hint), wait for the code on the listener, then exchange it and call
userinfo as the CLI does. "Launch excluded" reuses one browser launched before the clock starts;
"launch included" starts the clock before launching Chromium.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

from client.callback import CallbackServer
from headless_chromium import CHROMIUM_ARGS, chromium_executable

from .flows import Connection, exchange, new_login, userinfo
from .targets import Target

TIMEOUT_MS = 15_000

# How a person gets through each provider's pages: (selector to fill, value) pairs, then buttons.
SIGN_IN: dict[str, list[tuple[str, str | None]]] = {
    "mock": [("#login-form [name=username]", "alice"), ("#login-form [name=password]", "alice-password"),
             ("button[name=action][value=login]", None)],
    "oauth2-mock-server": [],  # redirects at once
    "oidc-provider-mock": [("#subject-input", "alice"), ("button:has-text('Authorize')", None)],
    "oidc-provider": [("input[name=login]", "alice"), ("input[name=password]", "x"),
                      ("button[type=submit]", None), ("button[type=submit]", None)],  # login, then consent
    "nanoidp": [("#username", "admin"), ("#password", "admin"), ("button[type=submit]", None)],
}  # fmt: skip


def unavailable() -> str:
    """Why the browser logins cannot run here, or "" when they can."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    try:
        with sync_playwright() as playwright:
            playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS).close()
    except Exception as error:  # any launch failure means: no usable browser here
        return f"no usable Chromium ({type(error).__name__})"
    return ""


def supports(target: Target) -> bool:
    return target.name in SIGN_IN


def _login(browser: Any, target: Target, port: int) -> None:
    provider = target.provider(port)
    pkce = new_login(provider)
    with CallbackServer(pkce.state) as callback:
        pkce.redirect_uri = callback.redirect_uri
        query = pkce.authorize_query()
        if target.name == "oidc-provider":
            query["prompt"] = "consent"  # a refresh token needs consent to offline_access there
        context = browser.new_context()
        try:
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"{provider.base_url}{provider.authorize_path}?{urlencode(query)}")
            for selector, value in SIGN_IN[target.name]:
                if value is None:
                    page.locator(selector).first.click()
                else:
                    page.locator(selector).first.fill(value)
            code = callback.wait(TIMEOUT_MS / 1000)
        finally:
            context.close()
    http = Connection(provider)
    try:
        tokens = exchange(http, pkce, code)
        userinfo(http, tokens.access_token)
    finally:
        http.close()


def measure(target: Target, port: int, trials: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {"excluded": [], "included": []}
    with sync_playwright() as playwright:
        chromium = playwright.chromium
        executable = chromium_executable()
        warm = chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            _login(warm, target, port)  # first page load of the provider warms its caches
            for _ in range(trials):
                started = time.perf_counter()
                _login(warm, target, port)
                times["excluded"].append(time.perf_counter() - started)
        finally:
            warm.close()
        for _ in range(trials):
            started = time.perf_counter()
            browser = chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                _login(browser, target, port)
                times["included"].append(time.perf_counter() - started)
            finally:
                browser.close()
    return times
