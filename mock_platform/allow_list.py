"""Platform's e-mail allow-list for federated sign-in (`tower.auth.oidc.allow-list` in tower.yml).

Each entry is an exact address (`someone@partner.example.net`) or a pattern in which `*` stands for
any run of characters (`*@example.com`, `*@*.example.com`); addresses are compared without case.
An empty list lets every address in, as Platform does when no allow-list is configured.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+$")  # an entry may also carry `*`


class AllowList:
    def __init__(self, entries: Iterable[str]) -> None:
        """Raises ValueError naming the first entry that is neither an address nor a pattern."""
        self.entries = tuple(sorted(entries))
        for entry in self.entries:
            if not ADDRESS.match(entry):
                raise ValueError(
                    f"{entry!r} is neither an e-mail address nor a pattern like *@example.com "
                    "(leave the allow-list unset to let every address in)"
                )
        self._patterns = tuple(
            re.compile(".*".join(re.escape(part) for part in entry.lower().split("*")))
            for entry in self.entries
        )

    def allows(self, email: str) -> bool:
        if not self._patterns:
            return True
        address = email.strip().lower()
        return any(pattern.fullmatch(address) for pattern in self._patterns)
