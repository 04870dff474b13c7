"""The personal access token format: standard base64 of `{"tid": <id>}.<40 hex characters>`, the
JSON spelled as in Platform's own tokens (contract §2.8: `{"tid": 8863}.` and 40 hex characters).

Nextflow's `auth logout` decodes a PAT with `java.util.Base64.getDecoder()` (standard alphabet),
parses the JSON before the secret and calls `DELETE /tokens/{tid}`; its `TowerClient` recognises a
PAT the same way. Only the secret's SHA-256 digest is stored.

`decode` accepts only the exact text `encode` produces (padding optional): base64 has spare bits
in its last character, so a loose decoder would accept some one-character changes of a PAT.
`problem` says why a text is not such a PAT, for the people who write one by hand (seeded PATs).
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
# How every text `encode` makes begins: base64 of '{"tid": ' and the first digit's two high bits (00).
# The request log asks `decode` about every value it records, and most are not PATs.
PREFIX = "eyJ0aWQiOiA"


def new_secret() -> str:
    return secrets.token_hex(20)


def encode(token_id: int, secret: str) -> str:
    text = json.dumps({"tid": token_id}) + "." + secret
    return base64.b64encode(text.encode("ascii")).decode("ascii")


def decode(token: str) -> tuple[int, str] | None:
    """The token id and secret of a PAT, or None when the text is not a PAT as `encode` makes it."""
    if len(token) > MAX_LENGTH or not token.startswith(PREFIX) or not token.isascii():
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


def problem(token: str) -> str:
    """Why `decode` refuses `token`, in words that say how to write it instead ("" when it is a PAT)."""
    if decode(token) is not None:
        return ""
    shape = 'a PAT is standard base64 of {"tid": <id>}.<40 hex characters>'
    if not token:
        return f"empty; {shape}"
    if token.count(".") == 2:
        return f"a JWT (an OAuth access token), not a personal access token; {shape}"
    if len(token) > MAX_LENGTH:
        return f"{len(token)} characters long, more than a PAT's {MAX_LENGTH}; {shape}"
    if not re.fullmatch(r"[A-Za-z0-9+/]+={0,2}", token):
        return (
            f"not standard base64 (A-Z, a-z, 0-9, + and /, then = padding; Nextflow refuses - and _); {shape}"
        )
    try:
        text = base64.b64decode(token + "=" * (-len(token) % 4), validate=True).decode("ascii")
    except (binascii.Error, ValueError):
        return f"does not decode to ASCII text; {shape}"
    head, dot, secret = text.partition(".")
    try:
        token_id = json.loads(head).get("tid") if dot else None
    except (ValueError, AttributeError):
        token_id = None
    if not isinstance(token_id, int) or isinstance(token_id, bool) or not 0 < token_id <= MAX_ID:
        shown = head if len(head) <= 40 else head[:40] + "..."
        return f'it decodes to {shown!r} where {{"tid": <positive whole number>}}. belongs; {shape}'
    if not SECRET.match(secret):
        got = (
            f"{len(secret)} characters" if len(secret) != 40 else "40 characters, not all of them 0-9 or a-f"
        )
        return (
            f"the secret after {head}. must be 40 lower-case hex characters (0-9, a-f), got {got}; "
            f"e.g. {encode(token_id, new_secret())}"
        )
    canonical = encode(token_id, secret)
    if head == json.dumps({"tid": token_id}):
        return f"its base64 ends differently from the standard encoding of the same text, {canonical}"
    return (
        f"{head} must be spelled as Platform spells it, {json.dumps({'tid': token_id})} (one space after "
        f"the colon): {canonical}"
    )
