"""What the mock keeps for itself: its signing keys and its session secret, in the `secrets` table.

In the database, not in files, so that every worker and every replica of a shared database uses the
same ones, and a key rotation on any of them is one commit that the others see on their next request.
"""

from __future__ import annotations

from collections.abc import Callable

from .database import Connection, IntegrityError, StorePart

SELECT_SECRET = "SELECT value FROM secrets WHERE name = :name"
INSERT_SECRET = "INSERT INTO secrets (name, value) VALUES (:name, :value)"


class StoredSecrets(StorePart):
    def secret(self, name: str) -> str | None:
        with self.database.read() as conn:
            return conn.scalar(SELECT_SECRET, {"name": name})

    def secret_or_create(self, name: str, initial: Callable[[], str]) -> str:
        """The stored value, else `initial()` stored; when replicas race, the first commit wins for all."""
        stored = self.secret(name)
        if stored is not None:
            return stored
        value = initial()
        try:
            with self.database.write() as conn:
                conn.run(INSERT_SECRET, {"name": name, "value": value})
        except IntegrityError:  # another replica stored it between our read and our insert
            stored = self.secret(name)
            if stored is None:
                raise
            return stored
        return value

    def locked_secret(self, conn: Connection, name: str) -> str | None:
        """The value, its row locked until `conn`'s write transaction ends (SQLite has one writer anyway)."""
        return conn.scalar(f"{SELECT_SECRET} FOR UPDATE", {"name": name})

    def put_secret(self, conn: Connection, name: str, value: str) -> None:
        if not conn.run(
            "UPDATE secrets SET value = :value WHERE name = :name", {"name": name, "value": value}
        ):
            conn.run(INSERT_SECRET, {"name": name, "value": value})
