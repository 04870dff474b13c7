"""TOK: the token endpoint (RFC 6749 §3.2, §4.1.3, §5; OIDC Core §3.1.3) as the CLI uses it."""

from __future__ import annotations

import base64
import secrets
import time

import pytest
import requests

from .checks import Check
from .expectations import ERROR_CHARSET, TOKEN_ERRORS, json_body, token_error
from .harness import OAuth, Tokens
from .oauth import encode_pairs, is_vschar, new_verifier, shannon_bits
from .platform import Platform
from .plugin import Options
from .target import Clock, Target

case = pytest.mark.case
ONE_YEAR = 365 * 24 * 3600


def cache_directives(response: requests.Response) -> set[str]:
    values = response.raw.headers.getlist("Cache-Control") if response.raw is not None else []
    values = values or [response.headers.get("Cache-Control", "")]
    return {
        part.strip().lower().split("=")[0] for value in values for part in value.split(",") if part.strip()
    }


def other_port(redirect_uri: str, port: int) -> str:
    return redirect_uri.replace(f":{port}/", f":{port + 1 if port < 65535 else port - 1}/")


@case("TOK-01")
def test_code_exchange(check: Check, happy: Tokens, oauth: OAuth) -> None:
    response, body = happy.response, happy.body
    check.response(response, label="code exchange")
    check.must(response.status_code == 200, f"HTTP {response.status_code}; the CLI requires exactly 200")
    media = response.headers.get("Content-Type", "").split(";")[0].strip()
    check.must(media == "application/json", f"Content-Type {media!r}", field="Content-Type")
    check.must(
        isinstance(body.get("access_token"), str) and body["access_token"],
        "no access_token",
        field="access_token",
    )
    check.must(
        str(body.get("token_type", "")).lower() == "bearer",
        f"token_type is {body.get('token_type')!r}",
        field="token_type",
    )
    expires_in = body.get("expires_in")
    if expires_in is None:
        needed = oauth.client_id == "seqera_ai_cli"
        (check.must if needed else check.should)(
            False,
            "expires_in is absent" + (" (the Seqera CLI needs it)" if needed else ""),
            field="expires_in",
        )
    else:
        check.must(
            isinstance(expires_in, int | float)
            and not isinstance(expires_in, bool)
            and 0 < expires_in < ONE_YEAR,
            f"expires_in is {expires_in!r}: not a positive number below one year",
            field="expires_in",
        )
    check.must(
        body.get("id_token"),
        "no id_token although openid was requested",
        clause="Core §3.1.3.3",
        field="id_token",
    )
    check.must(
        body.get("refresh_token"),
        "no refresh_token although offline_access was requested (the Seqera CLI needs it)",
        clause="Core §11 (contract)",
        field="refresh_token",
    )
    check.record("scope", body.get("scope"))
    check.record("expires_in", expires_in)


@case("TOK-02")
def test_no_store(check: Check, happy: Tokens) -> None:
    directives = cache_directives(happy.response)
    check.record("Cache-Control", sorted(directives))
    check.must(
        "no-store" in directives, "the token response has no Cache-Control: no-store", field="Cache-Control"
    )
    pragma = happy.response.headers.get("Pragma", "").lower()
    check.should(
        "no-cache" in pragma,
        "the token response has no Pragma: no-cache",
        clause="RFC 6749 §5.1",
        field="Pragma",
    )


@case("TOK-03")
def test_token_strength(check: Check, happy: Tokens) -> None:
    for name in ("access_token", "refresh_token"):
        value = happy.body.get(name)
        if not isinstance(value, str):
            continue
        bits = shannon_bits(value)
        check.record(f"{name} Shannon bits", round(bits, 1))
        check.must(is_vschar(value), f"{name} has characters outside VSCHAR", field=name)
        check.must(len(value) * 8 >= 128, f"{name} is shorter than 128 bits", field=name)
        check.must(bits > 96, f"{name} Shannon estimate {bits:.0f} bits ≤ 96", field=name)


