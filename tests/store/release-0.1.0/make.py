"""How the files here were made: by release 0.1.0 itself (commit 1372a67, before schema revisions).

    git worktree add /tmp/release 1372a67 && cd /tmp/release     # with this file copied in, and a
    .venv/bin/python make.py tests/store/release-0.1.0          # throwaway_postgres helper beside it

Each backend gets the database that release made (SQLite: its file as SQL; PostgreSQL: pg_dump
--inserts), the data-dir files it kept its secrets in (keys.json, session.key) and issued.json: what
it issued to alice (access, refresh and ID token, a personal access token, the signing key's kid),
with ten-year lifetimes so that the upgrade test can use them for years.
"""

import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from mock_platform.app import create_app
from mock_platform.pkce_login import PkceLogin
from mock_platform.postgres_server import throwaway_postgres
from mock_platform.settings import Settings

TEN_YEARS = 10 * 365 * 86400
COMMON = {
    "base_url": "http://127.0.0.1:8080",
    "access_token_lifetime": TEN_YEARS,
    "refresh_token_lifetime": TEN_YEARS,
}


def issue(settings: Settings, out: Path) -> None:
    app = create_app(settings)
    client = app.test_client()
    pkce = PkceLogin("nextflow_cli", "alice", "http://127.0.0.1:41121/callback")
    response = client.get(f"/api/oauth/authorize?{urlencode(pkce.authorize_query())}")
    response = client.post(
        "/api/oauth/token", data=pkce.token_form(pkce.code_from(response.headers["Location"]))
    )
    tokens = response.json
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    pat = client.post("/api/tokens", json={"name": "release-0.1.0"}, headers=bearer).json["accessKey"]
    kid = client.get("/api/.well-known/jwks.json").json["keys"][0]["kid"]
    app.extensions["mock_platform"].store.dispose()
    out.mkdir(parents=True, exist_ok=True)
    issued = {
        "user": "alice",
        **{k: tokens[k] for k in ("access_token", "refresh_token", "id_token")},
        "pat": pat,
        "kid": kid,
    }
    (out / "issued.json").write_text(json.dumps(issued, indent=2) + "\n")
    for name in ("keys.json", "session.key"):
        shutil.copy(settings.data_dir / name, out / name)


def main(out: Path) -> None:
    work = Path(tempfile.mkdtemp())
    issue(Settings(data_dir=work / "sqlite", **COMMON), out / "sqlite")
    database = sqlite3.connect(work / "sqlite" / "mock-platform.db")
    (out / "sqlite" / "database.sql").write_text("\n".join(database.iterdump()) + "\n")
    database.close()
    with throwaway_postgres() as server:
        url = server.create_database("release")
        issue(Settings(data_dir=work / "postgresql", database_url=url, **COMMON), out / "postgresql")
        dump = subprocess.run(
            [str(server.bin_dir / "pg_dump"), "--inserts", "--no-owner", "--no-privileges",
             "-h", "127.0.0.1", "-p", str(server.port), "-U", "mock", "release"],
            env={"PGPASSWORD": server.password}, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        (out / "postgresql" / "database.sql").write_text(dump)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
