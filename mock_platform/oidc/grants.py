"""authlib grants and extensions: storage glue plus the few rules authlib leaves to us.

- PKCE: S256 only, required for public clients (authlib's CodeChallenge accepts `plain`, treats a
  missing method as plain, and lets a request without a challenge through).
- Codes: single use, claimed atomically; a replay revokes every token of the grant (RFC 6749 §4.1.2).
- Refresh: rotated on every use; reusing a rotated token revokes the whole family (RFC 9700 §4.14.2).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from authlib.oauth2.rfc6749 import InvalidGrantError, InvalidRequestError, OAuth2Request, grants
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge, create_s256_code_challenge
from authlib.oauth2.rfc7636.challenge import CODE_VERIFIER_PATTERN
from authlib.oidc.core import OpenIDCode
from authlib.oidc.rpinitiated import EndSessionEndpoint
from flask import session
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from ..clients import AUTH_METHODS
from ..credentials import same_secret
from ..live import Platform
from ..store import CodeRecord, TokenRecord
from ..tokens import (
    ACCESS_TOKEN_TYPE,
    ID_TOKEN_TYPE,
    GrantRejected,
    Subject,
    find_refresh_token,
    id_token_claims,
    new_secret,
    sign,
    subject_of,
)


def platform_of(grant: Any) -> Platform:
    return grant.server.platform


class S256CodeChallenge(CodeChallenge):
    """RFC 7636 with S256 only, and a challenge required from every client that must use PKCE."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        settings = platform_of(grant).settings
        data = grant.request.payload.data
        challenge, method = data.get("code_challenge"), data.get("code_challenge_method")
        if not challenge:
            if method:
                raise InvalidRequestError("code_challenge_method was sent without code_challenge")
            if grant.request.client.requires_pkce and settings.require_pkce:
                raise InvalidRequestError(
                    "code_challenge is required: this client must use PKCE with code_challenge_method=S256"
                )
            return
        if method not in settings.pkce_methods:
            raise InvalidRequestError(
                "code_challenge_method must be S256 (plain, and the RFC 7636 default of plain when the "
                "method is omitted, are not accepted)"
            )
        if len(grant.request.payload.datalist.get("code_challenge_method", [])) > 1:
            raise InvalidRequestError("Multiple 'code_challenge_method' in request.")
        if len(grant.request.payload.datalist.get("code_challenge", [])) > 1:
            raise InvalidRequestError("Multiple 'code_challenge' in request.")
        if not CODE_VERIFIER_PATTERN.match(challenge):
            raise InvalidRequestError(
                "code_challenge must be 43-128 characters of [A-Za-z0-9-._~] (RFC 7636 section 4.2)"
            )

    def validate_code_verifier(self, grant: Any, result: Any) -> None:
        settings = platform_of(grant).settings
        request: OAuth2Request = grant.request
        verifier = request.form.get("code_verifier")
        code: CodeRecord = request.authorization_code
        if not code.code_challenge:
            if verifier:
                raise InvalidRequestError(
                    "code_verifier was sent but the authorization request had no code_challenge"
                )
            if request.client.requires_pkce and settings.require_pkce:
                raise InvalidGrantError("this client must use PKCE")
            return
        if not verifier:
            raise InvalidGrantError(
                "code_verifier is required: the authorization request carried a code_challenge"
            )
        if len(request.payload.datalist.get("code_verifier", [])) > 1:
            raise InvalidRequestError("Multiple 'code_verifier' in request.")
        if not CODE_VERIFIER_PATTERN.match(verifier):
            raise InvalidRequestError(
                "code_verifier must be 43-128 characters of [A-Za-z0-9-._~] (RFC 7636 section 4.1)"
            )
        expected = verifier if code.code_challenge_method == "plain" else create_s256_code_challenge(verifier)
        if not same_secret(expected, code.code_challenge):
            raise InvalidGrantError("code_verifier does not match the code_challenge (RFC 7636 section 4.6)")


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = list(AUTH_METHODS)

    def generate_authorization_code(self) -> str:
        return new_secret()

    @staticmethod
    def validate_authorization_redirect_uri(request: OAuth2Request, client: Any) -> str:
        # authlib's own message echoes the URI, which may hold characters an error text must not.
        requested = request.payload.redirect_uri
        if requested:
            if not client.check_redirect_uri(requested):
                raise InvalidRequestError("redirect_uri is not registered for this client")
            return requested
        default = client.get_default_redirect_uri()
        if not default:
            raise InvalidRequestError(
                "redirect_uri is required (the client's registration has no usable default)"
            )
        return default

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        platform = platform_of(self)
        subject: Subject = request.user
        data = request.payload.data
        platform.store.save_code(
            code,
            grant_id=uuid.uuid4().hex,
            client_id=request.client.client_id,
            user_id=subject.user.id,
            redirect_uri=self.bound_redirect_uri(request),
            scope=request.scope,
            nonce=data.get("nonce") or None,
            code_challenge=data.get("code_challenge") or None,
            code_challenge_method=data.get("code_challenge_method") or None,
            auth_time=subject.auth_time,
            claims=dict(subject.claims),
            expires_at=platform.now() + platform.settings.code_lifetime,
        )

    def bound_redirect_uri(self, request: OAuth2Request) -> str | None:
        """The redirect_uri the token request must repeat (RFC 6749 §4.1.3): the one authorize got."""
        return request.payload.redirect_uri

    def query_authorization_code(self, code: str, client: Any) -> CodeRecord | None:
        platform = platform_of(self)
        return platform.store.find_code(code, client.client_id, platform.now())

    def delete_authorization_code(self, authorization_code: CodeRecord) -> None:
        """Nothing to do: save_token marked the code used, in the transaction that stored the tokens
        (tokens.save_token_response, the one place a replayed code is refused)."""

    def authenticate_user(self, authorization_code: CodeRecord) -> Subject | None:
        user = platform_of(self).directory.find_user(authorization_code.user_id)
        if user is None:
            return None
        return Subject(user, authorization_code.auth_time, authorization_code.claims or {})


