"""pytest plugin (entry point `conformance`): options, the `case` marker, verdicts and the report.

Loaded by every pytest run in an environment where the package is installed, so it stays cheap:
it only registers options and a marker, and every hook below returns at once for tests that carry
no `case` marker. The fixtures live in `conformance/conftest.py` and exist only for the suite.
"""

from __future__ import annotations

import fnmatch
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from .catalog import CASES, Case
from .checks import CaseFailed, CaseStopped, Check, Inconclusive, Secrets

if TYPE_CHECKING:  # imported when a run uses them: this plugin loads in every pytest run
    from .login_script import LoginScript
    from .transport import Transport

DRIVERS = ("hint", "form", "script", "storage-state", "manual")
# Exit statuses beyond pytest's own (0 passed, 1 a MUST case failed, 2 interrupted, 3 internal error,
# 4 usage error, 5 nothing collected).
EXIT_INCONCLUSIVE = 6  # no MUST case failed, but some cases could not be judged (429/503, timeouts)
EXIT_NOT_STARTED = 7  # the preflight stopped the run before any case
OTHER_CLIENT = {"nextflow_cli": "seqera_ai_cli", "seqera_ai_cli": "nextflow_cli"}
# Cases that burn a grant or trip reuse detection run after everything else (catalog §4.5). Logins in
# the shared browser session may all belong to one grant (panva's do): replaying a code or revoking a
# token there ends the grant, and with it the tokens the other cases share.
RUN_LAST = (
    "JWKS-10", "PKCE-14", "TOK-10", "TOK-11", "REF-04", "REF-05", "REF-12", "REV-01", "REV-02", "REV-03", "REV-05",
    "REV-06", "REV-07", "REV-08", "PATU-05", "SEC-03",
)  # fmt: skip
# Where the mock reproduces Platform on purpose and Platform departs from the specification, the
# failure is expected against the mock: reported as FAIL ("accepted"), not failing the run (xfail).
MOCK_DEVIATIONS = {
    ("nextflow_cli", "AUTHZ-18"): "the mock registers nextflow_cli as Platform's ADR does (http://127.0.0.1, "
    "host only), so every loopback path is accepted",
}


@dataclass(frozen=True)
class Options:
    platform_url: str | None
    client_id: str
    second_client_id: str
    login: str
    storage_state: Path | None
    username: str
    password: str
    second_username: str | None
    second_password: str | None
    username_selector: str
    password_selector: str
    submit_selector: str
    cancel_selector: str
    continue_selectors: tuple[str, ...]
    login_timeout: float
    headed: bool
    safe_only: bool
    slow: bool
    max_wait: float
    code_lifetime: float
    refresh_grace: float
    report: Path | None
    artifacts: Path | None
    mock_defects: frozenset[str]
    control_token: str | None
    cases: tuple[str, ...]
    accepted: dict[str, str]
    transport: Transport
    login_script: LoginScript | None
    baseline: dict[str, Any] | None
    pat: str | None = None  # a PAT that existed before the upgrade (--pat), never written in clear
    pat_tid: int | None = None

    @property
    def sign_in_origins(self) -> frozenset[str]:
        """Origins an external sign-in passes through (from the login script)."""
        return self.login_script.origins if self.login_script else frozenset()


@dataclass
class Row:
    case: Case
    result: str = "SKIP"
    message: str = ""
    evidence: list[dict[str, Any]] = field(default_factory=list)
    observations: dict[str, Any] = field(default_factory=dict)
    nodeids: list[str] = field(default_factory=list)
    duration: float = 0.0
    accepted: bool = False


