"""The dev console at `GET /`, in headless Chromium: endpoints, commands, users, clients, the latest
requests with their JWTs decoded; off with the control API; refused to other sites and rebound hosts."""

from __future__ import annotations

import pytest
import requests

from mock_platform.testing import oidc_login

pytestmark = pytest.mark.browser

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
MARKUP_CLIENT = {
    "client-id": "markup_app",
    "client-name": "<img src=x onerror=alert(1)>",
    "token-endpoint-auth-method": "client_secret_basic",
    "client-secret": "a-client-secret-never-shown",
    "redirect-uris": ["http://127.0.0.1/callback"],
    "allowed-flows": ["authorization_code_pkce"],
    "allowed-scopes": ["openid"],
    "third-party": True,
}


def table(page, heading: str) -> list[list[str]]:
    rows = page.locator(f"h2#{heading} + table tr, h2#{heading} + div table tr")
    return [row.locator("th, td").all_inner_texts() for row in rows.all()]


def test_the_console_shows_endpoints_commands_users_and_clients(mock_platform, chromium_page):
    mock_platform.control.register_client(MARKUP_CLIENT)
    response = chromium_page.goto(f"{mock_platform.base_url}/")
    assert response is not None and response.status == 200
    assert response.headers["content-security-policy"].startswith("default-src 'none';")
    page = chromium_page
    assert page.locator("h1").inner_text() == "Mock Seqera Platform: dev console"
    assert page.locator("script").count() == 0
    endpoints = dict(table(page, "endpoints"))
    issuer = mock_platform.issuer
    assert endpoints["issuer and Platform API root"] == issuer
    assert endpoints["discovery"] == f"{issuer}/.well-known/openid-configuration"
    assert endpoints["token"] == f"{issuer}/oauth/token"
    assert endpoints["control API"] == f"{mock_platform.base_url}/_mock/"
    assert page.locator("code.copy").first.evaluate("e => getComputedStyle(e).userSelect") == "all"
    commands = page.locator("#commands + dl pre").all_inner_texts()
    assert f"nextflow auth login -url {issuer}" in commands
    assert (
        f"platform-auth nextflow login -u {issuer} --browser playwright --username alice --password alice-password"
        in commands
    )
    users = table(page, "users")
    assert users[0] == ["userName", "e-mail", "password", "id", "organizations"]
    assert ["bob", "bob@example.com", "bob-password", "1002", "acme (member), beta-labs (owner)"] in users
    clients = {row[0].split("\n")[0]: row for row in table(page, "clients")[1:]}
    assert clients["nextflow_cli"][2:] == [
        "none",
        "http://127.0.0.1",
        "openid profile email offline_access",
        "no",
    ]
    markup = clients["markup_app"]
    assert markup[0] == "markup_app\nregistered at run time"
    assert markup[1] == "<img src=x onerror=alert(1)>"  # shown as text
    assert markup[2] == "client_secret_basic\nsecret set (not shown)"
    assert page.locator("img").count() == 0
    assert "a-client-secret-never-shown" not in page.content()


def test_the_latest_requests_show_jwt_claims_never_the_token(mock_platform, chromium_page):
    tokens = oidc_login(mock_platform, "nextflow_cli", "carol")
    access_token = tokens["access_token"]
    user_info = requests.get(
        f"{mock_platform.issuer}/user-info", headers={"Authorization": f"Bearer {access_token}"}, timeout=10
    )
    assert user_info.status_code == 200
    page = chromium_page
    page.goto(f"{mock_platform.base_url}/")
    summaries = page.locator("#requests ~ details summary").all_inner_texts()
    assert summaries[0].split()[1:] == ["GET", "/api/user-info", "200", "·", "1", "JWT"]  # newest first
    assert [summary.split()[1:3] for summary in summaries[1:3]] == [
        ["POST", "/api/oauth/token"],
        ["GET", "/api/oauth/authorize"],
    ]
    assert not any(summary.split()[2] == "/" for summary in summaries)  # the console logs nothing
    newest = page.locator("#requests ~ details").first
    newest.locator("summary").click()
    decoded = newest.locator("pre.jwt").inner_text()
    assert '"alg": "RS256"' in decoded
    assert '"sub": "1003"' in decoded and '"client_id": "nextflow_cli"' in decoded
    assert '"Authorization": "Bearer *** (JWT,' in newest.locator("pre").first.inner_text()
    content = page.content()
    for secret in (access_token, tokens["refresh_token"], access_token.rsplit(".", 1)[1]):
        assert secret not in content


