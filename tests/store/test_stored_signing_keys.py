"""Signing keys read back from the store (every start after the first, every reload after a rotation):
parsed without OpenSSL's slow primality test, so their numbers are checked for consistency instead."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from joserfc.util import base64_to_int, int_to_base64

from mock_platform.errors import ConfigError
from mock_platform.keys import KEY_FILE, SIGNING_KEYS
from mock_platform.live import Platform
from mock_platform.settings import Settings


def platform(data_dir: Path) -> Platform:
    return Platform(Settings.load({"data_dir": data_dir}, environ={}))


def signed_and_verified(signer: Platform, verifier: Platform) -> dict:
    key = signer.keyring.signing_key
    token = jwt.encode({"alg": "RS256", "kid": key.kid}, {"sub": "alice"}, key)
    published = KeySet.import_key_set(verifier.keyring.public_jwks)
    return jwt.decode(token, published).claims


def test_a_restart_signs_with_the_stored_key_that_jwks_published(tmp_path: Path) -> None:
    first = platform(tmp_path)
    first.store.dispose()
    restarted = platform(tmp_path)
    assert restarted.keyring.signing_key.kid == first.keyring.signing_key.kid
    restored, stored = restarted.keyring.signing_key, first.keyring.signing_key
    assert restored.as_dict(private=True) == stored.as_dict(private=True)
    assert signed_and_verified(restarted, first) == {"sub": "alice"}
    restarted.store.dispose()


def test_a_stored_key_whose_numbers_do_not_fit_stops_the_start(tmp_path: Path) -> None:
    first = platform(tmp_path)
    document = json.loads(first.store.secret(SIGNING_KEYS) or "")
    stored = document["keys"][0]
    stored["dp"] = int_to_base64(base64_to_int(stored["dp"]) + 2)  # a damaged CRT exponent signs garbage
    with first.store.write() as conn:
        first.store.put_secret(conn, SIGNING_KEYS, json.dumps(document))
    first.store.dispose()
    with pytest.raises(ConfigError, match=r"unreadable signing keys .*do not fit together.*new key"):
        platform(tmp_path)


def test_a_key_file_without_crt_numbers_is_still_read(tmp_path: Path) -> None:
    """keys.json of an earlier release may hold n, e and d only: joserfc's full import recovers p and q."""
    key = RSAKey.generate_key(2048, private=True)
    full = key.as_dict(private=True)
    short = {name: full[name] for name in ("kty", "n", "e", "d")}
    short.update(kid="old", use="sig", alg="RS256")
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / KEY_FILE).write_text(json.dumps({"keys": [short]}), encoding="utf-8")
    started = platform(tmp_path)
    assert started.keyring.signing_key.kid == "old"
    assert signed_and_verified(started, started) == {"sub": "alice"}
    started.store.dispose()