RESULT_ORDER = ("SKIP", "INFO", "PASS", "WARN", "INCONCLUSIVE", "FAIL")
METAVARS = {
    "LOGIN": "DRIVER",
    "LOGIN_SCRIPT": "PATH",
    "STORAGE_STATE": "PATH",
    "CA_BUNDLE": "PATH",
    "BASELINE": "PATH",
    "TIMEOUT": "SECONDS",
    "RETRY_WAIT": "SECONDS",
    "LOGIN_TIMEOUT": "SECONDS",
    "MAX_WAIT": "SECONDS",
    "CODE_LIFETIME": "SECONDS",
    "REFRESH_GRACE": "SECONDS",
    "REPORT": "PATH",
    "ARTIFACTS": "DIR",
    "ACCEPT": "CASES",
    "PAT": "TOKEN",
}
OPTIONS_KEY = pytest.StashKey[Options]()
SECRETS_KEY = pytest.StashKey[Secrets]()
ROWS_KEY = pytest.StashKey[dict[str, Row]]()
META_KEY = pytest.StashKey[dict[str, Any]]()
CHECK_KEY = pytest.StashKey[Check]()
ACCEPTED_KEY = pytest.StashKey[str]()
CASED_KEY = pytest.StashKey[bool]()
PREFLIGHT_KEY = pytest.StashKey[Any]()
INCONCLUSIVE_KEY = pytest.StashKey[str]()


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"CONFORMANCE_{name}", default)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "Seqera Platform conformance suite (env: CONFORMANCE_*)")

    def add(flag: str, env: str, help: str, **kwargs: Any) -> None:
        default = kwargs.pop("default", None)
        if kwargs.get("action") == "store_true":
            kwargs["default"] = (_env(env) or "").lower() in ("1", "true", "yes", "on")
        else:
            kwargs["default"] = _env(env, default)
            kwargs["metavar"] = METAVARS.get(env, env.rsplit("_", 1)[-1])
        group.addoption(flag, dest=f"conformance_{env.lower()}", help=f"{help} [CONFORMANCE_{env}]", **kwargs)

    add(
        "--platform-url",
        "PLATFORM_URL",
        "API root of the provider under test, e.g. https://platform.example.com/api. "
        "Default: start the mock on an ephemeral loopback port.",
    )
    add(
        "--client-id",
        "CLIENT_ID",
        "Client whose contract is checked: nextflow_cli or seqera_ai_cli.",
        default="nextflow_cli",
    )
    add("--second-client-id", "SECOND_CLIENT_ID", "Another registered public client (TOK-07, REF-08).")
    add("--login", "LOGIN", "Login driver: hint, form, script, storage-state or manual.", default="hint")
    add(
        "--login-script",
        "LOGIN_SCRIPT",
        "YAML steps for --login script (goto, fill, click, wait_for, wait_for_url, expect_text).",
    )
    add("--storage-state", "STORAGE_STATE", "Playwright storage state for --login storage-state.")
    add(
        "--login-user",
        "LOGIN_USER",
        "Test account (login_hint, or typed by the form driver).",
        default="alice",
    )
    add("--login-password", "LOGIN_PASSWORD", "Password typed by the form driver.", default="alice-password")
    add(
        "--pat",
        "PAT",
        "A personal access token made before the upgrade to OIDC login, from the web UI or an older "
        "CLI (PATU-06: it must still work, with no login); the mock ships alice's legacy-ci.",
    )
    add("--second-user", "SECOND_USER", "A second dedicated account (PATD-05); against the mock, bob.")
    add("--second-password", "SECOND_PASSWORD", "Password of the second account.")
    add(
        "--username-selector",
        "USERNAME_SELECTOR",
        "CSS selector of the user name field.",
        default="input[name=username]",
    )
    add(
        "--password-selector",
        "PASSWORD_SELECTOR",
        "CSS selector of the password field.",
        default="input[name=password]",
    )
    add(
        "--submit-selector",
        "SUBMIT_SELECTOR",
        "CSS selector of the sign-in button.",
        default="button[name=action][value=login]",
    )
    add(
        "--cancel-selector",
        "CANCEL_SELECTOR",
        "CSS selector of the cancel/deny button (AUTHZ-37).",
        default="button[name=action][value=cancel]",
    )
    add(
        "--continue-selector",
        "CONTINUE_SELECTOR",
        "Comma-separated selectors of optional consent/continue buttons clicked when they appear.",
        default="",
    )
    add("--login-timeout", "LOGIN_TIMEOUT", "Seconds a login may take (manual: 300 by default).")
    add("--headed", "HEADED", "Show the browser.", action="store_true")
    add(
        "--safe-only",
        "SAFE_ONLY",
        "Run only the cases marked Safe (production profile).",
        action="store_true",
    )
    add(
        "--slow",
        "SLOW",
        "Run the Slow cases (code expiry, 30 s reuse, refresh grace) on a real clock.",
        action="store_true",
    )
    add(
        "--max-wait",
        "MAX_WAIT",
        "Longest single wait a Slow case may do on a real clock, seconds.",
        default="900",
    )
    add(
        "--code-lifetime",
        "CODE_LIFETIME",
        "Seconds after which a code must be expired (TOK-13).",
        default="660",
    )
    add(
        "--refresh-grace",
        "REFRESH_GRACE",
        "Grace window for rotated refresh tokens (REF-04), seconds.",
        default="65",
    )
    add(
        "--ca-bundle",
        "CA_BUNDLE",
        "PEM file of the CAs that sign the provider's certificates, for every HTTP call and the browser "
        "(else REQUESTS_CA_BUNDLE, SSL_CERT_FILE, the default store).",
    )
    add(
        "--insecure",
        "INSECURE",
        "Do not verify certificates (HTTP calls and browser); the report says so at the top.",
        action="store_true",
    )
    add("--timeout", "TIMEOUT", "Seconds an HTTP request may take.", default="15")
    add(
        "--retries",
        "RETRIES",
        "Retries of a request answered 429/503 or timed out, before the case is INCONCLUSIVE.",
        default="3",
    )
    add(
        "--retry-wait",
        "RETRY_WAIT",
        "Longest Retry-After honoured, seconds; a longer one makes the case INCONCLUSIVE at once.",
        default="30",
    )
    add(
        "--report",
        "REPORT",
        "Write the report to this path: PATH.md, PATH.json and PATH.html (suffix optional).",
    )
    add("--baseline", "BASELINE", "report.json of an earlier run: the report shows what changed since.")
    add("--artifacts", "ARTIFACTS", "Directory for screenshots and pages (default: next to the report).")
    add(
        "--mock-defects",
        "MOCK_DEFECTS",
        "Comma-separated defects for the self-started mock (mutation check).",
        default="",
    )
    add(
        "--control-token",
        "CONTROL_TOKEN",
        "Bearer token for the mock's control API, when it was started with MOCK_PLATFORM_CONTROL_TOKEN.",
    )
    add(
        "--accept",
        "ACCEPT",
        "Case ids whose failure is a known, accepted deviation (reported, not failing).",
        default="",
    )
    add(
        "--case",
        "CASES",
        "Run only these case ids (comma-separated; globs such as PKCE-* allowed).",
        default="",
    )


