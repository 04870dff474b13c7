"""A base URL with a path (https://platform.example.test/sub) while the mock listens on plain http
behind a TLS-terminating proxy: every URL and cookie it hands out comes from the base URL, never
from Host or X-Forwarded-* headers, whether the proxy strips the prefix or passes it on."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
import requests

from mock_platform.testing import RunningServer, run_server
from tests.oidc_flows import authorize_params, login_tokens

BASE = "https://platform.example.test/sub"
ISSUER = f"{BASE}/api"
FORWARDED = {
    "Host": "attacker.example",
    "X-Forwarded-Host": "attacker.example",
    "X-Forwarded-Proto": "http",
    "X-Forwarded-Prefix": "/elsewhere",
    "Forwarded": "host=attacker.example;proto=http",
}


@pytest.fixture(scope="module")
def proxied() -> Iterator[RunningServer]:
    with run_server(base_url=BASE) as server:
        yield server


@pytest.fixture(params=["", "/sub"], ids=["proxy strips /sub", "proxy passes /sub on"])
def local(request: pytest.FixtureRequest, proxied: RunningServer) -> str:
    """Where a proxy sends requests for BASE: the mock's own address, with or without the prefix."""
    return f"http://127.0.0.1:{proxied.port}{request.param}"


def cookies(response: requests.Response) -> SimpleCookie:
    jar = SimpleCookie()
    for header in response.raw.headers.getlist("Set-Cookie"):
        jar.load(header)
    return jar


def test_discovery_advertises_the_base_url_whatever_the_forwarded_headers_say(local):
    for headers in ({}, FORWARDED):
        document = requests.get(
            f"{local}/api/.well-known/openid-configuration", headers=headers, timeout=10
        ).json()
        assert document["issuer"] == ISSUER
        urls = {key: value for key, value in document.items() if isinstance(value, str) and "://" in value}
        assert len(urls) >= 8
        assert all(value.startswith(f"{ISSUER}/") for key, value in urls.items() if key != "issuer"), urls


def test_rfc8414_metadata_sits_before_the_whole_issuer_path(proxied):
    url = f"http://127.0.0.1:{proxied.port}/.well-known/oauth-authorization-server/sub/api"
    assert requests.get(url, timeout=10).json()["issuer"] == ISSUER


def test_tokens_carry_the_base_url_as_issuer(local):
    tokens = login_tokens(f"{local}/api", login_hint="alice")
    assert claims_of(tokens["id_token"])["iss"] == ISSUER
    assert claims_of(tokens["access_token"])["iss"] == ISSUER


def claims_of(jwt: str) -> dict:
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_the_doubled_slash_redirect_goes_to_the_base_url(local):
    response = requests.post(f"{local}/api//tokens", headers=FORWARDED, allow_redirects=False, timeout=10)
    assert response.status_code == 308
    assert response.headers["Location"] == f"{ISSUER}/tokens"


def test_forms_post_back_under_the_prefix(local):
    params = authorize_params(login_hint=None)
    page = requests.get(f"{local}/api/oauth/authorize", params=params, headers=FORWARDED, timeout=10)
    assert page.status_code == 200
    assert re.search(r'<form id="login-form" method="post" action="/sub/api/oauth/authorize">', page.text)
    sign_out = requests.get(f"{local}/api/oauth/logout", timeout=10)
    assert 'action="/sub/api/oauth/logout"' in sign_out.text


def sign_in_from(local: str, origin: str) -> requests.Response:
    """Alice's credentials posted to the login form, as a browser without fetch metadata sends them."""
    form = {**authorize_params(login_hint=None), "username": "alice", "password": "alice-password"}
    return requests.post(
        f"{local}/api/oauth/authorize",
        data={**form, "action": "login"},
        headers={"Origin": origin},
        allow_redirects=False,
        timeout=10,
    )


def test_the_session_cookie_is_secure_and_scoped_to_the_prefix(local):
    response = sign_in_from(local, "https://platform.example.test")
    assert response.status_code == 303, response.text
    session = cookies(response)["mock_platform_session_443"]  # named after the public port
    assert session["path"] == "/sub"
    assert session["secure"] is True
    assert session["httponly"] is True


def test_a_form_posted_from_another_origin_is_still_refused(local):
    assert sign_in_from(local, "https://attacker.example").status_code == 403


def test_web_session_cookies_are_scoped_to_the_prefix(local):
    tokens = login_tokens(f"{local}/api", login_hint="alice")
    response = requests.post(
        f"{local}/api/oauth/access_token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    jar = cookies(response)
    for name in ("JWT", "JWT_REFRESH_TOKEN"):
        assert jar[name]["path"] == "/sub"
        assert jar[name]["secure"] is True


def test_openapi_servers_use_the_base_url(local):
    document = requests.get(f"{local}/api/openapi.json", headers=FORWARDED, timeout=10).json()
    assert document["servers"][0]["url"] == ISSUER
    backends = {s["url"] for item in document["paths"].values() for s in item.get("servers", [])}
    assert backends == {f"{BASE}/ai"}


def test_the_control_api_answers_the_base_url_host_and_refuses_other_dotted_names(local):
    ok = requests.get(f"{local}/_mock/clock", headers={"Host": "platform.example.test"}, timeout=10)
    assert ok.status_code == 200
    refused = requests.get(f"{local}/_mock/clock", headers={"Host": "attacker.example"}, timeout=10)
    assert refused.status_code == 403


def test_a_path_that_only_starts_like_the_prefix_is_not_stripped(proxied):
    response = requests.get(
        f"http://127.0.0.1:{proxied.port}/subway/api/.well-known/openid-configuration", timeout=10
    )
    assert response.status_code == 404


def test_the_issuer_path_joins_base_path_and_api_path():
    with run_server(base_url="https://platform.example.test/a/b/", api_path="") as server:
        assert server.issuer == "https://platform.example.test/a/b"
        document = requests.get(
            f"http://127.0.0.1:{server.port}/a/b/.well-known/openid-configuration", timeout=10
        )
        assert document.json()["token_endpoint"] == "https://platform.example.test/a/b/oauth/token"


def test_query_strings_in_redirects_survive(local):
    query = urlencode({"x": "1"})
    response = requests.get(f"{local}/api//user-info?{query}", allow_redirects=False, timeout=10)
    assert response.headers["Location"] == f"{ISSUER}/user-info?{query}"
