"""The tables, in SQLAlchemy Core, for any database SQLAlchemy speaks; SQLite's own in sqlite_schema.sql.

Secrets the mock hands out are stored as SHA-256 digests (`*_hash` columns), never in clear; the
secrets it keeps for itself (signing keys, the session secret) are in `secrets`, in clear.

A new database is made from these tables and stamped with `migrate.SCHEMA_REVISION`; a database made
by an earlier release is brought here by the Alembic revisions in `migrations/` (see its README), so
every change to a table here needs a revision there, SCHEMA_REVISION names the newest, and
sqlite_schema.sql is written again: `python -m mock_platform.store.schema > mock_platform/store/sqlite_schema.sql`.
A new SQLite file is made from that file, without importing SQLAlchemy.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

metadata = MetaData()

# One row (id 1) that every worker reads to learn what changed: a version per reloadable document,
# the identity queue's length and the mock clock.
state = Table(
    "state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("directory_version", Integer, nullable=False, default=0),
    Column("clients_version", Integer, nullable=False, default=0),
    Column("keys_version", Integer, nullable=False, default=0),
    Column("faults_version", Integer, nullable=False, default=0),
    Column("queued_identities", Integer, nullable=False, default=0),
    Column("clock_offset", Float, nullable=False, default=0.0),
)

documents = Table(
    "documents",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("body", JSON, nullable=False),
)

codes = Table(
    "codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("grant_id", String(32), nullable=False),
    Column("client_id", String(200), nullable=False),
    Column("user_id", Integer, nullable=False),
    Column("redirect_uri", Text),
    Column("scope", Text, nullable=False),
    Column("nonce", Text),
    Column("code_challenge", String(128)),
    Column("code_challenge_method", String(16)),
    Column("auth_time", Integer, nullable=False),
    Column("claims", JSON),
    Column("expires_at", Float, nullable=False),
    Column("used_at", Float),
)

tokens = Table(
    "tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("grant_id", String(32), nullable=False, index=True),
    Column("client_id", String(200), nullable=False),
    Column("user_id", Integer, nullable=False),
    Column("scope", Text, nullable=False),
    Column("auth_time", Integer, nullable=False),
    Column("claims", JSON),
    Column("access_hash", String(64), nullable=False, unique=True),
    Column("access_expires_at", Float, nullable=False),
    Column("refresh_hash", String(64), unique=True),
    Column("refresh_expires_at", Float),
    Column("issued_at", Float, nullable=False),
    Column("revoked_at", Float),
    Column("refresh_rotated_at", Float),
    Column("refresh_revoked_at", Float),
    sqlite_autoincrement=True,
)

pats = Table(
    "pats",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, nullable=False, index=True),
    Column("name", String(1000), nullable=False),
    Column("secret_hash", String(64), nullable=False),
    Column("date_created", Float, nullable=False),
    Column("last_used", Float),
    Column("deleted_at", Float),
    sqlite_autoincrement=True,
)
Index(
    "pats_live_name",
    pats.c.user_id,
    pats.c.name,
    unique=True,
    sqlite_where=pats.c.deleted_at.is_(None),
    postgresql_where=pats.c.deleted_at.is_(None),
)

# The id of every user who left the directory since the last reset: never given to a new user, as
# codes, tokens and the identity queue name users by id.
retired_users = Table(
    "retired_users",
    metadata,
    Column("user_id", Integer, primary_key=True, autoincrement=False),
    Column("retired_at", Float, nullable=False),
)

identity_queue = Table(
    "identity_queue",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(200)),
    Column("user_id", Integer, nullable=False),
    Column("claims", JSON),
    Column("remaining", Integer, nullable=False),
)

faults = Table(
    "faults",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("spec", JSON, nullable=False),
    Column("remaining", Integer),
    Column("hits", Integer, nullable=False, default=0),
)

request_log = Table(
    "request_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entry", JSON, nullable=False),
    sqlite_autoincrement=True,
)

# The Co-Scientist backend (co_scientist/): the Seqera CLI's sessions, their history, the events their
# streams send, the tool calls a scripted reply waits on, and the control-API state (credits, script).
ai_sessions = Table(
    "ai_sessions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", Integer, nullable=False),
    Column("organization_id", BigInteger),
    Column("cwd", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("title", Text),
    Column("options", JSON, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)
Index("ai_sessions_owner", ai_sessions.c.user_id, ai_sessions.c.updated_at)

ai_messages = Table(
    "ai_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(36), ForeignKey("ai_sessions.id"), nullable=False, index=True),
    Column("role", String(16), nullable=False),
    Column("content", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    sqlite_autoincrement=True,
)

# `ready_at` (real time, not the mock clock) paces a streamed reply: a stream sends an event once it is due.
ai_events = Table(
    "ai_events",
    metadata,
    Column("session_id", String(36), ForeignKey("ai_sessions.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("event", JSON, nullable=False),
    Column("ready_at", Float, nullable=False),
    PrimaryKeyConstraint("session_id", "seq"),
)

ai_tool_calls = Table(
    "ai_tool_calls",
    metadata,
    Column("request_id", String(64), primary_key=True),
    Column("session_id", String(36), ForeignKey("ai_sessions.id"), nullable=False, index=True),
    Column("command", Text, nullable=False),
    Column("continuation", JSON, nullable=False),
    Column("result", JSON),
    Column("closed_at", Float),
)

# One row (id 1) once the control API changed something; no row: unlimited credits, no stored script.
ai_control = Table(
    "ai_control",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("credits", BigInteger),
    Column("script", JSON),
)


# What the mock keeps for itself: `signing_keys` (the private JWKs, oldest first) and `session_secret`.
secrets = Table(
    "secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# Alembic's own table, as Alembic makes it, so that a new database is complete and stamped at once.
alembic_version = Table(
    "alembic_version",
    metadata,
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)


def sqlite_ddl() -> str:
    """The statements that make these tables in SQLite, as `metadata.create_all` issues them."""
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateIndex, CreateTable

    dialect = sqlite.dialect()
    statements = []
    for table in metadata.sorted_tables:
        statements.append(str(CreateTable(table).compile(dialect=dialect)).strip())
        statements += [
            str(CreateIndex(index).compile(dialect=dialect)) for index in sorted(table.indexes, key=str)
        ]
    return "".join(f"{statement};\n\n" for statement in statements)


if __name__ == "__main__":
    print(sqlite_ddl(), end="")
