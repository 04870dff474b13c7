"""Flawed variants of the OIDC provider's classes, one per deliberate defect (see mock_platform/defects.py).

Each breaks one rule of the class it subclasses and nothing else; `with_defects` puts it in place of
that class only when its defect is switched on, so the strict classes carry no defect checks.
"""

from __future__ import annotations

from typing import Any

from authlib.oauth2.rfc6749 import OAuth2Request
from flask import Response, request
from joserfc.jwk import RSAKey

from ..defects import flawed_variant
from ..tokens import AccessGrant
from .grants import AuthorizationCodeGrant, PlatformOpenIDCode, S256CodeChallenge
from .server import PlatformAuthorizationServer


@flawed_variant("pkce-not-verified")
class UnverifiedCodeChallenge(S256CodeChallenge):
    def validate_code_verifier(self, grant: Any, result: Any) -> None:
        return None


@flawed_variant("redirect-port-not-checked")
class RedirectUriForgettingGrant(AuthorizationCodeGrant):
    def bound_redirect_uri(self, request: OAuth2Request) -> str | None:
        return None


@flawed_variant("open-redirect")
class OpenRedirectServer(PlatformAuthorizationServer):
    def unvalidated_error_redirect_uri(self) -> str | None:
        return request.values.get("redirect_uri") or None


@flawed_variant("token-cacheable")
class CacheableTokensServer(PlatformAuthorizationServer):
    def handle_response(self, status_code: int, payload: Any, headers: list[tuple[str, str]]) -> Response:
        kept = [(name, value) for name, value in headers if name not in ("Cache-Control", "Pragma")]
        return super().handle_response(status_code, payload, kept)


@flawed_variant("discovery-escaped-slashes")
class EscapedSlashesServer(PlatformAuthorizationServer):
    def metadata_json(self) -> str:
        return super().metadata_json().replace("/", "\\/")


@flawed_variant("userinfo-wrong-sub")
class WrongSubjectServer(PlatformAuthorizationServer):
    def userinfo_claims(self, grant: AccessGrant) -> dict[str, Any]:
        claims = super().userinfo_claims(grant)
        return {**claims, "sub": f"{claims['sub']}-other"}


@flawed_variant("id-token-wrong-iss")
class WrongIssuerOpenIDCode(PlatformOpenIDCode):
    def id_token_claims(self, token: dict[str, Any], request: OAuth2Request) -> dict[str, Any]:
        wrong = self.platform.settings.public_base_url + "/wrong-issuer"
        return {**super().id_token_claims(token, request), "iss": wrong}


@flawed_variant("id-token-no-aud")
class AudiencelessOpenIDCode(PlatformOpenIDCode):
    def id_token_claims(self, token: dict[str, Any], request: OAuth2Request) -> dict[str, Any]:
        claims = super().id_token_claims(token, request)
        del claims["aud"]
        return claims


@flawed_variant("id-token-unpublished-key")
class UnpublishedKeyOpenIDCode(PlatformOpenIDCode):
    def signing_key(self) -> RSAKey:
        return self.platform.unpublished_key()
