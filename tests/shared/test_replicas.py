"""Two replicas on one PostgreSQL database behave as one mock: whatever one issues or changes, the
other honours on the very next request."""

from __future__ import annotations

import html
import re
import threading

import requests

from ..reliability.served import jwt_claims, jwt_header, login, refresh, userinfo

TIMEOUT = 30


def token_request(api: str, refresh_token: str) -> requests.Response:
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": "nextflow_cli"}
    return requests.post(f"{api}/oauth/token", data=data, timeout=TIMEOUT)


def test_authorize_on_one_token_on_the_other_refresh_on_either(shared):
    a, b = shared.api(0), shared.api(1)
    http = requests.Session()
    first = login(http, a, "alice", token_issuer=b).tokens
    assert jwt_claims(first["access_token"])["iss"] == shared.issuer
    assert userinfo(http, a, first["access_token"])["preferred_username"] == "alice"
    second = refresh(http, a, first["refresh_token"])
    third = refresh(http, b, second["refresh_token"])
    assert userinfo(http, a, third["access_token"])["preferred_username"] == "alice"
    reused = token_request(a, second["refresh_token"])  # rotated on B: reuse seen on A
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    revoked = requests.get(
        f"{b}/userinfo", headers={"Authorization": f"Bearer {third['access_token']}"}, timeout=TIMEOUT
    )
    assert revoked.status_code == 401, "reuse detection on one replica revokes the login on every replica"


def test_a_code_is_redeemed_once_across_replicas(shared):
    from mock_platform.pkce_login import PkceLogin

    from ..reliability.served import REDIRECT_URI, SCOPE

    a, b = shared.api(0), shared.api(1)
    pkce = PkceLogin("nextflow_cli", "bob", REDIRECT_URI, scope=SCOPE)
    authorized = requests.get(
        f"{a}/oauth/authorize", params=pkce.authorize_query(), allow_redirects=False, timeout=TIMEOUT
    )
    code = pkce.code_from(authorized.headers["Location"])
    answers: list[requests.Response] = []
    start = threading.Barrier(4)

    def redeem(api: str) -> None:
        start.wait()
        answers.append(requests.post(f"{api}/oauth/token", data=pkce.token_form(code), timeout=TIMEOUT))

    threads = [threading.Thread(target=redeem, args=(api,)) for api in (a, b, a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answer.status_code for answer in answers) == [200, 400, 400, 400]


def test_a_key_rotation_on_one_replica_is_seen_by_the_other_at_once(shared):
    rotated = shared.control(0).rotate_keys()
    published = requests.get(f"{shared.api(1)}/.well-known/jwks.json", timeout=TIMEOUT).json()
    assert published["keys"][0]["kid"] == rotated["kid"]
    tokens = login(requests.Session(), shared.api(1), "alice").tokens
    assert jwt_header(tokens["access_token"])["kid"] == rotated["kid"]
    assert (
        userinfo(requests.Session(), shared.api(0), tokens["access_token"])["preferred_username"] == "alice"
    )


def test_control_api_changes_apply_on_both_replicas(shared):
    one, other = shared.control(0), shared.control(1)
    try:
        one.advance_clock("1h")
        assert other.clock()["offset"] == 3600
        other.create_user("dora", claims={"team": "shared"})
        assert login(requests.Session(), shared.api(0), "dora").tokens["access_token"]
        one.add_fault("userinfo", status=503, count=1)
        tokens = login(requests.Session(), shared.api(0), "alice").tokens
        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        assert requests.get(f"{shared.api(1)}/userinfo", headers=bearer, timeout=TIMEOUT).status_code == 503
        assert requests.get(f"{shared.api(0)}/userinfo", headers=bearer, timeout=TIMEOUT).status_code == 200
        pat = requests.post(
            f"{shared.api(0)}/tokens", json={"name": "shared"}, headers=bearer, timeout=TIMEOUT
        )
        pat_bearer = {"Authorization": f"Bearer {pat.json()['accessKey']}"}
        assert (
            requests.get(f"{shared.api(1)}/user-info", headers=pat_bearer, timeout=TIMEOUT).status_code == 200
        )
        paths = {entry["path"] for entry in other.recent_requests(path="/api/*")}
        assert {"/api/userinfo", "/api/tokens", "/api/user-info"} <= paths, "one request log for all replicas"
    finally:
        one.reset_clock()
        one.clear_faults()


def test_users_created_on_both_replicas_at_once_are_all_kept(shared):
    names = [f"racer{index}" for index in range(6)]
    start = threading.Barrier(len(names))
    errors: list[Exception] = []

    def create(index: int) -> None:
        start.wait()
        try:
            shared.control(index % 2).create_user(names[index])
        except Exception as error:  # the assertion below reports it
            errors.append(error)

    threads = [threading.Thread(target=create, args=(index,)) for index in range(len(names))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert set(names) <= {user["userName"] for user in shared.control(1).users()}
    assert len({user["id"] for user in shared.control(0).users()}) == len(shared.control(0).users())


def test_a_browser_session_from_one_replica_is_honoured_by_the_other(shared):
    """The session secret is shared: signing in on A, the browser is not asked again on B."""
    from mock_platform.pkce_login import PkceLogin

    from ..reliability.served import REDIRECT_URI, SCOPE

    browser = requests.Session()
    pkce = PkceLogin("nextflow_cli", None, REDIRECT_URI, scope=SCOPE)
    page = browser.get(f"{shared.api(0)}/oauth/authorize", params=pkce.authorize_query(), timeout=TIMEOUT)
    assert page.status_code == 200 and "password" in page.text
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    form.update(username="carol", password="carol-password", action="login")
    signed_in = browser.post(
        f"{shared.api(0)}/oauth/authorize", data={k: html.unescape(v) for k, v in form.items()},
        allow_redirects=False, timeout=TIMEOUT,
    )  # fmt: skip
    assert signed_in.status_code in (302, 303), signed_in.text[:300]
    again = PkceLogin("nextflow_cli", None, REDIRECT_URI, scope=SCOPE)
    answer = browser.get(
        f"{shared.api(1)}/oauth/authorize",
        params=again.authorize_query(),
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert answer.status_code == 302 and again.code_from(answer.headers["Location"])
