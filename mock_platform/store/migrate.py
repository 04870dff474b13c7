"""Bring a database to the schema of this release: make a new one, upgrade an older one, refuse a newer one.

A database at SCHEMA_REVISION (every start but the first after an upgrade) costs one query and never
imports Alembic. A new database is made from `schema.metadata` and stamped at once. A database of an
earlier release goes through the Alembic revisions in `migrations/versions/`; one made before
revisions existed (release 0.1.0) is the baseline, 0001. All of it runs in one write transaction,
under the database's migration lock, so replicas starting together change the schema once.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, insert, inspect, select

from ..errors import ConfigError
from .database import Database, mark_state_changed
from .schema import SCHEMA_REVISION, alembic_version, metadata, state

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE = "0001"  # the schema of release 0.1.0, which made its tables without Alembic
# Alembic logs each of its plugins at INFO as it is imported; "Running upgrade ..." is what tells.
logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def prepare_schema(database: Database) -> None:
    with database.read() as conn:
        revision, made = _revision(conn)
    if revision == SCHEMA_REVISION:
        return
    if revision is not None:
        _check_known(database, revision)  # before anything is written
    with database.write() as conn:
        database.lock_for_migration(conn)
        revision, made = _revision(conn)  # again: another process may have done it meanwhile
        if revision == SCHEMA_REVISION:
            return
        if not made:
            metadata.create_all(conn)
            conn.execute(insert(alembic_version).values(version_num=SCHEMA_REVISION))
            conn.execute(insert(state).values(id=1))
            mark_state_changed(conn)
            return
        _upgrade(conn, revision)


def _revision(conn: Connection) -> tuple[str | None, bool]:
    """The stamped revision (None before Alembic), and whether the mock's tables exist at all."""
    tables = inspect(conn)
    if tables.has_table(alembic_version.name):
        return conn.execute(select(alembic_version.c.version_num)).scalar(), True
    return None, tables.has_table(state.name)


def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS))


def _check_known(database: Database, revision: str) -> None:
    from alembic.util import CommandError

    try:
        known = _scripts().get_revision(revision) is not None
    except CommandError:
        known = False
    if not known:
        raise ConfigError(
            f"{database.name}: its schema is at revision {revision}, which this mock-platform does not "
            f"know (its newest is {SCHEMA_REVISION}): a newer release made it. Run that release or a later "
            "one, or point database_url at another database; nothing was changed"
        )


def _upgrade(conn: Connection, revision: str | None) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    if revision is None:
        command.stamp(config, BASELINE)
    command.upgrade(config, SCHEMA_REVISION)
