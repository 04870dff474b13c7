"""The OAuth client registry, in the shape of Platform's `application-oauth-client.yml`.

Entries come from `data/clients.yml`, the user's config file and `POST /_mock/clients`; all three
go through `parse_client`, so a bad entry is reported the same way wherever it comes from.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from authlib.oauth2.rfc6749 import ClientMixin, scope_to_list

from .errors import ConfigError

SEED_FILE = Path(__file__).parent / "data" / "clients.yml"

AUTH_METHODS = ("none", "client_secret_basic", "client_secret_post")
FLOWS = ("authorization_code_pkce", "authorization_code", "refresh_token")
CLIENT_TYPES = ("NATIVE", "WEB", "SPA", "SERVICE")
KNOWN_KEYS = {
    "client-id",
    "client-name",
    "client-type",
    "client-secret",
    "application-type",
    "token-endpoint-auth-method",
    "id-token-signed-response-alg",
    "redirect-uris",
    "post-logout-redirect-uris",
    "allowed-flows",
    "allowed-scopes",
    "third-party",
}
CLIENT_ID = re.compile(r"^[A-Za-z0-9._~-]{1,200}$")
SCOPE_TOKEN = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]+$")

# RFC 8252 §7.3: a registered loopback IP literal matches any port. Only the literal itself: not
# `localhost`, not 127.0.0.2, not `127.1`. The authority must be exactly host[:port], which rules
# out userinfo (`127.0.0.1@evil`) and backslash tricks (`evil\@127.0.0.1`).
LOOPBACK_AUTHORITY = re.compile(r"^(?P<host>127\.0\.0\.1|\[::1\])(?::(?P<port>[0-9]{1,5}))?$")
URI_PATH = re.compile(r"^(?:/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})*)*$")


def loopback_redirect_allowed(registered: str, requested: str) -> bool:
    """True when `requested` matches a loopback registration by RFC 8252 §7.3 (any port).

    A host-only registration (`http://127.0.0.1`, as Platform registers `nextflow_cli`) accepts
    any path on that host, which is what Platform accepts; a registration with a path requires
    that exact path. Scheme, host and query must match; fragments are never allowed.
    """
    reg = urlsplit(registered)
    reg_authority = LOOPBACK_AUTHORITY.match(reg.netloc)
    if reg.scheme != "http" or reg_authority is None:
        return False
    if any(character in requested for character in "\\#\t\r\n ") or requested.count("://") != 1:
        return False
    req = urlsplit(requested)
    req_authority = LOOPBACK_AUTHORITY.match(req.netloc)
    if req.scheme != "http" or req_authority is None or req_authority["host"] != reg_authority["host"]:
        return False
    port = req_authority["port"]
    if port is not None and not 0 < int(port) <= 65535:
        return False
    if not URI_PATH.match(req.path) or req.query != reg.query:
        return False
    return reg.path in ("", "/") or req.path == reg.path


def redirect_uri_registered(registered: Iterable[str], requested: str) -> bool:
    return any(
        loopback_redirect_allowed(uri, requested)
        if LOOPBACK_AUTHORITY.match(urlsplit(uri).netloc)
        else uri == requested
        for uri in registered
    )


@dataclass(frozen=True)
class Client(ClientMixin):
    client_id: str
    client_name: str
    client_type: str
    token_endpoint_auth_method: str
    redirect_uris: tuple[str, ...]
    allowed_flows: tuple[str, ...]
    allowed_scopes: tuple[str, ...]
    third_party: bool = False
    client_secret: str | None = None
    post_logout_redirect_uris: tuple[str, ...] = ()
    id_token_signed_response_alg: str = "RS256"

    @property
    def client_metadata(self) -> dict[str, Any]:
        return {"post_logout_redirect_uris": list(self.post_logout_redirect_uris)}

    @property
    def is_public(self) -> bool:
        return self.token_endpoint_auth_method == "none"

    @property
    def requires_pkce(self) -> bool:
        return self.is_public or "authorization_code_pkce" in self.allowed_flows

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        # A loopback registration has no usable port, so it is never a default.
        if len(self.redirect_uris) == 1 and not LOOPBACK_AUTHORITY.match(
            urlsplit(self.redirect_uris[0]).netloc
        ):
            return self.redirect_uris[0]
        return None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        if not scope:
            return None
        return " ".join(s for s in dict.fromkeys(scope_to_list(scope)) if s in self.allowed_scopes)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri_registered(self.redirect_uris, redirect_uri)

    def check_client_secret(self, client_secret: str) -> bool:
        return self.client_secret is not None and hmac.compare_digest(self.client_secret, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == self.token_endpoint_auth_method

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        if grant_type == "authorization_code":
            return (
                "authorization_code" in self.allowed_flows or "authorization_code_pkce" in self.allowed_flows
            )
        if grant_type == "refresh_token":
            return "refresh_token" in self.allowed_flows or "offline_access" in self.allowed_scopes
        return False

    def public_view(self) -> dict[str, Any]:
        return {
            "client-id": self.client_id,
            "client-name": self.client_name,
            "client-type": self.client_type,
            "token-endpoint-auth-method": self.token_endpoint_auth_method,
            "redirect-uris": list(self.redirect_uris),
            "post-logout-redirect-uris": list(self.post_logout_redirect_uris),
            "allowed-flows": list(self.allowed_flows),
            "allowed-scopes": list(self.allowed_scopes),
            "third-party": self.third_party,
        }


def parse_client(entry: Any, where: str) -> Client:
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where}: each client must be a mapping with client-id, redirect-uris, ...")
    unknown = set(entry) - KNOWN_KEYS
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(KNOWN_KEYS))}"
        )
    client_id = entry.get("client-id")
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        raise ConfigError(f"{where}.client-id: required, 1-200 characters of A-Z a-z 0-9 . _ ~ -")
    where = f"{where} ({client_id})"
    method = entry.get("token-endpoint-auth-method", "none")
    if method not in AUTH_METHODS:
        raise ConfigError(
            f"{where}.token-endpoint-auth-method: {method!r} is not one of {', '.join(AUTH_METHODS)}"
        )
    secret = entry.get("client-secret")
    if method == "none" and secret is not None:
        raise ConfigError(f"{where}.client-secret: a public client (auth method none) must not have a secret")
    if method != "none" and (not isinstance(secret, str) or len(secret) < 8):
        raise ConfigError(f"{where}.client-secret: {method} needs a secret of at least 8 characters")
    client_type = str(entry.get("client-type", "NATIVE" if method == "none" else "WEB")).upper()
    if client_type not in CLIENT_TYPES:
        raise ConfigError(f"{where}.client-type: {client_type!r} is not one of {', '.join(CLIENT_TYPES)}")
    alg = entry.get("id-token-signed-response-alg", "RS256")
    if alg != "RS256":
        raise ConfigError(f"{where}.id-token-signed-response-alg: only RS256 is supported, got {alg!r}")
    flows = _string_list(entry, "allowed-flows", where, default=["authorization_code_pkce"])
    if bad := [flow for flow in flows if flow not in FLOWS]:
        raise ConfigError(
            f"{where}.allowed-flows: unknown flow(s) {', '.join(bad)}; known: {', '.join(FLOWS)}"
        )
    if method == "none" and "authorization_code" in flows:
        raise ConfigError(f"{where}.allowed-flows: a public client must use authorization_code_pkce")
    scopes = _string_list(
        entry, "allowed-scopes", where, default=["openid", "profile", "email", "offline_access"]
    )
    if bad := [scope for scope in scopes if not SCOPE_TOKEN.match(scope)]:
        raise ConfigError(f"{where}.allowed-scopes: invalid scope token(s) {bad}")
    redirect_uris = _string_list(entry, "redirect-uris", where, default=None)
    for uri in redirect_uris:
        _check_redirect_uri(uri, f"{where}.redirect-uris")
    post_logout = _string_list(entry, "post-logout-redirect-uris", where, default=[])
    for uri in post_logout:
        _check_redirect_uri(uri, f"{where}.post-logout-redirect-uris")
    third_party = entry.get("third-party", False)
    if not isinstance(third_party, bool):
        raise ConfigError(f"{where}.third-party: must be true or false")
    return Client(
        client_id=client_id,
        client_name=str(entry.get("client-name") or client_id),
        client_type=client_type,
        token_endpoint_auth_method=method,
        redirect_uris=tuple(redirect_uris),
        allowed_flows=tuple(flows),
        allowed_scopes=tuple(scopes),
        third_party=third_party,
        client_secret=secret,
        post_logout_redirect_uris=tuple(post_logout),
    )


def _string_list(entry: Mapping, key: str, where: str, default: list[str] | None) -> list[str]:
    value = entry.get(key, default)
    if value is None:
        raise ConfigError(f"{where}.{key}: required, a list of strings")
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ConfigError(f"{where}.{key}: must be a list of non-empty strings")
    if key == "redirect-uris" and not value:
        raise ConfigError(f"{where}.{key}: at least one redirect URI is required")
    return value


def _check_redirect_uri(uri: str, where: str) -> None:
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}: {uri!r} must be an absolute http(s) URI")
    if parts.fragment or "#" in uri:
        raise ConfigError(f"{where}: {uri!r} must not have a fragment (RFC 6749 §3.1.2)")
    if "@" in parts.netloc:
        raise ConfigError(f"{where}: {uri!r} must not carry user information")


def parse_clients(entries: Any, where: str) -> dict[str, Client]:
    if entries is None:
        return {}
    if not isinstance(entries, list):
        raise ConfigError(f"{where}: must be a list of clients")
    registry: dict[str, Client] = {}
    for index, entry in enumerate(entries):
        client = parse_client(entry, f"{where}[{index}]")
        if client.client_id in registry:
            raise ConfigError(f"{where}[{index}].client-id: {client.client_id!r} is registered twice")
        registry[client.client_id] = client
    return registry


def load_seed_clients() -> dict[str, Client]:
    document = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
    return parse_clients(document["clients"], f"{SEED_FILE}: clients")
