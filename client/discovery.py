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
    response = send("GET", discovery_url(endpoint), allow_redirects=True)
    if response.status_code != 200:
        raise LoginError(f"OIDC discovery failed: HTTP {response.status_code}")
    document = json_object(response.text)
    authorization_endpoint = _string(document, "authorization_endpoint")
    token_endpoint = _string(document, "token_endpoint")
    if not authorization_endpoint or not token_endpoint:
        raise LoginError("OIDC discovery response missing required endpoints")
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


def _string(document: dict[str, Any], key: str) -> str | None:
    value = document.get(key)
    return value if isinstance(value, str) and value else None
