"""The live state of one app (`Platform`): settings, store, keys, clients, directory and the mock clock.

Workers and replicas share state through the store. Each request starts with `sync()`, which reads
the shared `state` row when its stamp moved (store.StateStamp), or on every request with a
`database_url`; a worker reloads its directory, clients or keys only when their version moved.
With a `database_url` nothing is kept in local files: the data dir is only read, for the signing
keys and session secret of an earlier release (keys.py).

The seed (the shipped directory merged with the config file) is applied to the store whenever the
store has not seen it: on the first start, after `POST /_mock/reset`, and after the seed changed.
Applying it replaces the stored directory and puts the seeded personal access tokens back as the
seed has them; between those times control-API changes and deleted PATs stay as they are.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from flask import current_app
from joserfc.jwk import RSAKey

from . import keys
from .clients import Client, load_seed_clients, parse_client, parse_clients
from .directory import SEED_TIME, Directory, User, load_seed_document, parse_directory
from .errors import ConfigError
from .settings import Settings, read_config_file
from .store import SeedConflict, SeedPat, SharedState, Store

DIRECTORY_DOCUMENT = "directory"
STAMP_FILE = "state.stamp"
CLIENTS_DOCUMENT = "clients"
EDIT_ATTEMPTS = 20  # each attempt that loses, loses to an edit that was stored: N editors need N at most


class DocumentChanged(Exception):
    """Another worker or replica changed the document an edit was based on; sync and edit again."""


def fingerprint(document: Any) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True, default=str).encode()).hexdigest()


class Platform:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        if not settings.database_url:
            try:
                settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError as error:
                raise ConfigError(f"data_dir: cannot create {settings.data_dir}: {error.strerror}") from None
        config = read_config_file(settings.config) if settings.config else {}
        where = str(settings.config)
        self.static_clients: dict[str, Client] = load_seed_clients()
        for client_id, client in parse_clients(config.get("clients"), f"{where}: clients").items():
            self.static_clients[client_id] = client
        self.seed_where = f"directory (seed + {where})" if settings.config else "directory seed"
        merged = load_seed_document(config, where)
        self.seed = parse_directory(merged, self.seed_where)
        self.seed_fingerprint = fingerprint(merged)  # with the seeded PATs: a changed token is a new seed
        self.seed_document = self.seed.document  # without them: what the store keeps
        # The stamp file lives in the data dir: shared by every process that uses the default store.
        # A `database_url` may be shared more widely, so then every request reads the row.
        stamp = None if settings.database_url else settings.data_dir / STAMP_FILE
        self.store = Store(settings.store_url, stamp)
        self.store.create_schema()
        self._ensure_directory()
        self._lock = threading.Lock()
        self.keyring = keys.load_or_create(self.store, settings.data_dir)
        self.session_secret = keys.session_secret(self.store, settings.data_dir)
        self._unpublished_key: RSAKey | None = None
        self._stamp = self.store.state_stamp()
        self.state = self.store.shared_state()
        self.directory = self._load_directory()
        self.runtime_clients = self._load_runtime_clients()
        if settings.auto_login and self.directory.find_user(settings.auto_login) is None:
            raise ConfigError(
                f"auto_login: no user {settings.auto_login!r}; name a userName or email of the directory "
                "(`mock-platform users` lists them)"
            )

    # per request ---------------------------------------------------------------------------------

    def sync(self) -> None:
        stamp = self.store.state_stamp()
        if stamp is not None and stamp == self._stamp:
            return
        fresh = self.store.shared_state()
        previous = self.state
        with self._lock:
            if fresh.directory_version != previous.directory_version:
                self.directory = self._load_directory()
            if fresh.clients_version != previous.clients_version:
                self.runtime_clients = self._load_runtime_clients()
            if fresh.keys_version != previous.keys_version:
                self.keyring = keys.load(self.store)
            self.state = fresh
            self._stamp = stamp  # last: a thread that sees this stamp must also see this state

    def now(self) -> float:
        return time.time() + self.state.clock_offset

    # clients -------------------------------------------------------------------------------------

    def query_client(self, client_id: object) -> Client | None:
        if not client_id or not isinstance(client_id, str):  # JSON bodies may hold anything
            return None
        return self.runtime_clients.get(client_id) or self.static_clients.get(client_id)

    def all_clients(self) -> dict[str, Client]:
        return {**self.static_clients, **self.runtime_clients}

    def register_client(self, entry: dict[str, Any]) -> Client:
        client = parse_client(entry, "client")
        for _ in range(EDIT_ATTEMPTS):
            current = self.store.document(CLIENTS_DOCUMENT)
            stored = current[1] if current else None
            entries = [e for e in (stored or []) if e.get("client-id") != client.client_id]
            entries.append(entry)
            if self.store.put_document(
                CLIENTS_DOCUMENT, entries, "runtime", "clients_version", replacing=stored
            ):
                return client
        raise DocumentChanged("the registered clients kept changing (other replicas registering): try again")

    def _load_runtime_clients(self) -> dict[str, Client]:
        current = self.store.document(CLIENTS_DOCUMENT)
        return parse_clients(current[1], "runtime clients") if current else {}

    # directory -----------------------------------------------------------------------------------

    def replace_directory(self, document: dict[str, Any], edited: Directory) -> Directory:
        """Validate, then store a changed directory document (control API): an edit of `edited`, which
        must still be the stored directory (else DocumentChanged).

        User ids are never given again: codes, tokens and browser sessions name users by id. So a
        user the document leaves out is retired with every grant (store.retire_users), and an id
        that was retired cannot come back (ConfigError)."""
        directory = parse_directory(document, "directory")
        stored, ids = {user.id for user in edited.users}, {user.id for user in directory.users}
        if (added := ids - stored) and (reused := sorted(added & self.store.retired_user_ids())):
            raise ConfigError(
                f"users: id {reused[0]} belonged to a deleted user, and user ids are never given "
                "again; leave id out to get the next free one"
            )
        if not self.store.put_document(
            DIRECTORY_DOCUMENT,
            document,
            self.seed_fingerprint,
            "directory_version",
            replacing=edited.document,
        ):
            raise DocumentChanged("the directory changed while this edit was made")
        if left_out := stored - ids:
            self.store.retire_users(left_out, self.now())
        return directory

    def add_user(
        self, entry: Mapping[str, Any], memberships: Callable[[dict[str, Any]], None] | None = None
    ) -> User:
        """Add a user (an entry as in directory.yml) in one validated write; its id is the next free
        one unless the entry has one. `memberships` may change the rest of the document in the same
        write. Raises ConfigError when the result is not a valid directory, and then nothing changed."""
        for _ in range(EDIT_ATTEMPTS):
            edited = self.directory
            document = editable_document(edited)
            added = {"id": self.next_user_id(), **entry}
            document["users"].append(added)
            if memberships is not None:
                memberships(document)
            try:
                self.replace_directory(document, edited)
            except DocumentChanged:
                self.sync()  # another worker or replica stored a change first: add to that one
                continue
            self.sync()
            user = self.directory.find_user(added["id"])
            assert user is not None, "the user was just written into the document"
            return user
        raise DocumentChanged("the directory kept changing while a user was added (other callers edit it)")

    def next_user_id(self) -> int:
        # Never the id of a deleted user (replace_directory).
        highest = max((user.id for user in self.directory.users), default=1000)
        return max(highest, self.store.highest_user_id()) + 1

    def unpublished_key(self) -> RSAKey:
        """A signing key that JWKS never publishes, for forged-token tests (one per process)."""
        with self._lock:
            if self._unpublished_key is None:
                self._unpublished_key = keys.new_key()
            return self._unpublished_key

    def rotate_keys(self) -> keys.KeyRing:
        self.keyring = keys.rotate(self.store)
        return self.keyring

    def reset(self) -> None:
        self.store.reset()
        self._ensure_directory()

    def _ensure_directory(self) -> None:
        """Apply the seed (directory and seeded PATs) when the store has not seen this one yet."""
        current = self.store.document(DIRECTORY_DOCUMENT)
        if current is None or current[0] != self.seed_fingerprint:
            self._seed_pats()  # first: after a crash in between, the next start applies the seed again
            if left_out := self._stored_user_ids() - _user_ids(self.seed_document):
                self.store.retire_users(left_out, time.time() + self.store.shared_state().clock_offset)
            self.store.put_document(
                DIRECTORY_DOCUMENT, self.seed_document, self.seed_fingerprint, "directory_version"
            )

    def _seed_pats(self) -> None:
        tokens = list(self.seed.access_tokens())
        seeded = [SeedPat(token.tid, user.id, token.name, token.secret) for _, user, token in tokens]
        try:
            self.store.seed_pats(seeded, SEED_TIME, time.time())
        except SeedConflict as conflict:
            place = next(place for place, _, token in tokens if token.tid == conflict.seeded.id)
            raise ConfigError(f"{self.seed_where}: {place}{_in_the_way(conflict)}") from None

    def _stored_user_ids(self) -> set[int]:
        current = self.store.document(DIRECTORY_DOCUMENT)
        return _user_ids(current[1]) if current else set()

    def _load_directory(self) -> Directory:
        # Between a reset's wipe and its re-seed another worker may find no document: use the seed.
        current = self.store.document(DIRECTORY_DOCUMENT)
        return parse_directory(current[1] if current else self.seed_document, "stored directory")


def _user_ids(document: Mapping[str, Any]) -> set[int]:
    """The user ids of a directory document as stored (validated when it was written)."""
    return {user["id"] for user in document.get("users") or () if isinstance(user.get("id"), int)}


def editable_document(directory: Directory) -> dict[str, Any]:
    """A deep copy of the directory document whose users and organizations lists may be changed."""
    document = copy.deepcopy(dict(directory.document))
    document["users"] = list(document.get("users") or [])
    document["organizations"] = list(document.get("organizations") or [])
    return document


def _in_the_way(conflict: SeedConflict) -> str:
    """What a minted PAT of this store blocks and what to do, after the seeded token's place."""
    holder = conflict.holder
    minted = f"a personal access token minted on this mock ({holder.name!r} of user {holder.user_id})"
    if holder.id == conflict.seeded.id:
        return (
            f".token: tid {holder.id} is already the id of {minted}; give the seeded token a tid above "
            f"{conflict.highest_id}, the highest id in use, or start from an empty store (a new data dir)"
        )
    return (
        f".name: {holder.name!r} is already the name of {minted}, id {holder.id}; give the seeded token "
        "another name, or start from an empty store (a new data dir)"
    )


def current_platform() -> Platform:
    return current_app.extensions["mock_platform"]


__all__ = ["Platform", "SharedState", "current_platform"]
