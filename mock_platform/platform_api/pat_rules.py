"""How the Platform API spells, answers and accepts personal access tokens, as Platform does.

One object per app (`pat_rules()`), so the deliberate defects that break these rules are flawed
variants of this class (platform_api/flaws.py) rather than checks inside the views.
"""

from __future__ import annotations

from flask import current_app

from .. import pats
from ..store import PatRecord

PAT_RULES = "mock_platform.pat_rules"  # its key in app.extensions


class PersonalAccessTokenRules:
    # Platform answers POST /tokens with 200, and Nextflow refuses any other status (contract §2.2).
    created_status = 200

    def spell(self, token_id: int, secret: str) -> str:
        """The `accessKey` handed out: base64 of `{"tid": N}.secret`, which Nextflow decodes at logout."""
        return pats.encode(token_id, secret)

    def read(self, token: str) -> tuple[int, str] | None:
        """Token id and secret of a presented token, or None when it is not a PAT."""
        return pats.decode(token)

    def accepts(self, record: PatRecord) -> bool:
        """Whether a stored PAT whose secret matched still authenticates: not once deleted."""
        return record.deleted_at is None


def pat_rules() -> PersonalAccessTokenRules:
    return current_app.extensions[PAT_RULES]
