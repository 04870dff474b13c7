"""Login drivers: how an authorization request is driven to the listener on a provider we do not control.

- `hint` (the mock): plain HTTP with `login_hint=<user>`; redirects inside the provider are
  followed, the redirect to the listener is really delivered to it. No browser.
- `form`: Playwright types the user name and password into the sign-in page.
- `script`: Playwright runs the steps of a login script (`login_script.py`): external IdPs, pages
  on several hosts, consent or "stay signed in?" questions.
- `storage-state PATH`: Playwright reuses a session saved by `python -m conformance save-login`
  (SSO, magic links, MFA); a sign-in page means the session expired.
- `manual`: a headed browser and a person.

The browser trusts the same CA as the suite's HTTP calls and uses the same proxy (`transport.py`).

Every driver answers `navigate()` with a `Navigation`: listener hits, where the provider sent the
browser when it left its own origin (and with which status), the last page, and whether a sign-in
page was shown. A login that cannot complete raises `LoginError` naming the driver, the URL and the
screenshot or saved page; the case is then INCONCLUSIVE (the set-up, not the provider, failed).
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from headless_chromium import chromium_executable, launch_chromium, playwright_install_hint

from .checks import Inconclusive, Secrets
from .login_script import LoginScript, StepFailed, Target, run_step
from .oauth import Hit, Listener, encode_pairs
from .target import USER_AGENT, new_request_id, origin
from .transport import RETRY_STATUSES, Transport

# Attacker hosts use reserved names; make sure nothing is ever looked up for them.
RESERVED_NAME_RULES = "MAP *.example ~NOTFOUND, MAP *.invalid ~NOTFOUND, MAP *.test ~NOTFOUND"


def host_resolver_rules(own_urls: Iterable[str]) -> str:
    """The browser's resolver rules: reserved names unresolvable, except the hosts of the provider and
    its sign-in pages, which a test install may well have under such a name (platform.example.test)."""
    hosts = sorted({host for url in own_urls if (host := urlsplit(url).hostname)})
    return ", ".join([RESERVED_NAME_RULES, *(f"EXCLUDE {host}" for host in hosts)])


def own_urls(options: Any) -> list[str]:
    return [url for url in (options.platform_url, *options.sign_in_origins) if url]


PASSWORD_FIELD = re.compile(r"<input[^>]*type=[\"']?password", re.IGNORECASE)
SETTLE_SECONDS = 0.4
_numbers = itertools.count(1)


class LoginError(Inconclusive):
    """The driver could not complete a login: a problem of the set-up, not a conformance result."""


@dataclass
class Navigation:
    driver: str
    hits: list[Hit] = field(default_factory=list)
    redirect_status: int | None = None
    left_to: str | None = None
    final_url: str = ""
    final_status: int | None = None
    page: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    login_ui: bool = False
    artifact: str | None = None
    responses: list[tuple[str, int, str | None]] = field(default_factory=list)

    @property
    def hit(self) -> Hit | None:
        return self.hits[0] if self.hits else None

    @property
    def stayed(self) -> bool:
        """The provider kept the browser: no listener hit and no redirect away from it."""
        return not self.hits and self.left_to is None

    def describe(self, secrets: Secrets) -> str:
        where = f"{self.final_status or '-'} at {self.final_url}"
        if self.left_to:
            where = f"{self.redirect_status} redirect to {self.left_to}"
        title = re.search(r"<title>(.*?)</title>|<h1[^>]*>(.*?)</h1>", self.page, re.IGNORECASE | re.DOTALL)
        text = (title.group(1) or title.group(2)).strip() if title else self.page.strip()[:120]
        parts = [f"driver {self.driver}: {where}"]
        if text:
            parts.append(f"page: {' '.join(text.split())[:160]}")
        interstitial = not self.login_ui and not self.left_to and "<form" in self.page.lower()
        if self.driver in ("form", "storage-state") and interstitial:
            parts.append("a consent or other interstitial page? name its button with --continue-selector")
        if self.driver == "script" and interstitial:
            parts.append(
                "a consent or other interstitial page? add its button to the script's continue: list"
            )
        if self.artifact:
            parts.append(f"evidence: {self.artifact}")
        return secrets.redact("; ".join(parts))


def looks_like_login(html: str) -> bool:
    return bool(PASSWORD_FIELD.search(html))


def _save(
    directory: Path | None, suffix: str, content: bytes | None = None, name: str = "navigation"
) -> Path | None:
    if directory is None:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}-{next(_numbers):03d}.{suffix}"
    if content is not None:
        path.write_bytes(content)
    return path


class HintDriver:
    """Plain HTTP with login_hint: the mock signs the user in without a page."""

    name = "hint"
    can_type = False
    can_reauthenticate = True

    def __init__(
        self,
        user: str,
        secrets: Secrets,
        artifacts: Path | None,
        transport: Transport,
        sign_in_origins: frozenset[str] = frozenset(),
    ) -> None:
        self.user = user
        self.secrets = secrets
        self.artifacts = artifacts
        self.transport = transport
        self.sign_in_origins = sign_in_origins
        self.session = self._session()

    def _session(self) -> requests.Session:
        session = self.transport.session()
        session.headers["User-Agent"] = USER_AGENT
        return session

    def navigate(
        self,
        url: str,
        *,
        listener: Listener | None = None,
        method: str = "GET",
        form: list[tuple[str, str]] | None = None,
        sign_in: bool = True,
        fresh: bool = False,
        cancel: bool = False,
    ) -> Navigation:
        session = self._session() if fresh else self.session
        if sign_in and "login_hint=" not in url and not any(k == "login_hint" for k, _ in form or []):
            if form is not None:
                form = [*form, ("login_hint", self.user)]
            else:
                url = f"{url}&login_hint={self.user}" if "?" in url else f"{url}?login_hint={self.user}"
        navigation = Navigation(self.name)
        start = len(listener.hits) if listener else 0
        home = origin(url)
        data: str | None = encode_pairs(form) if form is not None else None
        for _ in range(10):
            headers = {"X-Request-Id": new_request_id()}
            if data is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            response = self.transport.send(
                session, method, url, data=data, headers=headers, allow_redirects=False
            )
            location = response.headers.get("Location")
            navigation.responses.append((url, response.status_code, location))
            if response.is_redirect and location:
                target = urljoin(url, location)
                if origin(target) == home:
                    url, method, data = target, "GET", None
                    continue
                if origin(target) in self.sign_in_origins:  # an external IdP: a browser's job
                    navigation.final_url = target
                    navigation.final_status = response.status_code
                    navigation.login_ui = True
                    break
                navigation.redirect_status = response.status_code
                navigation.left_to = target
                if listener is not None and origin(target) == origin(listener.base_url):
                    with self.transport.session() as delivery:  # as the browser would: no cookies
                        self.transport.send(delivery, "GET", target, patient=False, allow_redirects=False)
                break
            navigation.final_url = url
            navigation.final_status = response.status_code
            navigation.page = response.text
            navigation.headers = dict(response.headers)
            navigation.login_ui = looks_like_login(response.text)
            break
        if listener is not None:
            navigation.hits = listener.hits[start:]
        if not navigation.hits and navigation.page:
            saved = _save(self.artifacts, "html", self.secrets.redact(navigation.page).encode())
            navigation.artifact = str(saved) if saved else None
        if navigation.login_ui and sign_in and not cancel:
            raise LoginError(
                f"login driver hint: the provider showed a sign-in page instead of honouring "
                f"login_hint={self.user} ({navigation.describe(self.secrets)}); use --login form, "
                "script, storage-state or manual for a provider that does not sign in by hint"
            )
        return navigation

    def close(self) -> None:
        self.session.close()


class BrowserDriver:
    """Playwright with one browser for the whole run and one shared context (the SSO session).

    `form` types the user name and password into the selectors of the options; `script` runs a
    login script; `storage-state` reuses a saved session; `manual` waits for a person. The browser
    trusts the transport's CA and uses its proxy; with --insecure it ignores certificate errors.
    """

    def __init__(self, mode: str, options: Any, secrets: Secrets, artifacts: Path | None) -> None:
        self.name = mode
        self.mode = mode
        self.options = options
        self.secrets = secrets
        self.artifacts = artifacts
        self.script: LoginScript | None = options.login_script if mode == "script" else None
        self.can_type = mode in ("form", "manual", "script")
        self.can_reauthenticate = self.can_type
        self._browser: Any = None
        self._shared: Any = None
        self._shared_page: Any = None
        self._parent: BrowserDriver | None = None
        self._failure: LoginError | None = None
        self._sign_in_failure: LoginError | None = None

    @property
    def transport(self) -> Transport:
        return self.options.transport

    # lifecycle -----------------------------------------------------------------------------------

    def as_user(self, username: str, password: str) -> BrowserDriver:
        """A driver for another account that shares this one's browser (one sync Playwright per thread)."""
        other = BrowserDriver(
            self.mode,
            dataclasses.replace(self.options, username=username, password=password),
            self.secrets,
            self.artifacts,
        )
        other._parent = self
        return other

    def start(self) -> Any:
        if self._parent is not None:
            return self._parent.start()
        if self._browser is not None:
            return self._browser
        if self._failure is not None:
            raise self._failure
        try:
            self._browser = launch_chromium(
                headless=not self.options.headed,
                extra_args=(f"--host-resolver-rules={host_resolver_rules(own_urls(self.options))}",),
                ca_file=self.transport.trust.browser_ca_file,
                proxy=self.transport.browser_proxy(),
            )
        except ImportError as error:
            raise LoginError(
                f"login driver {self.mode} needs Playwright: {playwright_install_hint()}"
            ) from error
        except Exception as error:
            self._failure = LoginError(
                f"login driver {self.mode}: cannot start Chromium ({chromium_executable() or 'Playwright build'}): "
                f"{str(error).splitlines()[0]}"
            )
            raise self._failure from error
        return self._browser

    def _new_context(self, storage_state: str | None = None) -> Any:
        return self.start().new_context(
            storage_state=storage_state, ignore_https_errors=self.transport.trust.insecure
        )

    def _shared_context(self) -> Any:
        if self._shared is None:
            state = str(self.options.storage_state) if self.mode == "storage-state" else None
            self._shared = self._new_context(state)
        return self._shared

    def _page(self, fresh: bool) -> tuple[Any, Any]:
        """(a context to close afterwards, page): a throw-away context, or the shared session's one page.

        Pages are reused rather than closed: closing a page while it is still loading the listener's
        reply can hang Playwright.
        """
        if fresh:
            context = self._new_context()
            return context, context.new_page()
        if self._shared_page is None or self._shared_page.is_closed():
            self._shared_page = self._shared_context().new_page()
        return None, self._shared_page

    def save_state(self, path: Path) -> None:
        self._shared_context().storage_state(path=str(path))

    def close(self) -> None:
        if self._parent is not None:
            if self._shared is not None:
                self._shared.close()
            self._shared = self._shared_page = None
            return
        if self._browser is not None:
            self._browser.close()
        self._browser = self._shared = self._shared_page = None

    # what the sign-in looks like -----------------------------------------------------------------

    def homes(self, url: str) -> frozenset[str]:
        """The provider's origin and those its sign-in passes through (an external IdP)."""
        return frozenset({origin(url)}) | self.options.sign_in_origins

    def _sign_in_shown(self, page: Any) -> bool:
        if self.script is not None:
            return _visible(page, self.script.when)
        return _visible(page, Target("selector", self.options.username_selector)) or _visible(
            page, Target("selector", self.options.password_selector)
        )

    def _continue_targets(self) -> tuple[Target, ...]:
        targets = tuple(Target("selector", s) for s in self.options.continue_selectors)
        return targets + (self.script.continue_targets if self.script else ())

    def _cancel_target(self) -> Target:
        if self.script is not None and self.script.cancel is not None:
            return self.script.cancel
        return Target("selector", self.options.cancel_selector)

    def _sign_in(self, page: Any) -> None:
        """Type the credentials (form) or run the script; a failure is kept, as the next would fail alike."""
        if self._sign_in_failure is not None:
            raise LoginError(f"{self._sign_in_failure} (as at the first sign-in of this run)")
        try:
            if self.script is not None:
                self._run_script(page, self.script)
            else:
                _fill(page, self.options)
        except LoginError as error:
            self._sign_in_failure = error
            raise

    def _run_script(self, page: Any, script: LoginScript) -> None:
        credentials = {"username": self.options.username, "password": self.options.password}
        total = len(script.steps)
        for step in script.steps:
            try:
                run_step(page, step, script.values, credentials, self.options.login_timeout)
            except StepFailed as failure:
                if step.optional:
                    continue
                shot = _screenshot(page, _save(self.artifacts, "png", name=f"login-step-{step.number:02d}"))
                raise LoginError(
                    self.secrets.redact(
                        f"login driver script: {script.path} step {step.number} of {total} ({step.describe()}) "
                        f"failed at {page.url}: {failure}" + (f"; screenshot: {shot}" if shot else "")
                    )
                ) from None

    # navigation ----------------------------------------------------------------------------------

    def navigate(
        self,
        url: str,
        *,
        listener: Listener | None = None,
        method: str = "GET",
        form: list[tuple[str, str]] | None = None,
        sign_in: bool = True,
        fresh: bool = False,
        cancel: bool = False,
    ) -> Navigation:
        from playwright.sync_api import Error

        context, page = self._page(fresh)
        page.set_default_timeout(self.options.login_timeout * 1000)
        navigation = Navigation(self.mode)
        homes = self.homes(url)
        start = len(listener.hits) if listener else 0

        def on_response(response: Any) -> None:
            _on_response(navigation, response)

        page.on("response", on_response)
        try:
            try:
                if method == "POST":
                    page.set_content(_form_page(url, form or []))
                    with page.expect_navigation(wait_until="commit"):
                        page.evaluate("document.forms[0].submit()")
                else:
                    page.goto(url, wait_until="commit")
            except Error as error:
                if "ERR_CERT_" in str(error) and page.url.startswith("chrome-error:"):
                    code = re.search(r"net::(ERR_CERT_\w+)", str(error))
                    raise LoginError(
                        f"login driver {self.mode}: Chromium refused the provider's certificate at {origin(url)} "
                        f"({code[1] if code else 'certificate error'}); give its CA with --ca-bundle"
                    ) from None
                # else e.g. the provider redirected to an unresolvable attacker host: judged below
            self._drive(page, navigation, homes, listener, start, sign_in=sign_in, cancel=cancel)
            left = _left_home(navigation, homes)
            if left is not None:
                navigation.redirect_status, navigation.left_to = left
            if listener is not None:
                navigation.hits = listener.hits[start:]
            navigation.final_url = page.url
            _safe(lambda: page.wait_for_load_state("load", timeout=5000), None)
            if not navigation.hits:
                navigation.page = _safe(lambda: page.content(), "")
                navigation.artifact = _screenshot(page, _save(self.artifacts, "png"))
        finally:
            page.remove_listener("response", on_response)
            if context is not None:
                context.close()
        if not navigation.hits and navigation.final_status in RETRY_STATUSES:
            raise Inconclusive(
                f"the provider answered the browser with HTTP {navigation.final_status} at "
                f"{self.secrets.redact(navigation.final_url)} (rate limited or busy): run again later"
            )
        if navigation.login_ui and sign_in and not cancel and not self.can_type:
            raise LoginError(
                f"login driver {self.mode}: the provider asked for a sign-in; the saved session is "
                f"missing or expired ({navigation.describe(self.secrets)}). Run `python -m conformance "
                "save-login --platform-url ...` again"
            )
        return navigation

    def _drive(
        self,
        page: Any,
        navigation: Navigation,
        homes: frozenset[str],
        listener: Listener | None,
        start: int,
        *,
        sign_in: bool,
        cancel: bool,
    ) -> None:
        options = self.options
        deadline = time.monotonic() + options.login_timeout
        submitted = 0
        quiet_since = time.monotonic()
        last_url = page.url
        while time.monotonic() < deadline:
            if listener is not None and listener.wait(start, 0.05):
                return
            left = _left_home(navigation, homes)
            if left is not None:
                navigation.redirect_status, navigation.left_to = left
                if listener is not None and origin(left[1]) == origin(listener.base_url):
                    listener.wait(start, 2.0)
                return
            _safe(lambda: page.wait_for_load_state("domcontentloaded", timeout=2000), None)
            if self._sign_in_shown(page):
                navigation.login_ui = True
                if cancel:
                    if not _visible(page, self._cancel_target()):
                        return
                    _click(page, self._cancel_target())
                    cancel = False
                    continue
                if not sign_in or not self.can_type:
                    return
                if self.mode == "manual":
                    time.sleep(0.25)
                    continue
                if submitted >= 2:
                    raise LoginError(
                        f"login driver {self.mode}: the sign-in page came back after {submitted} attempts "
                        f"(wrong --login-user/--login-password or selectors?) at {page.url}"
                    )
                self._sign_in(page)
                submitted += 1
                quiet_since = time.monotonic()
                continue
            clicked = next((t for t in self._continue_targets() if _visible(page, t)), None)
            if clicked and sign_in:
                _click(page, clicked)
                quiet_since = time.monotonic()
                continue
            if page.url != last_url:
                last_url, quiet_since = page.url, time.monotonic()
            if self.mode != "manual" and time.monotonic() - quiet_since > SETTLE_SECONDS:
                return
            time.sleep(0.05)