@case("TOK-04")
def test_redirect_uri_port_mismatch(check: Check, oauth: OAuth) -> None:
    authorization = oauth.login()
    flow = authorization.flow
    response = oauth.exchange(
        flow, authorization.code or "", redirect_uri=other_port(flow.redirect_uri, flow.listener.port)
    )
    token_error(
        check, response, "redirect_uri with another port", {"invalid_grant"}, clause="RFC 6749 §4.1.3"
    )


@case("TOK-05")
def test_redirect_uri_omitted(check: Check, oauth: OAuth) -> None:
    authorization = oauth.login()
    response = oauth.exchange(authorization.flow, authorization.code or "", redirect_uri=None)
    body = json_body(response) or {}
    check.record(
        "outcome",
        "tokens issued"
        if response.status_code == 200
        else f"HTTP {response.status_code} {body.get('error')}",
    )


@case("TOK-06")
def test_client_id_omitted(check: Check, oauth: OAuth) -> None:
    authorization = oauth.login()
    response = oauth.exchange(authorization.flow, authorization.code or "", client_id=None)
    token_error(check, response, "client_id omitted", {"invalid_request", "invalid_client"})


@case("TOK-07")
def test_code_bound_to_client(check: Check, oauth: OAuth, options: Options) -> None:
    authorization = oauth.login()
    other = options.second_client_id
    response = oauth.exchange(authorization.flow, authorization.code or "", client_id=other)
    token_error(check, response, f"code redeemed as {other}", {"invalid_grant", "invalid_client"})


@case("TOK-08")
def test_public_client_sends_credentials(check: Check, oauth: OAuth) -> None:
    basic = base64.b64encode(f"{oauth.client_id}:".encode()).decode()
    for label, headers, extra in (
        ("Authorization: Basic with an empty secret", {"Authorization": f"Basic {basic}"}, []),
        ("client_secret=bogus", None, [("client_secret", "bogus")]),
    ):
        authorization = oauth.login()
        response = oauth.exchange(authorization.flow, authorization.code or "", headers=headers, extra=extra)
        error = (json_body(response) or {}).get("error")
        check.record(label, f"HTTP {response.status_code} {error or ''}".strip())
        check.should(
            response.status_code == 200 or error == "invalid_client",
            f"{label}: HTTP {response.status_code} {error}; expected treatment as none or invalid_client",
        )
        if response.status_code == 401 and headers:
            check.should(
                "WWW-Authenticate" in response.headers,
                f"{label}: 401 without WWW-Authenticate",
                clause="RFC 6749 §5.2",
                field="WWW-Authenticate",
            )


@case("TOK-09")
def test_unknown_code(check: Check, oauth: OAuth) -> None:
    flow = oauth.flow()
    response = oauth.exchange(flow, secrets.token_urlsafe(32))
    token_error(check, response, "unknown code", {"invalid_grant"})


@case("TOK-10")
def test_code_reuse(check: Check, oauth: OAuth) -> None:
    authorization = oauth.login()
    first = oauth.exchange(authorization.flow, authorization.code or "")
    check.require(first.status_code == 200, f"the first redemption failed: HTTP {first.status_code}")
    second = oauth.exchange(authorization.flow, authorization.code or "")
    token_error(check, second, "second redemption", {"invalid_grant"}, clause="RFC 6749 §4.1.2")
    description = (json_body(second) or {}).get("error_description") or ""
    check.must(
        set(description) <= ERROR_CHARSET,
        "error_description has characters outside the allowed set",
        field="error_description",
    )


