"""Codes, OAuth tokens and personal access tokens, straight against the store."""

from __future__ import annotations

import threading

import pytest

from mock_platform.store import DuplicateName, Store, digest
from mock_platform.store.database import IntegrityError

from .conftest import NOW


def save_code(store: Store, code: str = "the-code", client_id: str = "nextflow_cli") -> None:
    store.save_code(
        code,
        grant_id="g1",
        client_id=client_id,
        user_id=1001,
        redirect_uri="http://127.0.0.1/callback",
        scope="openid",
        nonce=None,
        code_challenge="c" * 43,
        code_challenge_method="S256",
        auth_time=int(NOW),
        claims=None,
        expires_at=NOW + 60,
    )


def token_values(access: str, refresh: str | None = None, grant_id: str = "g1", user_id: int = 1001) -> dict:
    return {
        "grant_id": grant_id,
        "client_id": "nextflow_cli",
        "user_id": user_id,
        "scope": "openid offline_access",
        "auth_time": int(NOW),
        "claims": None,
        "access_hash": digest(access),
        "access_expires_at": NOW + 3600,
        "refresh_hash": digest(refresh) if refresh else None,
        "refresh_expires_at": NOW + 86400 if refresh else None,
        "issued_at": NOW,
    }


def test_a_code_is_found_only_by_its_client_before_it_expires(store):
    save_code(store)
    found = store.find_code("the-code", "nextflow_cli", NOW)
    assert found is not None and found.code_hash == digest("the-code") and found.used_at is None
    assert store.find_code("the-code", "seqera_ai_cli", NOW) is None
    assert store.find_code("the-code", "nextflow_cli", NOW + 60) is None
    assert store.find_code("another-code", "nextflow_cli", NOW) is None


def test_a_code_is_claimed_once(store):
    save_code(store)
    first = store.claim_code_and_save_token(digest("the-code"), NOW, **token_values("access-1"))
    replay = store.claim_code_and_save_token(digest("the-code"), NOW + 1, **token_values("access-2"))
    assert first is not None and replay is None
    assert store.find_token(access="access-1").id == first
    assert store.find_token(access="access-2") is None, "a replay must not store its tokens"
    assert store.find_code("the-code", "nextflow_cli", NOW).used_at == NOW


