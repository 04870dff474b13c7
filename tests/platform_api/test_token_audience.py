"""Access tokens are accepted only for the audience the mock issues them to: their own client id, at
userinfo, the Platform API and the Co-Scientist backend alike (issue 18, finding 7)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

from mock_platform.testing import RunningServer
from mock_platform.tokens import ACCESS_TOKEN_TYPE, Subject, access_token_claims, sign, token_row

from ..oidc_flows import login_tokens, refresh
from .conftest import bearer, login

TIMEOUT = 10


def resources(server: RunningServer) -> list[tuple[str, str]]:
    ai = server.base_url + server.settings.ai_path
    return [
        ("GET", f"{server.issuer}/userinfo"),
        ("GET", f"{server.issuer}/user-info"),
        ("POST", f"{server.issuer}/tokens"),
        ("GET", f"{ai}/v1/cli/user-info"),
        ("GET", f"{ai}/v1/cli/organizations"),
    ]


def call(method: str, url: str, token: str) -> requests.Response:
    body = {"name": f"audience-{uuid.uuid4().hex[:8]}"} if method == "POST" else None
    return requests.request(method, url, json=body, headers=bearer(token), timeout=TIMEOUT)


def stored_token(server: RunningServer, aud: Any, client_id: str = "nextflow_cli") -> str:
    """A token signed with the mock's key and recorded as issued, whose `aud` is `aud`: all a
    forgery lacks is the audience."""
    platform = server.platform
    subject = Subject(platform.directory.find_user("alice"), int(platform.now()))
    now = int(platform.now())
    claims = access_token_claims(
        platform, client_id=client_id, subject=subject, scope="openid profile email", now=now, lifetime=600
    )
    token = sign({**claims, "aud": aud}, platform.keyring.signing_key, ACCESS_TOKEN_TYPE)
    platform.store.save_token(
        **token_row(
            platform,
            grant_id=uuid.uuid4().hex,
            client_id=client_id,
            subject=subject,
            scope="openid profile email",
            access_token=token,
            access_expires_at=now + 600.0,
            refresh_token=None,
            issued_at=float(now),
        )
    )
    return token


@pytest.mark.parametrize(
    "aud", ["other-resource", ["other-resource"], "seqera_ai_cli", "platform", [], None, 42, ["x", 7]]
)
def test_a_token_for_another_audience_is_refused_everywhere(mock_platform, aud):
    token = stored_token(mock_platform, aud)

    for method, url in resources(mock_platform):
        response = call(method, url, token)
        assert response.status_code == 401, (url, aud, response.text)


@pytest.mark.parametrize("aud", ["nextflow_cli", ["nextflow_cli"], ["nextflow_cli", "other-resource"]])
def test_a_token_that_names_its_client_is_accepted(mock_platform, aud):
    token = stored_token(mock_platform, aud)

    for method, url in resources(mock_platform):
        assert call(method, url, token).status_code == 200, url


def test_the_control_api_mints_a_foreign_audience_as_a_broken_token(mock_platform):
    minted = mock_platform.control.mint_token("alice", aud="other-resource")

    assert minted["stored"] is False and minted["claims"]["aud"] == "other-resource"
    assert call("GET", f"{mock_platform.issuer}/userinfo", minted["access_token"]).status_code == 401


def test_tokens_of_both_clis_work_everywhere(mock_platform):
    """The Seqera CLI asks for audience=platform, at authorize and at refresh; its tokens name its
    client as the audience, like Nextflow's, and work at every resource."""
    nextflow = login(mock_platform)["access_token"]
    seqera = login_tokens(
        mock_platform.issuer,
        login_hint="alice",
        client_id="seqera_ai_cli",
        redirect_uri="http://127.0.0.1:53682/callback",
        audience="platform",
    )
    refreshed = refresh(
        mock_platform.issuer,
        seqera["refresh_token"],
        client_id="seqera_ai_cli",
        audience="platform",
        scope="openid profile email offline_access",
    )

    assert refreshed.status_code == 200, refreshed.text
    for token in (nextflow, seqera["access_token"], refreshed.json()["access_token"]):
        for method, url in resources(mock_platform):
            assert call(method, url, token).status_code == 200, url
