"""Request bodies nested deeper than any document the mock takes: refused like malformed JSON (or
YAML) at every reader, never a 500 and never a traceback (issue 18, finding 1)."""

from __future__ import annotations

import json
import logging

import pytest
import requests

from mock_platform.request_bodies import MAX_DEPTH
from tests.control.helpers import create_pat

TIMEOUT = 10
REGISTRATION_TOKEN = "deep-json-initial-access-token"
JSON = {"Content-Type": "application/json"}


def nested(depth: int, inner: object = 1) -> object:
    """An array `depth` levels deep around `inner`."""
    document = inner
    for _ in range(depth):
        document = [document]
    return document


def deep_text(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture
def platform(mock_platform_factory):
    return mock_platform_factory(registration_token=REGISTRATION_TOKEN)


@pytest.fixture
def quiet(caplog):
    """Fails the test when the mock logged an error: a traceback on stderr is the symptom."""
    caplog.set_level(logging.ERROR)
    yield
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR], caplog.text


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1000, 100_000])
def test_a_deep_body_to_any_path_without_credentials_is_no_server_error(platform, quiet, depth):
    for path in ("/nowhere", "/api/userinfo", "/api/oauth/token", "/_mock/users"):
        response = requests.post(
            platform.base_url + path, data=deep_text(depth), headers=JSON, timeout=TIMEOUT
        )
        assert response.status_code < 500, (path, response.text[:300])
        assert response.headers["Content-Type"].startswith("application/json")
    logged = platform.control.recent_requests(path="/nowhere")
    assert logged[-1]["status"] == 404 and logged[-1]["body"] == "(not valid JSON)"


def test_post_tokens_refuses_a_deep_body_and_takes_one_within_the_bound(platform, oidc_login, quiet):
    token = oidc_login(server=platform)["access_token"]
    headers = {**JSON, "Authorization": f"Bearer {token}"}
    url = f"{platform.issuer}/tokens"

    deep = requests.post(url, data=deep_text(1000), headers=headers, timeout=TIMEOUT)
    one_too_deep = json.dumps({"name": "x", "note": nested(MAX_DEPTH)})  # the object is level 1
    just_deep_enough = json.dumps({"name": "kept", "note": nested(MAX_DEPTH - 1)})

    assert deep.status_code == 400 and "JSON object" in deep.json()["message"]
    refused = requests.post(url, data=one_too_deep, headers=headers, timeout=TIMEOUT)
    assert refused.status_code == 400
    assert requests.post(url, data=just_deep_enough, headers=headers, timeout=TIMEOUT).status_code == 200


def test_the_control_api_and_registration_refuse_a_deep_body_as_malformed(platform, quiet):
    control = requests.post(
        f"{platform.base_url}/_mock/users", data=deep_text(1000), headers=JSON, timeout=TIMEOUT
    )
    registration = requests.post(
        f"{platform.issuer}/oauth/register",
        data='{"redirect_uris": ["http://127.0.0.1/callback"], "jwks": ' + deep_text(1000) + "}",
        headers={**JSON, "Authorization": f"Bearer {REGISTRATION_TOKEN}"},
        timeout=TIMEOUT,
    )

    assert control.status_code == 400 and "must be a JSON object" in control.json()["message"]
    assert registration.status_code == 400
    assert registration.json()["error"] == "invalid_client_metadata"


def test_a_deep_body_with_a_personal_access_token_is_no_server_error(platform, oidc_login, quiet):
    pat = create_pat(platform, oidc_login(server=platform)["access_token"], "deep")
    response = requests.post(
        f"{platform.issuer}/tokens",
        data=deep_text(1000),
        headers={**JSON, "Authorization": f"Bearer {pat}"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 400


BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[" * 1000 + "]" * 1000, f"nests more than {MAX_DEPTH} levels deep"),
        ("replies:\n" + "  - " * 1 + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "levels deep"),
        (BILLION_LAUGHS, "aliases (*name) are not accepted"),
    ],
)
def test_a_yaml_script_nested_deep_or_with_aliases_is_refused(platform, quiet, text, problem):
    response = requests.put(
        f"{platform.base_url}/_mock/ai/script",
        data=text,
        headers={"Content-Type": "application/yaml"},
        timeout=TIMEOUT,
    )

    assert response.status_code == 400 and problem in response.json()["message"]
    assert "the body is not valid YAML" in response.json()["message"]