def _options(config: pytest.Config) -> Options:
    from .login_script import ScriptError, load_script
    from .transport import Transport, TransportConfigError, resolve_trust

    def get(name: str) -> Any:
        return config.getoption(f"conformance_{name}")

    def number(name: str, expected: str = "a number of seconds", minimum: float = 0.0) -> float:
        try:
            value = float(get(name))
        except (TypeError, ValueError):
            value = None
        if value is None or value < minimum:
            raise pytest.UsageError(f"--{name.replace('_', '-')}: expected {expected}, got {get(name)!r}")
        return value

    login = get("login")
    if login not in DRIVERS:
        raise pytest.UsageError(f"--login: {login!r} is not one of {', '.join(DRIVERS)}")
    script_path = get("login_script")
    if (login == "script") != bool(script_path):
        raise pytest.UsageError(
            "--login script needs --login-script PATH (YAML steps), and --login-script needs --login script"
        )
    try:
        script = load_script(Path(script_path)) if script_path else None
    except ScriptError as error:
        raise pytest.UsageError(str(error)) from None
    storage_state = Path(get("storage_state")) if get("storage_state") else None
    if login == "storage-state" and (storage_state is None or not storage_state.is_file()):
        raise pytest.UsageError(
            "--login storage-state needs --storage-state PATH of a file saved by "
            "`python -m conformance save-login --platform-url ...`"
        )
    client_id = get("client_id")
    platform_url = (get("platform_url") or "").strip() or None
    if platform_url:
        parts = urlsplit(platform_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise pytest.UsageError(
                f"--platform-url {platform_url!r} is not an absolute http(s) URL; give the API root, "
                "e.g. https://platform.example.com/api"
            )
    try:
        transport = Transport(
            resolve_trust(get("ca_bundle"), get("insecure")),
            timeout=number("timeout", "a number of seconds above 0", minimum=0.001),
            retries=int(number("retries", "a whole number of retries (0 or more)")),
            retry_wait=number("retry_wait"),
        )
    except TransportConfigError as error:
        raise pytest.UsageError(str(error)) from None
    baseline = _read_baseline(Path(get("baseline"))) if get("baseline") else None
    defects = frozenset(d.strip() for d in get("mock_defects").split(",") if d.strip())
    if defects and platform_url:
        raise pytest.UsageError(
            "--mock-defects only applies to the mock the suite starts (no --platform-url)"
        )
    timeout = get("login_timeout")
    report = get("report")
    artifacts = get("artifacts")
    accepted = {c.strip(): "accepted with --accept" for c in get("accept").split(",") if c.strip()}
    pat = (get("pat") or "").strip() or None
    return Options(
        platform_url=platform_url,
        client_id=client_id,
        second_client_id=get("second_client_id") or OTHER_CLIENT.get(client_id, "conformance-unknown-client"),
        login=login,
        storage_state=storage_state,
        username=get("login_user"),
        password=get("login_password"),
        second_username=get("second_user"),
        second_password=get("second_password"),
        username_selector=get("username_selector"),
        password_selector=get("password_selector"),
        submit_selector=get("submit_selector"),
        cancel_selector=get("cancel_selector"),
        continue_selectors=tuple(s.strip() for s in get("continue_selector").split(",") if s.strip()),
        login_timeout=float(timeout) if timeout else (300.0 if login == "manual" else 30.0),
        headed=get("headed") or login == "manual",
        safe_only=get("safe_only"),
        slow=get("slow"),
        max_wait=number("max_wait"),
        code_lifetime=number("code_lifetime"),
        refresh_grace=number("refresh_grace"),
        report=Path(report) if report else None,
        artifacts=Path(artifacts)
        if artifacts
        else (Path(report).parent / "conformance-artifacts" if report else None),
        mock_defects=defects,
        control_token=get("control_token") or None,
        cases=tuple(c.strip() for c in get("cases").split(",") if c.strip()),
        accepted=accepted,
        transport=transport,
        login_script=script,
        baseline=baseline,
        pat=pat,
        pat_tid=_pat_tid(pat) if pat else None,
    )


def _pat_tid(pat: str) -> int:
    """The token id Nextflow's logout reads from `--pat`; a usage error when it reads none."""
    from .platform import decode_pat

    if pat.count(".") == 2:
        problem = "it is a JWT (an OAuth access token), not a personal access token"
    else:
        document, detail = decode_pat(pat)
        tid = document.get("tid") if document is not None else None
        if isinstance(tid, int) and not isinstance(tid, bool) and tid > 0:
            return tid
        head = detail.partition(".")[0]
        problem = detail if document is None else f'its JSON {head!r} has no positive whole-number "tid"'
    raise pytest.UsageError(
        f"--pat: not a personal access token Nextflow can read: {problem}; give one in Platform's format, "
        'standard base64 of {"tid": <id>}.<secret>, as Platform shows it once when it is made'
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "case(id): the conformance catalog case this test implements")
    config.stash[ROWS_KEY] = {}
    config.stash[SECRETS_KEY] = Secrets()
    config.stash[META_KEY] = {"started": time.time()}


def options_of(config: pytest.Config) -> Options:
    if OPTIONS_KEY not in config.stash:
        options = _options(config)
        config.stash[OPTIONS_KEY] = options
        script_secrets = options.login_script.secrets() if options.login_script else []
        config.stash[SECRETS_KEY].add(options.password, options.pat, *script_secrets)
    return config.stash[OPTIONS_KEY]


def case_of(item: pytest.Item) -> Case | None:
    marker = item.get_closest_marker("case")
    if marker is None:
        return None
    case_id = marker.args[0] if marker.args else None
    if case_id not in CASES:
        raise pytest.UsageError(
            f"{item.nodeid}: unknown conformance case {case_id!r} (see conformance/catalog.py)"
        )
    return CASES[case_id]


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    cased = [(item, case_of(item)) for item in items]
    if not any(case for _, case in cased):
        return
    options = options_of(config)
    wanted = options.cases
    if wanted:
        unknown = [w for w in wanted if not fnmatch.filter(CASES, w)]
        if unknown:
            raise pytest.UsageError(f"--case: no catalog case matches {', '.join(unknown)}")
        keep, drop = [], []
        for item, case in cased:
            selected = case is None or any(fnmatch.fnmatchcase(case.id, w) for w in wanted)
            (keep if selected else drop).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep
    for item, case in cased:
        if case is not None and options.safe_only and not case.safe:
            item.add_marker(pytest.mark.skip(reason=f"{case.id} is {case.prod}, not Safe (--safe-only)"))
    last = {id(item) for item, case in cased if case is not None and case.id in RUN_LAST}
    items.sort(key=lambda item: id(item) in last)
    config.stash[CASED_KEY] = any(case_of(item) for item in items)


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> bool | None:
    """Preflight: before any case, fetch the provider's discovery once; a run that cannot start stops here."""
    config = session.config
    if not config.stash.get(CASED_KEY, False) or session.testsfailed or config.option.collectonly:
        return None
    options = options_of(config)
    if options.platform_url is None:
        return None  # the suite starts the mock itself; its discovery is fetched by the fixture
    from .preflight import PreflightError, preflight
    from .target import Http

    http = Http(config.stash[SECRETS_KEY], options.transport)
    api_url = options.platform_url.rstrip("/")
    try:
        config.stash[PREFLIGHT_KEY] = preflight(http, api_url)
    except PreflightError as error:
        meta = config.stash[META_KEY]
        meta.update(target=api_url, not_started=error.document(), **run_facts(options))
        return True  # no case runs; pytest_sessionfinish writes the report and sets the exit status
    return None


def run_facts(options: Options) -> dict[str, Any]:
    facts = {"client_id": options.client_id, "login": options.login, "safe_only": options.safe_only}
    if options.pat_tid is not None:
        facts["pat"] = f"tid {options.pat_tid} (--pat)"
    facts |= options.transport.describe()
    if options.transport.trust.insecure:
        facts["insecure"] = True
    return facts


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Any:
    case = case_of(pyfuncitem)
    if case is None:
        return (yield)
    check = pyfuncitem.stash.get(CHECK_KEY, None)
    try:
        result = yield
        if check is not None:
            check.finish()
    except CaseStopped:
        return True
    except CaseFailed as failure:
        _accept(pyfuncitem, case, str(failure))
        raise
    except Inconclusive:
        if check is not None and check.failures:  # what was judged before stays judged
            message = check.failure_message()
            _accept(pyfuncitem, case, message)
            raise CaseFailed(message) from None
        raise
    except AssertionError as error:
        if check is not None and case.level != "MUST":
            check.absorb(error)
            return True
        secrets = pyfuncitem.config.stash[SECRETS_KEY]
        message = f"{case.id} FAILED: {secrets.redact(str(error))} ({case.first_clause})"
        _accept(pyfuncitem, case, message)
        raise CaseFailed(message) from None
    return result


def _accept(item: pytest.Item, case: Case, message: str) -> None:
    """An accepted deviation becomes an xfail; the report still says FAIL.

    Accepted: the cases named with --accept, and, when the target is the mock (the suite started
    it, or its control API answers), the deviations the mock reproduces from Platform on purpose.
    """
    options = options_of(item.config)
    reason = options.accepted.get(case.id)
    if reason is None and item.config.stash[META_KEY].get("mock"):
        reason = MOCK_DEVIATIONS.get((options.client_id, case.id))
    if reason is not None:
        item.stash[ACCEPTED_KEY] = f"{message}\naccepted deviation: {reason}"
        pytest.xfail(f"accepted deviation: {reason}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    case = case_of(item)
    if case is None:
        return report
    if report.failed and call.excinfo is not None and call.excinfo.errisinstance(CaseFailed):
        report.longrepr = str(call.excinfo.value)
    inconclusive = call.excinfo is not None and call.excinfo.errisinstance(Inconclusive)
    if report.failed and inconclusive and report.when != "teardown":
        message = item.config.stash[SECRETS_KEY].redact(str(call.excinfo.value))
        item.stash[INCONCLUSIVE_KEY] = message
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] + 1, f"INCONCLUSIVE: {message}")
    _record(item, case, report, call)
    return report


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> Any:
    """An inconclusive case gets its own letter and count in pytest's output: I, "3 inconclusive"."""
    longrepr = report.longrepr
    if report.skipped and isinstance(longrepr, tuple) and str(longrepr[2]).startswith("INCONCLUSIVE:"):
        return "inconclusive", "I", ("INCONCLUSIVE", {"yellow": True})
    return None


