import base64
import hashlib
import re

from client.pkce import compute_challenge, generate_state, generate_verifier

BASE64URL_NO_PAD = re.compile(r"^[A-Za-z0-9_-]+$")


def test_challenge_matches_rfc7636_appendix_b():
    assert compute_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == (
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


def test_verifier_is_32_random_bytes_base64url_without_padding():
    verifiers = {generate_verifier() for _ in range(50)}
    assert len(verifiers) == 50
    for verifier in verifiers:
        assert len(verifier) == 43
        assert BASE64URL_NO_PAD.match(verifier)
        assert len(base64.urlsafe_b64decode(verifier + "=")) == 32


def test_state_is_16_random_bytes_base64url_without_padding():
    states = {generate_state() for _ in range(50)}
    assert len(states) == 50
    for state in states:
        assert len(state) == 22
        assert BASE64URL_NO_PAD.match(state)
        assert len(base64.urlsafe_b64decode(state + "==")) == 16


def test_challenge_is_s256_of_the_ascii_verifier():
    verifier = generate_verifier()
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    assert compute_challenge(verifier) == base64.urlsafe_b64encode(digest).decode().rstrip("=")
    assert len(compute_challenge(verifier)) == 43
