"""Generated bad input at every OIDC endpoint and the control API: never a 5xx, every error well-formed.

Each request starts from what a correct client sends and is then mutated: parameters dropped,
repeated, replaced by hostile values (unicode, huge, truncated JWTs, bad base64, markup), strangers
added, the wrong method or content type. `make test` sends a few hundred in-process; `make stress`
sends thousands over HTTP to a served mock.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_platform.clients import KNOWN_KEYS
from mock_platform.control import faults, identity, minting, users, views

from .conftest import EXAMPLES, REGISTRATION_TOKEN
from .fuzzing import (
    FORM,
    NASTY,
    Reply,
    Request,
    authorizations,
    bearer_error,
    bodies,
    encode,
    headers_of,
    html_page,
    message_error,
    no_server_error,
    oauth_json_error,
    raw_queries,
    redirect_target_is_registered,
    routing_error,
    values,
)

API = "/api"
REDIRECT_URI = "http://127.0.0.1:41121/callback"
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"  # RFC 7636 appendix B
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
AUTHORIZE = [
    ("client_id", "nextflow_cli"), ("response_type", "code"), ("scope", "openid profile email offline_access"),
    ("redirect_uri", REDIRECT_URI), ("state", "s" * 22), ("code_challenge", CHALLENGE),
    ("code_challenge_method", "S256"), ("login_hint", "alice"),
]  # fmt: skip
AUTHORIZE_EXTRA = ["prompt", "max_age", "nonce", "response_mode", "action", "username", "password", "request"]
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@st.composite
def mutated(draw: Any, valid: list[tuple[str, str]], extra: list[str]) -> list[tuple[str, str]]:
    """A valid parameter list with a few mutations: drop, repeat, replace, add a stranger."""
    params = list(valid)
    names = [name for name, _ in valid] + extra
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        action = draw(st.sampled_from(["drop", "repeat", "replace", "replace", "add"]))
        if action == "add" or not params:
            params.append((draw(st.one_of(st.sampled_from(names), st.text(max_size=10))), draw(values)))
            continue
        index = draw(st.integers(min_value=0, max_value=len(params) - 1))
        if action == "drop":
            params.pop(index)
        elif action == "repeat":
            params.append((params[index][0], draw(st.one_of(st.just(params[index][1]), values))))
        else:
            params[index] = (params[index][0], draw(values))
    return params


def mangle(token: str, how: str) -> str:
    """A token a server issued, broken in one of the ways a client or an attacker breaks it."""
    head, _, rest = token.partition(".")
    return {
        "truncate": token[: len(token) // 2],
        "flip": token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"),
        "none-alg": base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode() + "." + rest,
        "drop-signature": token.rsplit(".", 1)[0] + ".",
        "extra-dot": token + ".",
        "as-is": token,
        "header-only": head,
    }[how]


manglings = st.sampled_from(
    ["truncate", "flip", "none-alg", "drop-signature", "extra-dot", "as-is", "header-only"]
)


def fresh_code(sender: Any) -> str:
    reply = sender.send(Request("GET", f"{API}/oauth/authorize", encode(AUTHORIZE)))
    assert reply.status == 302, reply.body[:300]
    return dict(pair.split("=", 1) for pair in reply.headers["location"].split("?", 1)[1].split("&"))["code"]


def fresh_tokens(sender: Any) -> dict[str, Any]:
    body = encode([("grant_type", "authorization_code"), ("code", fresh_code(sender)),
                   ("redirect_uri", REDIRECT_URI), ("client_id", "nextflow_cli"), ("code_verifier", VERIFIER)])  # fmt: skip
    reply = sender.send(Request("POST", f"{API}/oauth/token", "", (("Content-Type", FORM),), body.encode()))
    assert reply.status == 200, reply.body[:300]
    return reply.json()


def check_oauth_endpoint(request: Request, reply: Reply) -> None:
    no_server_error(request, reply)
    if routing_error(request, reply) or reply.status == 200:
        return
    oauth_json_error(request, reply)


@FUZZ
@given(
    method=st.sampled_from(["GET", "GET", "POST", "PUT"]),
    params=mutated(AUTHORIZE, AUTHORIZE_EXTRA),
    raw=st.one_of(st.none(), st.none(), st.none(), raw_queries),
    body=bodies([name for name, _ in AUTHORIZE] + AUTHORIZE_EXTRA),
)
def test_authorize(oidc_sender: Any, method: str, params: list, raw: str | None, body: tuple) -> None:
    data, content_type = body if method == "POST" else (None, None)
    request = Request(
        method, f"{API}/oauth/authorize", encode(params, raw), headers_of(content_type, None), data
    )
    reply = oidc_sender.send(request)
    no_server_error(request, reply)
    if routing_error(request, reply):
        return
    if 300 <= reply.status < 400:
        redirect_target_is_registered(request, reply)
    else:
        assert reply.status in (200, 400), f"{reply.status} for {request.describe()}"
        html_page(request, reply)


TOKEN = ["grant_type", "code", "redirect_uri", "client_id", "code_verifier", "refresh_token", "scope",
         "client_secret", "client_assertion", "audience"]  # fmt: skip


@FUZZ
@given(
    grant=st.sampled_from(["authorization_code", "refresh_token", "fuzz"]),
    live=st.booleans(),
    how=manglings,
    params=st.data(),
    method=st.sampled_from(["POST", "POST", "POST", "GET"]),
    authorization=authorizations,
    content_type=st.one_of(
        st.just(FORM), st.just(FORM), st.sampled_from(["application/json", "text/plain", ""])
    ),
    raw=st.one_of(st.none(), st.none(), st.none(), raw_queries),
)
def test_token(
    oidc_sender: Any, grant: str, live: bool, how: str, params: Any, method: str,
    authorization: str | None, content_type: str, raw: str | None,
) -> None:  # fmt: skip
    if grant == "authorization_code":
        code = fresh_code(oidc_sender) if live else "not-a-code"
        valid = [("grant_type", grant), ("code", mangle(code, how)), ("redirect_uri", REDIRECT_URI),
                 ("client_id", "nextflow_cli"), ("code_verifier", VERIFIER)]  # fmt: skip
    elif grant == "refresh_token":
        token = fresh_tokens(oidc_sender)["refresh_token"] if live else "not-a-token"
        valid = [("grant_type", grant), ("refresh_token", mangle(token, how)), ("client_id", "nextflow_cli")]
    else:
        valid = [("grant_type", "authorization_code")]
    fields = params.draw(mutated(valid, TOKEN))
    body = encode(fields, raw).encode()
    request = Request(method, f"{API}/oauth/token", "", headers_of(content_type, authorization), body)
    reply = oidc_sender.send(request)
    check_oauth_endpoint(request, reply)
    if reply.status == 200:
        assert {"access_token", "token_type", "expires_in"} <= set(reply.json()), reply.body[:300]
    else:
        assert reply.headers.get("cache-control") == "no-store" or reply.status in (404, 405, 413), (
            reply.headers
        )


@FUZZ
@given(
    live=st.booleans(),
    how=manglings,
    where=st.sampled_from(["header", "form", "query", "both", "header-garbage"]),
    authorization=authorizations,
    method=st.sampled_from(["GET", "POST", "PUT"]),
    body=bodies(["access_token", "scope"]),
)
def test_userinfo(
    oidc_sender: Any, live: bool, how: str, where: str, authorization: str | None, method: str, body: tuple
) -> None:
    token = mangle(fresh_tokens(oidc_sender)["access_token"], how) if live else "not-a-token"
    headers: list[tuple[str, str]] = []
    data, content_type = body if method != "GET" else (None, None)
    query = ""
    if where in ("header", "both"):
        headers.append(("Authorization", f"Bearer {token}"))
    if where == "header-garbage" and authorization is not None:
        headers.append(("Authorization", authorization))
    if where in ("form", "both"):
        data, content_type = encode([("access_token", token)]).encode(), FORM
    if where == "query":
        query = encode([("access_token", token)])
    if content_type is not None:
        headers.append(("Content-Type", content_type))
    request = Request(method, f"{API}/userinfo", query, tuple(headers), data)
    reply = oidc_sender.send(request)
    no_server_error(request, reply)
    if routing_error(request, reply):
        return
    if reply.status == 200:
        assert isinstance(reply.json().get("sub"), str)
        return
    bearer_error(request, reply)


@FUZZ
@given(
    live=st.booleans(),
    kind=st.sampled_from(["access_token", "refresh_token"]),
    how=manglings,
    params=st.data(),
    authorization=authorizations,
    content_type=st.one_of(st.just(FORM), st.sampled_from(["application/json", "text/plain", ""])),
)
def test_revoke(
    oidc_sender: Any,
    live: bool,
    kind: str,
    how: str,
    params: Any,
    authorization: str | None,
    content_type: str,
) -> None:
    token = mangle(fresh_tokens(oidc_sender)[kind], how) if live else "not-a-token"
    valid = [("token", token), ("token_type_hint", kind), ("client_id", "nextflow_cli")]
    fields = params.draw(mutated(valid, ["token", "token_type_hint", "client_id", "client_secret"]))
    request = Request(
        "POST", f"{API}/oauth/revoke", "", headers_of(content_type, authorization), encode(fields).encode()
    )
    reply = oidc_sender.send(request)
    check_oauth_endpoint(request, reply)


@FUZZ
@given(
    live=st.booleans(),
    how=manglings,
    params=st.data(),
    method=st.sampled_from(["GET", "POST"]),
)
def test_end_session(oidc_sender: Any, live: bool, how: str, params: Any, method: str) -> None:
    hint = mangle(fresh_tokens(oidc_sender)["id_token"], how) if live else "not-a-token"
    valid = [("id_token_hint", hint), ("post_logout_redirect_uri", REDIRECT_URI), ("client_id", "nextflow_cli"),
             ("state", "s" * 10)]  # fmt: skip
    fields = encode(params.draw(mutated(valid, ["ui_locales", "logout_hint"])))
    if method == "GET":
        request = Request("GET", f"{API}/oauth/logout", fields)
    else:
        request = Request("POST", f"{API}/oauth/logout", "", (("Content-Type", FORM),), fields.encode())
    reply = oidc_sender.send(request)
    no_server_error(request, reply)
    if routing_error(request, reply):
        return
    if 300 <= reply.status < 400:
        location = reply.headers.get("location", "")
        assert location.startswith("http://127.0.0.1:") or location.startswith("http://[::1]:"), location
    else:
        html_page(request, reply)


def field_names(shape: type) -> list[str]:
    return [field.encode_name for field in msgspec.structs.fields(shape)]


CONTROL = {
    "/_mock/identity": field_names(identity.IdentityRequest),
    "/_mock/faults": field_names(faults.FaultRequest),
    "/_mock/tokens": field_names(minting.MintRequest),
    "/_mock/clock": field_names(views.ClockMove),
    "/_mock/users": [*users.USER_KEYS, *users.MEMBERSHIPS],
    "/_mock/users/alice": [key for key in (*users.USER_KEYS, *users.MEMBERSHIPS) if key != "id"],
    "/_mock/users/\u00e9\u202e": ["userName"],
    "/_mock/clients": sorted(KNOWN_KEYS),
    "/_mock/requests": field_names(views.RequestsQuery),
    "/_mock/faults/1": [],
    "/_mock/faults/99999999999999999999": [],
    "/_mock/keys/rotate": [],
    "/_mock/reset": [],
    "/_mock/": [],
    "/_mock/nowhere": [],
}
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats() | values,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(values, inner, max_size=4),
    max_leaves=8,
)


@FUZZ
@given(
    path=st.sampled_from(sorted(CONTROL)),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]),
    document=st.data(),
    shape=st.sampled_from(["object", "object", "object", "any", "bytes", "none"]),
    content_type=st.one_of(
        st.just("application/json"),
        st.just("application/json"),
        st.sampled_from([FORM, "text/plain", "", "application/json; charset=latin-1"]),
    ),
    query=st.one_of(st.none(), raw_queries),
)
def test_control(
    control_sender: Any,
    path: str,
    method: str,
    document: Any,
    shape: str,
    content_type: str,
    query: str | None,
) -> None:
    names = CONTROL[path] or ["x"]
    if shape == "object":
        fields = document.draw(
            st.dictionaries(st.one_of(st.sampled_from(names), values), json_values, max_size=6)
        )
        body: bytes | None = json.dumps(fields).encode()
    elif shape == "any":
        body = json.dumps(document.draw(json_values)).encode()
    elif shape == "bytes":
        body = document.draw(st.binary(max_size=200))
    else:
        body = None
    request = Request(method, path, query or "", (("Content-Type", content_type),), body)
    reply = control_sender.send(request)
    no_server_error(request, reply)
    if not routing_error(request, reply):
        assert reply.content_type == "application/json", (
            f"{reply.status} {reply.content_type} for {request.describe()}"
        )
        if reply.status >= 400:
            message_error(request, reply)
    if path == "/_mock/reset" or (method == "POST" and path == "/_mock/faults"):
        control_sender.send(Request("POST", "/_mock/reset"))  # no fault or clock jump outlives its example


REGISTRATION = {
    "redirect_uris": ["http://127.0.0.1/callback"], "token_endpoint_auth_method": "none",
    "application_type": "native", "grant_types": ["authorization_code", "refresh_token"], "client_name": "fuzz",
}  # fmt: skip
REGISTRATION_EXTRA = [
    "scope", "response_types", "jwks", "jwks_uri", "contacts", "logo_uri", "software_statement", "subject_type",
    "id_token_signed_response_alg", "default_max_age", "require_auth_time", "request_uris",
    "post_logout_redirect_uris", "client_uri", "tos_uri", "application_type",
]  # fmt: skip


@FUZZ
@given(
    document=st.data(),
    shape=st.sampled_from(["mutated", "mutated", "mutated", "any", "bytes"]),
    authorization=st.one_of(
        st.just(f"Bearer {REGISTRATION_TOKEN}"), st.just(f"Bearer {REGISTRATION_TOKEN}"), authorizations
    ),
    content_type=st.one_of(st.just("application/json"), st.sampled_from([FORM, "text/plain", ""])),
)
def test_register(
    oidc_sender: Any, document: Any, shape: str, authorization: str | None, content_type: str
) -> None:
    if shape == "mutated":
        metadata: Any = dict(REGISTRATION)
        for _ in range(document.draw(st.integers(min_value=0, max_value=3))):
            name = document.draw(st.sampled_from(sorted(REGISTRATION) + REGISTRATION_EXTRA))
            if name in metadata and document.draw(st.booleans()):
                del metadata[name]
            else:
                metadata[name] = document.draw(json_values)
        body = json.dumps(metadata).encode()
    elif shape == "any":
        body = json.dumps(document.draw(json_values)).encode()
    else:
        body = document.draw(st.binary(max_size=200))
    request = Request("POST", f"{API}/oauth/register", "", headers_of(content_type, authorization), body)
    reply = oidc_sender.send(request)
    no_server_error(request, reply)
    if routing_error(request, reply):
        return
    if reply.status == 201:
        registered = reply.json()
        assert registered["client_id"] and registered["redirect_uris"], registered
        assert ("client_secret" in registered) == (registered["token_endpoint_auth_method"] != "none"), (
            registered
        )
    else:
        oauth_json_error(request, reply)


def test_nasty_values_cover_the_classics() -> None:
    """The corpus keeps the inputs the issue names: unicode, huge values, truncated JWTs, bad base64, markup."""
    assert any(len(value) >= 5000 for value in NASTY)
    assert any(value.count(".") == 1 for value in NASTY) and any(not value.isascii() for value in NASTY)
    assert any("<script>" in value for value in NASTY) and "%zz" in NASTY


@pytest.mark.parametrize(
    "content_type", ["application/json", "multipart/form-data; boundary=x", "text/plain", None]
)
def test_token_refuses_other_content_types_with_oauth_json(
    oidc_sender: Any, content_type: str | None
) -> None:
    body = encode(
        [("grant_type", "authorization_code"), ("code", "x"), ("client_id", "nextflow_cli")]
    ).encode()
    request = Request("POST", f"{API}/oauth/token", "", headers_of(content_type, None), body)
    reply = oidc_sender.send(request)
    assert reply.status == 400
    oauth_json_error(request, reply)
