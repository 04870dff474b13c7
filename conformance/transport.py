"""How the suite reaches the provider: which certificates it trusts, which proxy it uses, how patient it is.

Every HTTP request of the suite goes through `Transport.send`, and the browser drivers take the same
trust (`ca_file`, `insecure`) and proxy (`browser_proxy`) from here, so a private CA or a corporate
proxy is configured once for everything.

- Trust: `--ca-bundle` / `CONFORMANCE_CA_BUNDLE`, else `REQUESTS_CA_BUNDLE`, else `SSL_CERT_FILE`, else
  the default store. The bundle replaces the default store (as `curl --cacert` does). Certificates
  are always verified unless `--insecure`.
- Proxies: `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` as requests reads them; loopback addresses never
  go through a proxy (the listener, a mock on this machine), as Chromium does.
- Patience: a 429 or 503 (a WAF, a busy install) is not a contract result. The request is retried,
  honouring `Retry-After`, up to `--retries` times; then the case is INCONCLUSIVE. Timeouts and
  dropped connections likewise, except that a POST is not sent twice (it may have been processed).
"""

from __future__ import annotations

import base64
import http.client
import ipaddress
import os
import re
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import requests
import urllib3
from requests.utils import DEFAULT_CA_BUNDLE_PATH

from .checks import Inconclusive

RETRY_STATUSES = (429, 503)
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})
BACKOFF_BASE = 1.0
PEM_CERTIFICATE = re.compile(r"-----BEGIN CERTIFICATE-----")
TRUST_VARIABLES = ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")
LOOPBACK_BYPASS = ("127.0.0.1", "localhost", "[::1]")


class TransportConfigError(ValueError):
    """A CA bundle or proxy setting that cannot work; the message names the option or variable."""


@dataclass(frozen=True)
class Trust:
    """What verifies the provider's certificates: a PEM file, the default store, or nothing (--insecure)."""

    verify: str | bool
    source: str

    @property
    def ca_file(self) -> Path | None:
        return Path(self.verify) if isinstance(self.verify, str) else None

    @property
    def browser_ca_file(self) -> Path | None:
        """The CA file the browser must add to its own roots: none for the system's bundle (a
        REQUESTS_CA_BUNDLE or SSL_CERT_FILE set for every program), whose public roots Chromium has."""
        if self.ca_file is None or self.source.startswith("--ca-bundle"):
            return self.ca_file
        compiled = ssl.get_default_verify_paths().openssl_cafile  # not .cafile: that follows SSL_CERT_FILE
        system = {Path(p).resolve() for p in (compiled, DEFAULT_CA_BUNDLE_PATH) if p}
        return None if self.ca_file.resolve() in system else self.ca_file

    @property
    def insecure(self) -> bool:
        return self.verify is False

    def describe(self) -> str:
        if self.insecure:
            return "certificate verification OFF (--insecure)"
        if self.ca_file is not None:
            return f"CA bundle {self.ca_file} ({self.source})"
        return "the default certificate store"


def resolve_trust(ca_bundle: str | None, insecure: bool, environ: Mapping[str, str] | None = None) -> Trust:
    environ = os.environ if environ is None else environ
    if insecure and ca_bundle:
        raise TransportConfigError(
            "--insecure turns certificate verification off, so --ca-bundle would be ignored: give one of them"
        )
    if insecure:
        return Trust(False, "--insecure")
    candidates = [("--ca-bundle / CONFORMANCE_CA_BUNDLE", ca_bundle)]
    candidates += [(name, environ.get(name)) for name in TRUST_VARIABLES]
    for source, value in candidates:
        if value:
            _check_bundle(Path(value), source)
            return Trust(str(Path(value).resolve()), source)
    return Trust(True, "default")


def _check_bundle(path: Path, source: str) -> None:
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except OSError as error:
        raise TransportConfigError(
            f"{source}: cannot read the CA bundle {path}: {error.strerror or error}"
        ) from None
    if not PEM_CERTIFICATE.search(text):
        raise TransportConfigError(
            f"{source}: {path} holds no PEM certificate (-----BEGIN CERTIFICATE-----); give the CA's certificate in PEM form"
        )


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def without_credentials(url: str) -> str:
    """A proxy URL fit for a report: user and password replaced."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def retry_after(response: requests.Response) -> float | None:
    """Seconds to wait from a Retry-After header (delay-seconds or an HTTP-date, RFC 9110 §10.2.3)."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


