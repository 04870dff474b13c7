"""Bad input for every endpoint, two ways to send it, and what a well-formed answer looks like.

`InProcess` sends through the WSGI app (fast, for `make test`); `OverHttp` sends raw HTTP/1.1 to a
served mock (gunicorn's own parsing included, for `make stress`). Both count what they send, so the
run can say how many requests the fuzzing made.
"""

from __future__ import annotations

import base64
import http.client
import json
import re
import string
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import yaml
from hypothesis import strategies as st
from werkzeug.test import Client

from mock_platform.request_bodies import MAX_DEPTH

SENT: Counter[str] = Counter()  # requests sent, by sender kind; reported at the end of the run

# RFC 6749 §5.2 / §4.1.2.1: error is %x20-21 / %x23-5B / %x5D-7E; so is error_description.
ERROR_TEXT = re.compile(r"^[\x20-\x21\x23-\x5b\x5d-\x7e]+$")
LOOPBACK_HOSTS = ("127.0.0.1", "[::1]")
FORM = "application/x-www-form-urlencoded"
JWT_HEADER = base64.urlsafe_b64encode(b'{"alg":"RS256","kid":"x","typ":"at+jwt"}').rstrip(b"=").decode()


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None

    def describe(self) -> str:
        body = (self.body or b"")[:300]
        return f"{self.method} {self.path}?{self.query[:300]} headers={self.headers!r} body={body!r}"


class InProcess:
    kind = "in-process"

    def __init__(self, client: Client) -> None:
        self.client = client

    def send(self, request: Request) -> Reply:
        SENT[self.kind] += 1
        # A WSGI server hands header values over as the bytes that came, decoded as Latin-1.
        headers = [(name, value.encode("utf-8").decode("latin-1")) for name, value in request.headers]
        response = self.client.open(
            request.path,
            method=request.method,
            query_string=request.query,
            headers=headers,
            data=request.body,
        )
        return Reply(
            response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.get_data()
        )


class OverHttp:
    kind = "http"

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def send(self, request: Request) -> Reply:
        SENT[self.kind] += 1
        # What may go on the wire as is: printable ASCII but space; the rest percent-encoded as UTF-8.
        target = quote(request.path + (f"?{request.query}" if request.query else ""), safe=string.punctuation)
        for attempt in (1, 2):
            try:
                self.conn.putrequest(request.method, target, skip_accept_encoding=True)
                for name, value in request.headers:
                    self.conn.putheader(name, value.encode("utf-8"))  # raw bytes: the server must cope
                if request.body is not None:
                    self.conn.putheader("Content-Length", str(len(request.body)))
                self.conn.endheaders(request.body)
                response = self.conn.getresponse()
                body = response.read()
                if response.will_close:
                    self.conn.close()
                return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.conn.close()  # a kept-alive connection the server closed; try once more
                if attempt == 2:
                    raise
            except Exception:
                self.conn.close()  # never leave the connection half-way through a request
                raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.conn.close()


# clients the fuzzed mocks have besides the seed ones: confidential, with a secret that is not ASCII

CLIENT_SECRET = "fuzz-s\u00e9same-\U0001f511-\u202e"
CONFIDENTIAL_CLIENTS = {"fuzz_basic": "client_secret_basic", "fuzz_post": "client_secret_post"}
CONFIG = {
    "clients": [
        {
            "client-id": client_id,
            "token-endpoint-auth-method": method,
            "client-secret": CLIENT_SECRET,
            "redirect-uris": ["http://127.0.0.1/callback"],
        }
        for client_id, method in CONFIDENTIAL_CLIENTS.items()
    ]
}


def write_config(directory: Path) -> Path:
    path = directory / "fuzz-config.yml"
    path.write_text(yaml.safe_dump(CONFIG, allow_unicode=True), encoding="utf-8")
    return path


# deep nesting ------------------------------------------------------------------------------------


