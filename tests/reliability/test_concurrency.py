"""Many logins at once, and several processes on one SQLite file: no error, no cross-talk, no reuse.

Every check is about correctness under concurrency (who got which token, whether anything was
issued twice, whether a lock error reached a client); none is about speed.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from ..serve_process import free_port
from .conftest import REPORT
from .served import Login, Served, jwt_claims, login, refresh, start, userinfo

USERS = 50


def write_users(path: Path, count: int = USERS) -> dict[str, int]:
    """A config file with `count` extra users; returns userName -> id."""
    users = [
        {
            "id": 5000 + n,
            "userName": f"user{n:02d}",
            "email": f"user{n:02d}@example.com",
            "password": f"password-{n}",
            "firstName": "User",
            "lastName": f"Number {n}",
        }
        for n in range(count)
    ]
    path.write_text(yaml.safe_dump({"users": users}))
    return {user["userName"]: user["id"] for user in users}


def run_together(jobs: list[Callable[[], Any]], threads: int) -> tuple[list[Any], list[BaseException]]:
    """Run every job on its own thread, all released at once by a barrier."""
    barrier = threading.Barrier(min(threads, len(jobs)))

    def released(job: Callable[[], Any]) -> Any:
        with contextlib.suppress(threading.BrokenBarrierError):  # fewer jobs than threads left: just run
            barrier.wait(timeout=60)
        return job()

    results, errors = [], []
    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(released, job) for job in jobs]
        for future in futures:
            try:
                results.append(future.result(timeout=300))
            except Exception as error:  # collected: the test reports every failure at once
                errors.append(error)
    return results, errors


def check_logins(logins: list[Login], ids: dict[str, int]) -> None:
    """Each token names the user who logged in; no code, token or jti was issued twice."""
    for item in logins:
        expected = str(ids[item.user])
        assert jwt_claims(item.tokens["access_token"])["sub"] == expected, item.user
        assert jwt_claims(item.tokens["id_token"])["sub"] == expected, item.user
        assert item.userinfo["sub"] == expected and item.userinfo["preferred_username"] == item.user
    for what in ("access_token", "refresh_token", "id_token"):
        values = [item.tokens[what] for item in logins]
        assert len(set(values)) == len(values), f"a {what} was issued twice"
    codes = [item.code for item in logins]
    assert len(set(codes)) == len(codes), "a code was issued twice"
    jtis = [jwt_claims(item.tokens["access_token"])["jti"] for item in logins]
    assert len(set(jtis)) == len(jtis), "an access token jti was issued twice"


@pytest.fixture(scope="module")
def fifty_users(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, dict[str, int]]]:
    folder = tmp_path_factory.mktemp("concurrent")
    ids = write_users(folder / "users.yml")
    served = start(folder / "data", "--config", str(folder / "users.yml"))
    yield served, ids
    served.stop()


def concurrent_logins(served: Served, ids: dict[str, int], count: int, threads: int) -> list[Login]:
    names = sorted(ids)

    def one(n: int) -> Login:
        http = requests.Session()
        item = login(http, served.issuer, names[n % len(names)])
        item.userinfo = userinfo(http, served.issuer, item.tokens["access_token"])
        return item

    logins, errors = run_together([lambda n=n: one(n) for n in range(count)], threads)
    assert not errors, f"{len(errors)} of {count} logins failed, e.g. {errors[0]!r}"
    return logins


def test_200_concurrent_logins_over_50_users(fifty_users: tuple[Served, dict[str, int]]) -> None:
    served, ids = fifty_users
    logins = concurrent_logins(served, ids, 200, 200)
    check_logins(logins, ids)
    assert "database is locked" not in served.log_text()


@pytest.mark.stress
def test_2000_logins_200_at_a_time(fifty_users: tuple[Served, dict[str, int]]) -> None:
    served, ids = fifty_users
    logins = concurrent_logins(served, ids, 2000, 200)
    check_logins(logins, ids)
    assert "database is locked" not in served.log_text()
    REPORT.append(
        f"concurrent logins: 2000 over {USERS} users, 200 at a time, 0 errors, no token issued twice"
    )


@pytest.fixture(scope="module")
def four_processes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Served]]:
    """Four single-worker servers started at once on one data dir (one SQLite file, one key file),
    behind one public URL as workers are: the issuer, and so every token, is the same."""
    folder = tmp_path_factory.mktemp("four")
    data_dir = folder / "data"
    base_url = f"http://127.0.0.1:{free_port()}"
    with ThreadPoolExecutor(max_workers=4) as pool:
        servers = list(
            pool.map(
                lambda _: start(data_dir, "--workers", "1", "--threads", "2", base_url=base_url), range(4)
            )
        )
    yield servers
    for served in servers:
        served.stop()


def test_codes_issued_by_one_worker_are_redeemed_by_another(four_processes: list[Served]) -> None:
    servers = four_processes
    jwks = {requests.get(f"{s.issuer}/.well-known/jwks.json", timeout=10).text for s in servers}
    assert len(jwks) == 1, "the servers started together publish different keys"

    def one(n: int) -> None:
        http = requests.Session()
        authorizer, redeemer, reader, refresher = (servers[(n + k) % 4] for k in range(4))
        item = login(http, authorizer.issuer, "alice", token_issuer=redeemer.issuer)
        assert userinfo(http, reader.issuer, item.tokens["access_token"])["preferred_username"] == "alice"
        rotated = refresh(http, refresher.issuer, item.tokens["refresh_token"])
        assert userinfo(http, redeemer.issuer, rotated["access_token"])["preferred_username"] == "alice"
        # Reuse of the rotated refresh token, at yet another process: refused, and the grant revoked.
        old = http.post(f"{authorizer.issuer}/oauth/token", timeout=30, data={
            "grant_type": "refresh_token", "refresh_token": item.tokens["refresh_token"], "client_id": "nextflow_cli"})  # fmt: skip
        assert old.status_code == 400 and old.json()["error"] == "invalid_grant", old.text
        revoked = http.get(
            f"{reader.issuer}/userinfo", headers={"Authorization": f"Bearer {rotated['access_token']}"}
        )
        assert revoked.status_code == 401, revoked.text
        replay = http.post(f"{reader.issuer}/oauth/token", timeout=30, data={
            "grant_type": "authorization_code", "code": item.code, "redirect_uri": "http://127.0.0.1:41121/callback",
            "client_id": "nextflow_cli", "code_verifier": "x" * 43})  # fmt: skip
        assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant", replay.text

    _, errors = run_together([lambda n=n: one(n) for n in range(40)], 8)
    assert not errors, f"{len(errors)} of 40 cross-process logins failed, e.g. {errors[0]!r}"
    for served in servers:
        assert "database is locked" not in served.log_text()


@pytest.mark.stress
def test_four_workers_on_one_file_under_load(tmp_path: Path) -> None:
    """`serve --workers 4` hammered by 16 clients for 30 s: every request answered, no lock error."""
    served = start(tmp_path / "data", "--workers", "4")
    stop_at = time.monotonic() + 30
    done: list[int] = []

    def client(n: int) -> int:
        http = requests.Session()
        count = 0
        while time.monotonic() < stop_at:
            item = login(http, served.issuer, ["alice", "bob", "carol"][n % 3])
            userinfo(http, served.issuer, item.tokens["access_token"])
            refresh(http, served.issuer, item.tokens["refresh_token"])
            count += 1
        return count

    try:
        done, errors = run_together([lambda n=n: client(n) for n in range(16)], 16)
        log = served.log_text()
    finally:
        served.stop()
    assert not errors, f"{len(errors)} clients failed, e.g. {errors[0]!r}"
    assert "database is locked" not in log and "Traceback" not in log, log[-2000:]
    REPORT.append(f"4 workers, one SQLite file, 30 s: {sum(done)} logins + refreshes by 16 clients, 0 errors")
