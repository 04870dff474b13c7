"""The personal access token format: standard base64 of `{"tid": <id>}.<40 hex characters>`, the
JSON spelled as in Platform's own tokens (contract §2.8: `{"tid": 8863}.` and 40 hex characters).

Nextflow's `auth logout` decodes a PAT with `java.util.Base64.getDecoder()` (standard alphabet),
parses the JSON before the secret and calls `DELETE /tokens/{tid}`; its `TowerClient` recognises a
PAT the same way. Only the secret's SHA-256 digest is stored.

`decode` accepts only the exact text `encode` produces (padding optional): base64 has spare bits
in its last character, so a loose decoder would accept some one-character changes of a PAT.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets

MAX_ID = 2**63 - 1  # Platform's ids are int64; a larger number never names a stored row
MAX_LENGTH = 256
SECRET = re.compile(r"^[0-9a-f]{40}$")


def new_secret() -> str:
    return secrets.token_hex(20)


def encode(token_id: int, secret: str) -> str:
    text = json.dumps({"tid": token_id}) + "." + secret
    return base64.b64encode(text.encode("ascii")).decode("ascii")


def decode(token: str) -> tuple[int, str] | None:
    """The token id and secret of a PAT, or None when the text is not a PAT as `encode` makes it."""
    if len(token) > MAX_LENGTH or not token.isascii():
        return None
    try:
        text = base64.b64decode(token + "=" * (-len(token) % 4), validate=True).decode("ascii")
        head, _, secret = text.partition(".")
        document = json.loads(head)
    except (binascii.Error, ValueError):
        return None
    token_id = document.get("tid") if isinstance(document, dict) else None
    if not isinstance(token_id, int) or isinstance(token_id, bool) or not 0 < token_id <= MAX_ID:
        return None
    if not SECRET.match(secret) or encode(token_id, secret).rstrip("=") != token.rstrip("="):
        return None
    return token_id, secret