@case("TOK-11")
def test_code_reuse_after_30_seconds(check: Check, oauth: OAuth, clock: Clock) -> None:
    authorization = oauth.login()
    first = oauth.parse_tokens(
        authorization.flow, oauth.exchange(authorization.flow, authorization.code or "")
    )
    with clock.passing(30):
        again = oauth.exchange(authorization.flow, authorization.code or "")
        token_error(check, again, "redemption after 30 s", {"invalid_grant"}, clause="RFC 6749 §4.1.2")
        userinfo = oauth.userinfo(first.access_token)
        check.should(
            userinfo.status_code == 401,
            f"the first access token still works at userinfo after the code "
            f"was replayed (HTTP {userinfo.status_code})",
            clause="RFC 6749 §4.1.2",
        )
        if first.refresh_token:
            refreshed = oauth.refresh(first.refresh_token)
            check.should(
                refreshed.status_code != 200,
                "the first refresh token still works after the code was replayed",
                clause="RFC 6749 §4.1.2",
            )


@case("TOK-12")
def test_invalid_replay_keeps_tokens(check: Check, oauth: OAuth) -> None:
    authorization = oauth.login()
    first = oauth.parse_tokens(
        authorization.flow, oauth.exchange(authorization.flow, authorization.code or "")
    )
    replay = oauth.exchange(authorization.flow, authorization.code or "", code_verifier=new_verifier())
    check.should(replay.status_code != 200, "a replay with a wrong verifier was answered with tokens")
    userinfo = oauth.userinfo(first.access_token)
    check.should(
        userinfo.status_code == 200,
        f"an invalid replay revoked the first tokens (userinfo HTTP "
        f"{userinfo.status_code}): anyone holding the code can log the user out",
    )


@case("TOK-13")
def test_expired_code(check: Check, oauth: OAuth, clock: Clock, target: Target, options: Options) -> None:
    lifetime = target.mock_settings.code_lifetime if target.mock_settings else options.code_lifetime
    if not clock.affordable(lifetime + 2):
        pytest.skip(f"waiting {lifetime + 2:.0f} s exceeds --max-wait")
    authorization = oauth.login()
    with clock.passing(lifetime + 2):
        response = oauth.exchange(authorization.flow, authorization.code or "")
    check.record("waited (s)", lifetime + 2)
    token_error(check, response, f"code redeemed {lifetime + 2:.0f} s after issue", {"invalid_grant"})
    if target.mock_settings is not None:  # only the self-started mock tells its real lifetime
        check.should(
            lifetime <= 600, f"the code lifetime is {lifetime:.0f} s (> 10 minutes)", clause="RFC 6749 §4.1.2"
        )


@case("TOK-14")
def test_grant_type_missing_or_unknown(check: Check, oauth: OAuth) -> None:
    token_error(
        check,
        oauth.token_request([("client_id", oauth.client_id), ("code", "x" * 43)]),
        "grant_type missing",
        {"invalid_request"},
    )
    token_error(
        check,
        oauth.token_request([("grant_type", "foo"), ("client_id", oauth.client_id)]),
        "grant_type=foo",
        {"unsupported_grant_type"},
    )


@case("TOK-15")
def test_password_grant(check: Check, oauth: OAuth) -> None:
    pairs = [
        ("grant_type", "password"),
        ("username", f"conformance-nobody-{secrets.token_hex(4)}@example.invalid"),
        ("password", secrets.token_urlsafe(12)),
        ("client_id", oauth.client_id),
    ]
    token_error(
        check,
        oauth.token_request(pairs),
        "grant_type=password",
        {"unsupported_grant_type", "unauthorized_client", "invalid_client"},
    )


@case("TOK-16")
def test_client_credentials(check: Check, oauth: OAuth) -> None:
    # unsupported_grant_type is also right when the provider implements no client_credentials at all.
    pairs = [("grant_type", "client_credentials"), ("client_id", oauth.client_id)]
    token_error(
        check,
        oauth.token_request(pairs),
        "grant_type=client_credentials",
        {"unauthorized_client", "invalid_client", "unsupported_grant_type"},
    )


