"""OIDC discovery (``OidcDiscovery``): only the two endpoints the login needs are required."""

from dataclasses import dataclass, field
from typing import Any

from .errors import LoginError
from .transport import json_object, send

WELL_KNOWN_PATH = "/.well-known/openid-configuration"


@dataclass(frozen=True)
class OidcConfig:
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str | None = None
    revocation_endpoint: str | None = None
    end_session_endpoint: str | None = None
    jwks_uri: str | None = None
    issuer: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


def discovery_url(endpoint: str) -> str:
    """Append the well-known path to the API endpoint, dropping one trailing slash as the Java client does."""
    return endpoint.removesuffix("/") + WELL_KNOWN_PATH


def discover(endpoint: str) -> OidcConfig:
    url = discovery_url(endpoint)
    response = send("GET", url, allow_redirects=True)
    document = json_object(response.text)
    if response.status_code != 200:
        raise LoginError(f"OIDC discovery failed: HTTP {response.status_code}", hint=_tried(url, document))
    authorization_endpoint = _string(document, "authorization_endpoint")
    token_endpoint = _string(document, "token_endpoint")
    if not authorization_endpoint or not token_endpoint:
        raise LoginError("OIDC discovery response missing required endpoints", hint=_tried(url, document))
    return OidcConfig(
        authorization_endpoint=authorization_endpoint,
        token_endpoint=token_endpoint,
        userinfo_endpoint=_string(document, "userinfo_endpoint"),
        revocation_endpoint=_string(document, "revocation_endpoint"),
        end_session_endpoint=_string(document, "end_session_endpoint"),
        jwks_uri=_string(document, "jwks_uri"),
        issuer=_string(document, "issuer"),
        raw=document,
    )


def _tried(url: str, document: dict[str, Any]) -> str:
    """The URL asked, what the server said about it (the mock names the right API root), what to check."""
    said = _string(document, "message") or _string(document, "error_description")
    server = f" (the server says: {said[:300]})" if said else ""
    return (
        f"URL tried: {url}{server}; the endpoint must be the Platform API root that serves "
        "/.well-known/openid-configuration, e.g. http://127.0.0.1:8080/api"
    )


def _string(document: dict[str, Any], key: str) -> str | None:
    value = document.get(key)
    return value if isinstance(value, str) and value else None
