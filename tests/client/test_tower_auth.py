import base64
import json

import pytest

from client.errors import PlatformError
from client.platform import PlatformClient, authorization_header, decode_token_id, is_personal_access_token

SECRET = "0123456789abcdef0123456789abcdef01234567"


def pat(document: str = '{"tid":42}', secret: str = SECRET) -> str:
    return base64.b64encode(f"{document}.{secret}".encode()).decode()


def basic(token: str) -> str:
    return "Basic " + base64.b64encode(f"@token:{token}".encode()).decode()


def test_jwt_shaped_token_goes_as_bearer():
    assert authorization_header("eyJhbGciOiJSUzI1NiJ9.e30.sig") == "Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig"


def test_pat_goes_as_bearer():
    token = pat()
    assert token.count(".") != 2
    assert authorization_header(token) == f"Bearer {token}"


@pytest.mark.parametrize(
    "token",
    ["opaque-token", "a.b", "a.b.c.d", base64.b64encode(b"not json.secret").decode(), pat("{}")],
    ids=["opaque", "one dot", "three dots", "base64 but not json", "falsy json"],
)
def test_anything_else_goes_as_basic_at_token(token):
    assert authorization_header(token) == basic(token)


def test_pat_detection_needs_a_dot_after_the_json():
    assert is_personal_access_token(pat())
    assert not is_personal_access_token(base64.b64encode(b'{"tid":42}').decode())


def test_decode_token_id_reads_tid_and_ignores_the_secret():
    assert decode_token_id(pat('{"tid":42}')) == "42"
    assert decode_token_id(pat('{"tid": 8863, "x": 1}')) == "8863"


def test_decode_token_id_accepts_missing_padding():
    token = pat('{"tid":7}', "abc")
    assert token.endswith("=")
    assert decode_token_id(token.rstrip("=")) == "7"


def test_decode_token_id_rejects_the_url_safe_alphabet():
    token = pat('{"tid":42}', "\xff\xfe\xfd" * 3)
    url_safe = token.replace("+", "-").replace("/", "_")
    assert url_safe != token
    assert decode_token_id(token) == "42"
    with pytest.raises(PlatformError, match=r"^Failed to decode token ID: "):
        decode_token_id(url_safe)


@pytest.mark.parametrize("document", ['{"name":"x"}', '{"tid":0}', "[42]"])
def test_decode_token_id_without_tid(document):
    with pytest.raises(PlatformError) as error:
        decode_token_id(pat(document))
    assert str(error.value) == "Failed to decode token ID: No token ID found in decoded token"


def test_requests_carry_the_auth_rule_user_agent_and_traceparent(stub):
    stub.on("GET", "/api/user-info", body={"user": {"id": 1, "userName": "alice"}})
    assert PlatformClient(f"{stub.url}/api/", "opaque").get_user_info() == {"id": 1, "userName": "alice"}
    headers = stub.hits[0].headers
    assert headers["Authorization"] == basic("opaque")
    assert headers["User-Agent"]
    version, trace_id, parent_id, flags = headers["Traceparent"].split("-")
    assert (version, len(trace_id), len(parent_id), flags) == ("00", 32, 16, "01")


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (401, "Seqera authentication failed — check tower.accessToken or TOWER_ACCESS_TOKEN"),
        (403, "Forbidden — check permissions"),
        (404, "Resource {url}/api/user-info not found"),
        (500, "Seqera API error: HTTP 500 for {url}/api/user-info - boom"),
    ],
)
def test_user_info_errors(stub, status, message):
    stub.on("GET", "/api/user-info", status=status, body={"message": "boom"})
    with pytest.raises(PlatformError) as error:
        PlatformClient(f"{stub.url}/api", "a.b.c").get_user_info()
    assert str(error.value) == message.format(url=stub.url)


def test_user_info_without_the_user_wrapper_fails_clearly(stub):
    stub.on("GET", "/api/user-info", body={"id": 1, "userName": "alice"})
    with pytest.raises(PlatformError, match="no 'user' object"):
        PlatformClient(f"{stub.url}/api", "a.b.c").get_user_info()


def test_create_token_posts_the_name_and_returns_the_access_key(stub):
    stub.on("POST", "/api/tokens", body={"accessKey": "the-pat", "token": {"id": 42}})
    assert PlatformClient(f"{stub.url}/api", "a.b.c").create_token("nextflow-auth-alice") == "the-pat"
    (hit,) = stub.hits
    assert hit.headers["Content-Type"] == "application/json; charset=utf-8"
    assert hit.headers["Authorization"] == "Bearer a.b.c"
    assert json.loads(hit.body) == {"name": "nextflow-auth-alice"}


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (201, '{"accessKey":"the-pat"}', 'Failed to generate PAT: {"accessKey":"the-pat"}'),
        (409, '{"message":"Duplicated element"}', "Failed to generate PAT: Duplicated element"),
        (
            401,
            '{"message":"ignored"}',
            "Failed to generate PAT: Unauthorized Seqera Platform API access -- "
            "Make sure you have specified the correct access token",
        ),
        (502, "Bad gateway", "Failed to generate PAT: Bad gateway"),
    ],
    ids=["201 is not 200", "json message", "401 fixed text", "plain body"],
)
def test_create_token_errors(stub, status, body, message):
    stub.on("POST", "/api/tokens", status=status, body=body)
    with pytest.raises(PlatformError) as error:
        PlatformClient(f"{stub.url}/api", "a.b.c").create_token("n")
    assert str(error.value) == message


@pytest.mark.parametrize("status", [200, 204])
def test_delete_token_accepts_200_and_204(stub, status):
    stub.on("DELETE", "/api/tokens/42", status=status)
    PlatformClient(f"{stub.url}/api", pat()).delete_token("42")
    assert stub.hits[0].headers["Authorization"] == f"Bearer {pat()}"


def test_delete_token_failure(stub):
    stub.on("DELETE", "/api/tokens/42", status=403, body={"message": "Forbidden"})
    with pytest.raises(PlatformError, match=r"^Failed to delete token: Forbidden$"):
        PlatformClient(f"{stub.url}/api", pat()).delete_token("42")


def test_service_info_is_unauthenticated(stub):
    stub.on("GET", "/api/service-info", body={"serviceInfo": {"version": "1.0"}})
    assert PlatformClient(f"{stub.url}/api", "a.b.c").service_info() == {"version": "1.0"}
    assert "Authorization" not in stub.hits[0].headers


def test_workspaces_and_compute_envs(stub):
    stub.on("GET", "/api/user/7/workspaces", body={"orgsAndWorkspaces": [{"workspaceId": 1}]})
    stub.on("GET", "/api/compute-envs", body={"computeEnvs": [{"id": "ce"}]})
    client = PlatformClient(f"{stub.url}/api", "a.b.c")
    assert client.user_workspaces(7) == [{"workspaceId": 1}]
    assert client.compute_envs() == [{"id": "ce"}]
    assert client.compute_envs(55) == [{"id": "ce"}]
    assert [hit.query for hit in stub.hits_to("GET", "/api/compute-envs")] == [{}, {"workspaceId": "55"}]
