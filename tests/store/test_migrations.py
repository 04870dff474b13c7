"""Schema revisions: a new database, the upgrade of one made by release 0.1.0 (on SQLite and
PostgreSQL, with the keys, tokens and PATs it issued), a newer schema refused, replicas starting together."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from mock_platform.app import create_app
from mock_platform.errors import ConfigError
from mock_platform.settings import Settings
from mock_platform.store import Store
from mock_platform.store.control import RESET_TABLES
from mock_platform.store.migrate import MIGRATIONS, SCHEMA_REVISION
from mock_platform.store.schema import metadata, sqlite_ddl
from mock_platform.store.sqlite import SCHEMA_FILE

from .conftest import NOW

RELEASE = Path(__file__).with_name("release-0.1.0")
RELEASE_BASE_URL = "http://127.0.0.1:8080"  # the issuer of the tokens in issued.json


def revision_of(store: Store) -> str:
    with store.database.read() as conn:
        return conn.scalar("SELECT version_num FROM alembic_version")


def schema_differences(store: Store) -> list:
    with store.database.migration() as conn:
        return compare_metadata(MigrationContext.configure(conn), metadata)


def count(store: Store, table: str) -> int:
    with store.database.read() as conn:
        return conn.scalar(f"SELECT COUNT(*) FROM {table}")


def release_database(backend: str, data_dir: Path, request: pytest.FixtureRequest) -> str:
    """The database release 0.1.0 made, restored, and its secrets in the data dir as it kept them."""
    data_dir.mkdir()
    for name in ("keys.json", "session.key"):
        shutil.copy(RELEASE / backend / name, data_dir / name)
    script = (RELEASE / backend / "database.sql").read_text()
    if backend == "sqlite":
        with sqlite3.connect(data_dir / "mock-platform.db") as database:
            database.executescript(script)
        return ""
    url = request.getfixturevalue("new_postgres_database")()
    request.getfixturevalue("postgres_server").restore(
        RELEASE / backend / "database.sql", url.rsplit("/", 1)[1]
    )
    return url


def test_the_newest_revision_is_the_one_new_databases_are_stamped_with():
    assert ScriptDirectory(str(MIGRATIONS)).get_current_head() == SCHEMA_REVISION


def test_sqlite_schema_file_is_what_the_tables_make():
    assert SCHEMA_FILE.read_text() == sqlite_ddl(), (
        "schema.py changed: python -m mock_platform.store.schema > mock_platform/store/sqlite_schema.sql"
    )


def test_a_reset_empties_every_table_but_the_state_secrets_and_schema_revision():
    kept = {"state", "secrets", "alembic_version"}
    assert list(RESET_TABLES) == [
        table.name for table in reversed(metadata.sorted_tables) if table.name not in kept
    ]


def test_a_new_database_is_made_at_the_newest_revision(store):
    assert revision_of(store) == SCHEMA_REVISION
    assert schema_differences(store) == []
    assert count(store, "state") == 1


def test_a_database_reset_opens_again_at_the_newest_revision(open_store):
    store = open_store()
    store.create_pat(1001, "ci", "secret", NOW)
    store.reset()
    assert count(store, "pats") == 0
    assert revision_of(open_store()) == SCHEMA_REVISION


def test_a_database_of_release_0_1_0_upgrades_keeping_keys_tokens_and_pats(backend, tmp_path, request):
    data_dir = tmp_path / "data"
    url = release_database(backend, data_dir, request)
    app = create_app(Settings(data_dir=data_dir, database_url=url, base_url=RELEASE_BASE_URL))
    platform = app.extensions["mock_platform"]
    try:
        assert revision_of(platform.store) == SCHEMA_REVISION
        assert schema_differences(platform.store) == [], "the revisions must end where a new database starts"
        issued = json.loads((RELEASE / backend / "issued.json").read_text())
        client = app.test_client()
        assert issued["kid"] in [key["kid"] for key in client.get("/api/.well-known/jwks.json").json["keys"]]
        assert platform.session_secret == bytes.fromhex((data_dir / "session.key").read_text())
        userinfo = client.get("/api/userinfo", headers={"Authorization": f"Bearer {issued['access_token']}"})
        assert userinfo.status_code == 200 and userinfo.json["preferred_username"] == "alice"
        user_info = client.get("/api/user-info", headers={"Authorization": f"Bearer {issued['pat']}"})
        assert user_info.status_code == 200 and user_info.json["user"]["userName"] == "alice"
        refreshed = client.post(
            "/api/oauth/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": issued["refresh_token"],
                "client_id": "nextflow_cli",
            },
        )
        assert refreshed.status_code == 200, refreshed.text
        fresh = client.get(
            "/api/userinfo", headers={"Authorization": f"Bearer {refreshed.json['access_token']}"}
        )
        assert fresh.json["preferred_username"] == "alice"
    finally:
        platform.store.dispose()


def start_together(url: str, replicas: int = 4) -> list[Store]:
    """`replicas` stores opening one database's schema at the same moment; raises what any of them raised."""
    stores = [Store(url) for _ in range(replicas)]
    errors: list[BaseException] = []
    start = threading.Barrier(replicas)

    def open_schema(store: Store) -> None:
        start.wait()
        try:
            store.create_schema()
        except BaseException as error:  # re-raised below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=open_schema, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    return stores


def test_processes_starting_together_on_a_new_sqlite_file_all_open_it(tmp_path):
    """A new file's switch to WAL answers SQLITE_BUSY at once to all but one of the connections that
    ask together (waiting could deadlock), so each must retry rather than fail to start."""
    for trial in range(30):
        for store in start_together(f"sqlite:///{tmp_path / f'new-{trial}.db'}", replicas=8):
            store.dispose()


@pytest.mark.parametrize("backend", ["postgresql"])
def test_replicas_starting_together_make_or_upgrade_the_schema_once(backend, tmp_path, request):
    new_url = request.getfixturevalue("new_postgres_database")()
    release_url = release_database(backend, tmp_path / "data", request)
    for url in (new_url, release_url):
        stores = start_together(url)
        assert count(stores[0], "state") == 1
        assert count(stores[0], "alembic_version") == 1
        assert revision_of(stores[0]) == SCHEMA_REVISION
        for store in stores:
            store.dispose()


def test_a_newer_schema_is_refused_and_left_alone(open_store, database_url, backend):
    store = open_store()
    pat = store.create_pat(1001, "ci", "secret", NOW)
    with store.write() as conn:
        conn.run("UPDATE alembic_version SET version_num = '9999'")
        conn.run("DELETE FROM secrets")
    with pytest.raises(ConfigError) as refused:
        Store(database_url).create_schema()
    message = str(refused.value)
    assert "schema is at revision 9999, which this mock-platform does not know" in message
    assert "nothing was changed" in message
    if backend == "postgresql":
        assert "postgresql+psycopg://mock:***@127.0.0.1:" in message and "mock:***" in message
    assert revision_of(store) == "9999" and store.find_pat(pat.id) == pat
    assert store.secret("signing_keys") is None


def test_a_start_at_the_newest_revision_does_not_import_alembic_or_sqlalchemy(tmp_path):
    """Startup time and memory: Alembic (and its Mako) and SQLAlchemy are imported only to upgrade
    (or for a database_url other than SQLite)."""
    program = (
        "import sys; from pathlib import Path; from mock_platform.live import Platform;"
        "from mock_platform.settings import Settings; settings = Settings(data_dir=Path(sys.argv[1]));"
        "Platform(settings); Platform(settings);"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako', 'psycopg', 'sqlalchemy')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", program, str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", "a new SQLite file and one at the newest revision need neither"
