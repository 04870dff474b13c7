"""Token endpoint calls: code exchange (``OidcTokenExchange``), refresh and revocation (Seqera CLI)."""

from typing import Any

import requests

from .errors import LoginError, RefreshFailed
from .transport import FORM_CONTENT_TYPE, form_body, json_object, send


def exchange_code(
    token_endpoint: str, client_id: str, code: str, code_verifier: str, redirect_uri: str
) -> dict[str, Any]:
    """Trade the authorization code for tokens; lib-platform-oidc accepts only HTTP 200."""
    body = form_body(
        [
            ("grant_type", "authorization_code"),
            ("client_id", client_id),
            ("code", code),
            ("code_verifier", code_verifier),
            ("redirect_uri", redirect_uri),
        ]
    )
    response = _post_form(token_endpoint, body)
    if response.status_code != 200:
        raise LoginError(f"Token exchange failed (HTTP {response.status_code}): {response.text}")
    return _token_response(response.text)


def refresh(
    token_endpoint: str, client_id: str, refresh_token: str, scope: str | None = None
) -> dict[str, Any]:
    """A refresh_token grant in the Seqera CLI's field order; any 2xx is a success there."""
    fields = [("grant_type", "refresh_token"), ("refresh_token", refresh_token)]
    if scope is not None:
        fields.append(("scope", scope))
    fields.append(("client_id", client_id))
    response = _post_form(token_endpoint, form_body(fields))
    if not response.ok:
        raise RefreshFailed(f"Token refresh failed: {response.text}")
    return _token_response(response.text)


def revoke(revocation_endpoint: str, client_id: str, token: str, hint: str = "refresh_token") -> None:
    """RFC 7009 revocation by a public client; the server answers 200 even for an unknown token."""
    body = form_body([("token", token), ("token_type_hint", hint), ("client_id", client_id)])
    response = _post_form(revocation_endpoint, body)
    if response.status_code != 200:
        raise LoginError(f"Token revocation failed (HTTP {response.status_code}): {response.text}")


def _post_form(url: str, body: str) -> requests.Response:
    return send("POST", url, data=body.encode("ascii"), headers={"Content-Type": FORM_CONTENT_TYPE})


def _token_response(text: str) -> dict[str, Any]:
    tokens = json_object(text)
    if not isinstance(tokens.get("access_token"), str) or not tokens["access_token"]:
        raise LoginError("Token response missing access_token")
    return tokens
