"""The PAT format on its own: what `encode` makes, `decode` reads back, and nothing else."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mock_platform import pats
from mock_platform.platform_api.flaws import OpaqueTokenRules

SECRET = "0123456789abcdef0123456789abcdef01234567"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@given(token_id=st.integers(1, pats.MAX_ID))
def test_round_trip(token_id):
    secret = pats.new_secret()
    pat = pats.encode(token_id, secret)
    assert json.JSONDecoder().raw_decode(base64.b64decode(pat).decode()) == (
        {"tid": token_id},
        len(f'{{"tid": {token_id}}}'),
    )
    assert pats.decode(pat) == (token_id, secret)
    assert pats.decode(pat.rstrip("=")) == (token_id, secret)
    opaque = OpaqueTokenRules()  # the pat-not-tid defect's spelling, which its rules read back
    assert opaque.read(opaque.spell(token_id, secret)) == (token_id, secret)


@pytest.mark.parametrize(
    "token",
    [
        b64('{"tid":1}.' + SECRET),
        b64('{"tid":true}.' + SECRET),
        b64('{"tid":0}.' + SECRET),
        b64('{"tid":"1"}.' + SECRET),
        b64(f'{{"tid":{2**63}}}.' + SECRET),
        b64('{"tid":1}.' + SECRET.upper()),
        b64('{"tid":1}.' + SECRET[:-1]),
        b64('{"tid":1}' + SECRET),
        b64("[1]." + SECRET),
        b64('{"tid":1}.' + SECRET)[:-2] + "-_",
        "eyJhbGciOiJSUzI1NiJ9.test.signature",
        f"pat_0_{SECRET}",
        f"pat_{2**63}_{SECRET}",
        "",
        "é" * 10,
        "A" * 300,
    ],
)
def test_anything_else_is_not_a_pat(token):
    assert pats.decode(token) is None


@given(token=st.one_of(st.text(), st.binary().map(lambda raw: base64.b64encode(raw).decode())))
def test_decode_accepts_only_what_encode_makes_and_never_raises(token):
    decoded = pats.decode(token)
    assert decoded is None or pats.encode(*decoded).rstrip("=") == token.rstrip("=")
