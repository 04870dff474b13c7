"""The OAuth client registry, in the shape of Platform's `application-oauth-client.yml`.

Entries come from `data/clients.yml`, the user's config file and `POST /_mock/clients`; all three
go through `parse_client`, so a bad entry is reported the same way wherever it comes from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlsplit

import msgspec
from authlib.oauth2.rfc6749 import ClientMixin, scope_to_list
from msgspec import Meta, Struct

from .credentials import same_secret
from .errors import ConfigError
from .shipped_yaml import read_shipped_yaml
from .validation import convert

SEED_FILE = Path(__file__).parent / "data" / "clients.yml"

AuthMethod = Literal["none", "client_secret_basic", "client_secret_post"]
AUTH_METHODS: tuple[str, ...] = get_args(AuthMethod)  # listed once: discovery and the grants use it
Flow = Literal["authorization_code_pkce", "authorization_code", "refresh_token"]
ClientId = Annotated[
    str, Meta(pattern=r"^[A-Za-z0-9._~-]{1,200}$", description="1-200 characters of A-Z a-z 0-9 . _ ~ -")
]
ClientType = Annotated[
    str, Meta(pattern="(?i)^(NATIVE|WEB|SPA|SERVICE)$", description="one of NATIVE, WEB, SPA, SERVICE")
]
ScopeToken = Annotated[
    str,
    Meta(
        pattern=r"^[\x21\x23-\x5b\x5d-\x7e]+$",
        description='a scope token (printable ASCII, no space, " or \\)',
    ),
]
# Absolute http(s), a host, no user information, no fragment (RFC 6749 §3.1.2).
RedirectUri = Annotated[
    str,
    Meta(
        pattern=r"^https?://(\[[0-9A-Fa-f:.]+\]|[^/?#@:\[\]\s]+)(:[0-9]*)?([/?][^#]*)?$",
        description="an absolute http(s) URI without user information or fragment (RFC 6749 §3.1.2)",
    ),
]

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


class Client(Struct, ClientMixin, frozen=True, forbid_unknown_fields=True, kw_only=True, rename="kebab"):
    """A registered client, declared in the shape of `application-oauth-client.yml`."""

    client_id: ClientId
    client_name: str = ""  # default: the client id
    client_type: ClientType = ""  # default: NATIVE for a public client, else WEB
    client_secret: str | None = None
    application_type: str | None = None
    token_endpoint_auth_method: AuthMethod = "none"
    id_token_signed_response_alg: Literal["RS256"] = "RS256"
    redirect_uris: Annotated[
        tuple[RedirectUri, ...], Meta(min_length=1, description="a non-empty list of absolute http(s) URIs")
    ]
    post_logout_redirect_uris: tuple[RedirectUri, ...] = ()
    allowed_flows: tuple[Flow, ...] = ("authorization_code_pkce",)
    allowed_scopes: tuple[ScopeToken, ...] = ("openid", "profile", "email", "offline_access")
    third_party: bool = False

    def __post_init__(self) -> None:
        method, secret = self.token_endpoint_auth_method, self.client_secret
        if method == "none" and secret is not None:
            raise ValueError("client-secret: a public client (auth method none) must not have a secret")
        if method != "none" and (secret is None or len(secret) < 8):
            raise ValueError(f"client-secret: {method} needs a secret of at least 8 characters")
        if method == "none" and "authorization_code" in self.allowed_flows:
            raise ValueError("allowed-flows: a public client must use authorization_code_pkce")
        msgspec.structs.force_setattr(self, "client_name", self.client_name or self.client_id)
        client_type = self.client_type.upper() or ("NATIVE" if method == "none" else "WEB")
        msgspec.structs.force_setattr(self, "client_type", client_type)

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
        return self.client_secret is not None and same_secret(client_secret, self.client_secret)

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
    if isinstance(entry, Mapping) and isinstance(entry.get("client-id"), str):
        where = f"{where} ({entry['client-id']})"
    return convert(entry, Client, where=where, error=ConfigError)


def parse_clients(entries: Any, where: str) -> dict[str, Client]:
    registry: dict[str, Client] = {}
    for index, client in enumerate(convert(entries or [], list[Client], where=where, error=ConfigError)):
        if client.client_id in registry:
            raise ConfigError(f"{where}[{index}].client-id: {client.client_id!r} is registered twice")
        registry[client.client_id] = client
    return registry


KNOWN_KEYS = frozenset(field.encode_name for field in msgspec.structs.fields(Client))


def load_seed_clients() -> dict[str, Client]:
    document = read_shipped_yaml(SEED_FILE)
    return parse_clients(document["clients"], f"{SEED_FILE}: clients")
