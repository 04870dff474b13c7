"""A throwaway PostgreSQL server for tests and benchmarks: initdb and pg_ctl in a temporary directory.

    with throwaway_postgres() as server:
        url = server.create_database("replicas")   # postgresql+psycopg://mock:...@127.0.0.1:<port>/replicas

The server listens on 127.0.0.1 and a free port, with password (SCRAM) authentication for the user
`mock`, and is removed with its directory when the block ends. PostgreSQL refuses to run as root, so
as root the cluster belongs to an unprivileged system user (`postgres` where Debian's package made
one, else `nobody`) and initdb and pg_ctl run through `runuser`.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

USER = "mock"
SERVER_USERS = ("postgres", "nobody")
# For a scratch cluster: no fsync. `durable=True` keeps fsync and gives up only synchronous commit
# (a commit may be lost if the whole machine stops, never half-written), as SQLite's WAL mode does.
FAST = ("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
DURABLE = ("-c", "synchronous_commit=off")


class PostgresUnavailable(Exception):
    """No PostgreSQL server programs here, or no user to run them as: the text says what to install."""


@dataclass(frozen=True)
class PostgresServer:
    directory: Path
    port: int
    password: str
    run_as: tuple[str, ...]
    bin_dir: Path

    @property
    def pid(self) -> int:
        """The postmaster's process id (its children are the server's other processes)."""
        return int((self.directory / "data" / "postmaster.pid").read_text().split()[0])

    def url(self, database: str = "postgres", password: str | None = None) -> str:
        return f"postgresql+psycopg://{USER}:{password or self.password}@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL with psql as the server's own user; returns what psql printed."""
        command = [str(self.bin_dir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At",
                   "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, "-d", database, "-c", sql]  # fmt: skip
        return _run("psql", command, {"PGPASSWORD": self.password}).stdout

    def restore(self, sql_file: Path, database: str) -> None:
        """Run a SQL script (a pg_dump) into a database, stopping at the first error."""
        command = [str(self.bin_dir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                   "-p", str(self.port), "-U", USER, "-d", database, "-f", str(sql_file)]  # fmt: skip
        _run("psql", command, {"PGPASSWORD": self.password})

    def create_database(self, name: str) -> str:
        self._administer(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self._administer(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _administer(self, sql: str) -> None:
        """A statement that cannot run in a transaction, through psycopg (no psql process to start)."""
        import psycopg

        with psycopg.connect(self.url().replace("+psycopg", ""), autocommit=True) as connection:
            connection.execute(sql)


def server_programs() -> Path:
    """The directory of initdb and pg_ctl: on PATH, else Debian's /usr/lib/postgresql/<version>/bin."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(os.path.realpath(on_path)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if versions:
        return Path(versions[-1]).parent
    raise PostgresUnavailable(
        "no PostgreSQL server programs (initdb, pg_ctl): install Debian's `postgresql` package "
        "(scripts/install-system-deps.sh does) or put them on PATH"
    )


def _server_user() -> tuple[str, ...]:
    if os.geteuid() != 0:
        return ()
    for name in SERVER_USERS:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        if shutil.which("runuser") is None:
            raise PostgresUnavailable("running as root without `runuser` (util-linux) to start PostgreSQL")
        return ("runuser", "-u", name, "--")
    raise PostgresUnavailable(f"running as root and none of the users {', '.join(SERVER_USERS)} exists")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(
    what: str, command: list[str], env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(  # noqa: S603 (argv of our own: PostgreSQL's programs, fixed options)
        command, capture_output=True, text=True, timeout=120, check=False, env={**os.environ, **(env or {})}
    )
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip()[-1500:]
        raise PostgresUnavailable(f"{what} failed (exit {result.returncode}): {output}")
    return result


@contextmanager
def throwaway_postgres(durable: bool = False) -> Iterator[PostgresServer]:
    """A new cluster in a temporary directory on 127.0.0.1:<free port>; stopped and removed afterwards."""
    bin_dir = server_programs()
    run_as = _server_user()
    directory = Path(tempfile.mkdtemp(prefix="mock-platform-pg-"))
    password = secrets.token_urlsafe(16)
    data = directory / "data"
    started = False
    try:
        password_file = directory / "password"
        password_file.write_text(password + "\n")
        if run_as:
            owner = pwd.getpwnam(run_as[2])
            for path in (directory, password_file):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        _run("initdb", [*run_as, str(bin_dir / "initdb"), "-D", str(data), "-U", USER, f"--pwfile={password_file}",
              "-A", "scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"])  # fmt: skip
        port = _free_port()
        options = " ".join(("-c", "listen_addresses=127.0.0.1", "-p", str(port), "-k", str(directory),
                            *(DURABLE if durable else FAST)))  # fmt: skip
        _run("pg_ctl start", [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options,
              "-l", str(directory / "server.log"), "-w", "-t", "60", "start"])  # fmt: skip
        started = True
        yield PostgresServer(directory, port, password, run_as, bin_dir)
    finally:
        if started:
            subprocess.run(  # noqa: S603 (argv of our own)
                [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                capture_output=True,
                timeout=60,
                check=False,
            )
        shutil.rmtree(directory, ignore_errors=True)
