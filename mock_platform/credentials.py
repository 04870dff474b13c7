"""The credentials a request presents, read the same way for userinfo, registration and the Platform API.

- `Authorization: Bearer <token>` (RFC 6750 §2.1; schemes are case-insensitive, RFC 9110 §11.1);
- the form field `access_token` of a form-encoded POST (RFC 6750 §2.2), where the endpoint allows it;
- Platform's `Authorization: Basic base64("@token:<token>")`, where the endpoint allows it (Nextflow's
  fallback scheme, seqera-contract.md §2.9).
Never the query string (RFC 6750 §2.3).
"""

from __future__ import annotations

import base64
import binascii
import hmac

from flask import request

FORM = "application/x-www-form-urlencoded"
BASIC_TOKEN_USER = "@token"


class CredentialError(Exception):
    """Credentials were presented but cannot be used as they are; the text says what to send."""


def presented_token(*, form_field: bool = False, basic_token: bool = False) -> str | None:
    """The token the request presents, or None when it presents none in a way this endpoint reads."""
    scheme, _, value = request.headers.get("Authorization", "").strip().partition(" ")
    value = value.strip()
    from_header = None
    if value and scheme.lower() == "bearer":
        from_header = value
    elif value and basic_token and scheme.lower() == "basic":
        from_header = _basic_token(value)
    from_form = None
    if form_field and request.method == "POST" and request.mimetype == FORM:
        from_form = request.form.get("access_token") or None
    if from_header and from_form:
        raise CredentialError("send the access token in one place only (RFC 6750 section 2)")
    return from_header or from_form


def same_secret(presented: str, expected: str) -> bool:
    """Constant-time equality of two secrets, as UTF-8 bytes: `hmac.compare_digest` refuses str with
    non-ASCII characters (a TypeError), and a JSON string may even hold a lone surrogate."""
    return hmac.compare_digest(
        presented.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )


def basic_credentials(value: str) -> tuple[str, str] | None:
    """User and password of Basic credentials (RFC 7617 §2): None unless base64 of UTF-8 `user:password`."""
    try:
        user, colon, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, ValueError):
        return None
    return (user, password) if colon else None


def _basic_token(value: str) -> str:
    credentials = basic_credentials(value)
    if credentials is None or credentials[0] != BASIC_TOKEN_USER or not credentials[1]:
        raise CredentialError(
            'Basic credentials must be base64("@token:<token>") with an access token or personal '
            "access token; user names and passwords are not accepted"
        )
    return credentials[1]
