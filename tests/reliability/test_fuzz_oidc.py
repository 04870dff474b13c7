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
from urllib.parse import parse_qsl, urlsplit

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_platform.clients import KNOWN_KEYS
from mock_platform.control import co_scientist, faults, identity, minting, users, views
from mock_platform.request_bodies import MAX_DEPTH

from .conftest import EXAMPLES, REGISTRATION_TOKEN
from .fuzzing import (
    CLIENT_SECRET,
    CONFIDENTIAL_CLIENTS,
    FORM,
    NASTY,
    Reply,
    Request,
    authorizations,
    basic,
    bearer_error,
    bodies,
    deep_bodies,
    deep_json,
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


def fresh_code(sender: Any, client_id: str = "nextflow_cli") -> str:
    params = [(name, client_id if name == "client_id" else value) for name, value in AUTHORIZE]
    reply = sender.send(Request("GET", f"{API}/oauth/authorize", encode(params)))
    assert reply.status == 302, reply.body[:300]
    return dict(pair.split("=", 1) for pair in reply.headers["location"].split("?", 1)[1].split("&"))["code"]


def fresh_tokens(sender: Any) -> dict[str, Any]:
    body = encode([("grant_type", "authorization_code"), ("code", fresh_code(sender)),
                   ("redirect_uri", REDIRECT_URI), ("client_id", "nextflow_cli"), ("code_verifier", VERIFIER)])  # fmt: skip
    reply = sender.send(Request("POST", f"{API}/oauth/token", "", (("Content-Type", FORM),), body.encode()))
    assert reply.status == 200, reply.body[:300]
    return reply.json()


def client_credentials(client_id: str, secret: str, authorization: str | None) -> tuple[list, str | None]:
    """How a client authenticates: Basic or a form field for the confidential ones (unless the
    example drew an Authorization header of its own), nothing for the public one."""
    method = CONFIDENTIAL_CLIENTS.get(client_id)
    if method == "client_secret_basic" and authorization is None:
        return [], basic(client_id, secret)
    if method == "client_secret_post":
        return [("client_secret", secret)], authorization
    return [], authorization


clients = st.sampled_from(["nextflow_cli", "nextflow_cli", *CONFIDENTIAL_CLIENTS])
client_secrets = st.one_of(st.just(CLIENT_SECRET), st.just(CLIENT_SECRET), values)


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
    authorization=st.one_of(st.none(), st.none(), authorizations),
    client_id=clients,
    secret=client_secrets,
    content_type=st.one_of(
        st.just(FORM), st.just(FORM), st.sampled_from(["application/json", "text/plain", ""])
    ),
    raw=st.one_of(st.none(), st.none(), st.none(), raw_queries),
)
def test_token(
    oidc_sender: Any, grant: str, live: bool, how: str, params: Any, method: str,
    authorization: str | None, client_id: str, secret: str, content_type: str, raw: str | None,
) -> None:  # fmt: skip
    credentials, authorization = client_credentials(client_id, secret, authorization)
    if grant == "authorization_code":
        code = fresh_code(oidc_sender, client_id) if live else "not-a-code"
        valid = [("grant_type", grant), ("code", mangle(code, how)), ("redirect_uri", REDIRECT_URI),
                 ("client_id", client_id), ("code_verifier", VERIFIER), *credentials]  # fmt: skip
    elif grant == "refresh_token":
        token = fresh_tokens(oidc_sender)["refresh_token"] if live else "not-a-token"
        valid = [("grant_type", grant), ("refresh_token", mangle(token, how)), ("client_id", client_id),
                 *credentials]  # fmt: skip
    else:
        valid = [("grant_type", "authorization_code"), *credentials]
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
    authorization=st.one_of(st.none(), authorizations),
    client_id=clients,
    secret=client_secrets,
    content_type=st.one_of(st.just(FORM), st.sampled_from(["application/json", "text/plain", ""])),
)
def test_revoke(
    oidc_sender: Any,
    live: bool,
    kind: str,
    how: str,
    params: Any,
    authorization: str | None,
    client_id: str,
    secret: str,
    content_type: str,
) -> None:
    credentials, authorization = client_credentials(client_id, secret, authorization)
    token = mangle(fresh_tokens(oidc_sender)[kind], how) if live else "not-a-token"
    valid = [("token", token), ("token_type_hint", kind), ("client_id", client_id), *credentials]
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
    "/_mock/ai/script": ["replies", "match", "say", "steps", "delay"],
    "/_mock/ai/credits": field_names(co_scientist.CreditsBody),
    "/_mock/faults/1": [],
    "/_mock/faults/99999999999999999999": [],
    "/_mock/keys/rotate": [],
    "/_mock/reset": [],
    "/_mock/": [],
    "/_mock/nowhere": [],
}
# Numbers at the edges of what stores and JSON readers hold: 2^53 (JavaScript), 2^63 (a 64-bit column).
EDGE_NUMBERS = [2**53 - 1, 2**53, 2**63 - 1, 2**63, -(2**63) - 1, 2**70, 10**400]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.sampled_from(EDGE_NUMBERS)
    | st.floats()
    | values,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(values, inner, max_size=4),
    max_leaves=8,
)


