"""One case's verdict: checks at MUST/SHOULD/INFO level, evidence, and redaction of secrets.

A test talks to its `check` fixture: `check.must(ok, "token issued without code_verifier",
clause="RFC 7636 §4.6")` records a failure and carries on, `check.require(...)` stops the test,
`check.should(...)` turns into a warning, `check.record(...)` keeps an observation. A check never
asks for more than its case's catalog level: a `must` inside a SHOULD case warns, inside an INFO
case it is recorded. Evidence never holds a secret: every code, token and PAT the suite sees is
registered in `Secrets` and replaced by a short fingerprint wherever it would be written.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from report_page import LEVELS

from .catalog import Case

SECRET_PARAMS = frozenset(
    {
        "code", "code_verifier", "access_token", "id_token", "refresh_token", "token", "accessKey", "password",
        "client_secret",
    }
)  # fmt: skip
SECRET_JSON = re.compile(r'"(' + "|".join(sorted(SECRET_PARAMS)) + r')"(\s*:\s*)"([^"\\]+)"')
JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)?")
EXCERPT_HEADERS = (
    "Content-Type", "Location", "WWW-Authenticate", "Cache-Control", "Retry-After", "Access-Control-Allow-Origin",
)  # fmt: skip
EXCERPT_BODY = 400
REQUEST_ID_HEADERS = ("X-Request-Id", "X-Correlation-Id", "X-Amzn-Trace-Id", "X-Trace-Id", "Traceparent")


class CaseFailed(AssertionError):
    """A MUST-level check failed; the message cites the case id and the clause."""


class CaseStopped(Exception):
    """A SHOULD or INFO case cannot go on; what it found is already recorded."""


class Inconclusive(Exception):
    """The case could not be judged: rate limited, timed out, or the login itself could not be done.

    Its own result (INCONCLUSIVE), never PASS or FAIL; the message says what happened and how long
    the suite waited.
    """


class ConformanceWarning(UserWarning):
    """A SHOULD-level expectation was not met."""


def fingerprint(secret: str) -> str:
    return f"«sha256:{hashlib.sha256(secret.encode()).hexdigest()[:10]}…({len(secret)})»"


class Secrets:
    """Every secret seen during the run, so that nothing writes one in clear."""

    MIN_LENGTH = 8

    def __init__(self) -> None:
        self._values: set[str] = set()

    def add(self, *values: Any) -> None:
        for value in values:
            if isinstance(value, str) and len(value) >= self.MIN_LENGTH:
                self._values.add(value)

    def redact(self, text: str) -> str:
        for value in sorted(self._values, key=len, reverse=True):
            if value in text:
                text = text.replace(value, fingerprint(value))
        return JWT.sub(lambda m: fingerprint(m.group(0)), _redact_json(_redact_params(text)))


def _redact_json(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        value = match.group(3)
        if value.startswith("«"):
            return match.group(0)
        return f'"{match.group(1)}"{match.group(2)}"{fingerprint(value)}"'

    return SECRET_JSON.sub(replace, text)


def _redact_params(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name, value = match.group(1), match.group(2)
        if name in SECRET_PARAMS and value and not value.startswith("«"):
            return f"{name}={fingerprint(value)}"
        return match.group(0)

    return re.sub(r"\b([A-Za-z_]+)=([^&\s\"'#]*)", replace, text)


@dataclass
class Finding:
    level: str
    message: str
    clause: str
    field: str | None = None


@dataclass
class Check:
    case: Case
    secrets: Secrets
    findings: list[Finding] = field(default_factory=list)
    observations: dict[str, Any] = field(default_factory=dict)
    evidence: list[dict[str, Any]] = field(default_factory=list)

    # verdicts ------------------------------------------------------------------------------------

    def must(self, ok: Any, message: str, *, clause: str | None = None, field: str | None = None) -> bool:
        return self._judge("MUST", bool(ok), message, clause, field)

    def should(self, ok: Any, message: str, *, clause: str | None = None, field: str | None = None) -> bool:
        return self._judge("SHOULD", bool(ok), message, clause, field)

    def expect(self, ok: Any, message: str, *, clause: str | None = None, field: str | None = None) -> bool:
        """At the case's own level."""
        return self._judge(self.case.level, bool(ok), message, clause, field)

    def require(self, ok: Any, message: str, *, clause: str | None = None, field: str | None = None) -> None:
        """Like `expect`, but the test cannot continue when it fails."""
        if self._judge(self.case.level, bool(ok), message, clause, field):
            return
        if self.failures:
            raise CaseFailed(self.failure_message())
        raise CaseStopped(message)

    def needs(self, ok: Any, message: str) -> None:
        """A prerequisite another case judges (a refresh token, a PAT): without it this case is not
        run, and says which case to look at, instead of failing for someone else's failure."""
        if not ok:
            pytest.skip(f"not run: {message}")

    def record(self, key: str, value: Any) -> None:
        self.observations[key] = value

    # evidence ------------------------------------------------------------------------------------

    def response(self, response: Any, *, label: str | None = None, field: str | None = None) -> None:
        """Status, request id and error of an HTTP exchange (requests.Response), never its secrets."""
        request = response.request
        entry: dict[str, Any] = {
            "request": f"{request.method} {urlsplit(response.url).path}" if request else response.url,
            "status": response.status_code,
        }
        if label:
            entry["label"] = label
        request_id = (request.headers.get("X-Request-Id") if request else None) or ""
        server_id = next((response.headers[h] for h in REQUEST_ID_HEADERS if h in response.headers), None)
        entry["request_id"] = request_id + (f" (server {server_id})" if server_id else "")
        error = error_of(response)
        if error:
            entry["error"] = error
        location = response.headers.get("Location")
        if location:
            entry["location"] = _location_summary(location)
        if field:
            entry["field"] = field
        entry["exchange"] = exchange_excerpt(response, self.secrets)
        self.evidence.append(entry)

    def navigation(self, method: str, url: str, navigation: Any) -> None:
        """An authorization request driven by a login driver: where the provider sent the browser."""
        entry: dict[str, Any] = {
            "request": f"{method} {urlsplit(url).path}",
            "status": navigation.redirect_status or navigation.final_status,
            "driver": navigation.driver,
        }
        if navigation.left_to:
            entry["location"] = _location_summary(navigation.left_to)
        if navigation.login_ui:
            entry["sign-in page"] = True
        if navigation.artifact:
            entry["artifact"] = navigation.artifact
        self.evidence.append(entry)

    def note(self, **entry: Any) -> None:
        self.evidence.append(entry)

    # outcome -------------------------------------------------------------------------------------

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "MUST"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "SHOULD"]

    def failure_message(self) -> str:
        return "\n".join(self.line(f, "FAILED") for f in self.failures)

    def finish(self) -> None:
        if self.failures:
            raise CaseFailed(self.failure_message())

    def absorb(self, error: BaseException) -> None:
        """An assertion inside a SHOULD or INFO case becomes a warning or an observation."""
        message = self.secrets.redact(str(error).splitlines()[0] if str(error) else type(error).__name__)
        self._judge(self.case.level, False, message, None, None)

    def _judge(self, level: str, ok: bool, message: str, clause: str | None, field: str | None) -> bool:
        if ok:
            return True
        effective = max(level, self.case.level, key=LEVELS.index)
        finding = Finding(effective, self.secrets.redact(message), clause or self.case.first_clause, field)
        if effective == "INFO":
            self.observations.setdefault("notes", []).append(finding.message)
            return False
        self.findings.append(finding)
        if effective == "SHOULD":
            warnings.warn(ConformanceWarning(self.line(finding, "WARNING")), stacklevel=3)
        return False

    def line(self, finding: Finding, verdict: str) -> str:
        where = f" [{finding.field}]" if finding.field else ""
        return f"{self.case.id} {verdict}: {finding.message}{where} ({finding.clause})"


