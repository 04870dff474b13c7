"""Flawed variants of the Platform API's personal access token rules, one per deliberate defect."""

from __future__ import annotations

import re

from ..defects import flawed_variant
from ..store import PatRecord
from .pat_rules import PersonalAccessTokenRules

# An opaque form that Nextflow cannot decode, so its logout cannot delete the token.
OPAQUE = re.compile(r"^pat_([1-9][0-9]{0,18})_([0-9a-f]{40})$")


@flawed_variant("tokens-201")
class Created201Rules(PersonalAccessTokenRules):
    created_status = 201


@flawed_variant("pat-not-tid")
class OpaqueTokenRules(PersonalAccessTokenRules):
    def spell(self, token_id: int, secret: str) -> str:
        return f"pat_{token_id}_{secret}"

    def read(self, token: str) -> tuple[int, str] | None:
        if opaque := OPAQUE.match(token):
            return int(opaque[1]), opaque[2]
        return super().read(token)


@flawed_variant("deleted-pat-accepted")
class DeletedStillAcceptedRules(PersonalAccessTokenRules):
    def accepts(self, record: PatRecord) -> bool:
        return True
