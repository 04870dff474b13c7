"""kill -9 of one replica under load: the other keeps serving, and nothing either of them issued
before the kill is lost (PATs, access and refresh tokens, signing keys), because it all lives in
PostgreSQL, committed before the response went out. The killed replica comes back on the same state."""

from __future__ import annotations

import threading
import time

import requests

from ..reliability.served import jwt_header
from ..reliability.test_crash_recovery import USERS, Issued, client, verify
from .deployment import CONTROL_TOKEN, deployment

ENOUGH_PATS, ENOUGH_KIDS = 12, 3  # issued before the kill, so that losing any part would show
DEADLINE = 120.0


def rotate_keys(base_url: str, issued: Issued, killed: threading.Event) -> None:
    """A key rotation now and then through the replica that will be killed."""
    while not killed.wait(0.3):
        try:
            response = requests.post(
                f"{base_url}/_mock/keys/rotate",
                headers={"Authorization": f"Bearer {CONTROL_TOKEN}"},
                timeout=30,
            )
        except requests.RequestException:
            return
        if response.status_code == 200:
            with issued.lock:
                issued.kids.add(response.json()["kid"])


def test_kill_9_of_one_replica_under_load_loses_nothing(new_postgres_database, tmp_path):
    with deployment(new_postgres_database(), tmp_path) as shared:
        doomed = shared.replicas[0]
        issued, killed = Issued(), threading.Event()
        threads = [
            threading.Thread(target=client, args=(shared.issuer, USERS[n % 3], issued, killed, n))
            for n in range(6)
        ]  # through the proxy: every login is spread over both replicas
        threads.append(
            threading.Thread(target=rotate_keys, args=(f"http://127.0.0.1:{doomed.port}", issued, killed))
        )
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + DEADLINE
        while (
            len(issued.pats) < ENOUGH_PATS or len(issued.kids) < ENOUGH_KIDS
        ) and time.monotonic() < deadline:
            time.sleep(0.05)  # mid-login, mid-PAT, mid-rotation: wherever the load is by then
        killed.set()  # from here on a failed request is the kill's doing
        doomed.kill9()
        for thread in threads:
            thread.join(timeout=60)
        assert not issued.failures, issued.failures[:3]
        assert len(issued.pats) >= ENOUGH_PATS and len(issued.kids) >= ENOUGH_KIDS, "the load stalled"
        survivor = shared.api(1)
        verify(survivor, issued)  # every PAT, access token, refresh token and key, on the replica that lived
        restarted = shared.start_replica(0)
        assert "Traceback" not in restarted.log_text()
        api = shared.api(0)
        published = {
            key["kid"] for key in requests.get(f"{api}/.well-known/jwks.json", timeout=30).json()["keys"]
        }
        assert issued.kids <= published
        user, pat = issued.pats[-1]
        answer = requests.get(f"{api}/user-info", headers={"Authorization": f"Bearer {pat}"}, timeout=30)
        assert answer.status_code == 200 and answer.json()["user"]["userName"] == user
        assert jwt_header(issued.access_tokens[-1][1])["kid"] in published