def _record(item: pytest.Item, case: Case, report: pytest.TestReport, call: pytest.CallInfo[None]) -> None:
    rows = item.config.stash[ROWS_KEY]
    row = rows.setdefault(case.id, Row(case))
    check = item.stash.get(CHECK_KEY, None)
    secrets = item.config.stash[SECRETS_KEY]
    inconclusive = item.stash.get(INCONCLUSIVE_KEY, None) if report.when != "teardown" else None
    if report.when == "setup":
        if item.nodeid not in row.nodeids:
            row.nodeids.append(item.nodeid)
        if inconclusive is not None:
            _merge(row, "INCONCLUSIVE", inconclusive)
        elif report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            _merge(row, "SKIP", reason.removeprefix("Skipped: "))
        elif report.failed:
            _merge(row, "FAIL", f"setup error: {_first_line(call, secrets)}")
        return
    row.duration += report.duration
    if report.when == "teardown":
        if report.failed:
            _merge(row, "FAIL", f"teardown error: {_first_line(call, secrets)}")
        return
    if check is not None:
        row.evidence.extend(check.evidence)
        row.observations.update(check.observations)
    if inconclusive is not None:
        _merge(row, "INCONCLUSIVE", inconclusive)
    elif report.skipped and ACCEPTED_KEY in item.stash:
        _merge(row, "FAIL", item.stash[ACCEPTED_KEY])
        row.accepted = True
    elif report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _merge(row, "SKIP", reason.removeprefix("Skipped: "))
    elif report.failed:
        message = str(call.excinfo.value) if call.excinfo and call.excinfo.errisinstance(CaseFailed) else None
        _merge(row, "FAIL", message or f"error: {_first_line(call, secrets)}")
    elif check is not None and check.warnings:
        _merge(row, "WARN", "\n".join(check.line(w, "WARNING") for w in check.warnings))
    elif case.level == "INFO":
        _merge(row, "INFO", "; ".join(check.observations.get("notes", [])) if check else "")
    else:
        _merge(row, "PASS", "")