def deep_json(depth: int, kind: str = "array") -> str:
    """JSON text nested `depth` levels deep: arrays, objects, or both in turn."""
    opening = {"array": "[", "object": '{"a":', "mixed": '[{"a":'}[kind]
    closing = {"array": "]", "object": "}", "mixed": "}]"}[kind]
    inner = "" if kind == "array" else "1"
    levels = depth if kind != "mixed" else max(depth // 2, 1)
    return opening * levels + inner + closing * levels


def b64url(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


DEPTHS = [MAX_DEPTH, MAX_DEPTH + 1, 300, 1000, 5000, 100_000]
deep_documents = st.builds(deep_json, st.sampled_from(DEPTHS), st.sampled_from(["array", "object", "mixed"]))
DEEP_JWT = b64url('{"alg":"RS256","x":' + deep_json(1500) + "}") + ".e30.c2ln"  # a header nested deep
DEEP_PAT = base64.b64encode((deep_json(80) + "." + "0" * 40).encode()).decode()


@st.composite
def deep_bodies(draw: Any, names: list[str]) -> bytes:
    """A JSON body nested deep: the whole document, or the value of one field of an object."""
    document = draw(deep_documents)
    if draw(st.booleans()):
        name = json.dumps(draw(st.sampled_from(names or ["x"])))
        document = "{" + name + ": " + document + "}"
    return document.encode()


# values ------------------------------------------------------------------------------------------

NASTY = [
    "", " ", "null", "0", "-1", "1e309", "NaN", "9" * 400, "\x00", "%00", "%zz", "%", "é", "💥", "\u202e",
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "' OR 1=1 --", "../../etc/passwd",
    "a.b", "a.b.c", "..", "eyJhbGciOiJub25lIn0.e30.", f"{JWT_HEADER}.e30", f"{JWT_HEADER}.e30.c2ln",
    f"{JWT_HEADER}.!!!.???", "Bearer", "=", "&", "S256", "plain", "code", "openid", "offline_access",
    "nextflow_cli", "seqera_ai_cli", "http://127.0.0.1:1/callback", "http://evil.example/callback",
    "A" * 5000, "true", "[]", "{}", "\r\nX-Injected: 1", "\\", "//evil.example", "%2F%2Fevil.example",
    *CONFIDENTIAL_CLIENTS, CLIENT_SECRET, "caf\u00e9", "\u0130", "\ufeff", "\U0001f511" * 20, DEEP_JWT, DEEP_PAT,
    deep_json(MAX_DEPTH + 1), deep_json(2000, "object"), str(2**63), str(2**70), str(-(2**63) - 1),
]  # fmt: skip

values = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(alphabet=string.printable, max_size=200),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.binary(max_size=60).map(lambda raw: base64.urlsafe_b64encode(raw).decode().rstrip("=")),
)
# Any character but controls (which no client can send in a header) and lone surrogates (no bytes).
HEADER_CHARACTERS = st.characters(blacklist_categories=("Cc", "Cs"))
header_values = st.one_of(
    st.sampled_from([v for v in NASTY if v.isprintable()]),
    st.text(alphabet=string.ascii_letters + string.digits + string.punctuation + " ", max_size=200),
    st.text(alphabet=HEADER_CHARACTERS, max_size=40),
)


def pairs(names: list[str]) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Parameters: known names and strangers, any values, some names sent twice."""
    name = st.one_of(st.sampled_from(names), st.text(max_size=12))
    return st.lists(st.tuples(name, values), max_size=12)


def encode(params: list[tuple[str, str]], raw: str | None = None) -> str:
    if raw is not None:
        return raw
    return "&".join(f"{quote(name, safe='')}={quote(value, safe='')}" for name, value in params)


raw_queries = st.one_of(st.none(), st.text(alphabet=string.printable, max_size=200))

CONTENT_TYPES = [
    FORM, f"{FORM}; charset=utf-8", f"{FORM}; charset=latin-1", f"{FORM}; charset=utf-16", "application/json",
    "multipart/form-data; boundary=xyz", "multipart/form-data", "text/plain", "application/xml", "", "*/*",
    "application/x-www-form-urlencoded, application/json", "garbage",
]  # fmt: skip
content_types = st.one_of(st.none(), st.sampled_from(CONTENT_TYPES), header_values)


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode("utf-8", "surrogatepass")).decode()


authorizations = st.one_of(
    st.none(),
    st.builds(lambda v: f"Bearer {v}", header_values),
    st.builds(lambda v: f"bearer {v}", header_values),
    st.builds(lambda v: f"Basic {v}", header_values),  # bad base64, mostly
    st.builds(basic, st.text(alphabet=string.printable, max_size=30), st.text(max_size=30)),
    st.builds(
        basic,
        st.sampled_from([*CONFIDENTIAL_CLIENTS, "nextflow_cli", "@token"]),
        st.one_of(
            st.just(CLIENT_SECRET), st.text(alphabet=HEADER_CHARACTERS, max_size=30), st.sampled_from(NASTY)
        ),
    ),
    header_values,
)


@st.composite
def bodies(draw: Any, names: list[str]) -> tuple[bytes | None, str | None]:
    """(body, content type): a form of the given names, JSON, raw bytes, or nothing."""
    kind = draw(st.sampled_from(["form", "form", "json", "deep", "bytes", "none"]))
    content_type = draw(content_types)
    if kind == "form":
        return encode(draw(pairs(names)), draw(st.one_of(st.none(), st.none(), raw_queries))).encode(), (
            FORM if draw(st.booleans()) else content_type
        )
    if kind == "json":
        document = draw(st.dictionaries(st.sampled_from(names), values, max_size=6))
        return json.dumps(document).encode(), content_type or "application/json"
    if kind == "deep":
        return draw(deep_bodies(names)), content_type or "application/json"
    if kind == "bytes":
        return draw(st.binary(max_size=300)), content_type
    return None, content_type


def headers_of(content_type: str | None, authorization: str | None) -> tuple[tuple[str, str], ...]:
    headers = []
    if content_type is not None:
        headers.append(("Content-Type", content_type))
    if authorization is not None:
        headers.append(("Authorization", authorization))
    return tuple(headers)


# what a well-formed answer is --------------------------------------------------------------------


def no_server_error(request: Request, reply: Reply) -> None:
    assert reply.status < 500, f"{reply.status} for {request.describe()}: {reply.body[:500]!r}"


def error_text(value: Any, what: str) -> None:
    assert isinstance(value, str) and ERROR_TEXT.match(value), f"{what} {value!r} breaks RFC 6749 §5.2"


def oauth_json_error(request: Request, reply: Reply) -> None:
    """RFC 6749 §5.2: JSON object, `error` and optional `error_description` in the allowed characters."""
    assert reply.content_type == "application/json", (
        f"{reply.status} {reply.content_type} for {request.describe()}"
    )
    document = reply.json()
    assert isinstance(document, dict) and set(document) <= {"error", "error_description", "error_uri"}, (
        document
    )
    error_text(document.get("error"), "error")
    if "error_description" in document:
        error_text(document["error_description"], "error_description")


def message_error(request: Request, reply: Reply) -> None:
    """Routing errors and the REST/control APIs: JSON {"message": ...}."""
    assert reply.content_type == "application/json", (
        f"{reply.status} {reply.content_type} for {request.describe()}"
    )
    document = reply.json()
    assert isinstance(document, dict) and isinstance(document.get("message"), str), document


def routing_error(request: Request, reply: Reply) -> bool:
    """404/405/413 from routing: checked as {"message"}; True when the reply was one.

    Also True for gunicorn's refusals of an oversized request line or header block (414, 431):
    HTTP-level limits answered before the app sees the request, as any server in front would.
    """
    if reply.status in (414, 431):
        return True
    if (
        reply.status in (404, 405, 413)
        and reply.content_type == "application/json"
        and "message" in reply.json()
    ):
        message_error(request, reply)
        return True
    return False


def redirect_target_is_registered(request: Request, reply: Reply) -> None:
    """Every redirect from authorize goes to a loopback callback the client registered (never elsewhere)."""
    location = reply.headers.get("location", "")
    target = urlsplit(location)
    assert target.scheme == "http" and target.netloc.rsplit(":", 1)[0] in LOOPBACK_HOSTS, (
        f"redirect to {location!r} for {request.describe()}"
    )
    params = parse_qsl(target.query, keep_blank_values=True)
    names = [name for name, _ in params]
    assert "code" in names or "error" in names, location
    for name, value in params:
        if name in ("error", "error_description"):
            error_text(value, name)


def html_page(request: Request, reply: Reply) -> None:
    """An HTML page that reflects nothing unescaped: no tag from the input survives as markup."""
    assert reply.content_type == "text/html", f"{reply.status} {reply.content_type} for {request.describe()}"
    page = reply.body.decode("utf-8")
    for needle in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>"):
        assert needle not in page, f"unescaped input in the page for {request.describe()}"


def bearer_error(request: Request, reply: Reply) -> None:
    """RFC 6750 §3: a Bearer challenge and a JSON error body."""
    challenge = reply.headers.get("www-authenticate", "")
    if reply.status in (401, 403) or (reply.status == 400 and challenge):
        assert challenge.startswith("Bearer"), (
            f"{reply.status} without a Bearer challenge: {request.describe()}"
        )
    oauth_json_error(request, reply)
