"""State lives in the data dir or the database URL: it survives restarts and is shared by all workers."""

from __future__ import annotations

import requests

from mock_platform.testing import run_server
from tests.oidc_flows import authorization_code, endpoint, login_tokens, redeem, refresh, userinfo
from tests.serve_process import free_port, serve


def test_keys_and_tokens_survive_a_restart(tmp_path):
    with run_server(tmp_path) as server:
        jwks = requests.get(endpoint(server.issuer, "jwks"), timeout=10).json()
        tokens = login_tokens(server.issuer)
        first_issuer = server.issuer
    with run_server(tmp_path) as server:
        assert requests.get(endpoint(server.issuer, "jwks"), timeout=10).json() == jwks
        assert (
            first_issuer != server.issuer
        )  # a new port, so a new issuer: the refresh token is what carries over
        fresh = refresh(server.issuer, tokens["refresh_token"])
        assert fresh.status_code == 200, fresh.text
        assert userinfo(server.issuer, fresh.json()["access_token"]).status_code == 200


def test_two_processes_on_one_data_dir_redeem_each_others_codes(tmp_path):
    """Two gunicorn servers on one store, as two workers are: a code issued by one is redeemed by the other."""
    port_a, port_b = free_port(), free_port()
    public = f"http://127.0.0.1:{port_a}"  # one issuer for both, as behind a load balancer
    with (
        serve(tmp_path, "--workers", "1", port=port_a, base_url=public) as a,
        serve(tmp_path, "--workers", "1", port=port_b, base_url=public) as b,
    ):
        issuer_a, issuer_b = f"{a}/api", f"{b}/api"
        for issuing, redeeming in ((issuer_a, issuer_b), (issuer_b, issuer_a)):
            auth = authorization_code(issuing)
            auth.issuer = redeeming
            response = redeem(auth)
            assert response.status_code == 200, response.text
            tokens = response.json()
            assert userinfo(issuing, tokens["access_token"]).status_code == 200
            assert refresh(issuing, tokens["refresh_token"]).status_code == 200
            auth.issuer = issuing
            assert redeem(auth).json()["error"] == "invalid_grant"  # single use across processes


def test_gunicorn_workers_share_state(tmp_path):
    with serve(tmp_path, "--workers", "2", "--threads", "2") as base:
        issuer = f"{base}/api"
        for _ in range(10):
            tokens = login_tokens(issuer)
            assert userinfo(issuer, tokens["access_token"]).status_code == 200
            assert refresh(issuer, tokens["refresh_token"]).status_code == 200


def test_another_database_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    with run_server(tmp_path / "data", database_url=url) as server:
        login_tokens(server.issuer)
    assert (tmp_path / "elsewhere.db").stat().st_size > 0
    assert not (tmp_path / "data" / "mock-platform.db").exists()


def test_an_in_memory_database_serves_and_logs_requests():
    with run_server(database_url="sqlite://") as server:
        login_tokens(server.issuer)
        logged = server.control.recent_requests(path="/api/oauth/token")
    assert [entry["status"] for entry in logged] == [200]
