"""Files in the data dir that several processes may create at once: a lock, and atomic writes.

Writes go to a temporary file that is renamed into place, so concurrent workers, a second
`mock-platform` command and a kill -9 never leave a half-written key or certificate behind.
Every file is owner-only (0600) from the moment it is created, whatever the umask or the mode of an
existing data dir; only certificates, which are public, are written 0644 on purpose.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


def atomic_write(path: Path, content: str | bytes, mode: int = 0o600) -> None:
    temporary = path.with_suffix(f".tmp-{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content.encode() if isinstance(content, str) else content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def locked(directory: Path, name: str) -> Iterator[None]:
    """Hold an exclusive lock on `directory/name` (created, with the directory, when missing)."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(os.open(directory / name, os.O_WRONLY | os.O_CREAT, 0o600), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
