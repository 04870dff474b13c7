"""Headless Chromium as the user: through the mock's sign-in page to the client's callback, recording
what the browser got back from the client.

"Complete" is Chromium's own verdict: the callback request finished (Playwright's `requestfinished`)
and the body has the announced Content-Length; a callback server that closes the connection early
shows up as `requestfailed` with Chromium's network error (`net::ERR_EMPTY_RESPONSE`, ...).
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .tap import SOURCE_HEADER

MARKUP_ID = "cli-check-markup"
# Markup for an error_description: an element and a script, neither of which may come alive on the
# client's page. No '"' or '\\': RFC 6749 §4.1.2.1 does not allow them in error_description.
MARKUP = f"<b id={MARKUP_ID}>markup</b><script>window.cliCheckScript=1</script>"
MARKUP_PROBE = f"() => !!document.getElementById('{MARKUP_ID}') || window.cliCheckScript === 1"
POLL_MS = 25
# Chromium's verdict on a 4xx/5xx whose body it did not get; with Content-Length: 0 it is complete.
EMPTY_ERROR_PAGE = "net::ERR_HTTP_RESPONSE_CODE_FAILURE"


@dataclass
class CallbackAnswer:
    url: str
    status: int | None
    body: str
    complete: bool
    failure: str | None = None
    markup_rendered: bool = False

    def describe(self) -> str:
        """What the browser got, for evidence (mask before showing, and only then shorten)."""
        if not self.complete:
            got = f"status {self.status}, then " if self.status else ""
            return f"incomplete answer: {got}{self.failure or 'body shorter than its Content-Length'}"
        return f"{self.status}, {len(self.body)} characters: {' '.join(self.body.split())}"


@dataclass
class Visit:
    callback: CallbackAnswer | None
    stopped_at: str | None = None  # where the browser stayed when it never reached the callback


@dataclass
class _Recorder:
    prefix: str
    answer: CallbackAnswer | None = None
    requested: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on("request", self._request)
        page.on("requestfinished", self._finished)
        page.on("requestfailed", self._failed)

    def _matches(self, request: Any) -> bool:
        return bool(self.prefix) and request.url.startswith(self.prefix)

    def _request(self, request: Any) -> None:
        if self._matches(request):
            self.requested.append(request.url)

    def _finished(self, request: Any) -> None:
        if not self._matches(request):
            return
        response = request.response()
        body = b""
        with contextlib.suppress(Exception):  # Playwright raises when the body is gone
            body = response.body()
        length = response.headers.get("content-length")
        complete = length is None or not length.isdigit() or int(length) == len(body)
        self.answer = CallbackAnswer(request.url, response.status, body.decode("utf-8", "replace"), complete)

    def _failed(self, request: Any) -> None:
        if not self._matches(request):
            return
        response = None
        with contextlib.suppress(Exception):
            response = request.response()
        status = response.status if response else None
        if request.failure == EMPTY_ERROR_PAGE and response and response.headers.get("content-length") == "0":
            self.answer = CallbackAnswer(request.url, status, "", True)  # complete, if blank
            return
        self.answer = CallbackAnswer(request.url, status, "", False, request.failure or "request failed")


class Driver:
    """Signs in as `user` on the mock's page; one fresh browser context (no cookies) per visit."""

    def __init__(self, browser: Any, user: str, password: str, timeout: float = 15.0) -> None:
        self.browser = browser
        self.user = user
        self.password = password
        self.timeout = timeout

    @contextlib.contextmanager
    def trusting(self, ca_file: Path) -> Iterator[Driver]:
        """The same user in a Chromium of its own that trusts `ca_file` (an NSS database in a
        throwaway HOME; certificate errors are never switched off)."""
        from headless_chromium import launch_chromium

        browser = launch_chromium(ca_file=ca_file)
        try:
            yield Driver(browser, self.user, self.password, self.timeout)
        finally:
            browser.close()

    @contextlib.contextmanager
    def _page(self) -> Iterator[Any]:
        context = self.browser.new_context(extra_http_headers={SOURCE_HEADER: "browser"})
        try:
            page = context.new_page()
            page.set_default_timeout(self.timeout * 1000)
            yield page
        finally:
            context.close()

    def sign_in(self, url: str, callback_prefix: str, *, cancel: bool = False) -> Visit:
        """Open the authorize URL, sign in (or press Cancel) and wait for the client's answer."""
        with self._page() as page:
            recorder = _Recorder(callback_prefix)
            recorder.attach(page)
            _go(page, url)
            if recorder.answer is None and not recorder.requested:
                if not page.locator("#login-form").count():
                    return Visit(None, _where(page))
                self._fill(page.locator("#login-form"), "cancel" if cancel else "login")
            return self._await(page, recorder)

    def deliver(self, callback_url: str, callback_prefix: str) -> Visit:
        """Open a callback URL directly, as a link or a redirect from another page would."""
        with self._page() as page:
            recorder = _Recorder(callback_prefix)
            recorder.attach(page)
            _go(page, callback_url)
            return self._await(page, recorder)

    def collect_callbacks(self, url: str, callback_prefix: str, count: int) -> list[str]:
        """Sign in `count` times with the same authorize URL, holding back the provider's redirects
        to the client: the callback URLs (each with a fresh code) are returned instead.

        The provider's answers are intercepted, not the callback requests: Playwright does not route
        the request a redirect leads to, so the code would reach the client.
        """
        held: list[str] = []

        def hold(route: Any) -> None:
            answer = route.fetch(max_redirects=0)
            location = answer.headers.get("location", "")
            if location.startswith(callback_prefix):
                held.append(location)
                route.fulfill(
                    status=200, content_type="text/html", body="<p>held by mock-platform check-client</p>"
                )
            else:
                route.fulfill(response=answer)

        with self._page() as page:
            page.route(re.compile("^" + re.escape(url.split("?", 1)[0])), hold)
            deadline = time.monotonic() + self.timeout
            while len(held) < count and time.monotonic() < deadline:
                before = len(held)
                _go(page, url)
                if len(held) == before and page.locator("#login-form").count():
                    self._fill(page.locator("#login-form"), "login")
                while len(held) == before and time.monotonic() < deadline:
                    page.wait_for_timeout(POLL_MS)  # route handlers run while Playwright waits
        return held

    def _fill(self, form: Any, action: str) -> None:
        if action == "login":
            form.locator("[name=username]").fill(self.user)
            form.locator("[name=password]").fill(self.password)
        form.locator(f"button[name=action][value={action}]").click(no_wait_after=True)

    def _await(self, page: Any, recorder: _Recorder) -> Visit:
        deadline = time.monotonic() + self.timeout
        while recorder.answer is None and time.monotonic() < deadline:
            page.wait_for_timeout(POLL_MS)
        answer = recorder.answer
        if answer is None:
            if recorder.requested:
                return Visit(CallbackAnswer(recorder.requested[0], None, "", False, "no answer in time"))
            return Visit(None, _where(page))
        if answer.complete:
            with contextlib.suppress(Exception):
                page.wait_for_load_state("load", timeout=2000)
                answer.markup_rendered = bool(page.evaluate(MARKUP_PROBE))
        return Visit(answer)


def _go(page: Any, url: str) -> None:
    """Navigate; a failed navigation (the client's callback closed early) is the recorder's to report."""
    with contextlib.suppress(Exception):
        page.goto(url)


def _where(page: Any) -> str:
    """The page the browser stayed on, e.g. the provider's error page when it refused the request."""
    detail = ""
    with contextlib.suppress(Exception):
        error = page.locator(".error").first
        detail = error.inner_text().strip() if error.count() else page.title()
    address = page.url.split("?", 1)[0]
    return f"{address}: {' '.join(detail.split())}" if detail else address
