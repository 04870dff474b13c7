"""Fixtures of the conformance suite (only tests under conformance/ see them).

Session scope: the target (the mock is started here when no --platform-url is given), discovery,
JWKS, the login drivers (one browser for the whole run, started only if a case needs it), one
shared "happy" login, the Platform client whose PATs are deleted at the end, and the clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests

from .catalog import CASES
from .checks import Check, Inconclusive, Secrets
from .harness import OAuth, Session, Tokens
from .login import BrowserDriver, HintDriver, LoginError, make_driver
from .platform import Platform
from .plugin import CHECK_KEY, META_KEY, PREFLIGHT_KEY, SECRETS_KEY, Options, options_of, run_facts
from .preflight import PreflightError, preflight
from .target import (
    Clock,
    Discovery,
    Http,
    Jwks,
    Target,
    find_control,
    probe_control,
    start_mock,
)


@pytest.fixture(scope="session")
def options(pytestconfig: pytest.Config) -> Options:
    return options_of(pytestconfig)


@pytest.fixture(scope="session")
def secrets(pytestconfig: pytest.Config) -> Secrets:
    return pytestconfig.stash[SECRETS_KEY]


@pytest.fixture(scope="session")
def artifacts(options: Options, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return options.artifacts or tmp_path_factory.mktemp("conformance-artifacts")


@pytest.fixture(scope="session")
def target(
    options: Options, secrets: Secrets, tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[Target]:
    http = Http(secrets, options.transport)
    if options.control_token:
        http.use_control_token(options.control_token)
    meta = pytestconfig.stash[META_KEY]
    meta.update(run_facts(options))
    if options.platform_url:
        api_url = options.platform_url[:-1] if options.platform_url.endswith("/") else options.platform_url
        control_url = find_control(http, api_url)
        meta.update(target=api_url, mock=control_url is not None)
        yield Target(api_url, http, False, control_url)
        return
    with start_mock(tmp_path_factory.mktemp("mock-platform"), options.mock_defects) as (
        issuer,
        control,
        settings,
    ):
        meta.update(target=f"mock ({issuer})", mock=True, defects=sorted(options.mock_defects))
        yield Target(issuer, http, True, control if probe_control(http, control) else None, settings)


@pytest.fixture(scope="session")
def discovery(target: Target, pytestconfig: pytest.Config) -> Discovery:
    """The preflight's document (fetched once, before any case); for the self-started mock, fetched here."""
    if PREFLIGHT_KEY in pytestconfig.stash:
        return pytestconfig.stash[PREFLIGHT_KEY]
    try:
        return preflight(target.http, target.api_url)
    except PreflightError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def jwks(target: Target, discovery: Discovery) -> Jwks:
    uri = discovery.get("jwks_uri")
    if not isinstance(uri, str):
        pytest.fail("discovery has no jwks_uri: the JWKS cases cannot run (see DISC-04)")
    return Jwks(target.http, uri)


@pytest.fixture(scope="session")
def clock(target: Target, options: Options) -> Iterator[Clock]:
    clock = Clock(target.http, target.control_url, options.max_wait)
    yield clock
    clock.reset()


@pytest.fixture(scope="session")
def probe(options: Options, secrets: Secrets, artifacts: Path) -> Iterator[HintDriver]:
    driver = HintDriver(options.username, secrets, artifacts, options.transport, options.sign_in_origins)
    yield driver
    driver.close()


@pytest.fixture(scope="session")
def drivers(
    options: Options, secrets: Secrets, artifacts: Path, probe: HintDriver
) -> Iterator[tuple[HintDriver | BrowserDriver, HintDriver | BrowserDriver]]:
    """The configured driver, and one that can show and fill the sign-in page (a browser)."""
    driver = probe if options.login == "hint" else make_driver(options.login, options, secrets, artifacts)
    ui_driver = (
        driver if isinstance(driver, BrowserDriver) else BrowserDriver("form", options, secrets, artifacts)
    )
    yield driver, ui_driver
    ui_driver.close()
    if driver is not ui_driver and driver is not probe:
        driver.close()


