"""What the mock grants: authorization codes, OAuth tokens and personal access tokens.

The statements a login runs are built once, below, and take their values as parameters, because
building and cache-keying a SQLAlchemy statement costs more than running it (bench/README.md has the
figures). A code is claimed and a refresh token rotated by a conditional UPDATE in the same write
transaction that stores the new tokens, so each succeeds once however many requests race for it.

Seeded personal access tokens (a directory's `access-tokens`) are rows of `pats` whose id is the
token's own `tid`; the `documents` row SEEDED_PATS lists those ids, so that seeding again tells
its own rows from minted ones. Minted ids come from the table's autoincrement, which continues above
every id inserted, so a minted PAT never takes a seeded tid.

A rotation and a revocation of the same grant take the grant's first token row first: on PostgreSQL
(READ COMMITTED) a revocation would otherwise miss the successor a concurrent rotation inserts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from .database import StorePart
from .schema import codes, documents, pats, retired_users, storable_id, tokens

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
LOCK_GRANT = (
    select(tokens.c.id)
    .where(tokens.c.grant_id == bindparam("grant_id"))
    .order_by(tokens.c.id)
    .limit(1)
    .with_for_update()
)
SELECT_PAT = select(pats).where(pats.c.id == bindparam("pat_id"))
TOUCH_PAT = update(pats).where(pats.c.id == bindparam("pat_id")).values(last_used=bindparam("now"))
SEEDED_PATS = "seeded-pats"  # the documents row listing the ids of the seeded PATs


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


class DuplicateName(Exception):
    """A live personal access token of that user already has this name."""


@dataclass(frozen=True)
class SeedPat:
    """A personal access token of the seed: its id is the token's own `tid`."""

    id: int
    user_id: int
    name: str
    secret: str


class SeedConflict(Exception):
    """A live minted PAT holds the id, or the user and name, a seeded PAT needs."""

    def __init__(self, seeded: SeedPat, holder: PatRecord, highest_id: int) -> None:
        super().__init__(f"PAT {holder.id} ({holder.name!r} of user {holder.user_id}) is in the way")
        self.seeded = seeded
        self.holder = holder
        self.highest_id = highest_id


def _revoke_tokens(conn: Connection, which: Any, now: float) -> None:
    """Revoke the access and refresh tokens of the rows `which` selects, keeping earlier revocation times."""
    conn.execute(update(tokens).where(and_(which, tokens.c.revoked_at.is_(None))).values(revoked_at=now))
    conn.execute(
        update(tokens)
        .where(and_(which, tokens.c.refresh_revoked_at.is_(None)))
        .values(refresh_revoked_at=now)
    )


