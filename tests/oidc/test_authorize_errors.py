"""Authorize errors: never redirect to an unregistered URI; redirect the rest with error + state."""

from __future__ import annotations

from urllib.parse import quote

import pytest
import requests

from tests.oidc_flows import authorize, authorize_params, endpoint, redirect_params

# Only what the conformance suite does not send: AUTHZ-13..16, -19, -20 and -21 refuse the attacker
# hosts, loopback look-alikes, authority tricks, https, an added query, a fragment and no redirect_uri.
NEVER_REDIRECTED = [
    "http://localhost:41121/callback",
    "http://[::1]:41121/callback",
    "http://127.0.0.1:99999/callback",
    "http://127.0.0.1:41121\\callback",
    "javascript:alert(1)//127.0.0.1",
    "//attacker.example/callback",
]


def assert_error_page(response: requests.Response) -> None:
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("redirect_uri", NEVER_REDIRECTED)
def test_unregistered_redirect_uris_get_an_error_page(live_platform, redirect_uri):
    assert_error_page(authorize(live_platform.issuer, redirect_uri=redirect_uri))


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://127.0.0.1:1/callback",
        "http://127.0.0.1:65535/callback",
        "http://127.0.0.1/callback",
        "http://127.0.0.1:41121/",
        "http://127.0.0.1:41121/other/path",
    ],
)
def test_nextflow_cli_loopback_registration_accepts_any_port_and_path(live_platform, redirect_uri):
    response = authorize(live_platform.issuer, redirect_uri=redirect_uri)
    assert response.headers["Location"].startswith(redirect_uri + "?code=")


def test_seqera_ai_cli_registration_requires_the_callback_path(live_platform):
    ok = authorize(
        live_platform.issuer, client_id="seqera_ai_cli", redirect_uri="http://127.0.0.1:53690/callback"
    )
    assert "code" in redirect_params(ok)
    assert_error_page(
        authorize(
            live_platform.issuer, client_id="seqera_ai_cli", redirect_uri="http://127.0.0.1:53690/other"
        )
    )


def test_an_empty_client_id_gets_an_error_page(live_platform):
    assert_error_page(authorize(live_platform.issuer, client_id=""))  # missing, unknown: AUTHZ-23, -22


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"response_type": "code id_token"}, "unsupported_response_type"),
        ({"response_type": None}, "unsupported_response_type"),
        ({"scope": None}, "invalid_scope"),
        ({"prompt": "none", "login_hint": None}, "login_required"),
        ({"prompt": "none login"}, "invalid_request"),
        ({"max_age": "soon"}, "invalid_request"),
    ],
)
def test_other_errors_redirect_with_state(live_platform, changes, error):
    query = redirect_params(authorize(live_platform.issuer, state="keep me", **changes))
    assert query["error"] == error
    assert query["state"] == "keep me"
    assert "code" not in query
    if error != "login_required":  # the CLIs print error_description when there is one
        assert query.get("error_description"), query


def test_unknown_scopes_are_dropped_from_the_grant(live_platform):
    from tests.oidc_flows import login_tokens

    tokens = login_tokens(live_platform.issuer, scope="openid admin email")
    assert tokens["scope"] == "openid email"


def test_error_page_escapes_reflected_input(live_platform):
    response = authorize(live_platform.issuer, client_id="<script>alert(1)</script>")
    assert_error_page(response)
    assert "<script>alert(1)" not in response.text


def test_no_session_and_no_hint_shows_the_login_page(live_platform):
    response = authorize(live_platform.issuer, login_hint=None, state="<b>state</b>")
    assert response.status_code == 200
    assert 'id="login-form"' in response.text
    assert "<b>state</b>" not in response.text and "&lt;b&gt;state&lt;/b&gt;" in response.text
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "Access-Control-Allow-Origin" not in response.headers


def test_login_hint_for_an_unknown_user_shows_the_login_page(live_platform):
    response = authorize(live_platform.issuer, login_hint=quote("nobody@example.com"))
    assert response.status_code == 200 and 'id="login-form"' in response.text


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "http://127.0.0.1:3000"}, {"Sec-Fetch-Site": "cross-site"}],
    ids=["origin", "fetch-metadata"],
)
def test_a_form_post_from_another_page_signs_nobody_in(live_platform, headers):
    """Every port of 127.0.0.1 is one site to a browser: SameSite alone would let a local page post here."""
    form = {**authorize_params(), "action": "allow"}
    response = requests.post(
        endpoint(live_platform.issuer, "authorize"),
        data=form,
        headers=headers,
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 403
    assert "Location" not in response.headers and "Set-Cookie" not in response.headers
    assert "posted from another site" in response.text

    same_page = requests.post(
        endpoint(live_platform.issuer, "authorize"),
        data=form,
        headers={"Origin": live_platform.base_url},
        allow_redirects=False,
        timeout=10,
    )
    assert same_page.status_code == 303
