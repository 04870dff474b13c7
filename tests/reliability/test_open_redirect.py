"""Authorize never redirects to an unregistered URI, and reflects input only escaped.

`nextflow_cli` registers the host-only loopback URI `http://127.0.0.1` (RFC 8252 §7.3: any port,
any path). Everything else in the corpus must get the HTML error page, whatever else is wrong
with the request and however it is sent, never a redirect.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from .conftest import in_process_sender
from .fuzzing import InProcess, Reply, Request, html_page

API = "/api"
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
FORM = (("Content-Type", "application/x-www-form-urlencoded"),)
MARKUP = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'

UNREGISTERED = [
    "http://evil.example/callback",
    "https://evil.example/callback",
    "//evil.example/callback",
    "evil.example/callback",
    "http://127.0.0.1.example/callback",
    "http://127.0.0.1.nip.io:41121/callback",
    "http://127.0.0.1@evil.example/callback",
    "http://127.0.0.1:41121@evil.example/callback",
    "http://evil.example@127.0.0.1:41121/callback",
    "http://user:pass@127.0.0.1:41121/callback",
    "http://evil.example#@127.0.0.1/callback",
    "http://evil.example\\@127.0.0.1/callback",
    "http://127.0.0.1\\@evil.example/callback",
    "http://127.0.0.1:41121\\evil.example",
    "http:\\\\evil.example\\callback",
    "http://127.0.0.1%2F@evil.example/",
    "http://127.0.0.1%2f%2fevil.example/",
    "http://127.0.0.1:41121%2F%2Fevil.example/callback",
    "http://127.0.0.1:41121/callback#fragment",
    "http://127.0.0.1:41121/callback#@evil.example",
    "http://127.0.0.1:41121/callback?x=1",
    "http://localhost:41121/callback",
    "http://LOCALHOST/callback",
    "http://127.0.0.2:41121/callback",
    "http://127.1:41121/callback",
    "http://0x7f000001:41121/callback",
    "http://2130706433:41121/callback",
    "http://017700000001:41121/callback",
    "http://0.0.0.0:41121/callback",
    "http://[::1]:41121/callback",
    "http://[::ffff:127.0.0.1]:41121/callback",
    "http://[0:0:0:0:0:0:0:1]:41121/callback",
    "http://[::1]@evil.example/callback",
    "http://[::ffff:7f00:1]/callback",
    "https://127.0.0.1:41121/callback",
    "ftp://127.0.0.1/callback",
    "javascript:alert(1)//127.0.0.1",
    "data:text/html,<script>alert(1)</script>",
    "http://127.0.0.1:99999/callback",
    "http://127.0.0.1:0x50/callback",
    "http://127.0.0.1:41121 /callback",
    "http://127.0.0.1:41121/call back",
    "http://127.0.0.1:41121/callback\r\nLocation: http://evil.example",
    " http://127.0.0.1:41121/callback",
    "http://127.0.0.1.:41121/callback",
    "http://%31%32%37.0.0.1:41121/callback",
    "",
]
# Things wrong besides the redirect URI: each would otherwise be answered by a redirect.
OTHER_FAULTS: list[dict[str, str | None]] = [
    {},
    {"scope": "openid admin"},
    {"response_type": MARKUP},
    {"response_type": "token"},
    {"code_challenge": None},
    {"code_challenge_method": "plain"},
    {"prompt": "none", "login_hint": None},
    {"state": MARKUP},
]


def params(redirect_uri: str | None, **changes: str | None) -> dict[str, str]:
    base: dict[str, str | None] = {
        "client_id": "nextflow_cli",
        "response_type": "code",
        "scope": "openid profile email offline_access",
        "redirect_uri": redirect_uri,
        "state": "st4te",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
        "login_hint": "alice",
    }
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


@pytest.fixture(scope="module")
def sender(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcess]:
    yield in_process_sender(Path(tmp_path_factory.mktemp("open-redirect")))


def authorize(sender: InProcess, query: dict[str, str], method: str = "GET") -> tuple[Request, Reply]:
    if method == "GET":
        request = Request("GET", f"{API}/oauth/authorize", urlencode(query))
    else:  # the login form posting back, with the right password
        form = {**query, "username": "alice", "password": "alice-password", "action": "login"}
        request = Request("POST", f"{API}/oauth/authorize", "", FORM, urlencode(form).encode())
    return request, sender.send(request)


@pytest.mark.parametrize("faults", OTHER_FAULTS, ids=lambda faults: ",".join(faults) or "valid-otherwise")
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_unregistered_redirect_uris_are_never_followed(sender: InProcess, method: str, faults: dict) -> None:
    for redirect_uri in UNREGISTERED:
        request, reply = authorize(sender, params(redirect_uri, **faults), method)
        assert reply.status == 400 and "location" not in reply.headers, (
            f"{reply.status} {reply.headers.get('location')!r} for {request.describe()}"
        )
        html_page(request, reply)


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://127.0.0.1:41121/callback",
        "http://127.0.0.1/callback",
        "http://127.0.0.1:1/",
        "http://127.0.0.1:65535/x/y",
    ],
)
def test_registered_loopback_uris_still_work(sender: InProcess, redirect_uri: str) -> None:
    _, reply = authorize(sender, params(redirect_uri))
    assert reply.status == 302 and reply.headers["location"].startswith(redirect_uri + "?")


def test_unknown_client_is_never_redirected(sender: InProcess) -> None:
    for client_id in ["nobody", "", MARKUP, "nextflow_cli " * 3]:
        request, reply = authorize(sender, params("http://127.0.0.1:41121/callback", client_id=client_id))
        assert reply.status == 400 and "location" not in reply.headers, request.describe()
        html_page(request, reply)


def test_state_and_error_description_come_back_encoded(sender: InProcess) -> None:
    _, reply = authorize(sender, params("http://127.0.0.1:41121/callback", state=MARKUP))
    location = reply.headers["location"]
    assert not set(location) & set('<>" \r\n'), location
    assert parse_qs(urlsplit(location).query)["state"] == [MARKUP]
    _, reply = authorize(
        sender, params("http://127.0.0.1:41121/callback", state=MARKUP, response_type=MARKUP)
    )
    location = reply.headers["location"]
    query = parse_qs(urlsplit(location).query)
    assert query["error"] == ["unsupported_response_type"] and query["state"] == [MARKUP]
    assert all("<" not in description for description in query.get("error_description", []))
    assert not set(location) & set('<>" \r\n'), location


def test_pages_escape_what_they_reflect(sender: InProcess) -> None:
    # The login page carries every authorize parameter in hidden fields and the login hint as the name.
    request, reply = authorize(
        sender, params("http://127.0.0.1:41121/callback", state=MARKUP, login_hint=MARKUP)
    )
    assert reply.status == 200
    html_page(request, reply)
    assert "&lt;script&gt;" in reply.body.decode() or "&#34;&gt;&lt;img" in reply.body.decode()
    # A wrong password shows the page again with the typed name.
    form = {**params("http://127.0.0.1:41121/callback", state=MARKUP), "username": MARKUP, "password": "x",
            "action": "login"}  # fmt: skip
    request = Request("POST", f"{API}/oauth/authorize", "", FORM, urlencode(form).encode())
    html_page(request, sender.send(request))
    # The error page names the problem; the end-session page may echo state.
    request = Request(
        "GET", f"{API}/oauth/authorize", urlencode({"client_id": MARKUP, "redirect_uri": MARKUP})
    )
    html_page(request, sender.send(request))
    request = Request(
        "GET", f"{API}/oauth/logout", urlencode({"state": MARKUP, "post_logout_redirect_uri": MARKUP})
    )
    reply = sender.send(request)
    assert reply.status < 500 and "location" not in reply.headers
    html_page(request, reply)
