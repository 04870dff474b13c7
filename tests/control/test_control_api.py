"""The control API as a whole: off switch, index, key rotation and reset."""

from __future__ import annotations

import pytest
import requests

from .helpers import control, published_keys, verified_claims

CONTROL_PATHS = [
    "/",
    "/faults",
    "/identity",
    "/tokens",
    "/clock",
    "/keys/rotate",
    "/users",
    "/clients",
    "/requests",
    "/reset",
]


@pytest.mark.settings(control_api=False)
def test_with_the_control_api_off_every_path_is_404(mock_platform):
    for path in CONTROL_PATHS:
        for method in ("GET", "POST"):
            response = control(mock_platform, method, path, {"endpoint": "token", "status": 500})
            assert (path, response.status_code) == (path, 404)
            assert response.headers["Content-Type"] == "application/json"
    assert requests.get(f"{mock_platform.issuer}/.well-known/jwks.json", timeout=10).status_code == 200


def test_the_index_lists_every_endpoint(mock_platform):
    endpoints = mock_platform.control.call("GET", "/")["endpoints"]

    assert "POST /_mock/faults" in endpoints and "PUT /_mock/users/<user_name>" in endpoints
    assert all(description for description in endpoints.values())


def test_rotated_keys_sign_new_tokens_while_old_ones_still_verify(mock_platform, oidc_login):
    old = oidc_login()
    old_kid = published_keys(mock_platform).keys[0].kid

    rotated = mock_platform.control.rotate_keys()
    new = mock_platform.control.mint_token("alice", id_token=True)

    assert rotated["published"][0] == rotated["kid"] != old_kid and old_kid in rotated["published"]
    assert verified_claims(mock_platform, new["id_token"])["sub"] == "1001"
    assert verified_claims(mock_platform, old["id_token"])["sub"] == "1001"
    assert [key.kid for key in published_keys(mock_platform).keys] == rotated["published"]


def test_reset_restores_the_seed(mock_platform):
    control_client = mock_platform.control
    control_client.create_user("dave")
    control_client.register_client({"client-id": "tmp_cli", "redirect-uris": ["http://127.0.0.1"]})
    control_client.add_fault("token", status=500, count="unlimited")
    control_client.queue_identity("bob")
    control_client.advance_clock("1h")
    requests.get(f"{mock_platform.issuer}/.well-known/jwks.json", timeout=10)

    control_client.reset()

    assert [user["userName"] for user in control_client.users()] == ["alice", "bob", "carol"]
    assert "tmp_cli" not in [client["client-id"] for client in control_client.clients()]
    assert control_client.faults() == [] and control_client.identities() == []
    assert control_client.clock()["offset"] == 0
    assert control_client.recent_requests() == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Host": "rebound.attacker.example"},
    ],
    ids=["other-site", "opaque-origin", "fetch-metadata", "dns-rebinding"],
)
def test_web_pages_cannot_drive_the_control_api(mock_platform, headers):
    port = mock_platform.base_url.rsplit(":", 1)[1]
    headers = {
        key: value.replace("example", f"example:{port}") if key == "Host" else value
        for key, value in headers.items()
    }
    # a "simple" request a page may send without a CORS preflight
    response = requests.post(
        f"{mock_platform.base_url}/_mock/faults",
        data='{"endpoint": "token", "status": 503}',
        headers={"Content-Type": "text/plain", **headers},
        timeout=10,
    )

    assert response.status_code == 403
    assert "control API" in response.json()["message"]
    assert mock_platform.control.faults() == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "platform", "[::1]", "172.18.0.2"])
def test_programs_reach_the_control_api_under_names_no_attacker_can_rebind(mock_platform, host):
    port = mock_platform.base_url.rsplit(":", 1)[1]
    response = requests.get(
        f"{mock_platform.base_url}/_mock/clock", headers={"Host": f"{host}:{port}"}, timeout=10
    )
    assert response.status_code == 200, response.text


def test_an_injected_html_fault_keeps_the_security_headers(mock_platform):
    mock_platform.control.add_fault(
        "/service-info", status=200, body="<p>fault</p>", content_type="text/html",
        headers={"Content-Security-Policy": "default-src *"},
    )  # fmt: skip
    response = requests.get(f"{mock_platform.issuer}/service-info", timeout=10)
    assert response.text == "<p>fault</p>"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
