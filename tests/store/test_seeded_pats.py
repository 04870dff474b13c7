"""Seeded personal access tokens in the store: applied, re-applied, and never in a minted PAT's way."""

from __future__ import annotations

import pytest

from mock_platform.store import SeedConflict, SeedPat, Store, digest

from .conftest import NOW

CREATED = NOW - 86400


def seed(store: Store, *seeded: SeedPat, now: float = NOW) -> None:
    store.seed_pats(list(seeded), CREATED, now)


def live_ids(store: Store, user_id: int) -> list[int]:
    return [pat.id for pat in store.list_pats(user_id)]


def test_a_seeded_pat_is_stored_under_its_tid_hashed_and_dated_by_the_seed(store):
    seed(store, SeedPat(4242, 1001, "legacy-ci", "a" * 40))
    record = store.find_pat(4242)
    assert (record.user_id, record.name, record.date_created, record.deleted_at) == (
        1001,
        "legacy-ci",
        CREATED,
        None,
    )
    assert record.secret_hash == digest("a" * 40)


def test_minted_ids_continue_above_every_seeded_tid(store):
    seed(store, SeedPat(7, 1001, "old", "a" * 40), SeedPat(4242, 1002, "older", "b" * 40))
    minted = [store.create_pat(1001, f"minted-{n}", "s", NOW).id for n in range(3)]
    assert minted == [4243, 4244, 4245]


def test_seeding_again_brings_a_deleted_seeded_pat_back_and_keeps_minted_ones(store):
    seed(store, SeedPat(10, 1001, "legacy", "a" * 40))
    minted = store.create_pat(1001, "laptop", "s", NOW)
    store.delete_pats(1001, NOW + 1, 10)
    assert live_ids(store, 1001) == [minted.id]

    seed(store, SeedPat(10, 1001, "legacy", "a" * 40), now=NOW + 2)

    assert live_ids(store, 1001) == [10, minted.id]


def test_the_seed_decides_secret_name_and_owner_and_drops_what_it_no_longer_has(store):
    seed(store, SeedPat(10, 1001, "one", "a" * 40), SeedPat(11, 1001, "two", "b" * 40))
    store.touch_pat(10, NOW)

    # the names swap places, token 10 changes hands and secret, token 11 leaves the seed
    seed(store, SeedPat(10, 1002, "two", "c" * 40), SeedPat(12, 1001, "one", "d" * 40))

    assert store.find_pat(11) is None, "a removed seeded PAT leaves no row behind"
    moved = store.find_pat(10)
    assert (moved.user_id, moved.name, moved.secret_hash, moved.last_used) == (
        1002,
        "two",
        digest("c" * 40),
        NOW,
    )
    assert [(pat.id, pat.name) for pat in store.list_pats(1001)] == [(12, "one")]


def test_a_live_minted_pat_in_the_way_stops_the_seed_and_nothing_changes(store):
    seed(store, SeedPat(1, 1001, "legacy", "a" * 40))
    minted = store.create_pat(1001, "laptop", "s", NOW)

    with pytest.raises(SeedConflict) as by_id:
        seed(store, SeedPat(1, 1001, "legacy", "a" * 40), SeedPat(minted.id, 1002, "new", "b" * 40))
    assert (by_id.value.holder.id, by_id.value.highest_id) == (minted.id, minted.id)

    with pytest.raises(SeedConflict) as by_name:
        seed(store, SeedPat(1, 1001, "laptop", "a" * 40))
    assert by_name.value.holder.id == minted.id

    assert live_ids(store, 1001) == [1, minted.id] and store.find_pat(1).name == "legacy"
    assert live_ids(store, 1002) == []


def test_a_deleted_minted_pat_leaves_its_id_to_the_seed(store):
    seed(store)
    minted = store.create_pat(1001, "laptop", "s", NOW)
    store.touch_pat(minted.id, NOW)
    store.delete_pats(1001, NOW + 1, minted.id)

    seed(store, SeedPat(minted.id, 1002, "legacy", "a" * 40))

    taken = store.find_pat(minted.id)
    assert (taken.user_id, taken.name, taken.last_used, taken.deleted_at) == (1002, "legacy", None, None)


def test_a_reset_forgets_seeded_and_minted_pats_alike(store):
    seed(store, SeedPat(5, 1001, "legacy", "a" * 40))
    store.create_pat(1001, "laptop", "s", NOW)
    store.reset()
    assert store.find_pat(5) is None and store.list_pats(1001) == []
    seed(store, SeedPat(5, 1001, "legacy", "a" * 40))
    assert live_ids(store, 1001) == [5]
