import pytest

from client.errors import LoginError, RefreshFailed
from client.exchange import exchange_code, refresh, revoke

TOKENS = {
    "access_token": "eyJhbGciOiJSUzI1NiJ9.test.signature",
    "refresh_token": "rt_abc123",
    "expires_in": 3600,
}


def test_exchange_posts_the_form_fields_in_lib_platform_oidc_order(stub):
    stub.on("POST", "/token", body=TOKENS)
    tokens = exchange_code(
        f"{stub.url}/token", "nextflow_cli", "c/o+de", "verifier", "http://127.0.0.1:4242/callback"
    )
    assert tokens == TOKENS
    (hit,) = stub.hits_to("POST", "/token")
    assert hit.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert "Authorization" not in hit.headers
    assert hit.body == (
        "grant_type=authorization_code&client_id=nextflow_cli&code=c%2Fo%2Bde&code_verifier=verifier"
        "&redirect_uri=http%3A%2F%2F127.0.0.1%3A4242%2Fcallback"
    )


@pytest.mark.parametrize("status", [201, 400])
def test_exchange_needs_exactly_200(stub, status):
    stub.on("POST", "/token", status=status, body='{"error":"invalid_grant"}')
    with pytest.raises(LoginError) as error:
        exchange_code(f"{stub.url}/token", "nextflow_cli", "code", "verifier", "http://127.0.0.1:1/callback")
    assert str(error.value) == f'Token exchange failed (HTTP {status}): {{"error":"invalid_grant"}}'


@pytest.mark.parametrize("body", [{"token_type": "Bearer"}, {"access_token": ""}, "<html>"])
def test_exchange_without_access_token(stub, body):
    stub.on("POST", "/token", body=body)
    with pytest.raises(LoginError) as error:
        exchange_code(f"{stub.url}/token", "nextflow_cli", "code", "verifier", "http://127.0.0.1:1/callback")
    assert str(error.value) == "Token response missing access_token"


def test_refresh_posts_the_seqera_cli_fields_in_order(stub):
    stub.on("POST", "/token", status=201, body=TOKENS)
    assert refresh(f"{stub.url}/token", "seqera_ai_cli", "rt 1", "openid profile") == TOKENS
    assert (
        stub.hits[0].body
        == "grant_type=refresh_token&refresh_token=rt+1&scope=openid+profile&client_id=seqera_ai_cli"
    )


def test_refresh_without_scope_leaves_it_out(stub):
    stub.on("POST", "/token", body=TOKENS)
    refresh(f"{stub.url}/token", "seqera_ai_cli", "rt")
    assert stub.hits[0].body == "grant_type=refresh_token&refresh_token=rt&client_id=seqera_ai_cli"


def test_refresh_failure_shows_the_body(stub):
    stub.on("POST", "/token", status=400, body='{"error":"invalid_grant"}')
    with pytest.raises(RefreshFailed) as error:
        refresh(f"{stub.url}/token", "seqera_ai_cli", "rt")
    assert str(error.value) == 'Token refresh failed: {"error":"invalid_grant"}'


def test_revoke_sends_an_rfc7009_form(stub):
    stub.on("POST", "/revoke")
    revoke(f"{stub.url}/revoke", "seqera_ai_cli", "rt-1", "refresh_token")
    assert stub.hits[0].body == "token=rt-1&token_type_hint=refresh_token&client_id=seqera_ai_cli"


def test_revoke_failure(stub):
    stub.on("POST", "/revoke", status=400, body='{"error":"unsupported_token_type"}')
    with pytest.raises(LoginError, match=r"^Token revocation failed \(HTTP 400\): "):
        revoke(f"{stub.url}/revoke", "seqera_ai_cli", "rt-1")
