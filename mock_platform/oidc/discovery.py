"""Provider metadata (OpenID Connect Discovery 1.0 §3, RFC 8414 §2).

Scanner-safe for the Java client: every value the CLI reads is a plain top-level string (json.dumps
never escapes `/`), and no nested object carries endpoint keys. Only what is implemented is listed.
"""

from __future__ import annotations

from typing import Any

from ..clients import AUTH_METHODS
from ..settings import Settings

CLAIMS = [
    "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "azp", "at_hash",
    "name", "given_name", "family_name", "nickname", "preferred_username", "picture", "email", "email_verified",
]  # fmt: skip


def provider_metadata(settings: Settings) -> dict[str, Any]:
    issuer = settings.issuer
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/oauth/authorize",
        "token_endpoint": f"{issuer}/oauth/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "revocation_endpoint": f"{issuer}/oauth/revoke",
        "end_session_endpoint": f"{issuer}/oauth/logout",
        "registration_endpoint": f"{issuer}/oauth/register",
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": list(AUTH_METHODS),
        "revocation_endpoint_auth_methods_supported": list(AUTH_METHODS),
        "code_challenge_methods_supported": sorted(settings.pkce_methods),  # S256 sorts first
        "prompt_values_supported": ["none", "login"],
        "claims_supported": CLAIMS,
        "claims_parameter_supported": False,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "authorization_response_iss_parameter_supported": False,
    }
