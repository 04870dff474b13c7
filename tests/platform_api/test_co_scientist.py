"""The Co-Scientist backend endpoints of the Seqera CLI, under `ai_path`."""

from __future__ import annotations

import pytest

from .conftest import bearer, login


@pytest.fixture(scope="module")
def seqera_cli(platform):
    return {user: bearer(login(platform, user, "seqera_ai_cli")["access_token"]) for user in ("alice", "bob")}


def test_organizations_with_a_seqera_ai_cli_token(api, seqera_cli):
    response = api.get(api.ai("/v1/cli/organizations"), headers=seqera_cli["alice"])
    assert response.status_code == 200
    assert response.json() == {
        "organizations": [{"org_id": 81702924135038, "org_name": "acme", "org_type": "pro"}]
    }
    bob = api.get(api.ai("/v1/cli/organizations"), headers=seqera_cli["bob"]).json()["organizations"]
    assert [(org["org_name"], org["org_type"]) for org in bob] == [("acme", "pro"), ("beta-labs", "academic")]


def test_user_info_and_service_info(api, platform, seqera_cli):
    user = api.get(api.ai("/v1/cli/user-info"), headers=seqera_cli["bob"]).json()
    assert (user["user_id"], user["user_name"]) == (1002, "bob")
    info = api.get(api.ai("/v1/cli/service-info")).json()
    assert info["platform_api_url"] == platform.issuer


@pytest.mark.parametrize("path", ["", "/"])
def test_health(api, path):
    response = api.get(api.ai(path), allow_redirects=False)
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_credentials_are_checked(api):
    for headers in ({}, {"Authorization": "Bearer garbage"}):
        response = api.get(api.ai("/v1/cli/organizations"), headers=headers)
        assert response.status_code == 401
        assert response.json()["message"]


def test_unknown_path_is_json_404(api):
    response = api.get(api.ai("/v1/cli/nothing-here"))
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"


def test_cloud_shaped_paths(start_platform, session_for):
    """API at the root (api.cloud.seqera.io style) and the backend under another prefix."""
    server = start_platform(api_path="", ai_path="/co-scientist")
    api = session_for(server)
    assert api.checker.document["servers"][0]["url"] == server.base_url
    token = bearer(login(server, "alice", "seqera_ai_cli")["access_token"])
    assert api.get(server.base_url + "/co-scientist/v1/cli/organizations", headers=token).status_code == 200
    assert api.get(server.base_url + "/user-info", headers=token).status_code == 200
    assert api.get(server.base_url + "/ai/v1/cli/organizations", headers=token).status_code == 404
