"""RSA signing keys: created once, kept in the data dir, published as JWKS; rotation keeps old keys.

`keys.json` holds private JWKs, oldest first; the last one signs. Writes go through a lock file and
an atomic rename (files.py), so concurrent workers and `mock-platform keys rotate` agree. Keys are
parsed once per process and again only after a rotation.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from joserfc.jwk import KeySet, RSAKey

from .errors import ConfigError
from .files import atomic_write, locked

KEY_FILE = "keys.json"
RETIRED_KEYS_KEPT = 3
KEY_SIZE = 2048
ALGORITHM = "RS256"
LOCK_FILE = ".keys.lock"


@dataclass(frozen=True)
class KeyRing:
    keys: tuple[RSAKey, ...]

    @property
    def signing_key(self) -> RSAKey:
        return self.keys[-1]

    @cached_property
    def public_jwks(self) -> dict:
        return {"keys": [_public(key) for key in reversed(self.keys)]}

    @cached_property
    def verification_keys(self) -> KeySet:
        return KeySet([RSAKey.import_key(_public(key)) for key in self.keys])


def _public(key: RSAKey) -> dict:
    return {**key.as_dict(private=False), "kid": key.kid, "use": "sig", "alg": ALGORITHM}


def new_key() -> RSAKey:
    key = RSAKey.generate_key(KEY_SIZE, private=True)
    return RSAKey.import_key(
        {**key.as_dict(private=True), "kid": key.thumbprint(), "use": "sig", "alg": ALGORITHM}
    )


def load_or_create(data_dir: Path) -> KeyRing:
    path = data_dir / KEY_FILE
    if path.exists():
        return _read(path)
    with locked(data_dir, LOCK_FILE):
        if not path.exists():
            _write(path, [new_key()])
        return _read(path)


def rotate(data_dir: Path) -> KeyRing:
    """Add a new signing key; keep the previous ones published (up to RETIRED_KEYS_KEPT)."""
    with locked(data_dir, LOCK_FILE):
        path = data_dir / KEY_FILE
        current = list(_read(path).keys) if path.exists() else []
        keys = [*current[-RETIRED_KEYS_KEPT:], new_key()]
        _write(path, keys)
        return _read(path)


def _read(path: Path) -> KeyRing:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        keys = tuple(RSAKey.import_key(item) for item in document["keys"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ConfigError(
            f"{path}: unreadable signing keys ({error}); move the file away to start with a new key"
        ) from None
    if not keys:
        raise ConfigError(f"{path}: no signing keys; delete the file to start with a new key")
    return KeyRing(keys)


def _write(path: Path, keys: list[RSAKey]) -> None:
    document = {
        "keys": [
            {**key.as_dict(private=True), "kid": key.kid, "use": "sig", "alg": ALGORITHM} for key in keys
        ]
    }
    atomic_write(path, json.dumps(document))


def session_secret(data_dir: Path) -> bytes:
    """The secret that signs browser-session cookies, shared by every worker and kept across restarts."""
    path = data_dir / "session.key"
    if not path.exists():
        with locked(data_dir, LOCK_FILE):
            if not path.exists():
                atomic_write(path, os.urandom(32).hex())
    return bytes.fromhex(path.read_text().strip())
