"""Browser launchers: what the login flow calls with the authorize URL."""

import os
import sys
import threading
import webbrowser
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from headless_chromium import CHROMIUM_ARGS, chromium_executable, playwright_install_hint

from .errors import LoginError

Browser = Callable[[str], None]


class PrintBrowser:
    """Prints the URL for the user to open (``--no-browser``), and on stderr what opening it with a
    program instead of a browser takes: such a program gets the sign-in page, which it cannot fill in."""

    def __init__(self, wait: float | None = None) -> None:
        self.wait = wait

    def __call__(self, url: str) -> None:
        print("Open this URL in a browser to sign in:", flush=True)
        print(url, flush=True)
        if "login_hint" not in parse_qs(urlsplit(url).query):
            print(self.without_a_browser(), file=sys.stderr, flush=True)

    def without_a_browser(self) -> str:
        wait = f"{self.wait:g} s" if self.wait else "its time limit"
        return (
            f"Waiting up to {wait} (--timeout) for the browser to come back. curl or another program "
            "gets the sign-in page instead and the login waits in vain, unless the server signs a user in "
            "without a page: start the mock with MOCK_PLATFORM_AUTO_LOGIN=alice, or add --login-hint alice "
            "to this command."
        )


class SystemBrowser:
    """Opens the desktop browser, or prints the URL when there is no display or no browser."""

    def __init__(self, wait: float | None = None) -> None:
        self.wait = wait

    def __call__(self, url: str) -> None:
        if has_display() and webbrowser.open(url):
            print("Opened a browser to sign in. If it did not open, use this URL:", flush=True)
            print(url, flush=True)
        else:
            PrintBrowser(self.wait)(url)


def has_display() -> bool:
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


class PlaywrightBrowser:
    """Signs in with headless Chromium and returns once the browser has reached the callback.

    The mock's login page (or an upstream provider's, with the same form) is filled in with
    ``username``/``password`` when it appears; with ``login_hint`` in the authorize URL no page
    appears. A page that stops the sign-in but offers a link back to the application is followed,
    so the callback gets the error as it would from a user's browser. Playwright runs on a thread of
    its own, because its sync API must stay on the thread that created it and refuses to run inside
    an asyncio loop; the call still blocks, so a browser failure surfaces here instead of as a
    callback timeout.
    """

    def __init__(
        self, username: str | None = None, password: str | None = None, timeout: float = 30.0
    ) -> None:
        self.username = username
        self.password = password
        self.timeout_ms = timeout * 1000

    def __call__(self, url: str) -> None:
        failures: list[Exception] = []
        thread = threading.Thread(target=self._run, args=(url, failures), name="playwright", daemon=True)
        thread.start()
        thread.join()
        if failures:
            raise failures[0]

    def _run(self, url: str, failures: list[Exception]) -> None:
        try:
            self._sign_in(url)
        except Exception as exc:  # handed to the calling thread, which re-raises it
            failures.append(exc)

    def _sign_in(self, url: str) -> None:
        try:
            from playwright.sync_api import Error, sync_playwright
        except ImportError as exc:
            raise LoginError(
                "--browser playwright needs the playwright package", hint=playwright_install_hint()
            ) from exc
        redirect_uri = parse_qs(urlsplit(url).query).get("redirect_uri", [""])[0]
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium_executable(), args=CHROMIUM_ARGS, timeout=self.timeout_ms
                )
                try:
                    page = browser.new_page()
                    page.set_default_timeout(self.timeout_ms)
                    page.goto(url)
                    if not page.url.startswith(redirect_uri) and page.locator("#login-form").count():
                        self._submit_credentials(page)
                    if not page.url.startswith(redirect_uri) and not _went_back(page, redirect_uri):
                        raise LoginError(_stopped_at(page))
                finally:
                    browser.close()
        except Error as exc:
            raise LoginError(f"Browser sign-in failed: {exc.message.splitlines()[0]}") from exc

    def _submit_credentials(self, page) -> None:
        if self.username is None or self.password is None:
            raise LoginError(
                "The sign-in page asks for credentials: pass --username and --password, or --login-hint"
            )
        form = page.locator("#login-form")
        form.locator("[name=username]").fill(self.username)
        form.locator("[name=password]").fill(self.password)
        with page.expect_navigation():
            form.locator("button[name=action][value=login]").click()


def _went_back(page, redirect_uri: str) -> bool:
    """Follow a link back to the application that a page offers (a provider's error page), as a user would."""
    if not redirect_uri:
        return False
    link = page.locator(f'a[href^="{redirect_uri}?"]')
    if not link.count():
        return False
    with page.expect_navigation():
        link.first.click()
    return page.url.startswith(redirect_uri)


def _stopped_at(page) -> str:
    error = page.locator(".error").first
    detail = error.inner_text().strip() if error.count() else page.title()
    if page.locator("#login-form").count():
        return f"Sign-in rejected: {detail}"
    where = urlsplit(page.url)._replace(query="").geturl()
    return f"The sign-in did not come back to the callback; the browser stopped at {where}: {detail}"
