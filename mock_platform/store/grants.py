"""What the mock grants: authorization codes, OAuth tokens and personal access tokens.

A code is claimed and a refresh token rotated by a conditional UPDATE in the same write
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

from .control import SELECT_DOCUMENT_BODY, replace_document
from .database import Connection, IntegrityError, StorePart, as_json, storable_id

CODE_COLUMNS = ("code_hash", "grant_id", "client_id", "user_id", "redirect_uri", "scope", "nonce", "code_challenge",
                "code_challenge_method", "auth_time", "claims", "expires_at")  # fmt: skip
TOKEN_COLUMNS = ("grant_id", "client_id", "user_id", "scope", "auth_time", "claims", "access_hash",
                 "access_expires_at", "refresh_hash", "refresh_expires_at", "issued_at")  # fmt: skip
INSERT_CODE = (
    f"INSERT INTO codes ({', '.join(CODE_COLUMNS)}) VALUES ({', '.join(f':{c}' for c in CODE_COLUMNS)})"
)
SELECT_CODE = "SELECT * FROM codes WHERE code_hash = :hash AND client_id = :client_id AND expires_at > :now"
CLAIM_CODE = "UPDATE codes SET used_at = :now WHERE code_hash = :hash AND used_at IS NULL"
INSERT_TOKEN = (
    f"INSERT INTO tokens ({', '.join(TOKEN_COLUMNS)}) VALUES ({', '.join(f':{c}' for c in TOKEN_COLUMNS)})"
)
SELECT_TOKEN_BY_ACCESS = "SELECT * FROM tokens WHERE access_hash = :secret_hash"
SELECT_TOKEN_BY_REFRESH = "SELECT * FROM tokens WHERE refresh_hash = :secret_hash"
ROTATE_TOKEN = (
    "UPDATE tokens SET refresh_rotated_at = :now "
    "WHERE id = :token_id AND refresh_rotated_at IS NULL AND refresh_revoked_at IS NULL"
)
LOCK_GRANT = "SELECT id FROM tokens WHERE grant_id = :grant_id ORDER BY id LIMIT 1 FOR UPDATE"
SELECT_PAT = "SELECT * FROM pats WHERE id = :pat_id"
TOUCH_PAT = "UPDATE pats SET last_used = :now WHERE id = :pat_id"
LIVE_PAT = "user_id = :user_id AND deleted_at IS NULL"  # a condition on pats
INSERT_PAT = (
    "INSERT INTO pats (id, user_id, name, secret_hash, date_created, last_used, deleted_at) "
    "VALUES (:id, :user_id, :name, :secret_hash, :date_created, NULL, NULL)"
)
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


def _revoke_tokens(conn: Connection, column: str, value: Any, now: float) -> None:
    """Revoke the access and refresh tokens of the rows whose `column` is `value`, keeping earlier revocation times."""
    which = {"value": value, "now": now}
    conn.run(f"UPDATE tokens SET revoked_at = :now WHERE {column} = :value AND revoked_at IS NULL", which)
    conn.run(
        f"UPDATE tokens SET refresh_revoked_at = :now WHERE {column} = :value AND refresh_revoked_at IS NULL",
        which,
    )


def _code_parameters(code: str, values: dict[str, Any]) -> dict[str, Any]:
    return {**values, "code_hash": digest(code), "claims": as_json(values["claims"])}


def _token_parameters(values: dict[str, Any]) -> dict[str, Any]:
    return {**values, "claims": as_json(values["claims"])}


class Grants(StorePart):
    # authorization codes -------------------------------------------------------------------------

    def save_code(self, code: str, **values: Any) -> None:
        with self.database.write() as conn:
            conn.run(INSERT_CODE, _code_parameters(code, values))

    def find_code(self, code: str, client_id: str, now: float) -> CodeRecord | None:
        with self.database.read() as conn:
            row = conn.row(SELECT_CODE, {"hash": digest(code), "client_id": client_id, "now": now})
        return CodeRecord(**row) if row else None

    def claim_code_and_save_token(self, code_hash: str, now: float, **values: Any) -> int | None:
        """Mark a code used and store the tokens issued for it in one transaction.

        Returns None when another request used the code first: a replay.
        """
        with self.database.write() as conn:
            if not conn.run(CLAIM_CODE, {"hash": code_hash, "now": now}):
                return None
            return conn.insert(INSERT_TOKEN, _token_parameters(values))

    # OAuth tokens --------------------------------------------------------------------------------

    def save_token(self, **values: Any) -> int:
        with self.database.write() as conn:
            return conn.insert(INSERT_TOKEN, _token_parameters(values))

    def rotate_and_save_token(self, old_token_id: int, now: float, **values: Any) -> int | None:
        """Retire the old refresh token and store its successor in one transaction.

        Returns None when the old refresh token was already retired: a concurrent reuse.
        """
        with self.database.write() as conn:
            conn.run(LOCK_GRANT, {"grant_id": values["grant_id"]})
            if not conn.run(ROTATE_TOKEN, {"token_id": old_token_id, "now": now}):
                return None
            return conn.insert(INSERT_TOKEN, _token_parameters(values))

    def find_token(self, *, access: str | None = None, refresh: str | None = None) -> TokenRecord | None:
        statement, secret = (SELECT_TOKEN_BY_ACCESS, access) if access else (SELECT_TOKEN_BY_REFRESH, refresh)
        if not secret:
            return None
        with self.database.read() as conn:
            row = conn.row(statement, {"secret_hash": digest(secret)})
        return TokenRecord(**row) if row else None

    def revoke_grant(self, grant_id: str, now: float) -> None:
        with self.database.write() as conn:
            conn.run(LOCK_GRANT, {"grant_id": grant_id})
            _revoke_tokens(conn, "grant_id", grant_id, now)

    def retire_users(self, user_ids: Iterable[int], now: float) -> None:
        """Users who left the directory: their codes go, their tokens and personal access tokens are
        revoked, and their ids are recorded so that no new user is ever given one."""
        with self.database.write() as conn:
            for user_id in user_ids:
                user = {"user_id": user_id, "now": now}
                conn.run("DELETE FROM codes WHERE user_id = :user_id", user)
                _revoke_tokens(conn, "user_id", user_id, now)
                conn.run(f"UPDATE pats SET deleted_at = :now WHERE {LIVE_PAT}", user)
                if conn.row("SELECT user_id FROM retired_users WHERE user_id = :user_id", user) is None:
                    conn.run("INSERT INTO retired_users (user_id, retired_at) VALUES (:user_id, :now)", user)

    def retired_user_ids(self) -> set[int]:
        with self.database.read() as conn:
            return {row["user_id"] for row in conn.rows("SELECT user_id FROM retired_users")}

    def highest_user_id(self) -> int:
        """The highest user id ever retired, or given a token or personal access token (0 if none)."""
        with self.database.read() as conn:
            return max(
                conn.scalar(f"SELECT MAX(user_id) FROM {table}") or 0
                for table in ("retired_users", "tokens", "pats")
            )

    def revoke_access_token(self, token_id: int, now: float) -> None:
        with self.database.write() as conn:
            conn.run(
                "UPDATE tokens SET revoked_at = :now WHERE id = :token_id AND revoked_at IS NULL",
                {"token_id": token_id, "now": now},
            )

    # personal access tokens ----------------------------------------------------------------------

    def create_pat(self, user_id: int, name: str, secret: str, now: float) -> PatRecord:
        try:
            with self.database.write() as conn:
                mine = {"user_id": user_id, "name": name}
                if conn.row(f"SELECT id FROM pats WHERE {LIVE_PAT} AND name = :name", mine):
                    raise DuplicateName(name)
                pat_id = conn.insert(
                    "INSERT INTO pats (user_id, name, secret_hash, date_created) "
                    "VALUES (:user_id, :name, :secret_hash, :date_created)",
                    {**mine, "secret_hash": digest(secret), "date_created": now},
                )
        except IntegrityError:  # a concurrent insert won the name (databases without BEGIN IMMEDIATE)
            raise DuplicateName(name) from None
        return PatRecord(pat_id, user_id, name, digest(secret), now, None, None)

    def find_pat(self, pat_id: int) -> PatRecord | None:
        if not storable_id(pat_id):
            return None
        with self.database.read() as conn:
            row = conn.row(SELECT_PAT, {"pat_id": pat_id})
        return PatRecord(**row) if row else None

    def list_pats(self, user_id: int) -> list[PatRecord]:
        with self.database.read() as conn:
            rows = conn.rows(f"SELECT * FROM pats WHERE {LIVE_PAT} ORDER BY id", {"user_id": user_id})
        return [PatRecord(**row) for row in rows]

    def touch_pat(self, pat_id: int, now: float) -> None:
        with self.database.write() as conn:
            conn.run(TOUCH_PAT, {"pat_id": pat_id, "now": now})

    def delete_pats(self, user_id: int, now: float, pat_id: int | None = None) -> int:
        if pat_id is not None and not storable_id(pat_id):
            return 0
        which = {"user_id": user_id, "now": now, "pat_id": pat_id}
        one = " AND id = :pat_id" if pat_id is not None else ""
        with self.database.write() as conn:
            return conn.run(f"UPDATE pats SET deleted_at = :now WHERE {LIVE_PAT}{one}", which)

    def seed_pats(self, seeded: list[SeedPat], created: float, now: float) -> None:
        """Make the seeded PATs exactly those of `seeded`, each live with its seed's secret and name.

        Run when the store has not seen the seed (first start, after a reset, after the seed
        changed): a seeded PAT deleted since comes back, one the seed no longer has is removed.
        Raises SeedConflict, changing nothing, when a live minted PAT holds a seeded id or name.
        """
        wanted = {pat.id for pat in seeded}
        with self.database.write() as conn:
            previous = set(conn.scalar(SELECT_DOCUMENT_BODY, {"name": SEEDED_PATS}) or ())
            for pat_id in previous - wanted:
                conn.run("DELETE FROM pats WHERE id = :pat_id", {"pat_id": pat_id})
            # Out of the live-name index while seeded names move between rows; each is live again below.
            for pat_id in previous & wanted:
                conn.run(
                    "UPDATE pats SET deleted_at = :now WHERE id = :pat_id", {"pat_id": pat_id, "now": now}
                )
            for pat in seeded:
                self._seed_pat(conn, pat, pat.id in previous, created)
            replace_document(conn, SEEDED_PATS, "", sorted(wanted))
            self.database.ids_inserted(conn, "pats")

    def _seed_pat(self, conn: Connection, pat: SeedPat, ours: bool, created: float) -> None:
        """One seeded PAT into its row; `ours`: the row is a seeded one already (set aside, not live)."""
        values = {"id": pat.id, "user_id": pat.user_id, "name": pat.name, "secret_hash": digest(pat.secret)}
        in_the_way = (
            f"SELECT * FROM pats WHERE (id = :id OR ({LIVE_PAT} AND name = :name)) AND deleted_at IS NULL"
        )
        if holder := conn.row(in_the_way, values):
            highest = conn.scalar("SELECT MAX(id) FROM pats") or 0
            raise SeedConflict(pat, PatRecord(**holder), highest)
        values["date_created"] = created
        # the row of a deleted minted PAT, if any: nothing of it stays
        last_used = "" if ours else ", last_used = NULL"
        updated = conn.run(
            "UPDATE pats SET user_id = :user_id, name = :name, secret_hash = :secret_hash, "
            f"date_created = :date_created, deleted_at = NULL{last_used} WHERE id = :id",
            values,
        )
        if not updated:
            conn.run(INSERT_PAT, values)