def alias_bomb(levels: int) -> str:
    """YAML in which each level holds nine aliases of the one before: 9**levels nodes once expanded."""
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


# YAML bodies (the control API reads YAML scripts): nested deep, or expanding into billions of nodes.
YAML_BODIES = [
    deep_json(MAX_DEPTH + 1), deep_json(3000), "replies:\n  - match: [" + deep_json(2000) + "]\n",
    alias_bomb(9), "replies: &r [{match: a, say: b}]\nagain: *r\n",
]  # fmt: skip


# A call each endpoint accepts, for the "mutated" examples: one or two of its fields replaced, so
# that a hostile value meets the code behind the checks (an id of 2^70 in an otherwise good user).
VALID_CONTROL = {
    "/_mock/users": ("POST", lambda name: {"userName": name, "firstName": "Fuzz"}),
    "/_mock/users/alice": ("PUT", lambda name: {"firstName": "Alice"}),
    "/_mock/identity": ("POST", lambda name: {"user": {"userName": name}}),
    "/_mock/tokens": ("POST", lambda name: {"user": "alice", "refresh_token": True, "scope": "openid offline_access"}),
    "/_mock/clients": ("POST", lambda name: {"client-id": name, "redirect-uris": ["http://127.0.0.1/callback"]}),
    "/_mock/clock": ("POST", lambda name: {"advance": 10}),
    "/_mock/faults": ("POST", lambda name: {"endpoint": "userinfo", "status": 503, "count": 1}),
    "/_mock/ai/script": ("PUT", lambda name: {"replies": [{"match": name, "say": "hello"}]}),
    "/_mock/ai/credits": ("PUT", lambda name: {"balance": 5}),
}  # fmt: skip


# Fields that hold numbers: half the mutations pick one of them, and give it an edge number half the time.
NUMERIC_FIELDS = (
    "id",
    "defaultWorkspaceId",
    "count",
    "exp",
    "lifetime",
    "status",
    "advance",
    "fraction",
    "balance",
)


def mutated_control_call(draw: Any) -> tuple[str, str, dict[str, Any]]:
    path = draw(st.sampled_from(sorted(VALID_CONTROL)))
    method, valid = VALID_CONTROL[path]
    fields = valid("fuzz-" + draw(st.uuids()).hex[:12])
    for _ in range(draw(st.integers(min_value=1, max_value=2))):
        target, names = fields, CONTROL[path] or ["x"]
        if isinstance(fields.get("user"), dict) and draw(st.booleans()):
            target, names = fields["user"], list(users.USER_KEYS)
        numeric = [name for name in names if name in NUMERIC_FIELDS]
        name = draw(st.sampled_from(numeric if numeric and draw(st.booleans()) else names))
        edge = name in NUMERIC_FIELDS and draw(st.booleans())
        target[name] = draw(st.sampled_from(EDGE_NUMBERS) if edge else json_values)
    return path, method, fields


@FUZZ
@given(
    path=st.sampled_from(sorted(CONTROL)),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]),
    document=st.data(),
    shape=st.sampled_from(["object", "object", "mutated", "mutated", "any", "deep", "yaml", "bytes", "none"]),
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
    if shape == "mutated":
        path, method, fields = mutated_control_call(document.draw)
        body: bytes | None = json.dumps(fields).encode()
    elif shape == "object":
        fields = document.draw(
            st.dictionaries(st.one_of(st.sampled_from(names), values), json_values, max_size=6)
        )
        body = json.dumps(fields).encode()
    elif shape == "any":
        body = json.dumps(document.draw(json_values)).encode()
    elif shape == "deep":
        body = document.draw(deep_bodies(names))
    elif shape == "yaml":
        body, content_type = document.draw(st.sampled_from(YAML_BODIES)).encode(), "application/yaml"
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
    if shape == "yaml" and (method, path) == ("PUT", "/_mock/ai/script") and reply.status < 300:  # reads YAML
        assert "&" not in body.decode(), f"YAML aliases accepted: {request.describe()}"
    if reply.status < 300 and path.startswith(("/_mock/users", "/_mock/identity")):
        signs_in(control_sender, reply)
    if path == "/_mock/reset" or (method == "POST" and path == "/_mock/faults"):
        control_sender.send(Request("POST", "/_mock/reset"))  # no fault or clock jump outlives its example


