"""Deliberate client bugs, off unless named in PLATFORM_AUTH_DEFECTS (comma-separated).

They exist to prove that `mock-platform check-client` catches each kind of client bug (the README's
client mutation table, tests/client_check/test_mutations.py); nothing else reads this module.
Each defect is one `if defects.active(...)` next to the behaviour it breaks.
"""

from __future__ import annotations

import os

from .errors import ClientError

ENV_VAR = "PLATFORM_AUTH_DEFECTS"

DEFECTS = {
    "pkce-plain": "sends code_challenge_method=plain with the verifier itself as the challenge",
    "verifier-reused": "uses the same code_verifier for every login",
    "state-not-checked": "accepts a callback whatever its state",
    "localhost-redirect": "sends redirect_uri http://localhost:{port}/callback instead of 127.0.0.1",
    "listens-on-all-interfaces": "binds the callback server to 0.0.0.0 instead of 127.0.0.1",
    "callback-closed-early": "stops the callback server before the browser gets its page",
    "error-page-unescaped": "puts error_description into the callback page without HTML escaping",
    "token-printed": "prints the access token after the code exchange",
    "access-token-stored": "seqera: writes the access token to ~/.config/seqera-ai/access-token",
    "refresh-token-not-updated": "seqera: keeps the first refresh token instead of the rotated one",
    "logout-keeps-pat": "nextflow: logout removes the local file but leaves the PAT alive on the Platform",
    "logout-no-revoke": "seqera: logout deletes the refresh token locally without revoking it",
    "logout-keeps-files": "logout leaves the local credential files in place",
    "tls-not-verified": "sends every request with certificate verification off (requests' verify=False)",
}


def enabled() -> frozenset[str]:
    names = frozenset(name.strip() for name in os.environ.get(ENV_VAR, "").split(",") if name.strip())
    unknown = names - DEFECTS.keys()
    if unknown:
        raise ClientError(
            f"{ENV_VAR}: unknown defect(s) {', '.join(sorted(unknown))}",
            hint=f"known: {', '.join(DEFECTS)}",
        )
    return names


def active(name: str) -> bool:
    if name not in DEFECTS:
        raise ValueError(f"no client defect {name!r}")
    return name in enabled()
