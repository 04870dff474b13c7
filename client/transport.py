"""The HTTP plumbing every client module shares: one timeout policy and one connection-error text."""

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote_plus, urlsplit

import requests

from . import defects
from .errors import ClientError, ConnectionFailed

# (connect, read) seconds: lib-platform-oidc uses 10 s for both.
TIMEOUT = (10, 10)
USER_AGENT = "platform-auth (mock-platform reference client)"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def form_body(fields: Iterable[tuple[str, str]]) -> str:
    """Encode form fields in the given order, as Java's URLEncoder does (space becomes '+')."""
    return "&".join(f"{quote_plus(name)}={quote_plus(value)}" for name, value in fields)


def checked_url(url: str, source: str) -> str:
    """`url` when it is an http or https URL with a host; else one error naming it and where it came from."""
    parts = urlsplit(url)
    problem = None
    if parts.scheme not in ("http", "https"):
        problem = f"the scheme must be http or https, not {parts.scheme!r}" if parts.scheme else "no scheme"
    elif not parts.hostname:
        problem = "it names no host"
    else:
        try:
            parts.port  # noqa: B018 - reading it checks it
        except ValueError:
            problem = "its port is not a number from 0 to 65535"
    if problem:
        raise ClientError(
            f"Invalid URL {url!r} from {source}: {problem}", hint="give one like http://127.0.0.1:8080/api"
        )
    return url


def send(method: str, url: str, **kwargs) -> requests.Response:
    headers = {"User-Agent": USER_AGENT, **kwargs.pop("headers", {})}
    verify = not defects.active("tls-not-verified")
    try:
        return requests.request(method, url, headers=headers, timeout=TIMEOUT, verify=verify, **kwargs)
    except requests.exceptions.SSLError as exc:
        raise ConnectionFailed(
            f"Cannot connect to {url} (its TLS certificate is not trusted)",
            hint="give the certificate authority that signed it in REQUESTS_CA_BUNDLE",
        ) from exc
    except requests.RequestException as exc:
        raise ConnectionFailed(
            f"Cannot connect to {url} ({_reason(exc)}): check the URL and that the server is running"
        ) from exc


def _reason(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.ConnectionError):
        return "connection failed"
    return f"{type(exc).__name__}: {exc}"


def json_object(text: str) -> dict[str, Any]:
    """The JSON object in ``text``, or an empty dict when it is not one (callers report what is missing)."""
    try:
        document = json.loads(text)
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}
