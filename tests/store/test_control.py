"""The state row, documents, identity queue, faults, request log and reset, straight against the store."""

from __future__ import annotations

import pytest

from .conftest import NOW

SPEC = {"endpoint": "token", "status": 503}


def test_a_fault_with_a_count_runs_out(store):
    before = store.shared_state().faults_version
    fault_id = store.add_fault(SPEC, 2)
    assert store.shared_state().faults_version == before + 1
    assert store.consume_fault(fault_id)
    assert store.list_faults() == [{"id": fault_id, "spec": SPEC, "remaining": 1, "hits": 1}]
    assert store.shared_state().faults_version == before + 1, "a hit that leaves the fault is no change"
    assert store.consume_fault(fault_id)
    assert store.list_faults() == []
    assert store.shared_state().faults_version == before + 2, "the last hit removes the fault"
    assert not store.consume_fault(fault_id)


def test_a_fault_without_a_count_counts_every_hit(store):
    fault_id = store.add_fault(SPEC, None)
    for _ in range(3):
        assert store.consume_fault(fault_id)
    assert store.list_faults() == [{"id": fault_id, "spec": SPEC, "remaining": None, "hits": 3}]
    assert store.delete_fault(fault_id)
    assert not store.delete_fault(fault_id)
    assert not store.delete_fault(2**63)


def test_clearing_faults(store):
    store.add_fault(SPEC, None)
    store.add_fault(SPEC, 1)
    version = store.shared_state().faults_version
    store.clear_faults()
    assert store.list_faults() == [] and store.shared_state().faults_version == version + 1


def test_queued_identities_go_to_their_client_in_order_and_are_counted(store):
    store.enqueue_identity("nextflow_cli", 1001, {"email": "a@example.com"}, 2)
    store.enqueue_identity(None, 1002, {}, 1)
    assert store.shared_state().queued_identities == 3
    assert store.pop_identity("seqera_ai_cli") == (1002, {}), "an entry without a client serves any"
    assert store.pop_identity("seqera_ai_cli") is None
    assert store.pop_identity("nextflow_cli") == (1001, {"email": "a@example.com"})
    assert [entry["remaining"] for entry in store.list_identities()] == [1]
    assert store.pop_identity("nextflow_cli") == (1001, {"email": "a@example.com"})
    assert store.pop_identity("nextflow_cli") is None
    assert store.shared_state().queued_identities == 0


def test_clearing_the_identity_queue(store):
    store.enqueue_identity(None, 1001, {}, 5)
    store.clear_identities()
    assert store.list_identities() == [] and store.shared_state().queued_identities == 0


def test_the_clock_is_set_and_advanced(store):
    store.set_clock_offset(30.0)
    store.advance_clock(12.5)
    assert store.shared_state().clock_offset == 42.5


def test_a_document_is_replaced_and_its_version_moves(store):
    assert store.document("directory") is None
    store.put_document("directory", {"users": []}, "f1", "directory_version")
    store.put_document("directory", {"users": [1]}, "f2", "directory_version")
    assert store.document("directory") == ("f2", {"users": [1]})
    assert store.shared_state().directory_version == 2


@pytest.mark.parametrize(
    ("backend", "in_memory"),
    [("sqlite", False), ("sqlite", True), ("postgresql", False)],
    ids=["sqlite-file", "sqlite-in-memory", "postgresql"],
)
def test_the_request_log_keeps_the_last_entries(open_store, in_memory):
    """A SQLite file takes the fast path (connections of its own); `sqlite://` and PostgreSQL the
    transaction path."""
    store = open_store("sqlite://") if in_memory else open_store()
    for number in range(1, 101):
        store.log_request({"number": number}, keep=10)
    assert store.recent_requests(1000) == [{"number": number} for number in range(91, 101)]
    assert store.recent_requests(2) == [{"number": 99}, {"number": 100}]
    store.clear_request_log()
    assert store.recent_requests(10) == []


def test_reset_forgets_all_but_the_schema(store):
    store.put_document("clients", [], "runtime", "clients_version")
    store.add_fault(SPEC, None)
    store.enqueue_identity(None, 1001, {}, 1)
    store.create_pat(1001, "ci", "secret", NOW)
    store.log_request({"number": 1}, keep=10)
    store.set_clock_offset(60.0)
    before = store.shared_state()
    store.reset()
    after = store.shared_state()
    assert store.document("clients") is None and store.list_faults() == [] and store.list_identities() == []
    assert store.list_pats(1001) == [] and store.recent_requests(10) == []
    assert (after.clock_offset, after.queued_identities) == (0.0, 0)
    assert after.clients_version == before.clients_version + 1
    assert after.faults_version == before.faults_version + 1
