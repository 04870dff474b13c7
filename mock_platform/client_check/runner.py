"""`check(settings)`: run the scenarios the selected cases need, each against a fresh mock, then judge.

One Chromium serves every scenario (a fresh browser context each, so no cookie carries over); a
caller that already has one (the pytest fixture) passes it in.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Callable, Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

from .browser import Driver
from .catalog import CASES, Case
from .judges import Observed, verdict
from .process import Workspace, find_command
from .report import Report, conclude
from .runs import ScenarioRun
from .scenarios import SCENARIO_RUNNERS
from .secrets import Secrets
from .stage import CheckSettings, Stage

SLOW = ("no-browser", "provider-hangs")
WITHOUT_URL = ("issuer-mismatch", "untrusted-tls")  # scenarios in which showing no URL is right
NEVER_REFRESHED = "not run: the refresh command made no refresh_token grant in the login scenario"


class CheckError(Exception):
    """The check cannot run (a command not found, no sign-in URL): one line for the user."""


def selected_cases(settings: CheckSettings) -> list[Case]:
    if settings.cases is None:
        return list(CASES.values())
    unknown = settings.cases - CASES.keys()
    if unknown:
        raise CheckError(
            f"unknown case(s) {', '.join(sorted(unknown))}; the catalog has CLI-01 to CLI-{len(CASES):02d}"
        )
    return [case for case in CASES.values() if case.id in settings.cases]


def scenarios_for(cases: list[Case], settings: CheckSettings) -> list[str]:
    """The scenarios to run, in the catalog's order; those a case cannot use without an option are left out."""
    wanted = {scenario for case in cases for scenario in case.scenarios}
    if settings.refresh is None:
        wanted.discard("refresh-revoked")
    if not settings.slow:
        wanted -= set(SLOW)
    return [name for name in SCENARIO_RUNNERS if name in wanted]


def check_commands(settings: CheckSettings) -> None:
    env = Workspace(Path(tempfile.gettempdir())).environment({})
    for what, command in (
        ("login", settings.login),
        ("refresh", settings.refresh),
        ("logout", settings.logout),
    ):
        if command is None:
            continue
        if not command or not command[0].strip():
            raise CheckError(f"the {what} command is empty")
        if find_command(list(command), env) is None:
            raise CheckError(
                f"{what} command not found: {command[0]!r}; check the name and PATH, or give its full path"
            )


def check(
    settings: CheckSettings, browser: Any = None, progress: Callable[[str], None] | None = None
) -> Report:
    check_commands(settings)
    cases = selected_cases(settings)
    names = scenarios_for(cases, settings)
    secrets = Secrets()
    runs: dict[str, ScenarioRun] = {}
    client_ids: frozenset[str] = frozenset()
    checked_url = False
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="client-check-") as scratch, _chromium(browser) as chromium:
        driver = Driver(chromium, settings.user, settings.password)
        for name in names:
            function, mock_settings = SCENARIO_RUNNERS[name]
            if name == "refresh-revoked" and _never_refreshed(runs.get("login")):
                runs[name] = ScenarioRun(name, runs["login"].endpoints, skipped=NEVER_REFRESHED)
                continue
            scenario_started = time.monotonic()
            with Stage(name, settings, secrets, driver, Path(scratch) / name, **mock_settings) as stage:
                client_ids = client_ids or frozenset(entry["client-id"] for entry in stage.control.clients())
                run = runs[name] = function(stage)
            run.duration = time.monotonic() - scenario_started
            if progress:
                progress(f"scenario {name}: {run.duration:.1f} s")
            if name not in WITHOUT_URL and not checked_url:
                _require_url(run, settings, secrets)
                checked_url = True
    observed = Observed(settings, runs, secrets, client_ids)
    results = [conclude(case, verdict(case.id, observed)) for case in cases]
    meta = {
        "tool": f"mock-platform check-client {version('mock-platform')}",
        "login": list(settings.login),
        "refresh": list(settings.refresh) if settings.refresh else None,
        "logout": list(settings.logout) if settings.logout else None,
        "profile": settings.profile,
        "time_limit": settings.time_limit,
        "mock": "in-process, on 127.0.0.1 and a free port",
        "duration": round(time.monotonic() - started, 1),
        "scenarios": {
            name: {"duration": round(run.duration, 1), "skipped": run.skipped} for name, run in runs.items()
        },
    }
    return Report(results, meta, secrets)


def _never_refreshed(run: ScenarioRun | None) -> bool:
    """The login scenario ran the refresh command and it never refreshed: revoking a grant it does
    not use would show nothing."""
    return (
        run is not None
        and bool(run.steps)
        and not any(step.refresh_grants(run.endpoints) for step in run.steps.values())
    )


def _require_url(run: ScenarioRun, settings: CheckSettings, secrets: Secrets) -> None:
    """The first login must show a URL; without one nothing else can be judged."""
    login = run.login
    if login is None or login.url:
        return
    command = login.command
    if command.exit_code is not None:
        problem = f"exited with code {command.exit_code} before showing a sign-in URL"
    else:
        problem = (
            f"showed no sign-in URL within {settings.time_limit:g} s and opened no browser "
            "(BROWSER points at a helper that hands the URL to the checker)"
        )
    raise CheckError(secrets.mask(f"the login command {problem}; its last output: {command.last_line()}"))


@contextlib.contextmanager
def _chromium(browser: Any) -> Iterator[Any]:
    if browser is not None:
        yield browser
        return
    from headless_chromium import chromium_install_hint, launch_chromium, playwright_install_hint

    try:
        launched = launch_chromium()
    except ImportError as error:
        raise CheckError(f"the checker needs Playwright: {playwright_install_hint()}") from error
    except Exception as error:  # Playwright's Error, or an OSError from a bad executable path
        raise CheckError(
            f"no usable Chromium ({str(error).splitlines()[0]}); {chromium_install_hint()}"
        ) from error
    try:
        yield launched
    finally:
        launched.close()