class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = list(AUTH_METHODS)
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> TokenRecord | None:
        try:
            record = find_refresh_token(platform_of(self), refresh_token)
        except GrantRejected as error:
            raise InvalidGrantError(str(error)) from None
        if record is None:  # authlib would answer a bare invalid_grant, which CLIs print as it is
            raise InvalidGrantError("refresh token is unknown or expired: sign in again")
        return record

    def validate_token_request(self) -> None:
        super().validate_token_request()
        # authlib's OpenID extension reads nonce and auth_time from request.authorization_code; the
        # token record offers the same getters, so a refreshed id_token keeps the original auth_time.
        self.request.authorization_code = self.request.refresh_token

    def issue_token(self, user: Subject, refresh_token: TokenRecord) -> dict:
        return self.generate_token(
            user=user,
            scope=self.request.payload.scope or refresh_token.get_scope(),
            include_refresh_token=platform_of(self).settings.rotate_refresh_tokens,
        )

    def authenticate_user(self, refresh_token: TokenRecord) -> Subject | None:
        return subject_of(platform_of(self), refresh_token)

    def revoke_old_credential(self, refresh_token: TokenRecord) -> None:
        """Nothing to do: the old refresh token was retired in the same transaction as save_token."""


class PlatformOpenIDCode(OpenIDCode):
    """id_token: RS256 with `kid`, times from the mock clock, claims as tokens.id_token_claims builds them."""

    def __init__(self, platform: Platform) -> None:
        super().__init__(require_nonce=False)
        self.platform = platform

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        return False

    def signing_key(self) -> RSAKey:
        return self.platform.keyring.signing_key

    def id_token_claims(self, token: dict[str, Any], request: OAuth2Request) -> dict[str, Any]:
        # At a refresh, `authorization_code` is the refresh token's record (see RefreshTokenGrant).
        return id_token_claims(
            self.platform,
            client_id=request.client.client_id,
            subject=request.user,
            scope=token["scope"],
            now=int(self.platform.now()),
            lifetime=self.platform.settings.access_token_lifetime,
            nonce=request.authorization_code.get_nonce(),
            access_token=token.get("access_token"),
        )

    def encode_id_token(self, token: dict[str, Any], request: OAuth2Request) -> str:
        return sign(self.id_token_claims(token, request), self.signing_key(), ID_TOKEN_TYPE)


@dataclass(frozen=True)
class PresentedToken:
    """A token given to the revocation endpoint, and whether it was the access or refresh half."""

    record: TokenRecord
    is_refresh: bool

    def check_client(self, client: Any) -> bool:
        return self.record.check_client(client)


class PlatformRevocationEndpoint(RevocationEndpoint):
    CLIENT_AUTH_METHODS = list(AUTH_METHODS)

    def check_params(self, request: OAuth2Request, client: Any) -> None:
        # RFC 7009 §2.1: an unknown token_type_hint does not fail the request; the search extends.
        if not request.form.get("token"):
            raise InvalidRequestError("Missing 'token' in request.")

    def query_token(self, token_string: str, token_type_hint: str | None) -> PresentedToken | None:
        store = self.server.platform.store
        order = (True, False) if token_type_hint == "refresh_token" else (False, True)
        for is_refresh in order:
            record = (
                store.find_token(refresh=token_string)
                if is_refresh
                else store.find_token(access=token_string)
            )
            if record is not None:
                return PresentedToken(record, is_refresh)
        return None

    def revoke_token(self, token: PresentedToken, request: OAuth2Request) -> None:
        platform = self.server.platform
        if token.is_refresh:  # RFC 7009 §2.1: also invalidate the grant's access tokens
            platform.store.revoke_grant(token.record.grant_id, platform.now())
        else:
            platform.store.revoke_access_token(token.record.id, platform.now())


class PlatformEndSessionEndpoint(EndSessionEndpoint):
    def get_server_jwks(self) -> dict:
        return self.server.platform.keyring.public_jwks

    def get_algorithms(self) -> list[str]:
        return ["RS256"]

    def validate_request(self, request: OAuth2Request) -> Any:
        hint = request.payload.data.get("id_token_hint")
        if hint and _jwt_type(hint) == ACCESS_TOKEN_TYPE:  # signed by the same key: authlib cannot tell
            raise InvalidRequestError("id_token_hint is an access token; send the id_token")
        return super().validate_request(request)

    def end_session(self, end_session_request: Any) -> None:
        session.clear()


def _jwt_type(token: str) -> str | None:
    try:
        return jws.extract_compact(token.encode()).protected.get("typ")
    except (JoseError, ValueError):
        return None  # authlib's own validation then says what is wrong with it
