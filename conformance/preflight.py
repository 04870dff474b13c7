"""Preflight: one discovery fetch before any case, and one clear message when the run cannot start.

A URL typed by hand fails in a handful of ways: nothing listens, the name does not resolve, the
certificate is not trusted (unknown CA, another name, expired), the answer is a web page or an
error, the document is not an OpenID Provider's, or its issuer is another URL. Each becomes a
`PreflightError` naming the URL tried, the cause and what to do; when the server or a probe shows
where the API root is, the message says "did you mean ...".
"""

from __future__ import annotations

import re
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from cryptography import x509

from .checks import Inconclusive
from .target import Discovery, Http, origin
from .transport import Transport

WELL_KNOWN = "/.well-known/openid-configuration"
NEEDED = ("issuer", "authorization_endpoint", "token_endpoint")
URL_IN_TEXT = re.compile(r"https?://[^\s\"'<>;,)]+")
PROBE_TIMEOUT = 5.0
MAX_PROBES = 3
PLATFORM_URL_HINT = "the API root, e.g. https://platform.example.com/api"
# OpenSSL X509_V_ERR_* codes (ssl.SSLCertVerificationError.verify_code).
UNKNOWN_CA_CODES = {2, 18, 19, 20, 21}
NAME_MISMATCH_CODES = {62, 63, 64}
EXPIRED_CODE = 10
NOT_YET_VALID_CODE = 9


@dataclass
class PreflightError(Exception):
    problem: str
    url: str
    cause: str
    advice: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def lines(self) -> list[str]:
        return [
            f"the run did not start: {self.problem}",
            f"  URL tried:  {self.url}",
            f"  cause:      {self.cause}",
            *(f"  what to do: {advice}" for advice in self.advice),
        ]

    def one_line(self) -> str:
        return f"{self.problem}: {self.cause} ({self.url}); " + "; ".join(self.advice)

    def document(self) -> dict[str, Any]:
        return {"problem": self.problem, "url": self.url, "cause": self.cause, "advice": self.advice}


def discovery_url(api_url: str) -> str:
    return f"{api_url}{WELL_KNOWN}"


def preflight(http: Http, api_url: str) -> Discovery:
    """Fetch discovery once; the document when a run can start, else PreflightError."""
    url = discovery_url(api_url)
    response = _fetch(http, url)
    if response.status_code in (429, 503):
        try:
            response = http.get(url)
        except Inconclusive as error:
            raise PreflightError(
                "the provider is rate limiting or busy",
                url,
                str(error),
                [
                    "run again later; a WAF in front of the install may need an allow-list entry for this machine"
                ],
            ) from None
    if response.status_code != 200:
        raise _http_problem(http, api_url, url, response)
    try:
        document = response.json()
    except ValueError:
        media = response.headers.get("Content-Type", "no Content-Type")
        raise PreflightError(
            "the discovery URL answered something other than JSON",
            url,
            f"HTTP 200 with {media}, beginning {_excerpt(response.text)!r}",
            _suggestions(http, api_url, response)
            or [
                f"a web page here (a sign-in portal, the web UI)? give --platform-url as {PLATFORM_URL_HINT}"
            ],
        ) from None
    missing = [
        key for key in NEEDED if not isinstance(document, dict) or not isinstance(document.get(key), str)
    ]
    if missing:
        raise PreflightError(
            "the discovery URL answered JSON that is not an OpenID Provider configuration",
            url,
            f"no {', '.join(missing)} in the document (OpenID Connect Discovery §3)",
            _suggestions(http, api_url, response)
            or [f"check --platform-url: {PLATFORM_URL_HINT}, whose {WELL_KNOWN} is the provider's"],
        )
    issuer = document["issuer"]
    if issuer.rstrip("/") != api_url.rstrip("/"):
        raise PreflightError(
            "the provider's issuer is another URL",
            url,
            f"the document says issuer {issuer}, not {api_url} (Discovery §4.3: they must be equal)",
            [
                f"run with --platform-url {issuer}: the CLIs must use the issuer's URL, as tokens carry it",
                "if the issuer is wrong, fix the provider's configured base URL (behind a proxy: its public URL)",
            ],
        )
    return Discovery(response, response.text, document)


def _fetch(http: Http, url: str) -> requests.Response:
    try:
        return http.get(url, patient=False)
    except requests.exceptions.SSLError as error:
        raise tls_problem(error, url, http.transport) from None
    except requests.exceptions.ProxyError as error:
        proxy = http.transport.describe().get("proxy", "the proxy")
        raise PreflightError(
            "the proxy refused or failed the connection",
            url,
            f"{proxy}: {_innermost(error)}",
            ["check HTTPS_PROXY / HTTP_PROXY, and NO_PROXY for hosts that must be reached directly"],
        ) from None
    except requests.ConnectionError as error:
        raise connection_problem(error, url, http.transport) from None
    except requests.RequestException as error:
        raise PreflightError(
            "the URL cannot be fetched",
            url,
            f"{type(error).__name__}: {_innermost(error)}",
            [f"check --platform-url: {PLATFORM_URL_HINT}"],
        ) from None


