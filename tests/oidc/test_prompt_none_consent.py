"""prompt=none never shows a page: a third-party client, whose consent the mock always asks for,
gets consent_required at its redirect_uri (OIDC Core §3.1.2.1; issue 18, finding 9)."""

from __future__ import annotations

import pytest
import requests

from mock_platform.testing import run_server
from tests.oidc_flows import authorize, password_sign_in, redirect_params

THIRD_PARTY = {
    "client-id": "third_party_app",
    "redirect-uris": ["http://127.0.0.1/callback"],
    "third-party": True,
}
REDIRECT_URI = "http://127.0.0.1:41121/callback"


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    with run_server(tmp_path_factory.mktemp("consent"), clients=[THIRD_PARTY]) as server:
        yield server


def test_prompt_none_with_a_signed_in_user_answers_consent_required(platform):
    response = authorize(
        platform.issuer, client_id="third_party_app", login_hint="alice", prompt="none", state="s-1"
    )

    assert response.headers["Location"].startswith(REDIRECT_URI)
    params = redirect_params(response)
    assert params["error"] == "consent_required" and params["state"] == "s-1"
    assert "code" not in params


def test_prompt_none_with_a_browser_session_answers_consent_required(platform):
    with requests.Session() as browser:
        consent = password_sign_in(platform.issuer, browser, "alice", client_id="third_party_app")
        assert consent.status_code == 200 and 'value="allow"' in consent.text  # the consent page
        response = authorize(
            platform.issuer, browser, client_id="third_party_app", login_hint=None, prompt="none"
        )

    assert redirect_params(response)["error"] == "consent_required"


def test_without_prompt_none_the_consent_page_is_still_shown(platform):
    response = authorize(platform.issuer, client_id="third_party_app", login_hint="alice")

    assert response.status_code == 200 and 'value="allow"' in response.text
