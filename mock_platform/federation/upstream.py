"""The mock as a relying party of the upstream OpenID Connect provider, through authlib's Flask client.

Authorization code with PKCE (S256), `state` and `nonce`; the ID token is checked against the
upstream's JWKS (signature), its issuer, the audience (this server's client id), expiry and nonce.
Discovery is read at the first sign-in, not at start, so an upstream that is down when the mock
starts only fails the sign-ins made while it is down, each with a message saying so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)

from ..app_gate import released
from ..settings import Settings

SCOPE = "openid email profile"
TIMEOUT = 10.0
LEEWAY = 60  # seconds of clock difference allowed on the ID token's exp
REQUIRED_METADATA = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
ERRNO_TEXT = re.compile(r"\[Errno -?\d+\] ([^'\")]+)")


class SignInFailed(Exception):
    """A federated sign-in that cannot complete. `error` is what the client's callback gets:
    access_denied when a person is refused, server_error when something did not work."""

    def __init__(self, message: str, *, refused: bool = False, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.error = "access_denied" if refused else "server_error"
        self.status = status or (403 if refused else 502)


@dataclass(frozen=True)
class UpstreamRequest:
    """An authorization request sent upstream, and the secrets its answer is checked with."""

    url: str
    state: str
    nonce: str
    code_verifier: str


class UpstreamProvider:
    def __init__(self, app: Flask, settings: Settings) -> None:
        self.issuer = settings.upstream_issuer
        self.client_id = settings.upstream_client_id
        secret = settings.upstream_client_secret
        self._client: Any = OAuth(app).register(
            "upstream",
            client_id=self.client_id,
            client_secret=secret or None,
            server_metadata_url=self.issuer.rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={
                "scope": SCOPE,
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_basic" if secret else "none",
                "default_timeout": TIMEOUT,
            },
        )

    def authorization(self, redirect_uri: str, **parameters: str | None) -> UpstreamRequest:
        """The upstream authorize URL for one sign-in; `parameters` set to None are left out."""
        extra = {key: value for key, value in parameters.items() if value is not None}
        with self._talking():
            self._metadata()
            created = self._client.create_authorization_url(redirect_uri, **extra)
        return UpstreamRequest(created["url"], created["state"], created["nonce"], created["code_verifier"])

    def identity(self, code: str, nonce: str, code_verifier: str, redirect_uri: str) -> dict[str, Any]:
        """Redeem the upstream's code and return the claims of its checked ID token."""
        with self._talking():
            self._metadata()
            token = self._client.fetch_access_token(
                redirect_uri=redirect_uri, code=code, code_verifier=code_verifier
            )
            if "id_token" not in token:
                raise SignInFailed(
                    "the identity provider's token response has no ID token; its client for this server "
                    "must be an OpenID Connect client granted the openid scope"
                )
            try:
                claims = self._client.parse_id_token(
                    token, nonce=nonce, claims_options=self._claims_options(), leeway=LEEWAY
                )
            except JoseError as error:
                raise SignInFailed(
                    f"the ID token of the identity provider was rejected: {self._why(error)}"
                ) from None
        return dict(claims)

    def _metadata(self) -> dict[str, Any]:
        metadata = self._client.load_server_metadata()
        if missing := [key for key in REQUIRED_METADATA if not metadata.get(key)]:
            raise SignInFailed(
                f"the discovery document of the identity provider at {self.issuer} lacks {', '.join(missing)}"
            )
        if metadata["issuer"] != self.issuer:
            raise SignInFailed(
                f"the identity provider's discovery document names the issuer {metadata['issuer']}, not "
                f"{self.issuer}; set MOCK_PLATFORM_UPSTREAM_ISSUER (or TOWER_OIDC_ISSUER) to exactly its issuer"
            )
        return metadata

    def _claims_options(self) -> dict[str, Any]:
        return {
            "iss": {"essential": True, "value": self.issuer},
            "aud": {"essential": True, "value": self.client_id},
            "sub": {"essential": True},
            "exp": {"essential": True},
        }

    def _why(self, error: JoseError) -> str:
        if isinstance(error, BadSignatureError):
            return "its signature does not verify with the keys the provider publishes (JWKS)"
        if isinstance(error, InvalidKeyIdError):
            return "it is signed with a key (kid) the provider does not publish in its JWKS"
        if isinstance(error, ExpiredTokenError):
            return "it has expired (exp is in the past)"
        if isinstance(error, MissingClaimError):
            return f"it has no {error.claim} claim"
        if isinstance(error, ClaimError):
            expected = {
                "iss": f"the issuer {self.issuer}",
                "aud": f"this server's client id {self.client_id}",
                "azp": f"this server's client id {self.client_id}",
                "nonce": "the nonce this sign-in sent",
            }.get(error.claim)
            return (
                f"its {error.claim} claim is not {expected}"
                if expected
                else f"its {error.claim} claim is invalid"
            )
        return f"it is not a valid signed JWT ({error.error or type(error).__name__})"

    @contextmanager
    def _talking(self) -> Iterator[None]:
        """Turn what can go wrong between the mock and the upstream into one SignInFailed each; other
        requests run while this one waits for the upstream."""
        try:
            with released():
                yield
        except requests.exceptions.SSLError:
            raise SignInFailed(
                f"the identity provider at {self.issuer} presents a TLS certificate this server does not "
                "trust; give the mock its CA with REQUESTS_CA_BUNDLE"
            ) from None
        except (requests.ConnectionError, requests.Timeout) as error:
            raise SignInFailed(
                f"the identity provider at {self.issuer} cannot be reached ({_network_reason(error)}); check "
                "MOCK_PLATFORM_UPSTREAM_ISSUER (or TOWER_OIDC_ISSUER) and that the provider is running"
            ) from None
        except requests.HTTPError as error:
            response = error.response
            raise SignInFailed(
                f"the identity provider answered HTTP {response.status_code} at {response.url.split('?')[0]}"
            ) from None
        except OAuthError as error:
            detail = f": {error.description}" if error.description else ""
            raise SignInFailed(
                f"the identity provider refused to redeem its code ({error.error}{detail}); check the client "
                "id and secret (MOCK_PLATFORM_UPSTREAM_CLIENT_ID/_SECRET or TOWER_OIDC_CLIENT/_SECRET)"
            ) from None
        except ValueError as error:  # a body that is not the JSON document it should be
            raise SignInFailed(f"the identity provider sent an answer that cannot be read: {error}") from None


def _network_reason(error: requests.RequestException) -> str:
    if isinstance(error, requests.Timeout):
        return f"no answer within {TIMEOUT:g} s"
    found = ERRNO_TEXT.search(str(error))
    return found.group(1).strip().lower() if found else "the connection failed"
