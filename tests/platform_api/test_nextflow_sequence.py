"""The calls `nextflow auth login`, `auth config` and `auth logout` make, in their order (contract §1.8-1.11, §3.4)."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime

from .conftest import bearer, login


def decode_token_id(pat: str) -> int:
    """As Nextflow's AuthCommandImpl.decodeTokenId: standard base64, then a JSON parser that reads
    the first object and ignores what follows (Groovy's JsonSlurper)."""
    text = base64.b64decode(pat, validate=True).decode("utf-8")
    document, end = json.JSONDecoder().raw_decode(text)
    assert re.fullmatch(r"\.[0-9a-f]{40}", text[end:]), (
        f"expected .<40 hex> after the JSON, got {text[end:]!r}"
    )
    return document["tid"]


def looks_like_pat_to_tower_client(token: str) -> bool:
    """TowerClient.setupClientAuth: not JWT-shaped, but base64 text whose part before the first `.` is JSON."""
    if token.count(".") == 2:
        return False
    head = base64.b64decode(token).decode("utf-8").split(".", 1)[0]
    return isinstance(json.loads(head), dict)


def test_login_config_and_logout(api, platform):
    access_token = login(platform)["access_token"]
    assert access_token.count(".") == 2, "Nextflow sends Bearer only for JWT-shaped tokens"

    info = api.get("/user-info", headers=bearer(access_token))
    assert info.status_code == 200
    user = info.json()["user"]
    assert (user["id"], user["userName"]) == (1001, "alice")

    name = f"nextflow-auth-alice-{datetime.now():%Y-%m-%d-%H-%M}"
    created = api.post(
        "/tokens",
        data=json.dumps({"name": name}),
        headers={**bearer(access_token), "Content-Type": "application/json; charset=utf-8"},
    )
    assert created.status_code == 200, "Nextflow accepts exactly 200"
    assert created.headers["Cache-Control"] == "no-store"
    pat = created.json()["accessKey"]
    token_id = decode_token_id(pat)
    assert token_id == created.json()["token"]["id"]
    assert looks_like_pat_to_tower_client(pat)

    # auth config, with the PAT read back from seqera-auth.config
    assert api.get("/user-info", headers=bearer(pat)).json()["user"]["id"] == user["id"]
    rows = api.get(f"/user/{user['id']}/workspaces", headers=bearer(pat)).json()["orgsAndWorkspaces"]
    workspace_ids = [row["workspaceId"] for row in rows if row["workspaceId"] is not None]
    assert workspace_ids
    envs = api.get(f"/compute-envs?workspaceId={workspace_ids[0]}", headers=bearer(pat)).json()["computeEnvs"]
    assert any(env["primary"] for env in envs)

    # auth logout: validate, then the PAT deletes itself
    assert api.get("/user-info", headers=bearer(pat)).status_code == 200
    assert api.delete(f"/tokens/{token_id}", headers=bearer(pat)).status_code == 204
    assert api.get("/user-info", headers=bearer(pat)).status_code == 401
    listed = api.get("/tokens", headers=bearer(access_token)).json()["tokens"]
    assert token_id not in [token["id"] for token in listed]


def test_an_endpoint_typed_with_a_trailing_slash(api, platform):
    """`nextflow auth login -url http://host/api/` posts to `.../api//tokens` (contract §1.9)."""
    access_token = login(platform)["access_token"]
    response = api.post(
        platform.issuer + "//tokens",
        json={"name": "trailing-slash"},
        headers={**bearer(access_token), "Host": "elsewhere.example"},
    )
    assert response.status_code == 200
    (hop,) = response.history
    assert hop.status_code == 308
    assert hop.headers["Location"] == platform.issuer + "/tokens"  # the issuer's host, not the Host header
    assert hop.headers["Content-Type"] == "application/json"
    assert "message" in hop.json()