def signs_in(sender: Any, reply: Reply) -> None:
    """A user a control call created, changed or queued signs in and calls the API: whatever the
    control API accepted, the OIDC and REST endpoints must cope with (an id too large for the store
    was accepted once, and authorize answered 500)."""
    document = reply.json()
    user = document.get("user") if isinstance(document.get("user"), dict) else document
    if not isinstance(user.get("userName"), str):
        return
    params = [(name, user["userName"] if name == "login_hint" else value) for name, value in AUTHORIZE]
    authorize = Request("GET", f"{API}/oauth/authorize", encode(params))
    answer = sender.send(authorize)
    no_server_error(authorize, answer)
    location = answer.headers.get("location", "")
    code = dict(parse_qsl(urlsplit(location).query)).get("code") if answer.status == 302 else None
    if code is None:
        return
    body = encode([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", REDIRECT_URI),
                   ("client_id", "nextflow_cli"), ("code_verifier", VERIFIER)])  # fmt: skip
    exchange = Request("POST", f"{API}/oauth/token", "", (("Content-Type", FORM),), body.encode())
    tokens = sender.send(exchange)
    no_server_error(exchange, tokens)
    if tokens.status != 200:
        return
    bearer = (("Authorization", f"Bearer {tokens.json()['access_token']}"),)
    for path in ("/userinfo", "/user-info", f"/user/{user.get('id')}/workspaces", "/tokens"):
        request = Request("GET", f"{API}{path}", "", bearer)
        no_server_error(request, sender.send(request))


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
    shape=st.sampled_from(["mutated", "mutated", "mutated", "any", "deep", "bytes"]),
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
    elif shape == "deep":
        body = document.draw(deep_bodies(sorted(REGISTRATION) + REGISTRATION_EXTRA))
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


# Secrets as clients name them, each spelled any way: upper or lower case, `_`, `-` or nothing between
# the words; those ending in a secret's word may carry a prefix of their own.
SECRET_NAMES = ["password", "client_secret", "code", "code_verifier", "refresh_token", "access_token", "token",
                "id_token_hint", "api_key", "access_key", "client_assertion", "registration_access_token"]  # fmt: skip
PREFIXABLE = ("token", "secret", "password", "key")


@st.composite
def respelled(draw: Any) -> str:
    words = draw(st.sampled_from(SECRET_NAMES)).split("_")
    name = draw(st.sampled_from(["_", "-", ""])).join(words)
    case = draw(st.integers(min_value=0, max_value=2 ** len(name) - 1))
    name = "".join(char.upper() if case >> index & 1 else char for index, char in enumerate(name))
    if words[-1] in PREFIXABLE:
        name = draw(st.sampled_from(["", "", "x-", "My_", "upstream"])) + name
    return name


@FUZZ
@given(
    name=respelled(),
    secret=st.uuids(),
    tail=st.text(max_size=8),
    where=st.sampled_from(["form", "query", "json"]),
)
def test_the_request_log_never_holds_a_secret(
    oidc_sender: Any, name: str, secret: Any, tail: str, where: str
) -> None:
    marker = secret.hex
    value = marker + tail
    if where == "form":
        request = Request(
            "POST", f"{API}/oauth/token", "", (("Content-Type", FORM),), encode([(name, value)]).encode()
        )
    elif where == "query":
        request = Request("GET", f"{API}/userinfo", encode([(name, value)]))
    else:
        request = Request("POST", f"{API}/tokens", "", (("Content-Type", "application/json"),),
                          json.dumps({"name": "x", name: value}).encode())  # fmt: skip
    no_server_error(request, oidc_sender.send(request))

    logged = oidc_sender.send(Request("GET", "/_mock/requests", "limit=1")).body.decode()

    assert marker not in logged, f"{name!r} logged in clear: {logged[:500]}"
    assert json.dumps(name) in logged, f"the field name {name!r} was not logged: {logged[:500]}"
