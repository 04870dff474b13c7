import pytest

from client.discovery import discover, discovery_url
from client.errors import ConnectionFailed, LoginError

WELL_KNOWN = "/api/.well-known/openid-configuration"
ENDPOINTS = {"authorization_endpoint": "http://idp/authorize", "token_endpoint": "http://idp/token"}


def test_discovery_url_drops_one_trailing_slash():
    assert discovery_url("http://h/api/") == "http://h/api/.well-known/openid-configuration"
    assert discovery_url("http://h/api") == "http://h/api/.well-known/openid-configuration"


def test_reads_required_and_optional_endpoints(stub):
    document = {**ENDPOINTS, "revocation_endpoint": "http://idp/revoke", "issuer": "http://idp", "extra": 1}
    stub.on("GET", WELL_KNOWN, body=document)
    config = discover(f"{stub.url}/api/")
    assert config.authorization_endpoint == "http://idp/authorize"
    assert config.token_endpoint == "http://idp/token"
    assert config.revocation_endpoint == "http://idp/revoke"
    assert config.issuer == "http://idp"
    assert config.userinfo_endpoint is None
    assert config.raw == document


def test_follows_redirects(stub):
    stub.on("GET", "/old/.well-known/openid-configuration", status=301, Location=f"{stub.url}{WELL_KNOWN}")
    stub.on("GET", WELL_KNOWN, body=ENDPOINTS)
    assert discover(f"{stub.url}/old").token_endpoint == "http://idp/token"


@pytest.mark.parametrize("status", [404, 500])
def test_non_200_status(stub, status):
    stub.on("GET", WELL_KNOWN, status=status, body=ENDPOINTS)
    with pytest.raises(LoginError) as error:
        discover(f"{stub.url}/api")
    assert str(error.value) == f"OIDC discovery failed: HTTP {status}"


def test_a_2xx_other_than_200_is_a_failure_too(stub):
    stub.on("GET", WELL_KNOWN, status=203, body=ENDPOINTS)
    with pytest.raises(LoginError, match=r"^OIDC discovery failed: HTTP 203$"):
        discover(f"{stub.url}/api")


@pytest.mark.parametrize(
    "body",
    [
        {"authorization_endpoint": "http://idp/authorize"},
        {"token_endpoint": "http://idp/token"},
        {"authorization_endpoint": None, "token_endpoint": "http://idp/token"},
        "not json",
        ["a", "list"],
    ],
    ids=["no token_endpoint", "no authorization_endpoint", "null value", "not json", "not an object"],
)
def test_missing_endpoints(stub, body):
    stub.on("GET", WELL_KNOWN, body=body)
    with pytest.raises(LoginError) as error:
        discover(f"{stub.url}/api")
    assert str(error.value) == "OIDC discovery response missing required endpoints"


def test_unreachable_server_is_one_clear_line(stub):
    url = stub.url
    stub.close()
    with pytest.raises(
        ConnectionFailed, match=r"^Cannot connect to http://127\.0\.0\.1:\d+/api/\.well-known"
    ):
        discover(f"{url}/api")