@pytest.fixture(scope="session")
def session(
    target: Target,
    discovery: Discovery,
    drivers: tuple[HintDriver | BrowserDriver, HintDriver | BrowserDriver],
    probe: HintDriver,
    options: Options,
    secrets: Secrets,
    pytestconfig: pytest.Config,
) -> Iterator[Session]:
    """Everything a test needs to talk to the provider; at the end every refresh token is revoked."""
    driver, ui_driver = drivers
    session = Session(target, discovery, driver, ui_driver, probe, options, secrets)
    yield session
    if isinstance(discovery.get("revocation_endpoint"), str):
        with ExitStack() as stack:
            oauth = OAuth(session, stack)
            try:
                for token in target.http.refresh_tokens:
                    oauth.revoke(token, hint="refresh_token")
            except (Inconclusive, requests.RequestException) as error:
                problem = f"the run's refresh tokens could not all be revoked: {error}"
                pytestconfig.stash[META_KEY].setdefault("cleanup", []).append(problem)


@pytest.fixture
def ui_driver(session: Session, options: Options) -> HintDriver | BrowserDriver:
    """The driver for cases that need the sign-in page itself (AUTHZ-10, -33, -37).

    With the hint driver that is an extra browser; without Playwright or Chromium those cases
    skip, while with a browser driver a browser that cannot start is a set-up error.
    """
    driver = session.ui_driver
    if options.login == "hint" and isinstance(driver, BrowserDriver):
        try:
            driver.start()
        except LoginError as error:
            pytest.skip(f"needs a browser for the sign-in page: {error}")
    return driver


@pytest.fixture(scope="session")
def session_stack() -> Iterator[ExitStack]:
    with ExitStack() as stack:
        yield stack


@pytest.fixture(scope="session")
def happy(session: Session, session_stack: ExitStack) -> Tokens:
    """One login exactly as the CLI does it, shared by the cases that only read its tokens."""
    return OAuth(session, session_stack).tokens()


@pytest.fixture(scope="session")
def second_account(
    session: Session, options: Options, secrets: Secrets, artifacts: Path, session_stack: ExitStack
) -> Tokens:
    """A login of the second dedicated account (the mock's bob), for cross-user cases."""
    mock = session.target.is_mock
    username = options.second_username or ("bob" if mock else None)
    password = options.second_password or ("bob-password" if mock else None)
    if not (username and password):
        pytest.skip("needs a second dedicated account: --second-user and --second-password")
    driver: HintDriver | BrowserDriver
    if options.login == "hint":
        driver = HintDriver(username, secrets, artifacts, options.transport, options.sign_in_origins)
    elif options.login in ("form", "script") and isinstance(session.driver, BrowserDriver):
        driver = session.driver.as_user(username, password)
    else:
        pytest.skip(f"the {options.login} driver cannot sign in a second account")
    session_stack.callback(driver.close)
    return OAuth(session, session_stack).tokens(driver=driver, fresh=True)


@pytest.fixture(scope="session")
def platform(
    session: Session, target: Target, secrets: Secrets, pytestconfig: pytest.Config
) -> Iterator[Platform]:
    """The Platform REST client; its PATs are deleted before the session's grants are revoked."""
    client = Platform(target.http, target.api_url, secrets)
    yield client
    try:
        problems = client.cleanup()
    except (Inconclusive, requests.RequestException) as error:
        problems = [f"the run's PATs could not all be deleted: {error}"]
    pytestconfig.stash[META_KEY].setdefault("cleanup", []).extend(problems)


@pytest.fixture
def check(request: pytest.FixtureRequest, secrets: Secrets, options: Options) -> Iterator[Check]:
    marker = request.node.get_closest_marker("case")
    if marker is None:
        raise pytest.UsageError(f"{request.node.nodeid} uses `check` without @pytest.mark.case(...)")
    case = CASES[marker.args[0]]
    if case.mock_only or (case.slow and not options.slow):
        target: Target = request.getfixturevalue("target")
        second = (
            "second dedicated account" in case.prod and options.second_username and options.second_password
        )
        if case.mock_only and not target.is_mock and not second:
            pytest.skip(f"{case.id} runs only against the mock ({case.prod}; catalog §5)")
        if case.slow and not options.slow and not target.is_mock:
            pytest.skip(f"{case.id} is Slow: run with --slow")
    result = Check(case, secrets)
    request.node.stash[CHECK_KEY] = result
    http: Http | None = None
    if "target" in request.fixturenames or case.mode != "U":
        http = request.getfixturevalue("target").http
        http.observer = result
    yield result
    if http is not None:
        http.observer = None


@pytest.fixture
def oauth(session: Session) -> Iterator[OAuth]:
    with ExitStack() as stack:
        yield OAuth(session, stack)
