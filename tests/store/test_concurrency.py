"""Races between two stores on one database (two workers on SQLite, two replicas on PostgreSQL at its
default isolation, READ COMMITTED), with threads in each: what must happen once happens once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event

from mock_platform import keys
from mock_platform.store import DuplicateName, Store, digest

from .conftest import NOW
from .test_grants import token_values

RACERS = 8


def race(stores: list[Store], attempt: Callable[[Store, int], Any], racers: int = RACERS) -> list[Any]:
    """`attempt(store, index)` from `racers` threads at once, alternating between the stores."""
    start = threading.Barrier(racers)
    results: list[Any] = [None] * racers

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = attempt(stores[index % len(stores)], index)
        except Exception as error:  # the assertions read it from the results
            results[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_a_refresh_token_is_rotated_once(open_store):
    stores = [open_store(), open_store()]
    old = stores[0].save_token(**token_values("access-0", "refresh-0"))
    results = race(
        stores, lambda store, i: store.rotate_and_save_token(old, NOW, **token_values(f"a{i}", f"r{i}"))
    )
    assert not [result for result in results if isinstance(result, Exception)], results
    assert len([result for result in results if result is not None]) == 1


@pytest.mark.parametrize("backend", ["postgresql"])  # SQLite runs one write transaction at a time
def test_a_revocation_catches_the_successor_of_a_concurrent_rotation(open_store):
    """Reuse detection revokes a grant while a rotation of it is about to commit: under READ COMMITTED
    the revocation must still see (and revoke) the successor the rotation inserts."""
    rotating, revoking = open_store(), open_store()
    first = rotating.save_token(**token_values("access-1", "refresh-1"))
    committing, revoked = threading.Event(), threading.Event()

    def before_commit(_conn: Any) -> None:
        committing.set()
        revoked.wait(0.5)  # the revocation is blocked on our locks meanwhile: it cannot finish first

    def revoke() -> None:
        committing.wait(10)
        revoking.revoke_grant("g1", NOW)
        revoked.set()

    event.listen(rotating.database.engine, "commit", before_commit)
    thread = threading.Thread(target=revoke)
    thread.start()
    successor = rotating.rotate_and_save_token(first, NOW, **token_values("access-2", "refresh-2"))
    thread.join(timeout=30)
    assert successor is not None and revoked.is_set()
    successor_row = revoking.find_token(refresh="refresh-2")
    assert (successor_row.revoked_at, successor_row.refresh_revoked_at) == (NOW, NOW)


def test_pat_ids_are_unique_and_a_name_is_taken_once(open_store):
    stores = [open_store(), open_store()]
    created = race(stores, lambda store, i: store.create_pat(1001, f"token-{i}", f"secret-{i}", NOW))
    assert len({pat.id for pat in created}) == RACERS
    same_name = race(stores, lambda store, i: store.create_pat(1002, "laptop", f"secret-{i}", NOW))
    assert len([result for result in same_name if isinstance(result, DuplicateName)]) == RACERS - 1
    assert [pat.name for pat in stores[0].list_pats(1002)] == ["laptop"]


def test_each_queued_identity_signs_in_once(open_store):
    stores = [open_store(), open_store()]
    stores[0].enqueue_identity(None, 1001, {}, 3)
    stores[0].enqueue_identity(None, 1002, {}, 2)
    popped = race(stores, lambda store, i: store.pop_identity("nextflow_cli"), racers=10)
    assert sorted(result[0] for result in popped if result is not None) == [1001, 1001, 1001, 1002, 1002]
    assert stores[1].shared_state().queued_identities == 0


def test_a_fault_fires_as_often_as_it_was_told(open_store):
    stores = [open_store(), open_store()]
    fault_id = stores[0].add_fault({"endpoint": "token", "status": 503}, 3)
    fired = race(stores, lambda store, i: store.consume_fault(fault_id), racers=10)
    assert fired.count(True) == 3 and fired.count(False) == 7


def test_of_two_edits_of_one_document_the_second_is_told_to_start_again(open_store):
    stores = [open_store(), open_store()]
    stores[0].put_document("clients", [], "runtime", "clients_version")
    results = race(
        stores,
        lambda store, i: store.put_document("clients", [i], "runtime", "clients_version", replacing=[]),
    )
    assert results.count(True) == 1 and results.count(False) == RACERS - 1
    assert stores[1].document("clients")[1] in ([i] for i in range(RACERS))


def test_concurrent_key_rotations_are_all_kept(open_store, tmp_path):
    stores = [open_store(), open_store()]
    first = keys.load_or_create(stores[0], tmp_path)
    before = stores[0].shared_state().keys_version
    rings = race(stores, lambda store, i: keys.rotate(store), racers=3)
    final = keys.load(stores[1])
    assert final.keys[0].kid == first.signing_key.kid
    assert {ring.signing_key.kid for ring in rings} <= {key.kid for key in final.keys}
    assert len(final.keys) == 4 and stores[1].shared_state().keys_version == before + 3


def test_a_secret_is_created_once(open_store):
    stores = [open_store(), open_store()]
    values = race(stores, lambda store, i: store.secret_or_create("session_secret", lambda i=i: f"value-{i}"))
    assert len(set(values)) == 1 and stores[0].secret("session_secret") == values[0]
    assert digest(values[0])  # a string, not an exception
