"""One authlib AuthorizationServer per app, wired to the runtime (never a module-level server:
`register_grant` appends on every call, so a shared one would pile up grants across apps)."""

from __future__ import annotations

import json
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import InvalidGrantError, OAuth2Request, UnsupportedResponseTypeError
from flask import Response

from ..runtime import Runtime
from ..tokens import GrantRejected, Subject, mint_token_response, save_token_response
from .grants import (
    AuthorizationCodeGrant,
    PlatformEndSessionEndpoint,
    PlatformOpenIDCode,
    PlatformRevocationEndpoint,
    RefreshTokenGrant,
    S256CodeChallenge,
)
from .registration import PlatformRegistrationEndpoint

NO_STORE_HEADERS = ("Cache-Control", "Pragma")


class ResponseTypeError(UnsupportedResponseTypeError):
    """A fixed text (authlib's echoes the requested value), in the error page and the redirect alike."""

    DESCRIPTION = "response_type must be code (the authorization code flow is the only one supported)"

    def __init__(self, response_type: str | None, **kwargs: Any) -> None:
        super().__init__(response_type, description=self.DESCRIPTION, **kwargs)

    def get_error_description(self) -> str:
        return self.DESCRIPTION


class PlatformAuthorizationServer(AuthorizationServer):
    def __init__(self, runtime: Runtime) -> None:
        super().__init__()
        self.runtime = runtime
        self.register_token_generator("default", self.generate_bearer_token)
        openid = PlatformOpenIDCode(runtime)
        self.register_grant(AuthorizationCodeGrant, [S256CodeChallenge(required=True), openid])
        self.register_grant(RefreshTokenGrant, [openid])
        self.register_endpoint(PlatformRevocationEndpoint)
        self.register_endpoint(PlatformEndSessionEndpoint)
        self.register_endpoint(PlatformRegistrationEndpoint)

    def query_client(self, client_id: str) -> Any:
        return self.runtime.query_client(client_id)

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
            self.runtime,
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
                self.runtime,
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
        if self.runtime.settings.has_defect("token-cacheable"):
            headers = [(name, value) for name, value in headers if name not in NO_STORE_HEADERS]
        return Response(payload, status=status_code, headers=headers)
