"""POST /_mock/tokens: tokens without a browser, good ones that work and broken ones that must not."""

from __future__ import annotations

import pytest
import requests
from joserfc import jwt
from joserfc.errors import BadSignatureError, InvalidKeyIdError
from joserfc.jws import extract_compact

from .helpers import bearer_get, control, published_keys, verified_claims


def header(token: str) -> dict:
    return extract_compact(token.encode()).headers()


def test_a_minted_token_works_at_userinfo_and_the_rest_api(mock_platform):
    minted = mock_platform.control.mint_token(
        "bob", claims={"team": "genomics"}, userinfo_claims={"desk": "4B"}
    )

    assert minted["stored"] is True and minted["token_type"] == "Bearer"
    assert verified_claims(mock_platform, minted["access_token"])["team"] == "genomics"
    userinfo = bearer_get(mock_platform, "/userinfo", minted["access_token"]).json()
    assert (userinfo["sub"], userinfo["desk"]) == ("1002", "4B")
    assert bearer_get(mock_platform, "/user-info", minted["access_token"]).json()["user"]["userName"] == "bob"


def test_an_expired_token_is_refused_everywhere(mock_platform):
    minted = mock_platform.control.mint_token("alice", expired=True)
    now = mock_platform.control.clock()["now"]

    assert minted["claims"]["exp"] < now - 300 and minted["expires_in"] == 0
    assert bearer_get(mock_platform, "/userinfo", minted["access_token"]).status_code == 401
    assert bearer_get(mock_platform, "/user-info", minted["access_token"]).status_code == 401


def test_a_wrong_key_token_fails_signature_validation_with_joserfc(mock_platform):
    minted = mock_platform.control.mint_token("alice", wrong_key=True, id_token=True)
    keys = published_keys(mock_platform)

    for token in (minted["access_token"], minted["id_token"]):
        assert header(token)["kid"] == keys.keys[0].kid  # a published kid: only the signature is wrong
        with pytest.raises(BadSignatureError):
            jwt.decode(token, keys, algorithms=["RS256"])
    assert minted["stored"] is False
    assert bearer_get(mock_platform, "/userinfo", minted["access_token"]).status_code == 401
    assert bearer_get(mock_platform, "/user-info", minted["access_token"]).status_code == 401


def test_an_unpublished_kid_is_not_found_in_jwks(mock_platform):
    minted = mock_platform.control.mint_token("alice", kid="retired-2019")

    with pytest.raises(InvalidKeyIdError):
        jwt.decode(minted["access_token"], published_keys(mock_platform), algorithms=["RS256"])
    assert minted["stored"] is False


def test_iss_aud_exp_and_lifetime_overrides(mock_platform):
    now = int(mock_platform.control.clock()["now"])
    foreign = mock_platform.control.mint_token("alice", iss="https://evil.example", id_token=True)
    audience = mock_platform.control.mint_token("alice", aud=["nextflow_cli", "other"], exp=now + 120)
    short = mock_platform.control.mint_token("alice", lifetime=30)

    assert verified_claims(mock_platform, foreign["access_token"])["iss"] == "https://evil.example"
    assert verified_claims(mock_platform, foreign["id_token"])["iss"] == "https://evil.example"
    assert foreign["stored"] is False
    assert bearer_get(mock_platform, "/userinfo", foreign["access_token"]).status_code == 401
    claims = verified_claims(mock_platform, audience["access_token"])
    assert claims["aud"] == ["nextflow_cli", "other"] and claims["exp"] == now + 120
    assert 118 <= audience["expires_in"] <= 120
    assert bearer_get(mock_platform, "/userinfo", audience["access_token"]).status_code == 200
    assert short["claims"]["exp"] - short["claims"]["iat"] == 30


def test_an_id_token_has_the_users_claims_for_the_scope(mock_platform):
    minted = mock_platform.control.mint_token(
        "bob", scope="openid email", id_token=True, nonce="n-1", id_token_claims={"groups": ["admins"]}
    )

    claims = verified_claims(mock_platform, minted["id_token"])
    assert (claims["sub"], claims["aud"], claims["azp"], claims["nonce"]) == (
        "1002",
        "nextflow_cli",
        "nextflow_cli",
        "n-1",
    )
    assert claims["email"] == "bob@example.com" and "name" not in claims
    assert claims["groups"] == ["admins"] and "groups" not in minted["claims"]
    assert header(minted["id_token"])["typ"] == "JWT" and header(minted["access_token"])["typ"] == "at+jwt"


def test_an_expired_token_with_a_refresh_token_drives_the_refresh_path(mock_platform):
    minted = mock_platform.control.mint_token(
        "alice", expired=True, refresh_token=True, scope="openid offline_access"
    )

    refreshed = requests.post(
        f"{mock_platform.issuer}/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": minted["refresh_token"],
            "client_id": "nextflow_cli",
        },
        timeout=10,
    )

    assert refreshed.status_code == 200, refreshed.text
    assert bearer_get(mock_platform, "/userinfo", refreshed.json()["access_token"]).json()["sub"] == "1001"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"user": "zed"}, 'user: "zed" is not a userName, email or id of a user'),
        ({"user": "alice", "client_id": "nope"}, 'client_id: no client "nope"'),
        (
            {"user": "alice", "scope": "openid admin"},
            "scope: admin not allowed for nextflow_cli; allowed: openid profile email offline_access",
        ),
        ({"user": "alice", "expired": True, "exp": 5}, "give at most one of expired, exp and lifetime"),
        ({"user": "alice", "expired": "yes"}, 'expired: expected true or false, got "yes"'),
        (
            {"user": "alice", "wrong_key": True, "refresh_token": True},
            "refresh_token: only for a token the mock stores",
        ),
        ({"user": "alice", "claims": {"iss": "x"}}, "claims.iss: a claim the protocol sets"),
        ({"user": "alice", "aud": []}, "aud: must be a string or a list of strings, got []"),
        ({"user": "alice", "nonce": "n"}, "nonce: only with id_token: true"),
        (
            {"user": "alice", "wrongKey": True},
            "unknown field 'wrongKey' (did you mean 'wrong_key'?); known fields: aud, claims, client_id,",
        ),
    ],
)
def test_bad_token_requests_are_refused_with_a_message_naming_the_field(mock_platform, body, message):
    response = control(mock_platform, "POST", "/tokens", body)

    assert response.status_code == 400
    assert message in response.json()["message"]