def test_a_code_is_claimed_once_by_workers_racing_for_it(open_store):
    """Two stores on one file, as two worker processes, and threads in each: one claim wins."""
    workers = [open_store(), open_store()]
    save_code(workers[0])
    racers = 8
    start = threading.Barrier(racers)
    results: list[int | None] = []

    def claim(index: int) -> None:
        start.wait()
        token = token_values(f"access-{index}")
        results.append(workers[index % 2].claim_code_and_save_token(digest("the-code"), NOW, **token))

    threads = [threading.Thread(target=claim, args=(index,)) for index in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == racers
    assert len([result for result in results if result is not None]) == 1
    with workers[1].database.read() as conn:
        assert len(conn.rows("SELECT id FROM tokens")) == 1


def test_a_refresh_token_rotates_once(store):
    old = store.save_token(**token_values("access-1", "refresh-1"))
    successor = store.rotate_and_save_token(old, NOW + 1, **token_values("access-2", "refresh-2"))
    reuse = store.rotate_and_save_token(old, NOW + 2, **token_values("access-3", "refresh-3"))
    assert successor is not None and reuse is None
    assert store.find_token(refresh="refresh-1").refresh_rotated_at == NOW + 1
    assert store.find_token(refresh="refresh-2").id == successor
    assert store.find_token(refresh="refresh-3") is None


def test_a_revoked_grant_keeps_its_first_revocation_time_and_cannot_rotate(store):
    token_id = store.save_token(**token_values("access-1", "refresh-1", grant_id="g1"))
    store.save_token(**token_values("access-other", "refresh-other", grant_id="g2"))
    store.revoke_grant("g1", NOW + 5)
    store.revoke_grant("g1", NOW + 9)
    revoked = store.find_token(access="access-1")
    assert (revoked.revoked_at, revoked.refresh_revoked_at) == (NOW + 5, NOW + 5)
    assert revoked.is_revoked()
    assert not store.find_token(access="access-other").is_revoked()
    assert store.rotate_and_save_token(token_id, NOW + 10, **token_values("access-2", "refresh-2")) is None


def test_find_token_without_a_secret_finds_nothing(store):
    store.save_token(**token_values("access-1"))
    assert store.find_token() is None
    assert store.find_token(access="", refresh="") is None
    assert store.find_token(refresh="access-1") is None, "an access token is no refresh token"


def test_revoking_an_access_token_leaves_its_refresh_token(store):
    token_id = store.save_token(**token_values("access-1", "refresh-1"))
    store.revoke_access_token(token_id, NOW + 3)
    record = store.find_token(access="access-1")
    assert record.revoked_at == NOW + 3 and record.refresh_revoked_at is None


def test_pat_names_are_unique_among_a_users_live_tokens(store):
    first = store.create_pat(1001, "laptop", "secret-1", NOW)
    with pytest.raises(DuplicateName):
        store.create_pat(1001, "laptop", "secret-2", NOW)
    assert store.create_pat(1002, "laptop", "secret-3", NOW).user_id == 1002
    assert store.delete_pats(1001, NOW + 1, first.id) == 1
    again = store.create_pat(1001, "laptop", "secret-4", NOW + 2)
    assert again.id != first.id
    assert [pat.id for pat in store.list_pats(1001)] == [again.id]


def test_the_schema_refuses_a_second_live_pat_name(store):
    """The unique index that catches a concurrent insert where BEGIN IMMEDIATE does not serialize."""
    row = {"user_id": 1001, "name": "laptop", "secret_hash": digest("s"), "date_created": NOW}
    insert = (
        "INSERT INTO pats (user_id, name, secret_hash, date_created, deleted_at) "
        "VALUES (:user_id, :name, :secret_hash, :date_created, :deleted_at)"
    )
    with store.write() as conn:
        conn.run(insert, {**row, "deleted_at": NOW})
        conn.run(insert, {**row, "deleted_at": None})
    with pytest.raises(IntegrityError), store.write() as conn:
        conn.run(insert, {**row, "deleted_at": None})


def test_pats_are_found_touched_and_deleted_by_id(store):
    pat = store.create_pat(1001, "ci", "secret-1", NOW)
    store.touch_pat(pat.id, NOW + 7)
    assert store.find_pat(pat.id).last_used == NOW + 7
    assert store.delete_pats(1002, NOW, pat.id) == 0, "another user's token"
    assert store.find_pat(2**63) is None
    assert store.delete_pats(1001, NOW, 2**63) == 0
    store.create_pat(1001, "other", "secret-2", NOW)
    assert store.delete_pats(1001, NOW + 8) == 2
    assert store.list_pats(1001) == [] and store.find_pat(pat.id).deleted_at == NOW + 8


def test_retiring_users_ends_their_grants_and_keeps_their_ids(store):
    assert store.highest_user_id() == 0
    store.save_token(**token_values("access-1", "refresh-1", user_id=1001))
    store.save_token(**token_values("access-2", user_id=1002))
    store.create_pat(1005, "ci", "secret", NOW)
    save_code(store, "code-of-1001")
    store.retire_users([1001, 1005, 1007], NOW + 1)
    assert store.find_token(access="access-1").refresh_revoked_at == NOW + 1
    assert not store.find_token(access="access-2").is_revoked()
    assert store.list_pats(1005) == []
    assert store.find_code("code-of-1001", "nextflow_cli", NOW) is None
    assert store.retired_user_ids() == {1001, 1005, 1007}
    assert store.highest_user_id() == 1007


def test_secrets_are_stored_as_digests_only(store):
    save_code(store, "code-in-clear")
    store.save_token(**token_values("access-in-clear", "refresh-in-clear"))
    store.create_pat(1001, "ci", "pat-in-clear", NOW)
    with store.database.read() as conn:
        stored = [
            [dict(row) for row in conn.rows(f"SELECT * FROM {table}")]
            for table in ("codes", "tokens", "pats")
        ]
    assert "in-clear" not in repr(stored)
    assert digest("pat-in-clear") in repr(stored)
