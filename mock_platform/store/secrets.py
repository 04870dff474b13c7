"""What the mock keeps for itself: its signing keys and its session secret, in the `secrets` table.

In the database, not in files, so that every worker and every replica of a shared database uses the
same ones, and a key rotation on any of them is one commit that the others see on their next request.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from .database import StorePart
from .schema import secrets


class StoredSecrets(StorePart):
    def secret(self, name: str) -> str | None:
        with self.database.read() as conn:
            return conn.execute(select(secrets.c.value).where(secrets.c.name == name)).scalar()

    def secret_or_create(self, name: str, initial: Callable[[], str]) -> str:
        """The stored value, else `initial()` stored; when replicas race, the first commit wins for all."""
        stored = self.secret(name)
        if stored is not None:
            return stored
        value = initial()
        try:
            with self.database.write() as conn:
                conn.execute(insert(secrets).values(name=name, value=value))
        except IntegrityError:  # another replica stored it between our read and our insert
            stored = self.secret(name)
            if stored is None:
                raise
            return stored
        return value

    def locked_secret(self, conn: Connection, name: str) -> str | None:
        """The value, its row locked until `conn`'s write transaction ends (SQLite has one writer anyway)."""
        return conn.execute(select(secrets.c.value).where(secrets.c.name == name).with_for_update()).scalar()

    def put_secret(self, conn: Connection, name: str, value: str) -> None:
        if not conn.execute(update(secrets).where(secrets.c.name == name).values(value=value)).rowcount:
            conn.execute(insert(secrets).values(name=name, value=value))
