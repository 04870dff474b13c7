"""MOCK_PLATFORM_CONTROL_TOKEN: on a shared mock every /_mock/ call needs `Authorization: Bearer <token>`."""

from __future__ import annotations

import pytest
import requests

from mock_platform.errors import ConfigError
from mock_platform.settings import Settings
from mock_platform.testing import ControlClient, ControlError, run_server

TOKEN = "shared-control-token-0123456789"
TIMEOUT = 10


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    with run_server(tmp_path_factory.mktemp("guarded"), control_token=TOKEN) as server:
        yield server


@pytest.mark.parametrize(
    ("headers", "problem"),
    [
        ({}, "sends no Bearer token"),
        ({"Authorization": "Bearer not-the-token-of-this-server"}, "sends a token that is not this server's"),
        ({"Authorization": f"Basic {TOKEN}"}, "sends no Bearer token"),
        ({"Authorization": f"Bearer {TOKEN}x"}, "sends a token that is not this server's"),
    ],
    ids=["none", "wrong", "basic", "longer"],
)
@pytest.mark.parametrize(("method", "path"), [("GET", "/users"), ("POST", "/reset"), ("GET", "/")])
def test_a_call_without_the_token_is_refused_with_401(guarded, headers, problem, method, path):
    response = requests.request(method, f"{guarded.base_url}/_mock{path}", headers=headers, timeout=TIMEOUT)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="mock-platform control API"'
    message = response.json()["message"]
    assert problem in message and "MOCK_PLATFORM_CONTROL_TOKEN" in message
    assert TOKEN not in response.text


def test_the_token_opens_every_endpoint_and_the_running_server_sends_it(guarded):
    response = requests.get(
        f"{guarded.base_url}/_mock/clock", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=TIMEOUT
    )
    assert response.status_code == 200
    assert [user["userName"] for user in guarded.control.users()][:1] == ["alice"]
    guarded.control.create_user("erin")
    assert guarded.control.user("erin")["email"] == "erin@example.com"
    with pytest.raises(ControlError) as refused:
        ControlClient(guarded.base_url).users()
    assert refused.value.status == 401


def test_the_rest_of_the_mock_does_not_ask_for_it(guarded):
    assert (
        requests.get(f"{guarded.issuer}/.well-known/openid-configuration", timeout=TIMEOUT).status_code == 200
    )
    assert requests.get(f"{guarded.base_url}/healthz", timeout=TIMEOUT).status_code == 200


@pytest.mark.parametrize("token", ["short", "has a space in the middle of it", "x" * 201])
def test_a_weak_or_malformed_token_is_a_config_error(token):
    with pytest.raises(ConfigError, match="control_token: must be 16 to 200 printable characters"):
        Settings(control_token=token)
