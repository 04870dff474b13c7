"""The provider under test: its API root, an HTTP client that leaves evidence, discovery, JWKS, clock.

Without `--platform-url` the suite serves the mock on an ephemeral loopback port (`start_mock`),
with the control API on, so Slow cases move the mock's clock instead of sleeping.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from .checks import Secrets
from .transport import Transport, is_loopback

USER_AGENT = "seqera-conformance/0.1"


def new_request_id() -> str:
    return "conf-" + uuid.uuid4().hex[:16]


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class Http:
    """A cookie-less requests session: an X-Request-Id on every call, secrets registered, evidence kept.

    Requests go through the transport (trust, proxies, retries on 429/503); `patient=False` sends
    once and hands back whatever happened, for probes that judge a refusal themselves.
    """

    def __init__(self, secrets: Secrets, transport: Transport) -> None:
        self.secrets = secrets
        self.transport = transport
        self.session = transport.session()
        self.session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        self.session.headers["User-Agent"] = USER_AGENT
        self.observer: Any = None
        self.refresh_tokens: set[str] = set()
        self.control_headers: dict[str, str] = {}

    def use_control_token(self, token: str) -> None:
        self.secrets.add(token)
        self.control_headers = {"Authorization": f"Bearer {token}"}

    def control(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """A call to the mock's control API, with its token when one was given (--control-token)."""
        headers = {**self.control_headers, **(kwargs.pop("headers", None) or {})}
        return self.request(method, url, headers=headers, **kwargs)

    def request(self, method: str, url: str, *, patient: bool = True, **kwargs: Any) -> requests.Response:
        headers = {"X-Request-Id": new_request_id(), **(kwargs.pop("headers", None) or {})}
        kwargs.setdefault("allow_redirects", False)
        response = self.transport.send(
            self.session, method, url, patient=patient, on_retry=self._retried, headers=headers, **kwargs
        )
        self._register(response)
        if self.observer is not None:
            self.observer.response(response)
        return response

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", url, **kwargs)

    def form(
        self, url: str, body: str, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> requests.Response:
        """POST an already encoded form body, field order preserved (as the Java client sends it)."""
        headers = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        return self.post(url, data=body, headers=headers, **kwargs)

    def _retried(self, what: str) -> None:
        if self.observer is not None:
            self.observer.note(retry=what)

    def _register(self, response: requests.Response) -> None:
        if "json" not in response.headers.get("Content-Type", ""):
            return
        try:
            body = response.json()
        except ValueError:
            return
        if isinstance(body, dict):
            self.secrets.add(
                *(body.get(k) for k in ("access_token", "refresh_token", "id_token", "accessKey"))
            )
            if isinstance(body.get("refresh_token"), str):
                self.refresh_tokens.add(body["refresh_token"])


@dataclass
class Clock:
    """Waits for Slow cases: moves the mock's clock when it can, else sleeps (bounded by --max-wait)."""

    http: Http
    control_url: str | None
    max_wait: float
    moved: float = field(default=0.0)

    @property
    def controllable(self) -> bool:
        return self.control_url is not None

    def affordable(self, seconds: float) -> bool:
        return self.controllable or seconds <= self.max_wait

    def wait(self, seconds: float) -> None:
        if self.control_url is None:
            time.sleep(seconds)
            return
        response = self.http.control("POST", f"{self.control_url}/clock", json={"advance": seconds})
        response.raise_for_status()
        self.moved += seconds

    def reset(self) -> None:
        if self.control_url is not None and self.moved:
            self.http.control("DELETE", f"{self.control_url}/clock").raise_for_status()
            self.moved = 0.0

    @contextmanager
    def passing(self, seconds: float) -> Iterator[None]:
        """Let `seconds` pass; afterwards the mock's clock is real time again."""
        try:
            self.wait(seconds)
            yield
        finally:
            self.reset()


@dataclass
class Target:
    api_url: str
    http: Http
    started_mock: bool
    control_url: str | None
    mock_settings: Any = None

    @property
    def discovery_url(self) -> str:
        return f"{self.api_url}/.well-known/openid-configuration"

    @property
    def local(self) -> bool:
        """Plain http on loopback (the mock, a dev install): TLS cases do not apply."""
        return urlsplit(self.api_url).scheme == "http" and is_loopback(self.api_url)

    @property
    def is_mock(self) -> bool:
        return self.control_url is not None

    def control(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        if self.control_url is None:
            raise RuntimeError("the mock's control API is not available for this target")
        return self.http.control(method, f"{self.control_url}{path}", **kwargs)


@contextmanager
def start_mock(data_dir: Path, defects: frozenset[str]) -> Iterator[tuple[str, str, Any]]:
    """Serve the mock on 127.0.0.1:<free port>; yields (issuer, control API URL, settings)."""
    from mock_platform.testing import run_server

    with run_server(data_dir, defects=defects, control_api=True, headless_login=True) as server:
        yield server.issuer, f"{server.base_url}/_mock", server.settings


def control_candidates(api_url: str) -> list[str]:
    """Where the mock's control API may be: `_mock` beside the API root, then at each shorter path
    (`https://h/sub/api` → `https://h/sub/_mock`, `https://h/_mock`), for a mock behind a proxy."""
    segments = urlsplit(api_url).path.strip("/").split("/")
    prefixes = ["/".join(segments[:depth]) for depth in range(len(segments) - 1, -1, -1)]
    return [f"{origin(api_url)}{'/' + prefix if prefix else ''}/_mock" for prefix in prefixes]


def find_control(http: Http, api_url: str) -> str | None:
    """The control API of a mock on a loopback host; never looked for anywhere else."""
    if not is_loopback(api_url):
        return None
    return next((url for url in control_candidates(api_url) if probe_control(http, url)), None)


def probe_control(http: Http, control_url: str) -> bool:
    try:
        return http.control("GET", f"{control_url}/clock", patient=False).status_code == 200
    except requests.RequestException:
        return False


@dataclass
class Discovery:
    response: requests.Response
    text: str
    document: dict[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        return self.document.get(key, default)

    def __getitem__(self, key: str) -> Any:
        return self.document[key]

    @property
    def issuer(self) -> str:
        return self.document.get("issuer", "")


class Jwks:
    """The provider's JWKS, fetched once and again on an unknown kid (catalog §4.14)."""

    def __init__(self, http: Http, uri: str) -> None:
        self.http = http
        self.uri = uri
        self.response = http.get(uri)
        self.keys = self._keys(self.response)

    @staticmethod
    def _keys(response: requests.Response) -> list[dict[str, Any]]:
        try:
            document = response.json()
        except ValueError:
            return []
        keys = document.get("keys") if isinstance(document, dict) else None
        return [key for key in keys if isinstance(key, dict)] if isinstance(keys, list) else []

    def refetch(self) -> None:
        self.response = self.http.get(self.uri)
        self.keys = self._keys(self.response)

    def matching(self, kid: str | None) -> list[dict[str, Any]]:
        return [key for key in self.keys if key.get("kid") == kid]

    def find(self, kid: str | None) -> list[dict[str, Any]]:
        """Keys with this kid, refetching once when none is known."""
        found = self.matching(kid)
        if not found:
            self.refetch()
            found = self.matching(kid)
        return found
