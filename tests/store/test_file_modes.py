"""Every file the mock writes in its data dir is readable by its owner only, from the moment it exists,
even in a data dir that already exists with mode 0755 (issue 18, finding 3: the SQLite -wal and -shm
files were created 0644, so another local user could read passwords and client secrets from the WAL)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from mock_platform.settings import DATABASE_FILE
from mock_platform.testing import oidc_login, run_server
from mock_platform.tls import CA_FILE, CA_KEY_FILE, CERT_FILE, KEY_FILE

PUBLIC = {CA_FILE, CERT_FILE}  # certificates: public by nature, written 0644 on purpose


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask most systems run with, which lets group and others read what is created."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def modes(directory: Path) -> dict[str, int]:
    return {
        str(path.relative_to(directory)): stat.S_IMODE(path.stat().st_mode) for path in directory.rglob("*")
    }


def test_a_first_start_in_an_existing_0755_dir_writes_owner_only_files(tmp_path, usual_umask):
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o755

    with run_server(data_dir, tls=True) as server:
        oidc_login(server)  # a code, tokens and a request-log entry: the WAL holds secrets now
        found = modes(data_dir)

    assert {DATABASE_FILE, f"{DATABASE_FILE}-wal", f"{DATABASE_FILE}-shm"} <= set(found), found
    assert {"state.stamp", f"tls/{CA_KEY_FILE}", f"tls/{KEY_FILE}"} <= set(found)  # keys: in the database
    readable_by_others = {
        name: oct(mode)
        for name, mode in found.items()
        if mode & 0o077 and Path(name).name not in PUBLIC and not (data_dir / name).is_dir()
    }
    assert readable_by_others == {}
    assert found["tls"] == 0o700


def test_files_an_older_run_left_readable_are_made_owner_only(tmp_path, usual_umask):
    data_dir = tmp_path / "data"
    with run_server(data_dir):
        pass
    database = data_dir / DATABASE_FILE
    wal = data_dir / f"{DATABASE_FILE}-wal"
    wal.write_bytes(b"")  # as a run killed before its checkpoint leaves it
    for path in (database, wal):
        path.chmod(0o644)

    with run_server(data_dir):
        assert stat.S_IMODE(database.stat().st_mode) == 0o600
        assert stat.S_IMODE(wal.stat().st_mode) == 0o600