def _first_line(call: pytest.CallInfo[None], secrets: Secrets) -> str:
    if call.excinfo is None:
        return ""
    text = str(call.excinfo.value).strip().splitlines()
    return secrets.redact(f"{call.excinfo.typename}: {text[0] if text else ''}")


def _merge(row: Row, result: str, message: str) -> None:
    if RESULT_ORDER.index(result) > RESULT_ORDER.index(row.result):
        row.result = result
    if message and message not in row.message:
        row.message = f"{row.message}\n{message}".strip()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    meta = config.stash.get(META_KEY, {})
    if "summary_line" not in meta:
        return
    terminalreporter.write_sep("=", "conformance")
    if meta.get("insecure"):
        terminalreporter.write_line("certificate verification was OFF (--insecure)", red=True)
    if meta.get("not_started"):
        from .preflight import PreflightError

        for line in PreflightError(**meta["not_started"]).lines():
            terminalreporter.write_line(line, red=True)
    for line in meta.get("inconclusive", []):
        terminalreporter.write_line(f"INCONCLUSIVE {line}", yellow=True)
    terminalreporter.write_line(meta["summary_line"])
    if meta.get("written"):
        terminalreporter.write_line("report: " + ", ".join(str(p) for p in meta["written"]))
    for problem in meta.get("cleanup", []):
        terminalreporter.write_line(f"clean-up: {problem}", red=True)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    rows = config.stash.get(ROWS_KEY, {})
    meta = config.stash.get(META_KEY, {})
    if not (rows or meta.get("not_started")) or OPTIONS_KEY not in config.stash:
        return
    from .report import build, write

    options = config.stash[OPTIONS_KEY]
    meta["duration"] = round(time.time() - meta["started"], 2)
    document = build(list(rows.values()), meta, config.stash[SECRETS_KEY], options.baseline)
    meta["summary_line"] = document["summary_line"]
    meta["inconclusive"] = [
        f"{case['id']}: {(case['message'] or '?').splitlines()[0]}"
        for case in document["cases"]
        if case["result"] == "INCONCLUSIVE"
    ]
    if options.report is not None:
        meta["written"] = write(document, options.report)
    if meta.get("not_started"):
        session.exitstatus = EXIT_NOT_STARTED
    elif session.exitstatus == pytest.ExitCode.OK and meta["inconclusive"]:
        session.exitstatus = EXIT_INCONCLUSIVE


def _read_baseline(path: Path) -> dict[str, Any]:
    """An earlier run's report.json, with `path` added; read once, before anything runs."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise pytest.UsageError(f"--baseline {path}: cannot read it: {error.strerror or error}") from None
    except ValueError as error:
        raise pytest.UsageError(f"--baseline {path}: not JSON ({error})") from None
    if not isinstance(document, dict) or not isinstance(document.get("cases"), list):
        raise pytest.UsageError(f"--baseline {path}: not a conformance report.json (it has no cases list)")
    return document | {"path": str(path)}
