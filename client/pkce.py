"""PKCE (RFC 7636) and state values, as lib-platform-oidc's PkceUtil makes them."""

import base64
import hashlib
import secrets


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def generate_verifier() -> str:
    """32 random bytes, base64url without padding: 43 characters."""
    return _b64url(secrets.token_bytes(32))


def generate_state() -> str:
    """16 random bytes, base64url without padding: 22 characters."""
    return _b64url(secrets.token_bytes(16))


def compute_challenge(verifier: str) -> str:
    """The S256 challenge: base64url-no-pad(SHA-256(ASCII(verifier)))."""
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())
