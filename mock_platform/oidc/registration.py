"""Dynamic client registration (RFC 7591, OIDC Registration 1.0), as Platform offers it behind an
initial access token.

authlib checks the metadata against the provider metadata; the client then becomes a clients.yml
entry in the store, like one from `POST /_mock/clients`, so every worker sees it and a restart keeps
it. A registered client is third-party: the user is asked before it gets a code (RFC 8252 §8.6).
"""

from __future__ import annotations

import re
import secrets
from typing import Any
from urllib.parse import urlsplit

from authlib.common.security import generate_token
from authlib.oauth2.rfc6749 import OAuth2Request, scope_to_list
from authlib.oauth2.rfc7591 import (
    ClientMetadataClaims,
    ClientRegistrationEndpoint,
    InvalidClientMetadataError,
    InvalidRedirectURIError,
)
from authlib.oidc.registration import ClientMetadataClaims as OpenIDClientMetadataClaims
from authlib.oidc.rpinitiated import ClientMetadataClaims as LogoutClientMetadataClaims

from ..clients import LOOPBACK_AUTHORITY, Client
from ..errors import ConfigError, as_error_text
from .discovery import provider_metadata

# Metadata the mock cannot honour: refused rather than silently ignored.
UNSUPPORTED = (
    "jwks", "jwks_uri", "software_statement", "sector_identifier_uri", "initiate_login_uri", "request_uris",
    "token_endpoint_auth_signing_alg", "id_token_encrypted_response_alg", "id_token_encrypted_response_enc",
    "userinfo_signed_response_alg", "userinfo_encrypted_response_alg", "userinfo_encrypted_response_enc",
    "request_object_signing_alg", "request_object_encryption_alg", "request_object_encryption_enc",
    "default_max_age", "default_acr_values",
)  # fmt: skip
DEFAULT_SCOPE = "openid profile email"
NO_REDIRECT_URIS = "redirect_uris: the authorization code flow needs at least one"
METADATA_TYPES: dict[str, Any] = {
    **dict.fromkeys(
        ("client_name", "client_uri", "logo_uri", "tos_uri", "policy_uri", "scope", "software_id",
         "software_version", "token_endpoint_auth_method", "application_type", "subject_type",
         "id_token_signed_response_alg"),
        str,
    ),
    **dict.fromkeys(
        ("redirect_uris", "grant_types", "response_types", "contacts", "post_logout_redirect_uris"),
        list,
    ),
    "require_auth_time": bool,
}  # fmt: skip
TYPE_NAMES = {
    str: "a string",
    list: "a list of strings",
    bool: "true or false",
}
INVALID_CLAIM = re.compile(r"'([a-z_]+)'")
CLAIM_HINTS = {
    "redirect_uris": "redirect_uris: a list of absolute URIs without fragments",
    "token_endpoint_auth_method": "token_endpoint_auth_method: none, client_secret_basic or client_secret_post",
    "grant_types": "grant_types: authorization_code, optionally with refresh_token",
    "response_types": "response_types: only code",
    "scope": "scope: a space-separated subset of openid profile email offline_access",
    "application_type": "application_type: native or web",
    "post_logout_redirect_uris": "post_logout_redirect_uris: absolute URIs without fragments, https for public "
    "clients except on loopback",
    "id_token_signed_response_alg": "id_token_signed_response_alg: only RS256",
    "subject_type": "subject_type: only public",
}


