"""The plumbing: transactions, the state stamp that workers share, the schema, configuration errors."""

from __future__ import annotations

import re

import pytest

from mock_platform.errors import ConfigError
from mock_platform.store import Store

from .conftest import NOW


@pytest.mark.parametrize("backend", ["sqlite"])  # PostgreSQL's replicas have no stamp file to share
def test_the_stamp_moves_when_a_committed_write_changed_the_state_row(open_store):
    worker, other_worker = open_store(), open_store()
    seen = other_worker.state_stamp()
    assert worker.state_stamp() == seen
    worker.create_pat(1001, "ci", "secret", NOW)
    assert other_worker.state_stamp() == seen, "a write that leaves the state row alone"
    with pytest.raises(RuntimeError), worker.write() as conn:
        worker.bump(conn, "keys_version")
        raise RuntimeError("rolled back")
    assert other_worker.state_stamp() == seen, "a rolled-back change"
    assert other_worker.shared_state().keys_version == 0
    worker.set_clock_offset(5.0)
    assert other_worker.state_stamp() != seen
    assert other_worker.shared_state().clock_offset == 5.0


def test_without_a_stamp_file_there_is_no_stamp(open_store):
    """SQLite without one, and PostgreSQL always: every request reads the state row."""
    assert open_store(stamped=False).state_stamp() is None


def test_a_failed_write_leaves_nothing(store):
    store.put_document("directory", {"users": []}, "f", "directory_version")
    with pytest.raises(RuntimeError), store.write() as conn:
        conn.run("INSERT INTO documents (name, fingerprint, body) VALUES ('clients', 'f', '[]')")
        raise RuntimeError("rolled back")
    with store.database.read() as conn:
        names = [row["name"] for row in conn.rows("SELECT name FROM documents")]
    assert names == ["directory"]


def test_creating_the_schema_again_keeps_what_is_stored(open_store):
    first = open_store()
    first.set_clock_offset(9.0)
    pat = first.create_pat(1001, "ci", "secret", NOW)
    first.dispose()
    reopened = open_store()
    assert reopened.shared_state().clock_offset == 9.0
    assert reopened.find_pat(pat.id) == pat


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("nonsense", "database_url: not a SQLAlchemy URL"),
        ("mysql+nosuchdriver://h/db", "check the dialect+driver part of the URL"),
        (
            "mysql+pymysql://user:secret@127.0.0.1/db",
            "database_url mysql+pymysql://user:***@127.0.0.1/db: its database driver is not installed",
        ),
    ],
)
def test_a_bad_database_url_is_a_config_error(url, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        Store(url)
