"""GET /_mock/requests decodes the JWTs a request carried (header and claims, never the signature),
wherever they were: Authorization (Bearer or Basic @token), query and form fields."""

from __future__ import annotations

import base64
import json

import requests


def b64(document: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")


def logged(mock_platform, path: str, method: str) -> dict:
    [entry] = mock_platform.control.recent_requests(path=path, method=method)
    return entry


def test_an_access_token_in_authorization_is_logged_as_its_claims(mock_platform, oidc_login):
    tokens = oidc_login(user="bob")
    basic = base64.b64encode(f"@token:{tokens['access_token']}".encode()).decode()
    requests.get(f"{mock_platform.issuer}/user-info", headers={"Authorization": f"Basic {basic}"}, timeout=10)
    entry = logged(mock_platform, "/api/user-info", "GET")
    [jwt] = entry["jwts"]
    assert jwt["in"] == "Authorization"
    assert jwt["header"]["alg"] == "RS256" and jwt["header"]["typ"] == "at+jwt"
    assert jwt["claims"]["sub"] == "1002"
    assert jwt["claims"]["iss"] == mock_platform.issuer
    text = json.dumps(mock_platform.control.recent_requests())
    assert tokens["access_token"] not in text
    assert tokens["access_token"].rsplit(".", 1)[1] not in text  # no signature: nothing to replay


def test_form_and_query_fields_holding_jwts_are_decoded_and_their_secrets_masked(mock_platform, oidc_login):
    tokens = oidc_login()
    requests.post(
        f"{mock_platform.issuer}/oauth/revoke",
        data={"token": tokens["access_token"], "client_id": "nextflow_cli"},
        timeout=10,
    )
    [jwt] = logged(mock_platform, "/api/oauth/revoke", "POST")["jwts"]
    assert jwt["in"] == "form token" and jwt["claims"]["client_id"] == "nextflow_cli"

    hint = f"{b64({'alg': 'none'})}.{b64({'sub': '1', 'password': 'hunter2-in-a-claim'})}.sig"
    requests.get(f"{mock_platform.issuer}/oauth/logout", params={"id_token_hint": hint}, timeout=10)
    [jwt] = logged(mock_platform, "/api/oauth/logout", "GET")["jwts"]
    assert jwt["in"] == "query id_token_hint"
    assert jwt["claims"] == {"sub": "1", "password": "*** (18 chars)"}


def test_values_that_only_look_like_jwts_are_left_alone(mock_platform):
    too_deep_to_parse = '{"a": ' + "[" * 5000 + "]" * 5000 + "}"
    too_deep_to_show = '{"a": ' + "[" * 20 + "]" * 20 + "}"
    for value in (
        f"{b64({'alg': 'RS256'})}.{base64.urlsafe_b64encode(too_deep_to_parse.encode()).decode()}.x",
        f"{b64({'alg': 'RS256'})}.{base64.urlsafe_b64encode(too_deep_to_show.encode()).decode()}.x",
        f"{b64({'alg': 'RS256'})}.{b64(['not', 'an', 'object'])}.x",
        f"{b64({'typ': 'no alg'})}.{b64({'sub': '1'})}.x",
        "a.b.c",
        "é.é.é",
    ):
        response = requests.get(f"{mock_platform.issuer}/userinfo", params={"x": value}, timeout=10)
        assert response.status_code == 401
    entries = mock_platform.control.recent_requests(path="/api/userinfo")
    assert len(entries) == 6
    assert all("jwts" not in entry for entry in entries)