class Grants(StorePart):
    # authorization codes -------------------------------------------------------------------------

    def save_code(self, code: str, **values: Any) -> None:
        with self.database.write() as conn:
            conn.execute(INSERT_CODE, {"code_hash": digest(code), **values})

    def find_code(self, code: str, client_id: str, now: float) -> CodeRecord | None:
        with self.database.read() as conn:
            row = conn.execute(
                SELECT_CODE, {"hash": digest(code), "client_id": client_id, "now": now}
            ).first()
        return CodeRecord(**row._mapping) if row else None

    def claim_code_and_save_token(self, code_hash: str, now: float, **values: Any) -> int | None:
        """Mark a code used and store the tokens issued for it in one transaction.

        Returns None when another request used the code first: a replay.
        """
        with self.database.write() as conn:
            if not conn.execute(CLAIM_CODE, {"hash": code_hash, "now": now}).rowcount:
                return None
            return conn.execute(INSERT_TOKEN, values).inserted_primary_key[0]

    # OAuth tokens --------------------------------------------------------------------------------

    def save_token(self, **values: Any) -> int:
        with self.database.write() as conn:
            result = conn.execute(INSERT_TOKEN, values)
        return result.inserted_primary_key[0]

    def rotate_and_save_token(self, old_token_id: int, now: float, **values: Any) -> int | None:
        """Retire the old refresh token and store its successor in one transaction.

        Returns None when the old refresh token was already retired: a concurrent reuse.
        """
        with self.database.write() as conn:
            conn.execute(LOCK_GRANT, {"grant_id": values["grant_id"]})
            claimed = conn.execute(ROTATE_TOKEN, {"token_id": old_token_id, "now": now}).rowcount
            if not claimed:
                return None
            return conn.execute(INSERT_TOKEN, values).inserted_primary_key[0]

    def find_token(self, *, access: str | None = None, refresh: str | None = None) -> TokenRecord | None:
        statement, secret = (SELECT_TOKEN_BY_ACCESS, access) if access else (SELECT_TOKEN_BY_REFRESH, refresh)
        if not secret:
            return None
        with self.database.read() as conn:
            row = conn.execute(statement, {"secret_hash": digest(secret)}).first()
        return TokenRecord(**row._mapping) if row else None

    def revoke_grant(self, grant_id: str, now: float) -> None:
        with self.database.write() as conn:
            conn.execute(LOCK_GRANT, {"grant_id": grant_id})
            _revoke_tokens(conn, tokens.c.grant_id == grant_id, now)

    def retire_users(self, user_ids: Iterable[int], now: float) -> None:
        """Users who left the directory: their codes go, their tokens and personal access tokens are
        revoked, and their ids are recorded so that no new user is ever given one."""
        with self.database.write() as conn:
            for user_id in user_ids:
                conn.execute(delete(codes).where(codes.c.user_id == user_id))
                _revoke_tokens(conn, tokens.c.user_id == user_id, now)
                conn.execute(
                    update(pats)
                    .where(and_(pats.c.user_id == user_id, pats.c.deleted_at.is_(None)))
                    .values(deleted_at=now)
                )
                if not conn.execute(select(retired_users).where(retired_users.c.user_id == user_id)).first():
                    conn.execute(insert(retired_users).values(user_id=user_id, retired_at=now))

    def retired_user_ids(self) -> set[int]:
        with self.database.read() as conn:
            return set(conn.execute(select(retired_users.c.user_id)).scalars())

    def highest_user_id(self) -> int:
        """The highest user id ever retired, or given a token or personal access token (0 if none)."""
        with self.database.read() as conn:
            return max(
                conn.execute(select(func.max(table.c.user_id))).scalar() or 0
                for table in (retired_users, tokens, pats)
            )

    def revoke_access_token(self, token_id: int, now: float) -> None:
        with self.database.write() as conn:
            conn.execute(
                update(tokens)
                .where(and_(tokens.c.id == token_id, tokens.c.revoked_at.is_(None)))
                .values(revoked_at=now)
            )

    # personal access tokens ----------------------------------------------------------------------

    def create_pat(self, user_id: int, name: str, secret: str, now: float) -> PatRecord:
        try:
            with self.database.write() as conn:
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
        with self.database.read() as conn:
            row = conn.execute(SELECT_PAT, {"pat_id": pat_id}).first()
        return PatRecord(**row._mapping) if row else None

    def list_pats(self, user_id: int) -> list[PatRecord]:
        with self.database.read() as conn:
            rows = conn.execute(
                select(pats)
                .where(and_(pats.c.user_id == user_id, pats.c.deleted_at.is_(None)))
                .order_by(pats.c.id)
            ).all()
        return [PatRecord(**row._mapping) for row in rows]

    def touch_pat(self, pat_id: int, now: float) -> None:
        with self.database.write() as conn:
            conn.execute(TOUCH_PAT, {"pat_id": pat_id, "now": now})

    def delete_pats(self, user_id: int, now: float, pat_id: int | None = None) -> int:
        if pat_id is not None and not storable_id(pat_id):
            return 0
        condition = and_(pats.c.user_id == user_id, pats.c.deleted_at.is_(None))
        if pat_id is not None:
            condition = and_(condition, pats.c.id == pat_id)
        with self.database.write() as conn:
            return conn.execute(update(pats).where(condition).values(deleted_at=now)).rowcount

    def seed_pats(self, seeded: list[SeedPat], created: float, now: float) -> None:
        """Make the seeded PATs exactly those of `seeded`, each live with its seed's secret and name.

        Run when the store has not seen the seed (first start, after a reset, after the seed
        changed): a seeded PAT deleted since comes back, one the seed no longer has is removed.
        Raises SeedConflict, changing nothing, when a live minted PAT holds a seeded id or name.
        """
        wanted = {pat.id for pat in seeded}
        with self.database.write() as conn:
            row = conn.execute(select(documents.c.body).where(documents.c.name == SEEDED_PATS)).first()
            previous = set(row.body) if row else set()
            conn.execute(delete(pats).where(pats.c.id.in_(previous - wanted)))
            # Out of the live-name index while seeded names move between rows; each is live again below.
            conn.execute(update(pats).where(pats.c.id.in_(previous & wanted)).values(deleted_at=now))
            for pat in seeded:
                self._seed_pat(conn, pat, pat.id in previous, created)
            conn.execute(delete(documents).where(documents.c.name == SEEDED_PATS))
            conn.execute(insert(documents).values(name=SEEDED_PATS, fingerprint="", body=sorted(wanted)))
            self.database.ids_inserted(conn, pats)

    def _seed_pat(self, conn: Connection, pat: SeedPat, ours: bool, created: float) -> None:
        """One seeded PAT into its row; `ours`: the row is a seeded one already (set aside, not live)."""
        live_name = and_(pats.c.user_id == pat.user_id, pats.c.name == pat.name, pats.c.deleted_at.is_(None))
        in_the_way = select(pats).where(or_(pats.c.id == pat.id, live_name), pats.c.deleted_at.is_(None))
        if holder := conn.execute(in_the_way).first():
            highest = conn.execute(select(func.max(pats.c.id))).scalar() or 0
            raise SeedConflict(pat, PatRecord(**holder._mapping), highest)
        values = {"user_id": pat.user_id, "name": pat.name, "secret_hash": digest(pat.secret)}
        values |= {"date_created": created, "deleted_at": None}
        if not ours:
            values["last_used"] = None  # the row of a deleted minted PAT, if any: nothing of it stays
        if not conn.execute(update(pats).where(pats.c.id == pat.id).values(values)).rowcount:
            conn.execute(insert(pats).values(id=pat.id, **values))
