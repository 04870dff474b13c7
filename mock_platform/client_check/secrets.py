"""Every secret a check sees (codes, verifiers, tokens, PATs), so that nothing is written in clear.

The tap registers each value as it passes; `mask` replaces every occurrence in any text with its
kind and a short fingerprint, so a report can still say "the refresh token sent was the one issued
first" without showing it.
"""

from __future__ import annotations

import hashlib
import threading

MIN_LENGTH = 8


def fingerprint(kind: str, value: str) -> str:
    return f"«{kind} {hashlib.sha256(value.encode()).hexdigest()[:8]}»"


class Secrets:
    def __init__(self) -> None:
        self._kinds: dict[str, str] = {}
        self._lock = threading.Lock()

    def add(self, kind: str, value: object) -> None:
        if isinstance(value, str) and len(value) >= MIN_LENGTH:
            with self._lock:
                self._kinds.setdefault(value, kind)

    def kind_of(self, value: str) -> str | None:
        return self._kinds.get(value)

    def values(self, *kinds: str) -> list[str]:
        with self._lock:
            return [value for value, kind in self._kinds.items() if not kinds or kind in kinds]

    def mask(self, text: str) -> str:
        with self._lock:
            known = sorted(self._kinds.items(), key=lambda item: len(item[0]), reverse=True)
        for value, kind in known:
            if value in text:
                text = text.replace(value, fingerprint(kind, value))
        return text
