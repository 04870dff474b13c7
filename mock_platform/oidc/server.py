"""One authlib AuthorizationServer per app, wired to the platform (never a module-level server:
`register_grant` appends on every call, so a shared one would pile up grants across apps).

Besides authlib's grants and endpoints it holds the hooks other layers register into: the sign-in
sources asked at authorize (signin.py), checks run on every authorize request once its client and
redirect_uri are validated, which may answer it with an OAuth error (fault injection), and an
external sign-in that the sign-in page offers (federated sign-in)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import InvalidGrantError, OAuth2Request, UnsupportedResponseTypeError
from flask import Response

from ..defects import with_defects
from ..live import Platform
from ..tokens import AccessGrant, GrantRejected, Subject, mint_token_response, save_token_response
from .discovery import provider_metadata
from .grants import (
    AuthorizationCodeGrant,
    PlatformEndSessionEndpoint,
    PlatformOpenIDCode,
    PlatformRevocationEndpoint,
    RefreshTokenGrant,
    S256CodeChallenge,
)
from .registration import PlatformRegistrationEndpoint
from .signin import ExternalSignIn, HeadlessSignIn, SessionSignIn, SignInAttempt, SignInSource

SERVER = "mock_platform.oauth"  # its key in app.extensions


class ResponseTypeError(UnsupportedResponseTypeError):
    """A fixed text (authlib's echoes the requested value), in the error page and the redirect alike."""

    DESCRIPTION = "response_type must be code (the authorization code flow is the only one supported)"

    def __init__(self, response_type: str | None, **kwargs: Any) -> None:
        super().__init__(response_type, description=self.DESCRIPTION, **kwargs)

    def get_error_description(self) -> str:
        return self.DESCRIPTION


class PlatformAuthorizationServer(AuthorizationServer):
    def __init__(self, platform: Platform) -> None:
        super().__init__()
        self.platform = platform
        defects = platform.settings.defects
        self.sign_in_sources: list[SignInSource] = [HeadlessSignIn(), SessionSignIn()]
        self.authorize_checks: list[Callable[[], None]] = []
        self.external_sign_in: ExternalSignIn | None = None
        self.register_token_generator("default", self.generate_bearer_token)
        openid = with_defects(PlatformOpenIDCode, defects)(platform)
        pkce = with_defects(S256CodeChallenge, defects)(required=True)
        self.register_grant(with_defects(AuthorizationCodeGrant, defects), [pkce, openid])
        self.register_grant(RefreshTokenGrant, [openid])
        self.register_endpoint(PlatformRevocationEndpoint)
        self.register_endpoint(PlatformEndSessionEndpoint)
        self.register_endpoint(PlatformRegistrationEndpoint)

    # authorize ---------------------------------------------------------------------------------

    def expected_user(self, login_hint: str | None) -> object | None:
        """Something true when a sign-in source could sign somebody in: all authlib needs to know
        before validation (prompt=none), since who it is may only be settled after it."""
        sources = self.sign_in_sources
        return SOMEBODY if any(source.may_sign_in(self.platform, login_hint) for source in sources) else None

    def sign_in(self, attempt: SignInAttempt) -> Subject | None:
        for source in self.sign_in_sources:
            if (subject := source.sign_in(self.platform, attempt)) is not None:
                return subject
        return None

    def run_authorize_checks(self) -> None:
        for check in self.authorize_checks:
            check()

    def unvalidated_error_redirect_uri(self) -> str | None:
        """Where an error goes when client or redirect_uri could not be validated: nowhere, the
        error page is shown (RFC 6749 §4.1.2.1); never to a redirect_uri nobody registered."""
        return None

    # provider metadata and userinfo ----------------------------------------------------------

    def metadata_json(self) -> str:
        return json.dumps(provider_metadata(self.platform.settings))

    def userinfo_claims(self, grant: AccessGrant) -> dict[str, Any]:
        scope = grant.record.scope
        return {**grant.user.claims_for_scope(scope), **(grant.record.claims or {}).get("userinfo", {})}

    def query_client(self, client_id: str) -> Any:
        return self.platform.query_client(client_id)

    def get_authorization_grant(self, request: OAuth2Request) -> Any:
        # authlib echoes the requested response_type in its error text and then refuses to build the
        # error when that text has characters RFC 6749 forbids (a 500); answer with a fixed text.
        if request.payload.response_type == "code":
            return super().get_authorization_grant(request)
        client = self.query_client(request.payload.client_id)
        requested = request.payload.redirect_uri
        redirect_uri = None
        if client is not None:
            redirect_uri = requested if requested and client.check_redirect_uri(requested) else None
            if not requested:
                redirect_uri = client.get_default_redirect_uri()
        raise ResponseTypeError(request.payload.response_type, redirect_uri=redirect_uri)

    def generate_bearer_token(
        self,
        grant_type: str,
        client: Any,
        user: Subject | None = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        assert user is not None, "every grant the mock supports has a user"
        return mint_token_response(
            self.platform,
            client_id=client.client_id,
            subject=user,
            scope=scope or "",
            lifetime=expires_in,
            include_refresh_token=include_refresh_token,
        )

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        source = request.refresh_token or request.authorization_code
        try:
            save_token_response(
                self.platform,
                token,
                grant_id=source.grant_id,
                client_id=request.client.client_id,
                subject=request.user,
                rotated=request.refresh_token,
                code=None if request.refresh_token else request.authorization_code,
            )
        except GrantRejected as error:
            raise InvalidGrantError(str(error)) from None

    def handle_response(self, status_code: int, payload: Any, headers: list[tuple[str, str]]) -> Response:
        if isinstance(payload, dict):
            payload = json.dumps(payload)
        return Response(payload, status=status_code, headers=headers)


SOMEBODY = object()