def connection_problem(error: BaseException, url: str, transport: Transport) -> PreflightError:
    parts = urlsplit(url)
    where = f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
    causes = list(_causes(error))
    if any(isinstance(c, socket.gaierror) or type(c).__name__ == "NameResolutionError" for c in causes):
        return PreflightError(
            "cannot reach the provider",
            url,
            f"the host name {parts.hostname} does not resolve",
            [
                "check the spelling of --platform-url",
                "inside a company network the name may need a proxy: set HTTPS_PROXY (and NO_PROXY)",
            ],
        )
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return PreflightError(
            "cannot reach the provider",
            url,
            f"connection refused: nothing listens on {where}",
            [f"check that the server is running and that --platform-url is right ({PLATFORM_URL_HINT})"],
        )
    if isinstance(error, requests.ConnectTimeout) or any("timed out" in str(c) for c in causes):
        return PreflightError(
            "cannot reach the provider",
            url,
            f"no answer from {where} within {transport.timeout:g} s",
            [
                "a firewall, or a proxy this network needs (set HTTPS_PROXY)? for a slow provider raise --timeout",
            ],
        )
    wrong_version = any("WRONG_VERSION_NUMBER" in str(c) or "wrong version number" in str(c) for c in causes)
    if wrong_version:
        return _not_tls(url, where)
    return PreflightError(
        "cannot reach the provider",
        url,
        f"the connection to {where} failed: {_innermost(error)}",
        [f"check --platform-url ({PLATFORM_URL_HINT}) and the network between here and the server"],
    )


def _not_tls(url: str, where: str) -> PreflightError:
    return PreflightError(
        "cannot reach the provider",
        url,
        f"{where} does not speak TLS (a plain http port?)",
        ["use http:// for this port, or the port where the server serves https"],
    )


