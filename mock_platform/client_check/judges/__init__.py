"""One judge per catalog case: from the scenarios' records to a verdict with evidence.

A judge says `ok`, `bad`, `warn` (a MUST whose SHOULD part failed), `info` or `skip`; the case's level
turns `bad` into FAIL, WARN or INFO. A judge that cannot see what its case needs skips with the
reason: nothing passes unobserved. One module per catalog group; importing it registers its judges.
"""

from __future__ import annotations

from . import authorization, callback, discovery, logout, platform, refresh, resilience, tokens  # noqa: F401
from .base import JUDGES, Observed, Verdict, verdict

__all__ = ["JUDGES", "Observed", "Verdict", "verdict"]
