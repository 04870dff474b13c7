"""What `seqera info` and `seqera login` read from the backend, and the credential check it shares
with the Platform API: access tokens of both CLI clients and PATs; expired or revoked ones are 401."""

from __future__ import annotations

import pytest
import requests

from mock_platform.app import create_app
from mock_platform.settings import Settings

from ..oidc_flows import endpoint
from ..platform_api.conftest import advance_clock, basic
from .conftest import ACME, bearer, login


@pytest.fixture(scope="module")
def seqera_cli(platform):
    return {user: bearer(login(platform, user, "seqera_ai_cli")["access_token"]) for user in ("alice", "bob")}


def test_organizations_with_a_seqera_ai_cli_token(api, seqera_cli):
    response = api.get(api.ai("/v1/cli/organizations"), headers=seqera_cli["alice"])
    assert response.status_code == 200
    assert response.json() == {"organizations": [{"org_id": ACME, "org_name": "acme", "org_type": "pro"}]}
    bob = api.get(api.ai("/v1/cli/organizations"), headers=seqera_cli["bob"]).json()["organizations"]
    assert [(org["org_name"], org["org_type"]) for org in bob] == [("acme", "pro"), ("beta-labs", "academic")]


@pytest.mark.parametrize("path", ["", "/"])
def test_backend_root_names_its_version_and_platform(api, platform, path):
    """`seqera info` reads `version` and `platform_url` from `GET {backend}/`, with or without the slash."""
    response = api.get(api.ai(path), allow_redirects=False)
    assert response.status_code == 200
    info = response.json()
    assert info["status"] == "ok"
    assert info["version"].endswith("-mock")
    assert (info["platform_url"], info["platform_api_url"]) == (platform.base_url, platform.issuer)


def test_service_info_is_platforms_shape(api):
    """`seqera info` reads `serviceInfo.version` and `serviceInfo.apiVersion`: Platform's own answer."""
    backend = api.get(api.ai("/v1/cli/service-info")).json()
    assert backend == api.get("/service-info").json()
    assert backend["serviceInfo"]["version"] and backend["serviceInfo"]["apiVersion"]


def test_user_info_is_platforms_shape(api, seqera_cli):
    """`seqera info` reads `user.firstName`, `lastName`, `userName` and `email`."""
    backend = api.get(api.ai("/v1/cli/user-info"), headers=seqera_cli["bob"]).json()
    assert backend == api.get("/user-info", headers=seqera_cli["bob"]).json()
    user = backend["user"]
    assert (user["firstName"], user["lastName"], user["userName"], user["email"]) == (
        "Bob",
        "Builder",
        "bob",
        "bob@example.com",
    )


def test_every_credential_the_clis_hold_is_accepted(api, platform):
    """An access token of either client, a PAT (SEQERA_ACCESS_TOKEN / TOWER_ACCESS_TOKEN), Basic @token:."""
    nextflow = login(platform, "alice", "nextflow_cli")["access_token"]
    seqera = login(platform, "alice", "seqera_ai_cli")["access_token"]
    pat = api.post("/tokens", json={"name": "co-scientist"}, headers=bearer(nextflow)).json()["accessKey"]
    for headers in (bearer(nextflow), bearer(seqera), bearer(pat), basic(pat)):
        response = api.post(api.ai("/v1/cli/sessions"), json={"cwd": "/work"}, headers=headers)
        assert response.status_code == 200, response.text
        assert api.get(api.ai("/v1/cli/user-info"), headers=headers).json()["user"]["userName"] == "alice"


def test_expired_revoked_and_missing_credentials_are_refused(start_platform, session_for):
    server = start_platform(access_token_lifetime=600)
    api = session_for(server)
    expiring = login(server, "alice", "seqera_ai_cli")["access_token"]
    revoked = login(server, "alice", "seqera_ai_cli")["access_token"]
    revocation = requests.post(
        endpoint(server.issuer, "revoke"), data={"token": revoked, "client_id": "seqera_ai_cli"}, timeout=10
    )
    assert revocation.status_code == 200
    advance_clock(server, 601)
    for headers in (bearer(expiring), bearer(revoked), {}, {"Authorization": "Bearer garbage"}):
        for method, path in (
            ("POST", "/v1/cli/sessions"),
            ("GET", "/v1/cli/sessions"),
            ("GET", "/v1/cli/credits"),
        ):
            response = api.request(method, api.ai(path), json={"cwd": "/work"}, headers=headers)
            assert response.status_code == 401, (method, path, headers)
            assert response.json()["message"]
            assert response.headers["WWW-Authenticate"].startswith("Bearer ")


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
    created = api.post(server.base_url + "/co-scientist/v1/cli/sessions", json={"cwd": "/w"}, headers=token)
    listed = api.get(server.base_url + "/v1/cli/sessions", headers=token).json()["sessions"]
    assert [session["id"] for session in listed] == [created.json()["id"]]


def test_backend_at_the_server_root(start_platform, session_for):
    """With `ai_path` empty the backend is the root, and the session list is served once."""
    server = start_platform(ai_path="")
    api = session_for(server)
    token = bearer(login(server, "alice", "seqera_ai_cli")["access_token"])
    created = api.post(server.base_url + "/v1/cli/sessions", json={"cwd": "/w"}, headers=token).json()
    listed = api.get(server.base_url + "/v1/cli/sessions", headers=token).json()["sessions"]
    assert [session["id"] for session in listed] == [created["id"]]
    assert api.get(server.base_url + "/").json()["platform_url"] == server.base_url


def test_behind_a_proxy_under_a_sub_path(tmp_path):
    """The CLI asks the session list at the host's root: the document says so, and the mock answers it."""
    app = create_app(Settings(data_dir=tmp_path, base_url="https://platform.example.com/sub"))
    client = app.test_client()
    document = client.get("/sub/api/openapi.json").json
    assert (
        document["paths"]["/v1/cli/organizations"]["servers"][0]["url"]
        == "https://platform.example.com/sub/ai"
    )
    session_list = document["paths"]["/v1/cli/sessions"]["get"]["servers"]
    assert [server["url"] for server in session_list] == [
        "https://platform.example.com/sub/ai",
        "https://platform.example.com",
    ]
    assert client.get("/sub/ai/").json["platform_url"] == "https://platform.example.com/sub"
    assert client.get("/v1/cli/sessions").status_code == 401, (
        "served at the root, behind the credential check"
    )
