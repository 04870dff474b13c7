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

from ..errors import ConfigError
from .database import Connection, Database, mark_state_changed

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory
    from sqlalchemy import Connection as SQLAlchemyConnection

SCHEMA_REVISION = "0004"  # the newest revision in migrations/versions/, which `schema` describes
MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE = "0001"  # the schema of release 0.1.0, which made its tables without Alembic
STAMP_NEW = "INSERT INTO alembic_version (version_num) VALUES (:revision)"
INSERT_STATE = "INSERT INTO state (id, directory_version, clients_version, keys_version, faults_version, " \
    "queued_identities, clock_offset) VALUES (1, 0, 0, 0, 0, 0, 0.0)"  # fmt: skip
# Alembic logs each of its plugins at INFO as it is imported; "Running upgrade ..." is what tells.
logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def prepare_schema(database: Database) -> None:
    with database.read() as conn:
        revision, made = _revision(conn)
    if revision == SCHEMA_REVISION:
        return
    if revision is not None:
        _check_known(database, revision)  # before anything is written
    if not made:
        with database.write() as conn:
            database.lock_for_migration(conn)
            revision, made = _revision(conn)  # again: another process may have done it meanwhile
            if not made:
                database.create_tables(conn)
                conn.run(STAMP_NEW, {"revision": SCHEMA_REVISION})
                conn.run(INSERT_STATE)
                mark_state_changed(conn)
                return
    if revision != SCHEMA_REVISION:
        with database.migration() as connection:
            _upgrade(connection)


def _revision(conn: Connection) -> tuple[str | None, bool]:
    """The stamped revision (None before Alembic), and whether the mock's tables exist at all."""
    if conn.has_table("alembic_version"):
        return conn.scalar("SELECT version_num FROM alembic_version"), True
    return None, conn.has_table("state")


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


def _upgrade(connection: SQLAlchemyConnection) -> None:
    """Inside the migration transaction: from the stamped revision (again: another process may have
    upgraded meanwhile) to SCHEMA_REVISION, by Alembic's revisions."""
    from alembic import command
    from alembic.config import Config

    from .portable import PortableConnection

    revision, _ = _revision(PortableConnection(connection))
    if revision == SCHEMA_REVISION:
        return
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    if revision is None:
        command.stamp(config, BASELINE)
    command.upgrade(config, SCHEMA_REVISION)
