from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from client import LoginError, login
from client.flow import build_authorize_url
from client.pkce import compute_challenge

TOKENS = {"access_token": "a.b.c", "refresh_token": "rt", "expires_in": 3600, "token_type": "Bearer"}
COMMON = {
    "client_id": "nextflow_cli",
    "scope": "openid profile email offline_access",
    "redirect_uri": "http://127.0.0.1:41121/callback",
    "state": "bZsttV3TfmPkBE0-fIhWsg",
    "code_challenge": "LYxvIcM",
}


def test_nextflow_authorize_url_order_and_form_encoding():
    assert build_authorize_url("https://h/api/oauth/authorize", **COMMON) == (
        "https://h/api/oauth/authorize?client_id=nextflow_cli&response_type=code"
        "&scope=openid+profile+email+offline_access"
        "&redirect_uri=http%3A%2F%2F127.0.0.1%3A41121%2Fcallback"
        "&state=bZsttV3TfmPkBE0-fIhWsg&code_challenge=LYxvIcM&code_challenge_method=S256"
    )


def test_seqera_authorize_url_puts_audience_second_and_scope_before_response_type():
    url = build_authorize_url(
        "https://h/authorize", **{**COMMON, "client_id": "seqera_ai_cli"}, audience="platform"
    )
    assert url == (
        "https://h/authorize?client_id=seqera_ai_cli&audience=platform"
        "&scope=openid+profile+email+offline_access&response_type=code"
        "&redirect_uri=http%3A%2F%2F127.0.0.1%3A41121%2Fcallback"
        "&state=bZsttV3TfmPkBE0-fIhWsg&code_challenge=LYxvIcM&code_challenge_method=S256"
    )


def test_extra_params_come_last():
    url = build_authorize_url(
        "https://h/authorize", **COMMON, extra_params={"login_hint": "alice@example.com"}
    )
    assert url.endswith("&code_challenge_method=S256&login_hint=alice%40example.com")


def test_login_runs_discovery_pkce_callback_and_exchange(provider, approve):
    provider.on("POST", "/api/token", body=TOKENS)
    seen: list[str] = []
    assert login(f"{provider.url}/api", "nextflow_cli", approve("the-code", seen)) == TOKENS

    (url,) = seen
    assert url.startswith(f"{provider.url}/api/authorize?client_id=nextflow_cli&response_type=code&")
    authorize = dict(parse_qsl(urlsplit(url).query))
    exchange = dict(parse_qsl(provider.hits_to("POST", "/api/token")[0].body))
    assert exchange["code"] == "the-code"
    assert exchange["redirect_uri"] == authorize["redirect_uri"]
    assert compute_challenge(exchange["code_verifier"]) == authorize["code_challenge"]
    with pytest.raises(requests.ConnectionError):
        requests.get(authorize["redirect_uri"], timeout=2)


def test_the_callback_server_is_stopped_when_the_exchange_fails(provider, approve):
    provider.on("POST", "/api/token", status=400, body='{"error":"invalid_grant"}')
    seen: list[str] = []
    with pytest.raises(LoginError, match=r"^Token exchange failed \(HTTP 400\)"):
        login(f"{provider.url}/api", "nextflow_cli", approve("the-code", seen))
    redirect_uri = dict(parse_qsl(urlsplit(seen[0]).query))["redirect_uri"]
    with pytest.raises(requests.ConnectionError):
        requests.get(redirect_uri, timeout=2)


def test_a_denied_login_never_reaches_the_token_endpoint(provider):
    def deny(url: str) -> None:
        query = dict(parse_qsl(urlsplit(url).query))
        requests.get(
            query["redirect_uri"], params={"error": "access_denied", "state": query["state"]}, timeout=5
        )

    with pytest.raises(LoginError, match=r"^Authentication error: access_denied$"):
        login(f"{provider.url}/api", "nextflow_cli", deny)
    assert provider.hits_to("POST", "/api/token") == []


def test_timeout_when_the_browser_never_comes_back(provider):
    with pytest.raises(LoginError, match=r"^Authentication timed out waiting for browser callback$"):
        login(f"{provider.url}/api", "nextflow_cli", lambda url: None, timeout=0.1)
