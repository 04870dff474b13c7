"""RSA signing keys and the session secret: created once, kept in the store, published as JWKS.

The stored `signing_keys` document holds private JWKs, oldest first; the last one signs, and a
rotation keeps the previous ones published. A rotation is one transaction that also moves the state
row's `keys_version`, so every worker and replica reloads the keys on its next request. Keys are
parsed once per process and again only after a rotation.

Releases before 0.2 kept both in the data dir (`keys.json`, `session.key`): a database that has
none yet starts with those, so tokens issued before an upgrade stay valid.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateNumbers, RSAPublicNumbers
from joserfc.jwk import KeySet, RSAKey
from joserfc.util import base64_to_int

from .errors import ConfigError
from .store import Store

SIGNING_KEYS = "signing_keys"
SESSION_SECRET = "session_secret"
KEY_FILE = "keys.json"  # in the data dir, before 0.2
SESSION_FILE = "session.key"  # in the data dir, before 0.2
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
    return RSAKey.import_key(key.raw_value, {"kid": key.thumbprint(), "use": "sig", "alg": ALGORITHM})


def load_or_create(store: Store, data_dir: Path) -> KeyRing:
    """The stored keys; a new store starts with the data dir's keys.json of an earlier release, or a new key."""
    legacy = data_dir / KEY_FILE
    document = store.secret_or_create(SIGNING_KEYS, _from_file(legacy) or (lambda: _document([new_key()])))
    return _parse(document, f"the signing keys in the store{f' (from {legacy})' if legacy.exists() else ''}")


def load(store: Store) -> KeyRing:
    """The keys as stored now (after another worker or replica rotated them)."""
    return _parse(store.secret(SIGNING_KEYS) or "", "the signing keys in the store")


def rotate(store: Store) -> KeyRing:
    """Add a new signing key; keep the previous ones published (up to RETIRED_KEYS_KEPT)."""
    key = new_key()  # before the transaction: RSA key generation takes a while, the row lock must not
    with store.write() as conn:
        current = _parse(store.locked_secret(conn, SIGNING_KEYS) or "", "the signing keys in the store")
        keys = (*current.keys[-RETIRED_KEYS_KEPT:], key)
        store.put_secret(conn, SIGNING_KEYS, _document(keys))
        store.bump(conn, "keys_version")
    return KeyRing(keys)


def session_secret(store: Store, data_dir: Path) -> bytes:
    """The secret that signs browser-session cookies, shared by every worker and replica, kept across restarts."""
    legacy = data_dir / SESSION_FILE
    value = store.secret_or_create(SESSION_SECRET, _from_file(legacy) or (lambda: os.urandom(32).hex()))
    try:
        return bytes.fromhex(value.strip())
    except ValueError:
        raise ConfigError(
            f"the session secret in the store{f' (from {legacy})' if legacy.exists() else ''} is not hex; "
            "remove it (mock-platform makes a new one; browser sessions end)"
        ) from None


def _from_file(path: Path) -> Callable[[], str] | None:
    """A file of an earlier release to start a new store with, read only if the store has no value yet."""
    if not path.exists():
        return None

    def read() -> str:
        try:
            return path.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigError(f"{path}: cannot read it ({error.strerror}); fix its permissions") from None

    return read


def _parse(document: str, where: str) -> KeyRing:
    try:
        keys = tuple(_import(item) for item in json.loads(document)["keys"])
    except (ValueError, KeyError, TypeError) as error:
        raise ConfigError(
            f"{where}: unreadable signing keys ({error}); remove them to start with a new key"
        ) from None
    if not keys:
        raise ConfigError(f"{where}: no signing keys; remove the empty list to start with a new key")
    return KeyRing(keys)


PRIVATE_FIELDS = ("kty", "n", "e", "d", "p", "q", "dp", "dq", "qi")


def _import(item: dict[str, Any]) -> RSAKey:
    """A stored private JWK. OpenSSL's own check of a key tests p and q for primality, ~40 ms per key
    at every start and reload; the keys were checked when they were generated, so here the numbers
    are checked for consistency only (what a damaged or edited key gets wrong)."""
    if any(name not in item for name in PRIVATE_FIELDS) or "oth" in item or item["kty"] != "RSA":
        return RSAKey.import_key(item)  # not one this mock wrote: joserfc's full import and check
    n, e, d, p, q, dp, dq, qi = (base64_to_int(item[name]) for name in PRIVATE_FIELDS[1:])
    consistent = (
        1 < p < n
        and 1 < q < n
        and p * q == n
        and dp == d % (p - 1)
        and dq == d % (q - 1)
        and qi * q % p == 1
        and e * d % math.lcm(p - 1, q - 1) == 1
    )
    if not consistent:
        raise ValueError("the private key's numbers do not fit together")
    numbers = RSAPrivateNumbers(p, q, d, dp, dq, qi, RSAPublicNumbers(e, n))
    private_key = numbers.private_key(unsafe_skip_rsa_key_validation=True)
    return RSAKey.import_key(private_key, {k: v for k, v in item.items() if k not in PRIVATE_FIELDS})


def _document(keys: tuple[RSAKey, ...] | list[RSAKey]) -> str:
    return json.dumps(
        {
            "keys": [
                {**key.as_dict(private=True), "kid": key.kid, "use": "sig", "alg": ALGORITHM} for key in keys
            ]
        }
    )