def _on_response(navigation: Navigation, response: Any) -> None:
    location = response.headers.get("location")
    navigation.responses.append((response.url, response.status, location))
    if response.request.is_navigation_request() and response.frame.parent_frame is None and not location:
        navigation.final_status = response.status
        navigation.headers = dict(response.headers)


def _left_home(navigation: Navigation, homes: frozenset[str]) -> tuple[int, str] | None:
    """The last redirect from the provider (or its sign-in pages) to somewhere outside them."""
    found = None
    for url, status, location in navigation.responses:
        if location and origin(url) in homes:
            target = urljoin(url, location)
            if origin(target) not in homes:
                found = (status, target)
    return found


def _visible(page: Any, target: Target) -> bool:
    return bool(_safe(lambda: target.locate(page).is_visible(), False))


def _click(page: Any, target: Target) -> None:
    from playwright.sync_api import Error

    try:
        with page.expect_navigation(wait_until="commit", timeout=10_000):
            target.locate(page).click()
    except Error:
        pass


def _fill(page: Any, options: Any) -> None:
    """Type the credentials, or say at once which selector matches nothing (not after a 30 s timeout)."""
    fields = (
        ("--username-selector", options.username_selector, options.username),
        ("--password-selector", options.password_selector, options.password),
    )
    for option, selector, value in fields:
        if not _visible(page, Target("selector", selector)):
            raise LoginError(
                f"login driver form: the sign-in page at {page.url} has no field matching {option} "
                f"{selector!r}; pass the selector of its field"
            )
        page.locator(selector).first.fill(value)
    if not _visible(page, Target("selector", options.submit_selector)):
        raise LoginError(
            f"login driver form: the sign-in page at {page.url} has no button matching --submit-selector "
            f"{options.submit_selector!r}; pass the selector of its button"
        )
    _click(page, Target("selector", options.submit_selector))


def _screenshot(page: Any, path: Path | None) -> str | None:
    if path is None:
        return None
    return str(path) if _safe(lambda: page.screenshot(path=str(path)), None) is not None else None


def _safe(action: Any, default: Any) -> Any:
    from playwright.sync_api import Error

    try:
        return action()
    except Error:
        return default


def _form_page(action: str, fields: list[tuple[str, str]]) -> str:
    inputs = "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">' for name, value in fields
    )
    return f'<html><body><form method="post" action="{escape(action)}">{inputs}</form></body></html>'


def make_driver(
    mode: str, options: Any, secrets: Secrets, artifacts: Path | None
) -> HintDriver | BrowserDriver:
    if mode == "hint":
        return HintDriver(options.username, secrets, artifacts, options.transport, options.sign_in_origins)
    return BrowserDriver(mode, options, secrets, artifacts)