class PlatformRegistrationEndpoint(ClientRegistrationEndpoint):
    def __init__(self, server: Any) -> None:
        super().__init__(
            server, [ClientMetadataClaims, OpenIDClientMetadataClaims, LogoutClientMetadataClaims]
        )

    def authenticate_token(self, request: OAuth2Request) -> bool:
        return True  # the view has checked the initial access token before calling the endpoint

    def get_server_metadata(self) -> dict[str, Any]:
        return provider_metadata(self.server.platform.settings)

    def extract_client_metadata(self, request: OAuth2Request) -> dict[str, Any]:
        sent = request.payload.data  # Flask's cached get_json(): the same dict authlib reads next
        if not sent:  # authlib would answer a bare invalid_request
            raise InvalidRedirectURIError(NO_REDIRECT_URIS)
        for name in [name for name, value in sent.items() if value is None]:
            del sent[name]  # a null member is an omitted one
        if unsupported := [name for name in UNSUPPORTED if name in sent]:
            raise InvalidClientMetadataError(f"not supported by the mock: {', '.join(unsupported)}")
        for name, expected in METADATA_TYPES.items():  # authlib trusts the JSON types
            if name in sent and not _has_type(sent[name], expected):
                error = InvalidRedirectURIError if name == "redirect_uris" else InvalidClientMetadataError
                raise error(f"{name}: must be {TYPE_NAMES[expected]}")
        try:
            return super().extract_client_metadata(request)
        except InvalidClientMetadataError as error:  # authlib says only "Invalid claim: 'scope'"
            claim = INVALID_CLAIM.search(error.description or "")
            name = claim.group(1) if claim else ""
            if name == "redirect_uris":
                raise InvalidRedirectURIError(CLAIM_HINTS[name]) from None
            raise InvalidClientMetadataError(CLAIM_HINTS.get(name, error.description)) from None
        except ValueError:  # authlib's RP-initiated logout claims raise it for http on a public client
            raise InvalidClientMetadataError(CLAIM_HINTS["post_logout_redirect_uris"]) from None

    def generate_client_info(self, request: OAuth2Request) -> dict[str, Any]:
        info: dict[str, Any] = {
            "client_id": generate_token(32),
            "client_id_issued_at": int(self.server.platform.now()),
        }
        if request.payload.data.get("token_endpoint_auth_method", "client_secret_basic") != "none":
            info |= {"client_secret": secrets.token_urlsafe(32), "client_secret_expires_at": 0}
        return info

    def generate_client_registration_info(self, client: Client, request: OAuth2Request) -> dict[str, Any]:
        """What was registered, defaults included (RFC 7591 §3.2.1); no RFC 7592 management URI."""
        grant_types = ["authorization_code"] + (
            ["refresh_token"] if "refresh_token" in client.allowed_flows else []
        )
        return {
            "client_name": client.client_name,
            "scope": " ".join(client.allowed_scopes),
            "grant_types": grant_types,
            "response_types": ["code"],
            "post_logout_redirect_uris": list(client.post_logout_redirect_uris),
        }

    def save_client(
        self, client_info: dict[str, Any], client_metadata: dict[str, Any], request: OAuth2Request
    ) -> Client:
        entry = clients_yml_entry(client_info, client_metadata)
        try:
            client = self.server.platform.register_client(entry)
        except ConfigError as error:
            raise InvalidClientMetadataError(as_error_text(str(error))) from None
        self.server.platform.sync()
        return client


def clients_yml_entry(client_info: dict[str, Any], metadata: dict[str, Any]) -> dict[str, Any]:
    """RFC 7591 metadata in the shape of Platform's application-oauth-client.yml."""
    redirect_uris = metadata.get("redirect_uris") or []
    if not redirect_uris:
        raise InvalidRedirectURIError(NO_REDIRECT_URIS)
    native = metadata.get("application_type") == "native"
    for uri in redirect_uris:
        parts = urlsplit(uri)
        loopback = parts.scheme == "http" and LOOPBACK_AUTHORITY.match(parts.netloc) is not None
        if native and not loopback:
            raise InvalidRedirectURIError(
                "a native client may only register http://127.0.0.1 or http://[::1] redirect URIs "
                "(RFC 8252 section 7.3; the mock has no custom schemes)"
            )
        if parts.scheme != "https" and not loopback and parts.hostname != "localhost":
            raise InvalidRedirectURIError(
                "redirect URIs must use https, except on loopback (RFC 6749 section 3.1.2.1)"
            )
    grant_types = metadata.get("grant_types") or ["authorization_code"]
    if "authorization_code" not in grant_types:
        raise InvalidClientMetadataError("grant_types: must include authorization_code")
    scopes = scope_to_list(metadata.get("scope") or DEFAULT_SCOPE)
    if "refresh_token" in grant_types and "offline_access" not in scopes:
        scopes.append("offline_access")
    if "offline_access" in scopes and "refresh_token" not in grant_types:
        raise InvalidClientMetadataError("scope: offline_access needs refresh_token in grant_types")
    method = metadata["token_endpoint_auth_method"]
    entry: dict[str, Any] = {
        "client-id": client_info["client_id"],
        "client-name": metadata.get("client_name") or client_info["client_id"],
        "client-type": "NATIVE" if native else ("WEB" if method != "none" else "SPA"),
        "token-endpoint-auth-method": method,
        "redirect-uris": list(redirect_uris),
        # PKCE S256 for every registered client, confidential ones too (RFC 9700 section 2.1.1).
        "allowed-flows": ["authorization_code_pkce"]
        + (["refresh_token"] if "refresh_token" in grant_types else []),
        "allowed-scopes": scopes,
        "third-party": True,
    }
    if post_logout := metadata.get("post_logout_redirect_uris"):
        entry["post-logout-redirect-uris"] = list(post_logout)
    if "client_secret" in client_info:
        entry["client-secret"] = client_info["client_secret"]
    return entry


def _has_type(value: Any, expected: type) -> bool:
    if expected is list:
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    return isinstance(value, expected)