def error_of(response: Any) -> str | None:
    """`error` (and description) of an OAuth error body, `message` of a Platform one."""
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    if isinstance(body.get("error"), str):
        description = body.get("error_description")
        return body["error"] + (f": {description}" if isinstance(description, str) else "")
    if isinstance(body.get("message"), str) and response.status_code >= 400:
        return body["message"]
    return None


def exchange_excerpt(response: Any, secrets: Secrets) -> dict[str, str]:
    """The request and the answer as text, secrets masked before anything is shortened (a token cut
    in half no longer matches what was registered)."""
    request = response.request
    lines = []
    if request is not None:
        parts = urlsplit(request.url or "")
        lines.append(
            secrets.redact(f"{request.method} {parts.path}{'?' + parts.query if parts.query else ''}")
        )
        for name in ("Content-Type", "Origin"):
            if request.headers.get(name):
                lines.append(f"{name}: {request.headers[name]}")
        authorization = request.headers.get("Authorization")
        if authorization:
            scheme, _, credential = authorization.partition(" ")
            lines.append(f"Authorization: {scheme} {fingerprint(credential) if credential else ''}".rstrip())
        body = request.body.decode("utf-8", "replace") if isinstance(request.body, bytes) else request.body
        if body:
            lines += ["", _shorten(secrets.redact(body), len(body))]
    answer = [f"HTTP {response.status_code} {response.reason or ''}".rstrip()]
    answer += [f"{name}: {response.headers[name]}" for name in EXCERPT_HEADERS if name in response.headers]
    content = response.content or b""
    if content:
        text = content.decode(response.encoding or "utf-8", "replace")
        answer += ["", _shorten(secrets.redact(text), len(content))]
    return {"request": "\n".join(lines), "response": "\n".join(answer)}


def _shorten(text: str, size: int) -> str:
    text = text.strip()
    return text if len(text) <= EXCERPT_BODY else text[:EXCERPT_BODY] + f"… ({size} bytes in all)"


def _location_summary(location: str) -> str:
    parts = urlsplit(location)
    names = [name for name, _ in parse_qsl(parts.query, keep_blank_values=True)]
    target = f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.netloc else parts.path
    return target + (f" ?{','.join(names)}" if names else "") + (" #fragment" if parts.fragment else "")
