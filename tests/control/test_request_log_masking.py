"""The request log masks secrets whatever their names' case or spelling, and credentials whatever
their field's name, and keeps harmless fields in clear (issue 18, finding 8)."""

from __future__ import annotations

import json

import requests

from .helpers import create_pat

TIMEOUT = 10
SECRET = "do-not-log-this-value-1234"
MASKED = f"*** ({len(SECRET)} chars)"


def last_entry(mock_platform, path: str, method: str = "POST") -> dict:
    return mock_platform.control.recent_requests(path=path, method=method)[-1]


def test_secret_field_names_are_masked_in_any_case_and_spelling(mock_platform):
    form = {
        "PASSWORD": SECRET, "Code": SECRET, "access-token": SECRET, "Client_Secret": SECRET,
        "registration_access_token": SECRET, "X-Api-Key": SECRET, "id_token_hint": SECRET,
        "Code_Verifier": SECRET, "grant_type": "authorization_code", "token_type_hint": "refresh_token",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method": "S256",
        "state": "visible-state", "redirect_uri": "http://127.0.0.1:41121/callback",
    }  # fmt: skip
    requests.post(f"{mock_platform.issuer}/oauth/token", data=form, timeout=TIMEOUT)
    requests.get(
        f"{mock_platform.issuer}/user-info", params={"apikey": SECRET, "Token": SECRET}, timeout=TIMEOUT
    )

    logged = last_entry(mock_platform, "/api/oauth/token")
    query = last_entry(mock_platform, "/api/user-info", "GET")["query"]

    assert SECRET not in json.dumps(mock_platform.control.recent_requests())
    assert list(logged["form"]) == list(form)  # every name kept, in order
    for name in ("PASSWORD", "Code", "access-token", "Client_Secret", "registration_access_token",
                 "X-Api-Key", "id_token_hint", "Code_Verifier"):  # fmt: skip
        assert logged["form"][name] == MASKED, name
    for name in (
        "grant_type",
        "token_type_hint",
        "code_challenge",
        "code_challenge_method",
        "state",
        "redirect_uri",
    ):
        assert logged["form"][name] == form[name], name
    assert query == {"apikey": MASKED, "Token": MASKED}


def test_json_fields_are_masked_at_any_depth_and_in_any_case(mock_platform, oidc_login):
    access_token = oidc_login()["access_token"]
    body = {"name": "ci", "Token": SECRET, "nested": [{"Refresh-Token": SECRET, "exit_code": 3}]}
    requests.post(
        f"{mock_platform.issuer}/tokens",
        json=body,
        headers={"Authorization": f"Bearer {access_token}"},
        timeout=TIMEOUT,
    )

    logged = last_entry(mock_platform, "/api/tokens")["json"]

    assert logged == {"name": "ci", "Token": MASKED, "nested": [{"Refresh-Token": MASKED, "exit_code": 3}]}


def test_a_credential_under_a_harmless_name_is_masked_as_what_it_is(mock_platform, oidc_login):
    access_token = oidc_login()["access_token"]
    pat = create_pat(mock_platform, access_token, "ci")
    requests.get(f"{mock_platform.issuer}/user-info", params={"jwt": access_token, "q": pat}, timeout=TIMEOUT)
    requests.post(f"{mock_platform.issuer}/oauth/revoke", json={"note": access_token}, timeout=TIMEOUT)

    query = last_entry(mock_platform, "/api/user-info", "GET")["query"]
    note = last_entry(mock_platform, "/api/oauth/revoke")["json"]["note"]

    assert query["jwt"] == note == f"*** (JWT, {len(access_token)} chars)"
    assert query["q"].startswith("*** (personal access token, tid=")
    assert access_token not in json.dumps(mock_platform.control.recent_requests())
