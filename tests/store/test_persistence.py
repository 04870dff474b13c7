"""State lives in the data dir: it survives restarts and is shared by every worker process."""

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
