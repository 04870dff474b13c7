"""Persistence behind one small interface: SQLAlchemy Core over a SQLite file (WAL) by default.

Everything that must be shared by gunicorn workers or survive a restart lives here: codes, tokens,
personal access tokens, the directory and runtime clients, and the control-API state. Secrets are
stored as SHA-256 digests, never in clear.

SQLite note: write transactions start with BEGIN IMMEDIATE, so two workers never both hold a read
snapshot and then race to upgrade it (which SQLite answers with SQLITE_BUSY without waiting).

Speed notes (bench/README.md has the figures): the statements a login runs are built once, below,
and take their values as parameters, because building and cache-keying a SQLAlchemy statement costs
more than running it; and every change to the `state` row rewrites a small stamp file, so a worker
learns that nothing changed from 8 bytes of shared memory instead of a database read per request.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import queue
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError

from .errors import ConfigError

metadata = MetaData()

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


# Statements of the login path, built once (see the module docstring).
SELECT_STATE = select(state).where(state.c.id == 1)
INSERT_CODE = insert(codes)
SELECT_CODE = select(codes).where(
    and_(
        codes.c.code_hash == bindparam("hash"),
        codes.c.client_id == bindparam("client_id"),
        codes.c.expires_at > bindparam("now"),
    )
)
CLAIM_CODE = (
    update(codes)
    .where(and_(codes.c.code_hash == bindparam("hash"), codes.c.used_at.is_(None)))
    .values(used_at=bindparam("now"))
)
INSERT_TOKEN = insert(tokens)
SELECT_TOKEN_BY_ACCESS = select(tokens).where(tokens.c.access_hash == bindparam("secret_hash"))
SELECT_TOKEN_BY_REFRESH = select(tokens).where(tokens.c.refresh_hash == bindparam("secret_hash"))
ROTATE_TOKEN = (
    update(tokens)
    .where(
        and_(
            tokens.c.id == bindparam("token_id"),
            tokens.c.refresh_rotated_at.is_(None),
            tokens.c.refresh_revoked_at.is_(None),
        )
    )
    .values(refresh_rotated_at=bindparam("now"))
)
SELECT_PAT = select(pats).where(pats.c.id == bindparam("pat_id"))
TOUCH_PAT = update(pats).where(pats.c.id == bindparam("pat_id")).values(last_used=bindparam("now"))
INSERT_REQUEST = insert(request_log)
INSERT_REQUEST_SQLITE = "INSERT INTO request_log (entry) VALUES (?)"  # JSON stored as json.dumps text
PRUNE_REQUESTS_SQLITE = "DELETE FROM request_log WHERE id <= ?"
PRUNE_REQUESTS = delete(request_log).where(request_log.c.id <= bindparam("last_dropped"))
STATE_CHANGED = "mock_platform.state_changed"


def storable_id(value: int) -> bool:
    """Whether an id from a URL fits a 64-bit INTEGER column; no stored row has any other id."""
    return -(2**63) <= value < 2**63


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class CodeRecord:
    """An issued authorization code; also serves authlib's AuthorizationCodeMixin."""

    code_hash: str
    grant_id: str
    client_id: str
    user_id: int
    redirect_uri: str | None
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int
    claims: dict | None
    expires_at: float
    used_at: float | None

    def get_redirect_uri(self) -> str | None:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


@dataclass(frozen=True)
class TokenRecord:
    """One access token and its refresh token; serves authlib's TokenMixin."""

    id: int
    grant_id: str
    client_id: str
    user_id: int
    scope: str
    auth_time: int
    claims: dict | None
    access_hash: str
    access_expires_at: float
    refresh_hash: str | None
    refresh_expires_at: float | None
    issued_at: float
    revoked_at: float | None
    refresh_rotated_at: float | None
    refresh_revoked_at: float | None

    def check_client(self, client: Any) -> bool:
        return self.client_id == client.get_client_id()

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return int(self.access_expires_at - self.issued_at)

    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self) -> bool:
        raise NotImplementedError("expiry depends on the mock clock: use tokens.verify_access_token")

    def get_nonce(self) -> None:
        return None

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


@dataclass(frozen=True)
class PatRecord:
    id: int
    user_id: int
    name: str
    secret_hash: str
    date_created: float
    last_used: float | None
    deleted_at: float | None


