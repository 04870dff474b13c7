"""A shared database that cannot be used stops `mock-platform serve` at once with one line: the URL
(password masked), what went wrong and what to do; nothing is written, not even the data dir."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mock_platform.store import Store

from ..serve_process import free_port

# `mock-platform serve`, optionally with psycopg hidden as if the extra were not installed
PROGRAM = "import sys; sys.modules.update(dict.fromkeys(sys.argv[1].split(','))); sys.argv[1:2] = []; " \
          "from mock_platform.cli import main; main()"  # fmt: skip
PASSWORD = "s3cret-not-to-be-shown"


def serve(tmp_path: Path, url: str, hidden: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCK_PLATFORM_")}
    command = [sys.executable, "-c", PROGRAM, hidden, "serve", "--port", str(free_port()),
               "--data-dir", str(tmp_path / "data"), "--database-url", url]  # fmt: skip
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


def assert_one_clear_error(
    result: subprocess.CompletedProcess[str], tmp_path: Path, *expected: str, password: str = PASSWORD
) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: database_url postgresql"), result.stderr
    for text in expected:
        assert text in lines[0]
    assert password not in result.stderr + result.stdout and ":***@" in lines[0]
    assert not (tmp_path / "data").exists(), "nothing is written with a database URL"


def test_an_unreachable_server(tmp_path):
    result = serve(tmp_path, f"postgresql://mock:{PASSWORD}@127.0.0.1:{free_port()}/mock")
    assert_one_clear_error(result, tmp_path, "cannot connect; check host and port", "Connection refused")


def test_a_wrong_password(tmp_path, postgres_server):
    result = serve(tmp_path, postgres_server.url(password=PASSWORD))
    assert_one_clear_error(
        result, tmp_path, "the server refused this user and password; check both in the URL"
    )


def test_a_database_that_does_not_exist(tmp_path, postgres_server):
    result = serve(tmp_path, postgres_server.url("no_such_database"))
    assert_one_clear_error(result, tmp_path, "no such database; create it", password=postgres_server.password)


def test_a_missing_driver(tmp_path):
    result = serve(tmp_path, f"postgresql+psycopg://mock:{PASSWORD}@127.0.0.1:5432/mock", hidden="psycopg")
    assert_one_clear_error(
        result, tmp_path, "its database driver is not installed", "pip install 'mock-platform[postgres]'"
    )


def test_a_database_with_a_newer_schema(tmp_path, postgres_server, new_postgres_database):
    url = new_postgres_database()
    Store(url).create_schema()
    database = url.rsplit("/", 1)[1]
    postgres_server.psql("UPDATE alembic_version SET version_num = '0099'", database)
    tables_before = postgres_server.psql("SELECT string_agg(tablename, ',') FROM pg_tables", database)
    result = serve(tmp_path, url)
    assert_one_clear_error(
        result,
        tmp_path,
        "schema is at revision 0099, which this mock-platform does not know",
        "nothing was changed",
        password=postgres_server.password,
    )
    assert postgres_server.psql("SELECT string_agg(tablename, ',') FROM pg_tables", database) == tables_before
    assert postgres_server.psql("SELECT version_num FROM alembic_version", database).strip() == "0099"


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_libpq_spellings_of_the_url_mean_psycopg(scheme, postgres_server, new_postgres_database):
    url = new_postgres_database().replace("postgresql+psycopg", scheme)
    store = Store(url)
    store.create_schema()
    assert store.database.engine.url.drivername == "postgresql+psycopg"
    store.dispose()