def tls_problem(error: BaseException, url: str, transport: Transport) -> PreflightError:
    """Which TLS problem: unknown CA, name mismatch, expired, or no TLS at all."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    where = f"{host}:{parts.port or 443}"
    verification = next((c for c in _causes(error) if isinstance(c, ssl.SSLCertVerificationError)), None)
    if verification is None:
        if any("WRONG_VERSION_NUMBER" in str(c) for c in _causes(error)):
            return _not_tls(url, where)
        return PreflightError(
            "the TLS handshake failed",
            url,
            _innermost(error),
            ["check that the server serves TLS 1.2 or later on this port"],
        )
    certificate = None if transport.proxies(url) else presented_certificate(host, parts.port or 443)
    code = verification.verify_code
    insecure = "--insecure skips verification (the report then says so at the top)"
    if code in UNKNOWN_CA_CODES:
        issuer = f" (issued by {certificate.issuer.rfc4514_string()})" if certificate is not None else ""
        return PreflightError(
            "the provider's certificate is not trusted",
            url,
            f"unknown CA: {verification.verify_message}{issuer}; trusted: {transport.trust.describe()}",
            [
                "give the CA that signed it: --ca-bundle PATH (or CONFORMANCE_CA_BUNDLE, REQUESTS_CA_BUNDLE)",
                insecure,
            ],
        )
    if code in NAME_MISMATCH_CODES:
        names = ", ".join(certificate_names(certificate)) if certificate is not None else "other names"
        return PreflightError(
            "the provider's certificate is for another name",
            url,
            f"name mismatch: the certificate is for {names}, not for {host}",
            [f"use a URL with a name the certificate holds, or have the certificate reissued for {host}"],
        )
    if code in (EXPIRED_CODE, NOT_YET_VALID_CODE):
        if certificate is not None and code == EXPIRED_CODE:
            when = f"expired on {certificate.not_valid_after_utc:%Y-%m-%d %H:%M} UTC"
        elif certificate is not None:
            when = f"is not valid before {certificate.not_valid_before_utc:%Y-%m-%d %H:%M} UTC"
        else:
            when = verification.verify_message
        return PreflightError(
            "the provider's certificate is outside its validity period",
            url,
            f"{'expired' if code == EXPIRED_CODE else 'not yet valid'}: the certificate {when}",
            ["renew the server's certificate (or check this machine's clock)", insecure],
        )
    return PreflightError(
        "the provider's certificate was refused",
        url,
        verification.verify_message or str(verification),
        [
            "give the CA that signed it with --ca-bundle PATH, or fix the certificate",
            insecure,
        ],
    )


def presented_certificate(host: str, port: int) -> x509.Certificate | None:
    """The certificate the server presents, read without verification, only to describe it."""
    try:
        pem = ssl.get_server_certificate((host, port), timeout=PROBE_TIMEOUT)
        return x509.load_pem_x509_certificate(pem.encode("ascii"))
    except (OSError, ValueError):
        return None


def certificate_names(certificate: x509.Certificate) -> list[str]:
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return [a.value for a in certificate.subject if a.oid == x509.NameOID.COMMON_NAME]  # type: ignore[misc]
    return [*names.get_values_for_type(x509.DNSName), *map(str, names.get_values_for_type(x509.IPAddress))]


def _http_problem(http: Http, api_url: str, url: str, response: requests.Response) -> PreflightError:
    status = response.status_code
    server_says = _server_message(response)
    cause = f"HTTP {status}" + (f": {server_says}" if server_says else "")
    suggestions = _suggestions(http, api_url, response)
    if response.is_redirect:
        location = response.headers.get("Location", "")
        return PreflightError(
            "discovery answered with a redirect",
            url,
            f"HTTP {status} to {location} (discovery is fetched as the CLIs fetch it: without following redirects)",
            suggestions or [f"give --platform-url as the URL the provider serves: {PLATFORM_URL_HINT}"],
        )
    if status in (401, 403):
        return PreflightError(
            "discovery asked for credentials",
            url,
            cause,
            suggestions
            or [
                "discovery is public (Discovery §4): a proxy, WAF or SSO gateway in front of the API? "
                "ask for this machine to be let through"
            ],
        )
    if status >= 500:
        return PreflightError(
            "the provider failed to serve discovery",
            url,
            cause,
            ["check the server's logs; run again when it is healthy"],
        )
    return PreflightError(
        "no OpenID Provider discovery document at the URL given",
        url,
        cause,
        suggestions or [f"check --platform-url: {PLATFORM_URL_HINT}"],
    )


def _suggestions(http: Http, api_url: str, response: requests.Response) -> list[str]:
    """'did you mean ...?': an API root the server names in its answer, else one found by probing."""
    named = [_strip_well_known(u.rstrip(".")) for u in URL_IN_TEXT.findall(response.text[:2000])]
    location = response.headers.get("Location")
    if response.is_redirect and location:
        named.insert(0, _strip_well_known(requests.compat.urljoin(api_url, location)))
    guessed = [_strip_well_known(api_url)]
    if not api_url.endswith("/api"):
        guessed.append(f"{api_url}/api")
    guessed.append(f"{origin(api_url)}/api")
    candidates = [(u, True) for u in named] + [(u, False) for u in guessed]
    seen = {api_url}
    probes = 0
    for candidate, from_server in candidates:
        candidate = candidate.rstrip("/")
        if candidate in seen or probes >= MAX_PROBES:
            continue
        seen.add(candidate)
        probes += 1
        issuer = _issuer_at(http, candidate)
        if issuer is None:
            continue
        root = issuer if issuer.rstrip("/") == candidate else candidate
        why = (
            f"the server says its API root is {root}"
            if from_server
            else f"discovery answers there (issuer {issuer})"
        )
        return [f"did you mean --platform-url {root} ? {why}"]
    return []


def _issuer_at(http: Http, api_url: str) -> str | None:
    try:
        response = http.get(discovery_url(api_url), patient=False, timeout=PROBE_TIMEOUT)
        document = response.json() if response.status_code == 200 else None
    except (requests.RequestException, ValueError):
        return None
    issuer = document.get("issuer") if isinstance(document, dict) else None
    return (
        issuer
        if isinstance(issuer, str) and isinstance(document.get("authorization_endpoint"), str)
        else None
    )


def _strip_well_known(url: str) -> str:
    return url[: -len(WELL_KNOWN)] if url.endswith(WELL_KNOWN) else url


def _server_message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return _excerpt(response.text) if "html" not in response.headers.get("Content-Type", "") else ""
    if isinstance(body, dict):
        for key in ("message", "error_description", "error", "detail"):
            if isinstance(body.get(key), str):
                return _excerpt(body[key])
    return ""


def _excerpt(text: str, length: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps (urllib3 nests the real cause a few levels down)."""
    seen: set[int] = set()
    stack = [error]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        nested = (current.__cause__, current.__context__, getattr(current, "reason", None), *current.args)
        stack.extend(item for item in nested if isinstance(item, BaseException))


def _innermost(error: BaseException) -> str:
    deepest = list(_causes(error))[-1]
    return _excerpt(str(deepest) or type(deepest).__name__, 200)