@case("TOK-17")
def test_get_on_token_endpoint(check: Check, oauth: OAuth) -> None:
    flow = oauth.flow()
    response = oauth.http.get(
        f"{oauth.token_endpoint}?{encode_pairs(flow.exchange_pairs(secrets.token_urlsafe(32)))}"
    )
    check.must("access_token" not in (json_body(response) or {}), "GET issued tokens", field="method")
    check.must(
        response.status_code in (400, 405),
        f"GET answered HTTP {response.status_code}, expected 405 or 400",
        field="status",
    )


@case("TOK-18")
def test_repeated_code(check: Check, oauth: OAuth) -> None:
    authorization = oauth.login()
    code = authorization.code or ""
    response = oauth.exchange(authorization.flow, code, extra=[("code", code)])
    token_error(check, response, "code sent twice", {"invalid_request"})


@case("TOK-19")
def test_token_error_format(check: Check, oauth: OAuth) -> None:
    flow = oauth.flow()
    probes = {
        "unknown code": flow.exchange_pairs(secrets.token_urlsafe(32)),
        "no grant_type": [("client_id", oauth.client_id), ("code", secrets.token_urlsafe(32))],
        "grant_type=foo": [("grant_type", "foo"), ("client_id", oauth.client_id)],
        "garbage refresh token": [
            ("grant_type", "refresh_token"),
            ("refresh_token", "garbage"),
            ("client_id", oauth.client_id),
        ],
    }
    for label, pairs in probes.items():
        response = oauth.token_request(pairs)
        body = json_body(response) or {}
        error = body.get("error")
        token_error(check, response, label, TOKEN_ERRORS)
        for name in ("error_description", "error_uri"):
            value = body.get(name)
            if value is not None:
                check.must(
                    isinstance(value, str) and set(value) <= ERROR_CHARSET,
                    f"{label}: {name} is not a string within %x20-21/%x23-5B/%x5D-7E",
                    field=name,
                )
        check.record(label, error)


@case("TOK-20")
def test_json_body(check: Check, oauth: OAuth) -> None:
    authorization = oauth.login()
    body = dict(authorization.flow.exchange_pairs(authorization.code or ""))
    response = oauth.http.post(oauth.token_endpoint, json=body)
    check.record("status", response.status_code)
    check.should(
        response.status_code == 400, f"a JSON body was answered with HTTP {response.status_code}, not 400"
    )


@case("TOK-21")
def test_plain_http_token_endpoint(check: Check, oauth: OAuth, target: Target) -> None:
    if target.local or not oauth.token_endpoint.startswith("https://"):
        pytest.skip("the target is plain http on loopback (the mock or a local install): TLS does not apply")
    insecure = "http://" + oauth.token_endpoint.removeprefix("https://")
    try:
        response = oauth.http.form(
            insecure, encode_pairs(oauth.flow().exchange_pairs(secrets.token_urlsafe(32))), patient=False
        )
    except requests.RequestException as error:
        check.record("http", f"refused ({type(error).__name__})")
        return
    check.record("http", f"HTTP {response.status_code}")
    check.must(
        response.is_redirect or response.status_code >= 400, "the http:// token endpoint processed a request"
    )
    check.must("access_token" not in (json_body(response) or {}), "the http:// token endpoint issued tokens")


@case("TOK-22")
def test_token_usable_at_once(check: Check, oauth: OAuth, platform: Platform) -> None:
    tokens = oauth.tokens()
    for label, call in (
        ("userinfo", lambda: oauth.userinfo(tokens.access_token)),
        ("/user-info", lambda: platform.user_info(tokens.access_token)),
    ):
        started = time.monotonic()
        response = call()
        while response.status_code != 200 and time.monotonic() - started < 5:
            time.sleep(0.5)
            response = call()
        delay = round(time.monotonic() - started, 2)
        check.record(
            label, f"HTTP {response.status_code}" + (f" after {delay} s" if delay > 0.5 else " at once")
        )