@dataclass(frozen=True)
class SharedState:
    directory_version: int
    clients_version: int
    keys_version: int
    faults_version: int
    queued_identities: int
    clock_offset: float


class DuplicateName(Exception):
    """A live personal access token of that user already has this name."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class StateStamp:
    """Eight random bytes in a file every worker maps, rewritten after each change to the `state` row.

    A worker that read the row remembers the stamp it saw before reading; while the stamp is the same,
    the row is too. A fresh random value per change (not a counter) means that no interleaving of
    writers can bring back a value some worker still holds.
    """

    SIZE = 8

    def __init__(self, path: Path) -> None:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(descriptor).st_size < self.SIZE:
                os.ftruncate(descriptor, self.SIZE)
            self._map = mmap.mmap(descriptor, self.SIZE)
        finally:
            os.close(descriptor)

    def read(self) -> bytes:
        return self._map[: self.SIZE]

    def touch(self) -> None:
        self._map[: self.SIZE] = os.urandom(self.SIZE)


def _revoke_tokens(conn: Connection, which: Any, now: float) -> None:
    """Revoke the access and refresh tokens of the rows `which` selects, keeping earlier revocation times."""
    conn.execute(update(tokens).where(and_(which, tokens.c.revoked_at.is_(None))).values(revoked_at=now))
    conn.execute(
        update(tokens)
        .where(and_(which, tokens.c.refresh_revoked_at.is_(None)))
        .values(refresh_revoked_at=now)
    )


class Store:
    def __init__(self, url: str, stamp: Path | None = None) -> None:
        """`stamp`: the stamp file, when every process that writes this database shares it."""
        self.url = url
        self.stamp = StateStamp(stamp) if stamp else None
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
            if url in ("sqlite://", "sqlite:///:memory:"):
                from sqlalchemy.pool import StaticPool

                kwargs["poolclass"] = StaticPool
        try:
            self.engine: Engine = create_engine(url, **kwargs)
        except NoSuchModuleError as error:
            raise ConfigError(f"database_url: {error}; check the dialect+driver part of the URL") from None
        except ArgumentError:
            raise ConfigError(
                "database_url: not a SQLAlchemy URL (dialect+driver://user:password@host/database); "
                "leave it unset for the SQLite file in the data dir"
            ) from None
        except ImportError as error:
            raise ConfigError(
                f"database_url: its database driver is not installed ({error}); pip install it, or leave "
                "database_url unset for the SQLite file in the data dir"
            ) from None
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._write_begin = "BEGIN IMMEDIATE" if self.is_sqlite else None
        # SQLite has one writer at a time anyway. Threads of one process queue on this lock, which
        # wakes the next at once, instead of on SQLite's busy handler, which sleeps 1, 2, 5, 10 ms...
        self._write_lock: AbstractContextManager[Any] = threading.Lock() if self.is_sqlite else nullcontext()
        self._log_connections: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        # The request log's own connections must open the same database: only a file can be shared.
        database = self.engine.url.database if self.is_sqlite else None
        self._log_file = database if database not in (None, "", ":memory:") else None

    def create_schema(self) -> None:
        with self.write() as conn:
            metadata.create_all(conn)
            if conn.execute(select(state.c.id)).first() is None:
                conn.execute(insert(state).values(id=1))
                conn.info[STATE_CHANGED] = True

    def dispose(self) -> None:
        while not self._log_connections.empty():
            self._log_connections.get_nowait().close()
        self.engine.dispose()

    # SQLite transactions are begun and ended on the driver connection: the same statements as
    # through `exec_driver_sql`, without SQLAlchemy's execution machinery around each of them.

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            if self.is_sqlite:
                conn.connection.driver_connection.execute("BEGIN")
            try:
                yield conn
            finally:
                if self.is_sqlite:
                    conn.connection.driver_connection.execute("COMMIT")
                else:
                    conn.rollback()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction; the state stamp moves after it commits, when it changed `state`."""
        with self._write_lock, self.engine.connect() as conn:
            if self._write_begin:
                conn.connection.driver_connection.execute(self._write_begin)
            else:
                conn.begin()
            try:
                yield conn
            except BaseException:
                conn.info.pop(STATE_CHANGED, None)
                if self.is_sqlite:
                    conn.connection.driver_connection.execute("ROLLBACK")
                else:
                    conn.rollback()
                raise
            if self.is_sqlite:
                conn.connection.driver_connection.execute("COMMIT")
            else:
                conn.commit()
            if conn.info.pop(STATE_CHANGED, False) and self.stamp:
                self.stamp.touch()

    # shared state --------------------------------------------------------------------------------

    def state_stamp(self) -> bytes | None:
        """The current stamp; None without a stamp file (then only a read tells what changed)."""
        return self.stamp.read() if self.stamp else None

    def shared_state(self) -> SharedState:
        with self.read() as conn:
            row = conn.execute(SELECT_STATE).one()
        return SharedState(**{k: v for k, v in row._mapping.items() if k != "id"})

    def update_state(self, conn: Connection, values: dict[str, Any]) -> None:
        """Every change to the `state` row goes through here, so that the stamp moves with it."""
        conn.execute(update(state).where(state.c.id == 1).values(values))
        conn.info[STATE_CHANGED] = True

    def bump(self, conn: Connection, *versions: str) -> None:
        self.update_state(conn, {v: state.c[v] + 1 for v in versions})

    def set_clock_offset(self, offset: float) -> None:
        with self.write() as conn:
            self.update_state(conn, {"clock_offset": offset})

    def advance_clock(self, seconds: float) -> None:
        with self.write() as conn:
            self.update_state(conn, {"clock_offset": state.c.clock_offset + seconds})

    def document(self, name: str) -> tuple[str, Any] | None:
        with self.read() as conn:
            row = conn.execute(
                select(documents.c.fingerprint, documents.c.body).where(documents.c.name == name)
            ).first()
        return (row.fingerprint, row.body) if row else None

    def put_document(self, name: str, body: Any, fingerprint: str, version: str) -> None:
        with self.write() as conn:
            conn.execute(delete(documents).where(documents.c.name == name))
            conn.execute(insert(documents).values(name=name, fingerprint=fingerprint, body=body))
            self.bump(conn, version)

    # authorization codes -------------------------------------------------------------------------

    def save_code(self, code: str, **values: Any) -> None:
        with self.write() as conn:
            conn.execute(INSERT_CODE, {"code_hash": digest(code), **values})

    def find_code(self, code: str, client_id: str, now: float) -> CodeRecord | None:
        with self.read() as conn:
            row = conn.execute(
                SELECT_CODE, {"hash": digest(code), "client_id": client_id, "now": now}
            ).first()
        return CodeRecord(**row._mapping) if row else None

    def claim_code_and_save_token(self, code_hash: str, now: float, **values: Any) -> int | None:
        """Mark a code used and store the tokens issued for it in one transaction.

        Returns None when another request used the code first: a replay.
        """
        with self.write() as conn:
            if not conn.execute(CLAIM_CODE, {"hash": code_hash, "now": now}).rowcount:
                return None
            return conn.execute(INSERT_TOKEN, values).inserted_primary_key[0]

    # OAuth tokens --------------------------------------------------------------------------------

    def save_token(self, **values: Any) -> int:
        with self.write() as conn:
            result = conn.execute(INSERT_TOKEN, values)
        return result.inserted_primary_key[0]

    def rotate_and_save_token(self, old_token_id: int, now: float, **values: Any) -> int | None:
        """Retire the old refresh token and store its successor in one transaction.

        Returns None when the old refresh token was already retired: a concurrent reuse.
        """
        with self.write() as conn:
            claimed = conn.execute(ROTATE_TOKEN, {"token_id": old_token_id, "now": now}).rowcount
            if not claimed:
                return None
            return conn.execute(INSERT_TOKEN, values).inserted_primary_key[0]

    def find_token(self, *, access: str | None = None, refresh: str | None = None) -> TokenRecord | None:
        statement, secret = (SELECT_TOKEN_BY_ACCESS, access) if access else (SELECT_TOKEN_BY_REFRESH, refresh)
        if not secret:
            return None
        with self.read() as conn:
            row = conn.execute(statement, {"secret_hash": digest(secret)}).first()
        return TokenRecord(**row._mapping) if row else None

    def revoke_grant(self, grant_id: str, now: float) -> None:
        with self.write() as conn:
            _revoke_tokens(conn, tokens.c.grant_id == grant_id, now)

    def revoke_user(self, user_id: int, now: float) -> None:
        """Every token and personal access token of a user, as the user is deleted."""
        with self.write() as conn:
            _revoke_tokens(conn, tokens.c.user_id == user_id, now)
            conn.execute(
                update(pats)
                .where(and_(pats.c.user_id == user_id, pats.c.deleted_at.is_(None)))
                .values(deleted_at=now)
            )

    def highest_user_id(self) -> int:
        """The highest user id any token or personal access token was ever issued to (0 if none)."""
        with self.read() as conn:
            in_tokens = conn.execute(select(func.max(tokens.c.user_id))).scalar() or 0
            in_pats = conn.execute(select(func.max(pats.c.user_id))).scalar() or 0
        return max(in_tokens, in_pats)

    def revoke_access_token(self, token_id: int, now: float) -> None:
        with self.write() as conn:
            conn.execute(
                update(tokens)
                .where(and_(tokens.c.id == token_id, tokens.c.revoked_at.is_(None)))
                .values(revoked_at=now)
            )

    # personal access tokens ----------------------------------------------------------------------

    def create_pat(self, user_id: int, name: str, secret: str, now: float) -> PatRecord:
        try:
            with self.write() as conn:
                clash = conn.execute(
                    select(pats.c.id).where(
                        and_(pats.c.user_id == user_id, pats.c.name == name, pats.c.deleted_at.is_(None))
                    )
                ).first()
                if clash:
                    raise DuplicateName(name)
                pat_id = conn.execute(
                    insert(pats).values(
                        user_id=user_id, name=name, secret_hash=digest(secret), date_created=now
                    )
                ).inserted_primary_key[0]
        except IntegrityError:  # a concurrent insert won the name (databases without BEGIN IMMEDIATE)
            raise DuplicateName(name) from None
        return PatRecord(pat_id, user_id, name, digest(secret), now, None, None)

    def find_pat(self, pat_id: int) -> PatRecord | None:
        if not storable_id(pat_id):
            return None
        with self.read() as conn:
            row = conn.execute(SELECT_PAT, {"pat_id": pat_id}).first()
        return PatRecord(**row._mapping) if row else None

    def list_pats(self, user_id: int) -> list[PatRecord]:
        with self.read() as conn:
            rows = conn.execute(
                select(pats)
                .where(and_(pats.c.user_id == user_id, pats.c.deleted_at.is_(None)))
                .order_by(pats.c.id)
            ).all()
        return [PatRecord(**row._mapping) for row in rows]

    def touch_pat(self, pat_id: int, now: float) -> None:
        with self.write() as conn:
            conn.execute(TOUCH_PAT, {"pat_id": pat_id, "now": now})

    def delete_pats(self, user_id: int, now: float, pat_id: int | None = None) -> int:
        if pat_id is not None and not storable_id(pat_id):
            return 0
        condition = and_(pats.c.user_id == user_id, pats.c.deleted_at.is_(None))
        if pat_id is not None:
            condition = and_(condition, pats.c.id == pat_id)
        with self.write() as conn:
            return conn.execute(update(pats).where(condition).values(deleted_at=now)).rowcount

    # identity queue ------------------------------------------------------------------------------

    def enqueue_identity(self, client_id: str | None, user_id: int, claims: dict, count: int) -> int:
        with self.write() as conn:
            entry_id = conn.execute(
                insert(identity_queue).values(
                    client_id=client_id, user_id=user_id, claims=claims, remaining=count
                )
            ).inserted_primary_key[0]
            self.update_state(conn, {"queued_identities": state.c.queued_identities + count})
        return entry_id

    def pop_identity(self, client_id: str) -> tuple[int, dict] | None:
        with self.write() as conn:
            row = conn.execute(
                select(identity_queue)
                .where((identity_queue.c.client_id == client_id) | identity_queue.c.client_id.is_(None))
                .order_by(identity_queue.c.id)
                .limit(1)
            ).first()
            if row is None:
                return None
            if row.remaining <= 1:
                conn.execute(delete(identity_queue).where(identity_queue.c.id == row.id))
            else:
                conn.execute(
                    update(identity_queue)
                    .where(identity_queue.c.id == row.id)
                    .values(remaining=row.remaining - 1)
                )
            self.update_state(conn, {"queued_identities": state.c.queued_identities - 1})
        return row.user_id, row.claims or {}

    def list_identities(self) -> list[dict]:
        with self.read() as conn:
            rows = conn.execute(select(identity_queue).order_by(identity_queue.c.id)).all()
        return [dict(row._mapping) for row in rows]

    def clear_identities(self) -> None:
        with self.write() as conn:
            conn.execute(delete(identity_queue))
            self.update_state(conn, {"queued_identities": 0})

    # faults --------------------------------------------------------------------------------------

    def add_fault(self, spec: dict, remaining: int | None) -> int:
        with self.write() as conn:
            fault_id = conn.execute(
                insert(faults).values(spec=spec, remaining=remaining, hits=0)
            ).inserted_primary_key[0]
            self.bump(conn, "faults_version")
        return fault_id

    def list_faults(self) -> list[dict]:
        with self.read() as conn:
            rows = conn.execute(select(faults).order_by(faults.c.id)).all()
        return [dict(row._mapping) for row in rows]

    def consume_fault(self, fault_id: int) -> bool:
        """Count one hit; False when the fault ran out meanwhile (another worker used the last one)."""
        with self.write() as conn:
            row = conn.execute(select(faults.c.remaining).where(faults.c.id == fault_id)).first()
            if row is None:
                return False
            if row.remaining is None:
                conn.execute(update(faults).where(faults.c.id == fault_id).values(hits=faults.c.hits + 1))
                return True
            if row.remaining <= 1:
                conn.execute(delete(faults).where(faults.c.id == fault_id))
                self.bump(conn, "faults_version")
            else:
                conn.execute(
                    update(faults)
                    .where(faults.c.id == fault_id)
                    .values(remaining=faults.c.remaining - 1, hits=faults.c.hits + 1)
                )
        return True

    def delete_fault(self, fault_id: int) -> bool:
        if not storable_id(fault_id):
            return False
        with self.write() as conn:
            deleted = conn.execute(delete(faults).where(faults.c.id == fault_id)).rowcount
            if deleted:
                self.bump(conn, "faults_version")
        return bool(deleted)

    def clear_faults(self) -> None:
        with self.write() as conn:
            conn.execute(delete(faults))
            self.bump(conn, "faults_version")

    # request log ---------------------------------------------------------------------------------

    def log_request(self, entry: dict, keep: int) -> None:
        if self._log_file:
            # One row per request: a single autocommit INSERT on a driver connection of our own costs
            # a third of a transaction through the pool (and needs no BEGIN: it is one statement).
            with self._log_connection() as connection:
                new_id = connection.execute(INSERT_REQUEST_SQLITE, (json.dumps(entry),)).lastrowid
                if new_id % 50 == 0:
                    connection.execute(PRUNE_REQUESTS_SQLITE, (new_id - keep,))
            return
        with self.write() as conn:
            new_id = conn.execute(INSERT_REQUEST, {"entry": entry}).inserted_primary_key[0]
            if new_id % 50 == 0:
                conn.execute(PRUNE_REQUESTS, {"last_dropped": new_id - keep})

    @contextmanager
    def _log_connection(self) -> Iterator[sqlite3.Connection]:
        try:
            connection = self._log_connections.get_nowait()
        except queue.Empty:
            connection = sqlite3.connect(
                self._log_file,
                timeout=30,
                isolation_level=None,
                check_same_thread=False,
            )
            connection.execute("PRAGMA synchronous=NORMAL")
        try:
            yield connection
        finally:
            self._log_connections.put(connection)

    def clear_request_log(self) -> None:
        with self.write() as conn:
            conn.execute(delete(request_log))

    def recent_requests(self, limit: int) -> list[dict]:
        with self.read() as conn:
            rows = conn.execute(
                select(request_log.c.entry).order_by(request_log.c.id.desc()).limit(limit)
            ).all()
        return [row.entry for row in reversed(rows)]

    # reset ---------------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything but the schema and the signing keys (POST /_mock/reset)."""
        with self.write() as conn:
            for table in (codes, tokens, pats, identity_queue, faults, request_log, documents):
                conn.execute(delete(table))
            self.update_state(conn, {"clock_offset": 0.0, "queued_identities": 0})
            self.bump(conn, "clients_version", "faults_version")