def test_without_the_request_log_the_console_says_so(mock_platform_factory, chromium_page):
    server = mock_platform_factory(request_log_size=0)
    chromium_page.goto(f"{server.base_url}/")
    assert "The request log is off" in chromium_page.locator("#requests + p").inner_text()


@pytest.mark.settings(auto_login="bob", defects="code-reusable")
def test_the_console_names_the_switches_that_change_sign_in(mock_platform, chromium_page):
    chromium_page.goto(f"{mock_platform.base_url}/")
    assert chromium_page.locator("#switches").inner_text() == (
        "auto-login ON: every authorize signs in bob without a page; deliberate defects ON: code-reusable"
    )


@pytest.mark.settings(control_api=False)
def test_the_console_is_off_with_the_control_api(mock_platform):
    response = requests.get(f"{mock_platform.base_url}/", headers=BROWSER, timeout=10)
    assert response.status_code == 404
    assert response.json() == {"message": "Not Found: GET /"}


def test_programs_get_the_json_404_they_always_got(mock_platform):
    for accept in ("*/*", "application/json", None):
        response = requests.get(f"{mock_platform.base_url}/", headers={"Accept": accept}, timeout=10)
        assert response.status_code == 404
        assert response.json() == {"message": "Not Found: GET /"}


def test_the_console_refuses_other_sites_and_rebindable_host_names(mock_platform):
    url = f"{mock_platform.base_url}/"
    cross_site = requests.get(url, headers={**BROWSER, "Sec-Fetch-Site": "cross-site"}, timeout=10)
    assert cross_site.status_code == 403
    assert "not from a cross-site page" in cross_site.json()["message"]
    rebound = requests.get(
        url, headers={**BROWSER, "Host": f"attacker.example.com:{mock_platform.port}"}, timeout=10
    )
    assert rebound.status_code == 403
    assert "not 'attacker.example.com'" in rebound.json()["message"]
    typed = requests.get(
        url,
        headers={**BROWSER, "Sec-Fetch-Site": "none", "Host": f"localhost:{mock_platform.port}"},
        timeout=10,
    )
    assert typed.status_code == 200


CONSOLE_TOKEN = "console-token-0123456789abcdef"


@pytest.mark.settings(control_token=CONSOLE_TOKEN)
def test_with_a_control_token_the_console_asks_the_browser_for_it(mock_platform, chromium_page):
    url = f"{mock_platform.base_url}/"
    asked = requests.get(url, headers=BROWSER, timeout=10)
    assert asked.status_code == 401
    assert asked.headers["WWW-Authenticate"].startswith('Basic realm="mock-platform dev console"')
    assert "MOCK_PLATFORM_CONTROL_TOKEN" in asked.json()["message"]
    wrong = requests.get(url, headers=BROWSER, auth=("dev", "not-the-token-at-all"), timeout=10)
    assert wrong.status_code == 401
    by_bearer = requests.get(url, headers={**BROWSER, "Authorization": f"Bearer {CONSOLE_TOKEN}"}, timeout=10)
    assert by_bearer.status_code == 200

    context = chromium_page.context.browser.new_context(
        http_credentials={"username": "dev", "password": CONSOLE_TOKEN}
    )
    try:
        page = context.new_page()
        response = page.goto(url)
        assert response is not None and response.status == 200
        assert page.locator("h1").inner_text() == "Mock Seqera Platform: dev console"
    finally:
        context.close()