@dataclass(frozen=True)
class Transport:
    trust: Trust
    timeout: float = 15.0
    retries: int = 3
    retry_wait: float = 30.0

    def __post_init__(self) -> None:
        if self.trust.insecure:
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

    # proxies -------------------------------------------------------------------------------------

    def proxies(self, url: str) -> dict[str, str]:
        """The environment's proxies for this URL (NO_PROXY honoured); none for loopback."""
        if is_loopback(url):
            return {}
        return requests.utils.get_environ_proxies(url)

    def browser_proxy(self) -> dict[str, str] | None:
        """Playwright's `proxy` launch option from HTTPS_PROXY (else HTTP_PROXY) and NO_PROXY."""
        proxies = requests.utils.getproxies()
        server = proxies.get("https") or proxies.get("http")
        bypass = proxies.get("no", "")
        if not server or bypass.strip() == "*":
            return None
        parts = urlsplit(server if "://" in server else f"http://{server}")
        proxy = {
            "server": f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else ""),
            # Playwright makes Chromium proxy loopback too; the listener must be reached directly.
            "bypass": ",".join(filter(None, [*LOOPBACK_BYPASS, bypass])),
        }
        if parts.username:
            proxy["username"] = unquote(parts.username)
            proxy["password"] = unquote(parts.password or "")
        return proxy

    def describe(self) -> dict[str, Any]:
        """For the report: trust, proxy (without credentials) and patience."""
        proxies = requests.utils.getproxies()
        description: dict[str, Any] = {"trust": self.trust.describe()}
        server = proxies.get("https") or proxies.get("http")
        if server:
            description["proxy"] = without_credentials(server) + (
                f" (NO_PROXY={proxies['no']})" if proxies.get("no") else ""
            )
        description["patience"] = (
            f"timeout {self.timeout:g} s; 429, 503 and timeouts retried up to {self.retries} "
            f"time{'s' if self.retries != 1 else ''}, honouring Retry-After up to {self.retry_wait:g} s"
        )
        return description

    def verifying(self) -> Transport:
        """This transport, verifying certificates even if the run was told not to (--insecure)."""
        if not self.trust.insecure:
            return self
        return replace(self, trust=resolve_trust(None, False))

    def tls_version(self, url: str) -> str:
        """The TLS version the host of `url` negotiates, through the proxy, verifying as every call does.

        Raises ssl.SSLError (a refused certificate: ssl.SSLCertVerificationError) or OSError.
        """
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port or 443
        if self.trust.insecure:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        else:
            context = ssl.create_default_context(cafile=str(self.trust.ca_file or DEFAULT_CA_BUNDLE_PATH))
        proxy = self.proxies(url).get("https")
        if proxy:
            proxy_parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
            connection = http.client.HTTPSConnection(
                proxy_parts.hostname or "", proxy_parts.port or 80, timeout=self.timeout, context=context
            )
            headers = {}
            if proxy_parts.username:
                credentials = f"{unquote(proxy_parts.username)}:{unquote(proxy_parts.password or '')}"
                headers["Proxy-Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
            connection.set_tunnel(host, port, headers=headers)
        else:
            connection = http.client.HTTPSConnection(host, port, timeout=self.timeout, context=context)
        try:
            connection.connect()
            return connection.sock.version() or "unknown"
        finally:
            connection.close()

    # sending -------------------------------------------------------------------------------------

    def session(self) -> requests.Session:
        """A session that reads nothing from the environment: `send` passes trust and proxies itself."""
        session = requests.Session()
        session.trust_env = False
        return session

    def send(
        self,
        session: requests.Session,
        method: str,
        url: str,
        *,
        patient: bool = True,
        on_retry: Callable[[str], None] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """One request with this trust and proxy; with `patient`, 429/503/timeouts are retried, then
        Inconclusive. Without it every answer and exception comes back as it is (probes that judge
        a refusal themselves)."""
        kwargs.setdefault("timeout", self.timeout)
        kwargs["verify"] = self.trust.verify
        kwargs["proxies"] = self.proxies(url)
        where = f"{method} {urlsplit(url).path or '/'}"
        waited = 0.0
        attempt = 0
        while True:
            try:
                response = session.request(method, url, **kwargs)
            except (requests.exceptions.SSLError, requests.exceptions.ProxyError):
                raise
            except (requests.Timeout, requests.ConnectionError) as error:
                if not patient:
                    raise
                what = (
                    f"no answer within {kwargs['timeout']:g} s"
                    if isinstance(error, requests.Timeout)
                    else f"the connection failed ({type(error).__name__})"
                )
                if method.upper() not in IDEMPOTENT:
                    raise Inconclusive(
                        f"{where}: {what}; not sent again, as the provider may have processed it "
                        "(raise --timeout for a slow provider)"
                    ) from None
                delay = BACKOFF_BASE * 2**attempt
                if attempt >= self.retries:
                    raise Inconclusive(
                        f"{where}: {what}, {attempt + 1} attempts over {waited:.1f} s of waiting "
                        "(raise --timeout or --retries for a slow provider)"
                    ) from None
            else:
                if not patient or response.status_code not in RETRY_STATUSES:
                    return response
                asked = retry_after(response)
                delay = asked if asked is not None else BACKOFF_BASE * 2**attempt
                what = f"HTTP {response.status_code}" + (
                    f" (Retry-After: {response.headers['Retry-After']})" if asked is not None else ""
                )
                if delay > self.retry_wait:
                    raise Inconclusive(
                        f"{where}: {what}; waiting {delay:.0f} s is more than --retry-wait {self.retry_wait:g} s"
                    )
                if attempt >= self.retries:
                    raise Inconclusive(
                        f"{where}: {what} after {attempt + 1} attempts over {waited:.1f} s of waiting "
                        "(rate limited or busy: run again later, or raise --retries)"
                    )
            if on_retry is not None:
                on_retry(f"{what}; retried after {delay:.1f} s")
            time.sleep(delay)
            waited += delay
            attempt += 1
