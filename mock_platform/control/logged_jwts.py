"""The JWTs a request carried, decoded for the request log and the dev console: header and claims,
never the signature, so a logged token cannot be replayed. Claims go through the log's own masking.

Where they are looked for: the Authorization header (Bearer, or the password of Basic credentials),
and every query and form field (`id_token_hint`, a revoked `token`, an `assertion`, ...).
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from flask import request
from joserfc import jws
from joserfc.errors import JoseError
from werkzeug.exceptions import HTTPException

from ..credentials import basic_credentials

LONGEST = 16 * 1024  # characters; longer values are not decoded (the log keeps entries small)
DEEPEST = 16  # nesting levels of the claims; deeper ones are attacks or noise, not tokens to look at


def logged_jwts(mask: Any) -> list[dict[str, Any]]:
    """`[{"in": "Authorization", "header": {...}, "claims": {...}}, ...]`; `mask` masks a JSON document."""
    found = []
    for where, value in _candidates():
        decoded = _decode(value)
        if decoded is not None:
            header, claims = decoded
            found.append({"in": where, "header": mask(header), "claims": mask(claims)})
    return found


def _candidates() -> list[tuple[str, str]]:
    candidates = []
    scheme, _, credential = request.headers.get("Authorization", "").strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() == "bearer":
        candidates.append(("Authorization", credential))
    elif scheme.lower() == "basic" and (pair := basic_credentials(credential)):
        candidates.append(("Authorization", pair[1]))
    candidates += [(f"query {name}", value) for name, value in request.args.items(multi=True)]
    if request.mimetype == "application/x-www-form-urlencoded":
        with contextlib.suppress(HTTPException):  # a body over the size limit: the response says so
            candidates += [(f"form {name}", value) for name, value in request.form.items(multi=True)]
    return candidates


def _decode(value: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    if value.count(".") != 2 or len(value) > LONGEST:
        return None
    try:
        compact = jws.extract_compact(value.encode("ascii"))
        claims = json.loads(compact.payload)
    except (JoseError, ValueError, RecursionError):
        return None
    header = compact.protected
    if not isinstance(claims, dict) or "alg" not in header or _depth(claims) > DEEPEST:
        return None
    return dict(header), claims


def _depth(document: Any) -> int:
    """How deeply lists and objects nest in `document`, counted without recursion."""
    deepest, pending = 0, [(document, 1)]
    while pending:
        value, depth = pending.pop()
        deepest = max(deepest, depth)
        if depth > DEEPEST:
            break
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        pending.extend((child, depth + 1) for child in children)
    return deepest
