"""Organizations, workspaces, compute environments and service-info, seen by each seed user."""

from __future__ import annotations

import pytest

from .conftest import bearer, login

GENOMICS, IMAGING, RESEARCH = 75887156211589, 75887156211590, 89712300011001


@pytest.fixture(scope="module")
def users(platform):
    return {name: bearer(login(platform, name)["access_token"]) for name in ("alice", "bob", "carol")}


def test_user_info_shape(api, users):
    body = api.get("/user-info", headers=users["alice"]).json()
    assert body["needConsent"] is False
    assert body["defaultWorkspaceId"] == GENOMICS
    assert body["user"]["email"] == "alice@example.com"
    assert api.get("/user-info", headers=users["bob"]).json()["defaultWorkspaceId"] is None


@pytest.mark.parametrize(
    ("user", "expected"),
    [("alice", [("acme", "owner")]), ("bob", [("acme", "member"), ("beta-labs", "owner")]), ("carol", [])],
)
def test_orgs(api, users, user, expected):
    body = api.get("/orgs", headers=users[user]).json()
    assert [(org["name"], org["memberRole"]) for org in body["organizations"]] == expected
    assert body["totalSize"] == len(expected)


def test_orgs_role_filter(api, users):
    owned = api.get("/orgs?role=owner", headers=users["bob"]).json()["organizations"]
    assert [org["name"] for org in owned] == ["beta-labs"]
    response = api.get("/orgs?role=king", headers=users["bob"])
    assert response.status_code == 400
    assert "owner, member, collaborator" in response.json()["message"]


def test_workspaces_rows(api, users):
    rows = api.get("/user/1001/workspaces", headers=users["alice"]).json()["orgsAndWorkspaces"]
    assert [(row["orgName"], row["workspaceId"]) for row in rows] == [
        ("acme", None),
        ("acme", GENOMICS),
        ("acme", IMAGING),
    ]
    genomics = rows[1]
    assert (genomics["workspaceFullName"], genomics["visibility"], genomics["roles"]) == (
        "Genomics Lab",
        "PRIVATE",
        ["owner"],
    )
    bob_rows = api.get("/user/1002/workspaces", headers=users["bob"]).json()["orgsAndWorkspaces"]
    assert [row["workspaceId"] for row in bob_rows if row["orgName"] == "acme"] == [None, GENOMICS]
    assert api.get("/user/1003/workspaces", headers=users["carol"]).json() == {"orgsAndWorkspaces": []}


@pytest.mark.parametrize("other", [1002, 1003, 424242])
def test_another_users_workspaces_are_403(api, users, other):
    response = api.get(f"/user/{other}/workspaces", headers=users["alice"])
    assert response.status_code == 403
    assert "/user/1001/workspaces" in response.json()["message"]


def test_compute_envs(api, users):
    personal = api.get("/compute-envs", headers=users["alice"]).json()["computeEnvs"]
    assert [env["name"] for env in personal] == ["alice-local"]
    assert api.get("/compute-envs", headers=users["bob"]).json() == {"computeEnvs": []}
    shared = api.get(f"/compute-envs?workspaceId={GENOMICS}", headers=users["bob"]).json()["computeEnvs"]
    assert [(env["name"], env["workDir"], env["primary"], env["workspaceName"]) for env in shared] == [
        ("aws-batch-genomics", "s3://acme-genomics/work", True, "genomics")
    ]


@pytest.mark.parametrize(("user", "workspace"), [("bob", IMAGING), ("alice", RESEARCH), ("alice", 1)])
def test_compute_envs_of_a_workspace_you_are_not_in_are_403(api, users, user, workspace):
    response = api.get(f"/compute-envs?workspaceId={workspace}", headers=users[user])
    assert response.status_code == 403
    assert "/workspaces" in response.json()["message"]


@pytest.mark.parametrize("workspace", ["abc", "0", "-1", "1.5", str(2**64), "١٢"])
def test_a_workspace_id_that_is_not_one_is_400(api, users, workspace):
    response = api.get("/compute-envs", params={"workspaceId": workspace}, headers=users["alice"])
    assert response.status_code == 400
    assert "personal workspace" in response.json()["message"]


def test_compute_env_detail(api, users):
    detail = api.get(f"/compute-envs/4G3n0m1csAwsBatch?workspaceId={GENOMICS}", headers=users["alice"]).json()
    env = detail["computeEnv"]
    assert (env["config"]["workDir"], env["workspaceId"], env["orgId"]) == (
        "s3://acme-genomics/work",
        GENOMICS,
        81702924135038,
    )
    personal = api.get("/compute-envs/1aLiCePeRs0nAlCe", headers=users["alice"]).json()["computeEnv"]
    assert (personal["name"], personal["workspaceId"]) == ("alice-local", None)


@pytest.mark.parametrize(
    "path",
    [
        "/compute-envs/nope",
        "/compute-envs/1aLiCePeRs0nAlCe?workspaceId=75887156211589",
        "/compute-envs/4G3n0m1csAwsBatch",
    ],
)
def test_unknown_compute_env_is_404(api, users, path):
    response = api.get(path, headers=users["alice"])
    assert response.status_code == 404
    assert "GET /compute-envs" in response.json()["message"]


def test_service_info_needs_no_credentials(api):
    for headers in ({}, {"Authorization": "Bearer garbage"}):
        response = api.get("/service-info", headers=headers)
        assert response.status_code == 200
        assert response.json()["serviceInfo"]["apiVersion"]


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/no-such-thing"), ("PUT", "/user-info"), ("POST", "/orgs")]
)
def test_unknown_paths_and_methods_answer_json(api, users, method, path):
    response = api.request(method, path, headers=users["alice"])
    assert response.status_code in (404, 405)
    assert response.headers["Content-Type"] == "application/json"
