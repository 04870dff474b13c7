"""kill -9 under load, restart on the same data dir: nothing issued before the kill is lost.

Clients log in, create personal access tokens and rotate the signing key while the whole process
group (gunicorn master and workers) is killed with SIGKILL. A token counts as issued once its HTTP
response was read. After the restart every such PAT, refresh token, access token and signing key
must still work, and start-up must not trip over anything half-written.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from .conftest import REPORT
from .served import jwt_claims, jwt_header, login, refresh, start, userinfo

CYCLES = 3
KILL_AFTER = (1.7, 2.3, 2.9)  # seconds of load before each kill
USERS = ("alice", "bob", "carol")


@dataclass
class Issued:
    """What the server confirmed before it died."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    pats: list[tuple[str, str]] = field(default_factory=list)  # (user, PAT)
    refresh_tokens: list[tuple[str, str]] = field(default_factory=list)  # (user, refresh token)
    access_tokens: list[tuple[str, str]] = field(default_factory=list)
    kids: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)

    def add(self, kind: str, item: tuple[str, str]) -> None:
        with self.lock:
            getattr(self, kind).append(item)


def client(issuer: str, user: str, issued: Issued, killed: threading.Event, serial: int) -> None:
    http = requests.Session()
    n = 0
    while not killed.is_set():
        try:
            item = login(http, issuer, user)
            tokens = item.tokens
            issued.add("refresh_tokens", (user, tokens["refresh_token"]))
            issued.add("access_tokens", (user, tokens["access_token"]))
            with issued.lock:
                issued.kids.add(jwt_header(tokens["access_token"])["kid"])
            response = http.post(f"{issuer}/tokens", json={"name": f"crash-{serial}-{n}"},
                                 headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=30)  # fmt: skip
            assert response.status_code == 200, response.text
            issued.add("pats", (user, response.json()["accessKey"]))
            n += 1
        except (requests.RequestException, AssertionError, KeyError, ValueError) as error:
            if not killed.is_set():
                issued.failures.append(f"{user}: {error!r}")
            return


def rotator(base_url: str, issued: Issued, killed: threading.Event, pause: float) -> None:
    """Two key rotations per cycle at most: RETIRED_KEYS_KEPT keeps older keys published."""
    for _ in range(2):
        time.sleep(pause)
        try:
            response = requests.post(f"{base_url}/_mock/keys/rotate", timeout=30)
            with issued.lock:
                issued.kids.add(response.json()["kid"])
        except requests.RequestException:
            return
        if killed.is_set():
            return


def verify(issuer: str, issued: Issued) -> None:
    http = requests.Session()
    published = {key["kid"] for key in http.get(f"{issuer}/.well-known/jwks.json", timeout=30).json()["keys"]}
    assert issued.kids <= published, f"signing keys lost: {issued.kids - published}"
    for user, pat in issued.pats:
        response = http.get(f"{issuer}/user-info", headers={"Authorization": f"Bearer {pat}"}, timeout=30)
        assert response.status_code == 200, f"a PAT of {user} stopped working: {response.text}"
        assert response.json()["user"]["userName"] == user
    for user, access_token in issued.access_tokens:
        assert userinfo(http, issuer, access_token)["preferred_username"] == user
    for user, refresh_token in issued.refresh_tokens:
        fresh = refresh(http, issuer, refresh_token)
        assert jwt_claims(fresh["id_token"])["sub"] == jwt_claims(fresh["access_token"])["sub"]
        assert userinfo(http, issuer, fresh["access_token"])["preferred_username"] == user


@pytest.mark.stress
def test_kill_9_under_load_loses_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    served = start(data_dir)
    base_url = served.base_url
    totals = {"pats": 0, "refresh_tokens": 0, "access_tokens": 0, "kids": 0}
    try:
        for cycle in range(CYCLES):
            issued, killed = Issued(), threading.Event()
            threads = [threading.Thread(target=client, args=(served.issuer, USERS[n % 3], issued, killed, cycle * 100 + n))
                       for n in range(6)]  # fmt: skip
            rotating = (f"http://127.0.0.1:{served.port}", issued, killed, 0.2 + 0.3 * cycle)
            threads.append(threading.Thread(target=rotator, args=rotating))
            for thread in threads:
                thread.start()
            time.sleep(KILL_AFTER[cycle % len(KILL_AFTER)])  # mid-rotation, mid-login, mid-PAT: varied
            killed.set()  # from here on a failed request is the kill's doing, not the server's
            served.kill9()
            for thread in threads:
                thread.join(timeout=60)
            assert not issued.failures, issued.failures[:3]
            served = start(data_dir, base_url=base_url)  # a new port, the same public URL and issuer
            assert "Traceback" not in served.log_text(), served.log_text()[-3000:]
            verify(served.issuer, issued)
            for kind in totals:
                totals[kind] += len(getattr(issued, kind))
    finally:
        served.stop()
    REPORT.append(
        f"kill -9 under load, {CYCLES} cycles: {totals['pats']} PATs, {totals['refresh_tokens']} refresh tokens, "
        f"{totals['access_tokens']} access tokens, {totals['kids']} signing keys issued before the kills; all work after restart"
    )
