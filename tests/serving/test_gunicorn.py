"""`mock-platform serve` (gunicorn) limits: what gets through to the app and what is refused first."""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from tests.oidc_flows import authorize_params, endpoint
from tests.serve_process import serve


def test_long_authorize_urls_reach_the_app_and_longer_ones_are_refused(tmp_path):
    with serve(tmp_path, "--workers", "1") as base:
        authorize = endpoint(f"{base}/api", "authorize")
        state = "s" * 6000  # past gunicorn's default 4094-byte request line
        response = requests.get(
            f"{authorize}?{urlencode(authorize_params(state=state))}", allow_redirects=False, timeout=10
        )
        assert response.status_code == 302
        assert parse_qs(urlsplit(response.headers["Location"]).query)["state"] == [state]

        response = requests.get(
            f"{authorize}?{urlencode(authorize_params(state='s' * 9000))}", allow_redirects=False, timeout=10
        )
        assert response.status_code == 414


def test_a_request_waiting_out_an_injected_delay_lets_the_others_through(tmp_path):
    """A worker runs one request at a time (mock_platform/app_gate.py); one that waits steps aside."""
    with serve(tmp_path, "--workers", "1") as base, ThreadPoolExecutor(1) as pool:
        fault = {"endpoint": "discovery", "delay": 5}
        assert requests.post(f"{base}/_mock/faults", json=fault, timeout=10).status_code == 201
        delayed = pool.submit(requests.get, f"{base}/api/.well-known/openid-configuration", timeout=30)
        while requests.get(f"{base}/_mock/faults", timeout=10).json()["faults"]:
            assert not delayed.done(), delayed.result()  # the fault fires once: it is waiting it out now
        assert requests.get(f"{base}/healthz", timeout=10).status_code == 200
        assert not delayed.done()
        assert delayed.result().status_code == 200


def test_a_request_whose_body_never_comes_lets_the_others_through(tmp_path):
    """The body is read before the app gate: a client that stalls mid-body holds up only its own thread."""
    with serve(tmp_path, "--workers", "1") as base:
        host, port = urlsplit(base).hostname, urlsplit(base).port
        with socket.create_connection((host, port), timeout=10) as stalled:
            stalled.sendall(
                b"POST /api/oauth/token HTTP/1.1\r\nHost: mock\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_type="
            )
            assert requests.get(f"{base}/api/.well-known/openid-configuration", timeout=5).status_code == 200
            stalled.sendall(b"x" * 89)  # the rest of the 100 bytes: the stalled request is answered
            assert stalled.recv(100).startswith(b"HTTP/1.1 400")
