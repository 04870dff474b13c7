"""How the workers of one host learn that the `state` row changed without reading it.

Every change to the row rewrites a small stamp file after its transaction commits, so a worker learns
that nothing changed from 8 bytes of shared memory instead of a database read per request
(bench/README.md has the figures). Only processes that share the file see it move: `Platform` gives
the store a stamp file for the SQLite file in the data dir, and none for a `database_url`.
"""

from __future__ import annotations

import mmap
import os
from pathlib import Path


class StateStamp:
    """Eight random bytes in a file every worker maps, rewritten after each change to the `state` row.

    A worker that read the row remembers the stamp it saw before reading; while the stamp is the same,
    the row is too. A fresh random value per change (not a counter) means that no interleaving of
    writers can bring back a value some worker still holds.
    """

    SIZE = 8

    def __init__(self, path: Path) -> None:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(descriptor).st_size < self.SIZE:
                os.ftruncate(descriptor, self.SIZE)
            self._map = mmap.mmap(descriptor, self.SIZE)
        finally:
            os.close(descriptor)

    def read(self) -> bytes:
        return self._map[: self.SIZE]

    def touch(self) -> None:
        self._map[: self.SIZE] = os.urandom(self.SIZE)
