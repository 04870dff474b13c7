"""The plumbing: transactions, the state stamp that workers share, the schema, configuration errors."""

from __future__ import annotations

import re

import pytest

from mock_platform.errors import ConfigError
from mock_platform.store import DuplicateName, Store
from mock_platform.store.database import masked
from mock_platform.store.portable import PortableDatabase
from mock_platform.store.sqlite import IN_MEMORY, SQLiteDatabase, sqlite_database

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


@pytest.mark.parametrize(
    ("url", "database"),
    [
        ("sqlite://", IN_MEMORY),
        ("sqlite:///:memory:", IN_MEMORY),
        ("sqlite:///relative/mock.db", "relative/mock.db"),
        ("sqlite:////absolute/mock.db", "/absolute/mock.db"),
        ("sqlite+pysqlite:////absolute/mock.db", "/absolute/mock.db"),
        ("sqlite:////absolute/mock.db?timeout=5", None),
        ("postgresql://mock@127.0.0.1/db", None),
    ],
)
def test_plain_sqlite_urls_take_the_standard_library_path(url, database):
    assert sqlite_database(url) == database


@pytest.mark.parametrize("in_memory", [False, True])
def test_sqlite_without_sqlalchemy_keeps_grants(tmp_path, in_memory):
    store = Store("sqlite://" if in_memory else f"sqlite:///{tmp_path / 'mock.db'}")
    store.create_schema()
    try:
        assert isinstance(store.database, SQLiteDatabase)
        pat = store.create_pat(1001, "ci", "secret", NOW)
        assert store.find_pat(pat.id) == pat
        store.put_document("clients", {"nextflow_cli": {"public": True}}, "f", "clients_version")
        assert store.document("clients") == ("f", {"nextflow_cli": {"public": True}}), "JSON decoded"
    finally:
        store.dispose()


def test_a_sqlite_url_with_driver_options_goes_through_sqlalchemy(tmp_path):
    """Any URL but a plain SQLite one is SQLAlchemy's to open: the portable path, tested here on SQLite."""
    store = Store(f"sqlite:///{tmp_path / 'mock.db'}?timeout=5")
    store.create_schema()
    try:
        assert isinstance(store.database, PortableDatabase)
        pat = store.create_pat(1001, "ci", "secret", NOW)
        with pytest.raises(DuplicateName):
            store.create_pat(1001, "ci", "other", NOW)
        store.put_document("clients", {"a": [1]}, "f", "clients_version")
        assert store.document("clients") == ("f", {"a": [1]})
        assert store.list_pats(1001) == [pat] and store.shared_state().clients_version == 1
        store.reset()
        assert store.list_pats(1001) == []
    finally:
        store.dispose()


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql+psycopg://mock:s3cr%40t@127.0.0.1:5432/db",
            "postgresql+psycopg://mock:***@127.0.0.1:5432/db",
        ),
        ("postgresql://mock@db.example/db", "postgresql://mock@db.example/db"),
        ("postgresql://u:p@[::1]:5432/db", "postgresql://u:***@[::1]:5432/db"),
        ("nonsense", "(not a URL)"),
    ],
)
def test_urls_in_messages_hide_the_password(url, shown):
    assert masked(url) == shown
