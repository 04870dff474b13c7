"""Make the databases of release 0.1.0 (commit 1372a67) with that release's own code."""
import json, shutil, sqlite3, subprocess, sys
from pathlib import Path
from urllib.parse import urlencode
from mock_platform.app import create_app
from mock_platform.settings import Settings
from mock_platform.pkce_login import PkceLogin
from mock_platform.postgres_server import throwaway_postgres

OUT = Path(sys.argv[1]); OUT.mkdir(parents=True, exist_ok=True)
TEN_YEARS = 10 * 365 * 86400

def issue(settings, out: Path):
    app = create_app(settings)
    client = app.test_client()
    pkce = PkceLogin("nextflow_cli", "alice", "http://127.0.0.1:41121/callback")
    r = client.get(f"/api/oauth/authorize?{urlencode(pkce.authorize_query())}")
    code = pkce.code_from(r.headers["Location"])
    r = client.post("/api/oauth/token", data=pkce.token_form(code)); assert r.status_code == 200, r.text
    tokens = r.json
    r = client.post("/api/tokens", json={"name": "release-0.1.0"}, headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert r.status_code == 200, r.text
    issued = {"user": "alice", "access_token": tokens["access_token"], "refresh_token": tokens["refresh_token"],
              "id_token": tokens["id_token"], "pat": r.json["accessKey"],
              "kid": client.get("/api/.well-known/jwks.json").json["keys"][0]["kid"]}
    app.extensions["mock_platform"].store.dispose()
    out.mkdir(parents=True, exist_ok=True)
    (out / "issued.json").write_text(json.dumps(issued, indent=2) + "\n")
    for name in ("keys.json", "session.key"):
        shutil.copy(settings.data_dir / name, out / name)

common = dict(base_url="http://127.0.0.1:8080", access_token_lifetime=TEN_YEARS, refresh_token_lifetime=TEN_YEARS)
tmp = Path("/tmp/i17/release-work"); shutil.rmtree(tmp, ignore_errors=True)
s = Settings(data_dir=tmp / "sqlite", **common)
issue(s, OUT / "sqlite")
db = sqlite3.connect(tmp / "sqlite" / "mock-platform.db")
(OUT / "sqlite" / "database.sql").write_text("\n".join(db.iterdump()) + "\n")
db.close()
with throwaway_postgres() as server:
    url = server.create_database("release")
    s = Settings(data_dir=tmp / "postgresql", database_url=url, **common)
    issue(s, OUT / "postgresql")
    dump = subprocess.run([str(server.bin_dir / "pg_dump"), "--inserts", "--no-owner", "--no-privileges", "-h", "127.0.0.1",
        "-p", str(server.port), "-U", "mock", "release"], env={"PGPASSWORD": server.password}, capture_output=True, text=True, check=True).stdout
    (OUT / "postgresql" / "database.sql").write_text(dump)
print("ok")
