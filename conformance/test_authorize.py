"""AUTHZ: the authorization endpoint (RFC 6749 §4.1, OIDC Core §3.1.2, RFC 8252 loopback redirects)."""

from __future__ import annotations

import random
import secrets
import socket
from urllib.parse import parse_qsl, urlsplit

import pytest

from .checks import Check
from .expectations import ERROR_CHARSET, error_or_page, long_state, refused
from .harness import Driver, OAuth, Session
from .oauth import Flow, Listener, encode_pairs, is_unreserved, is_vschar, shannon_bits
from .target import Clock, Discovery, Target

case = pytest.mark.case
ERROR_PARAMS = {"error", "error_description", "error_uri", "state", "iss", "session_state"}
SUCCESS_PARAMS = {"code", "state", "iss", "session_state"}
INTERACTION_ERRORS = {
    "login_required",
    "interaction_required",
    "consent_required",
    "account_selection_required",
}


@case("AUTHZ-01")
def test_cli_request_reaches_listener(check: Check, oauth: OAuth) -> None:
    authorization = oauth.login()
    hits = authorization.navigation.hits
    check.must(len(hits) == 1, f"the listener received {len(hits)} requests, expected exactly one")
    hit = hits[0]
    check.must(hit.path == "/callback", f"the callback arrived at {hit.path!r}, not /callback", field="path")
    check.must(
        hit.param("state") == authorization.flow.state, "state is not returned byte-exact", field="state"
    )
    leaked = {"access_token", "id_token", "error"} & set(hit.names)
    check.must(not leaked, f"the callback carries {sorted(leaked)}", field=",".join(sorted(leaked)))


@case("AUTHZ-02")
def test_any_loopback_port(check: Check, oauth: OAuth) -> None:
    for port in (0, 0, free_high_port()):
        flow = oauth.flow(port=port)
        authorization = oauth.authorize(flow)
        hit = authorization.hit
        check.must(
            hit is not None and hit.param("code"),
            f"port {flow.listener.port}: no code at the listener "
            f"({authorization.navigation.describe(oauth.secrets)})",
            field="redirect_uri",
        )


def free_high_port() -> int:
    """A loopback port of 60000 or more that can be bound right now."""
    for _ in range(100):
        port = 60000 + secrets.randbelow(5000)
        try:
            socket.create_server(("127.0.0.1", port)).close()
        except OSError:
            continue
        return port
    raise OSError("no free port between 60000 and 65000")


@case("AUTHZ-03")
def test_callback_url_exact(check: Check, oauth: OAuth) -> None:
    authorization = oauth.login()
    navigation, flow = authorization.navigation, authorization.flow
    reached = f"{flow.listener.base_url}{authorization.hit.path}"  # a script redirect has no Location
    sent_to = (navigation.left_to or reached).split("?")[0]
    check.must(
        sent_to == flow.redirect_uri,
        f"the provider redirected to {sent_to!r}, not {flow.redirect_uri!r}",
        field="redirect_uri",
    )
    extra = set(authorization.hit.names) - SUCCESS_PARAMS
    check.must(not extra, f"unexpected callback parameters {sorted(extra)}", field=",".join(sorted(extra)))


@case("AUTHZ-04")
def test_long_state_round_trip(check: Check, oauth: OAuth) -> None:
    flow = oauth.flow(state=long_state())
    authorization = oauth.login(flow)
    check.must(
        authorization.hit.param("state") == flow.state,
        "the 128-character state came back altered",
        field="state",
    )


@case("AUTHZ-05")
def test_without_state(check: Check, oauth: OAuth) -> None:
    flow = oauth.flow()
    omitted = oauth.login(flow, flow.params(drop=["state"]))
    check.must(omitted.hit.param("state") is None, "a state came back although none was sent", field="state")
    flow = oauth.flow()
    empty = oauth.login(flow, flow.params(state=""))
    check.must(not empty.hit.param("state"), "an empty state came back with a value", field="state")
    check.record("empty state echoed as state=", empty.hit.param("state") == "")


@case("AUTHZ-06")
def test_nonce_optional_and_echoed(check: Check, oauth: OAuth) -> None:
    plain = oauth.tokens()
    check.must(
        "nonce" not in plain.id_claims, "id_token carries a nonce although none was sent", field="nonce"
    )
    nonce = secrets.token_urlsafe(48)[:64]
    flow = oauth.flow()
    tokens = oauth.tokens(flow, flow.params(extra=[("nonce", nonce)]))
    check.must(
        tokens.id_claims.get("nonce") == nonce,
        "id_token nonce differs from the 64-character nonce sent",
        clause="Core §3.1.3.7",
        field="nonce",
    )


@case("AUTHZ-07")
def test_scope_order_and_encoding(check: Check, oauth: OAuth) -> None:
    reversed_scope = "offline_access email profile openid"
    for space, shuffle in (("+", True), ("%20", False)):
        flow = oauth.flow()
        pairs = flow.params(scope=reversed_scope)
        if shuffle:
            random.shuffle(pairs)
        authorization = oauth.authorize(flow, pairs, space=space)
        check.must(
            authorization.code,
            f"scope reversed, encoded with {space}{', parameters shuffled' if shuffle else ''}"
            f": no code ({authorization.navigation.describe(oauth.secrets)})",
            field="scope",
        )


@case("AUTHZ-08")
def test_unknown_parameter_ignored(check: Check, oauth: OAuth) -> None:
    flow = oauth.flow()
    authorization = oauth.authorize(flow, flow.params(extra=[("extra", "foobar")]))
    check.must(
        authorization.code, f"extra=foobar: no code ({authorization.navigation.describe(oauth.secrets)})"
    )


@case("AUTHZ-09")
def test_post_authorization_request(check: Check, oauth: OAuth) -> None:
    flow = oauth.flow()
    authorization = oauth.authorize(flow, method="POST")
    check.must(authorization.code, f"form POST: no code ({authorization.navigation.describe(oauth.secrets)})")


@case("AUTHZ-10")
def test_redirect_status_after_credentials(check: Check, oauth: OAuth, ui_driver: Driver) -> None:
    flow = oauth.flow()
    typed = ui_driver.can_type and ui_driver.name != "manual"
    authorization = oauth.login(flow, driver=ui_driver, fresh=typed)
    navigation = authorization.navigation
    status = navigation.redirect_status
    check.record("sign-in page shown", navigation.login_ui)
    check.record("redirect status", status if status else "script or meta redirect")
    check.must(
        status not in (307, 308),
        f"the provider redirected to the client with HTTP {status}, which makes "
        "the browser re-POST the credentials",
        field="status",
    )
    check.record("303 (preferred)", status == 303)


@case("AUTHZ-11")
def test_code_strength(check: Check, oauth: OAuth) -> None:
    code = oauth.login().code or ""
    bits = shannon_bits(code)
    check.record("code length", len(code))
    check.record("Shannon estimate (bits)", round(bits, 1))
    check.must(len(code) * 8 >= 128, f"the code has {len(code)} characters (< 128 bits)", field="code")
    check.must(bits > 96, f"the code's Shannon estimate is {bits:.0f} bits (≤ 96)", field="code")
    check.must(
        is_vschar(code), "the code has characters outside VSCHAR", clause="RFC 6749 App. A.11", field="code"
    )
    check.should(
        is_unreserved(code),
        "the code has characters outside [A-Za-z0-9-._~]: the CLI decodes the "
        "callback query twice and would corrupt it",
        clause="CLI double decoding",
        field="code",
    )


@case("AUTHZ-12")
def test_iss_in_authorization_response(check: Check, oauth: OAuth, discovery: Discovery) -> None:
    supported = discovery.get("authorization_response_iss_parameter_supported") is True
    success = oauth.login().hit
    flow = oauth.flow()
    failure = oauth.attempt(oauth.url(flow.params(response_type="foo")), listener=flow.listener).hit
    for label, hit in (("success", success), ("error", failure)):
        if hit is None:
            continue
        iss = hit.param("iss")
        check.record(f"iss on {label}", iss)
        if iss is not None:
            check.must(
                iss == discovery.issuer,
                f"iss on the {label} redirect is {iss!r}, not the issuer",
                field="iss",
            )
        elif supported:
            check.must(
                False, f"iss missing on the {label} redirect although discovery advertises it", field="iss"
            )


def bad_redirects(listener: Listener) -> dict[str, list[str]]:
    port = listener.port
    return {
        "AUTHZ-13": ["http://attacker.example/callback", "https://attacker.example/callback"],
        "AUTHZ-14": [
            f"http://127.0.0.2:{port}/callback",
            f"http://0.0.0.0:{port}/callback",
            f"http://127.1:{port}/callback",
            f"http://2130706433:{port}/callback",
            f"http://[::ffff:127.0.0.1]:{port}/callback",
            f"http://127.0.0.1.example:{port}/callback",
        ],
        "AUTHZ-15": [
            f"http://127.0.0.1:{port}@attacker.example/callback",
            f"http://attacker.example\\@127.0.0.1:{port}/callback",
            f"http://127.0.0.1:{port}#@attacker.example/",
        ],
        "AUTHZ-16": [f"https://127.0.0.1:{port}/callback"],
        "AUTHZ-19": [f"http://127.0.0.1:{port}/callback?foo=bar"],
        "AUTHZ-20": [f"http://127.0.0.1:{port}/callback#frag"],
    }


def refuse_redirects(check: Check, oauth: OAuth, case_id: str) -> None:
    flow = oauth.flow()
    decoy = None
    if case_id == "AUTHZ-14":
        try:
            decoy = oauth.listener("127.0.0.2", flow.listener.port)
        except OSError:
            decoy = None
    for redirect_uri in bad_redirects(flow.listener)[case_id]:
        navigation = oauth.attempt(oauth.url(flow.params(redirect_uri=redirect_uri)), listener=flow.listener)
        refused(check, navigation, f"redirect_uri={redirect_uri}")
    if decoy is not None:
        check.must(not decoy.hits, "a listener on 127.0.0.2 received the redirect")


@case("AUTHZ-13")
def test_attacker_redirect_uri(check: Check, oauth: OAuth) -> None:
    refuse_redirects(check, oauth, "AUTHZ-13")


@case("AUTHZ-14")
def test_loopback_look_alikes(check: Check, oauth: OAuth) -> None:
    refuse_redirects(check, oauth, "AUTHZ-14")


@case("AUTHZ-15")
def test_authority_confusion(check: Check, oauth: OAuth) -> None:
    refuse_redirects(check, oauth, "AUTHZ-15")


@case("AUTHZ-16")
def test_https_on_loopback(check: Check, oauth: OAuth) -> None:
    refuse_redirects(check, oauth, "AUTHZ-16")


@case("AUTHZ-17")
def test_localhost_and_ipv6(check: Check, oauth: OAuth) -> None:
    flow = oauth.flow()
    localhost = f"http://localhost:{flow.listener.port}/callback"
    navigation = oauth.attempt(oauth.url(flow.params(redirect_uri=localhost)), listener=flow.listener)
    check.record("localhost", "accepted" if navigation.left_to or navigation.hits else "rejected")
    check.should(
        navigation.stayed,
        f"redirect_uri {localhost} accepted although only 127.0.0.1 is registered "
        f"(redirected to {navigation.left_to})",
        clause="RFC 8252 §8.3",
        field="redirect_uri",
    )
    try:
        ipv6 = oauth.listener("::1")
    except OSError:
        check.record("[::1]", "not tested: no IPv6 loopback here")
        return
    ipv6_flow = Flow(flow.client_id, ipv6, audience=flow.audience)
    navigation = oauth.attempt(oauth.url(ipv6_flow.params()), listener=ipv6)
    check.record("[::1]", "accepted" if navigation.hits or navigation.left_to else "rejected")


@case("AUTHZ-18")
def test_loopback_path_variants(check: Check, oauth: OAuth) -> None:
    flow = oauth.flow()
    base = flow.listener.base_url
    accepted = []
    for redirect_uri in (
        f"{base}/callback/x7Gq2",
        f"{base}/Callback",
        f"{base}/callback/../other",
        f"{base}/other",
        base,
    ):
        navigation = oauth.attempt(oauth.url(flow.params(redirect_uri=redirect_uri)), listener=flow.listener)
        if not navigation.stayed:
            accepted.append(redirect_uri.removeprefix(base) or "(no path)")
    check.record("accepted paths", accepted)
    check.must(
        not accepted,
        f"loopback redirect_uri paths other than /callback accepted: {accepted}. A host-only "
        "registration (http://127.0.0.1) ignores the path, looser than an exact match except the port "
        "(PKCE still protects the code)",
        field="redirect_uri",
    )


@case("AUTHZ-19")
def test_query_added(check: Check, oauth: OAuth) -> None:
    refuse_redirects(check, oauth, "AUTHZ-19")


@case("AUTHZ-20")
def test_fragment(check: Check, oauth: OAuth) -> None:
    refuse_redirects(check, oauth, "AUTHZ-20")


@case("AUTHZ-21")
def test_missing_redirect_uri(check: Check, oauth: OAuth) -> None:
    flow = oauth.flow()
    url = oauth.url(flow.params(drop=["redirect_uri"]))
    refused(check, oauth.attempt(url, listener=flow.listener), "no redirect_uri")


@case("AUTHZ-22")
def test_unknown_client(check: Check, oauth: OAuth) -> None:
    flow = oauth.flow()
    url = oauth.url(flow.params(client_id="conformance-unknown-client"))
    refused(check, oauth.attempt(url, listener=flow.listener), "unknown client_id")


@case("AUTHZ-23")
def test_missing_client(check: Check, oauth: OAuth) -> None:
    flow = oauth.flow()
    url = oauth.url(flow.params(drop=["client_id"]))
    refused(check, oauth.attempt(url, listener=flow.listener), "no client_id")


@case("AUTHZ-24")
def test_missing_response_type(check: Check, oauth: OAuth) -> None:
    flow = oauth.flow()
    url = oauth.url(flow.params(drop=["response_type"]))
    error_or_page(
        check,
        oauth.attempt(url, listener=flow.listener),
        flow,
        "no response_type",
        {"invalid_request", "unsupported_response_type"},
    )


@case("AUTHZ-25")
def test_implicit_and_hybrid_refused(check: Check, oauth: OAuth) -> None:
    for response_type in ("token", "id_token", "id_token token", "code id_token", "code token"):
        flow = oauth.flow()
        url = oauth.url(flow.params(response_type=response_type))
        navigation = oauth.attempt(url, listener=flow.listener)
        fragment = {name for name, _ in parse_qsl(urlsplit(navigation.left_to or "").fragment)}
        check.must(
            not fragment & {"access_token", "id_token", "code"},
            f"response_type={response_type}: {sorted(fragment)} sent in the fragment",
            field="response_type",
        )
        if "error" in fragment:  # implicit-style error delivery in the fragment is allowed
            check.record(f"response_type={response_type}", "fragment error redirect")
            continue
        error_or_page(
            check,
            navigation,
            flow,
            f"response_type={response_type}",
            {"unsupported_response_type", "unauthorized_client", "invalid_request"},
        )


@case("AUTHZ-26")
def test_unknown_response_type(check: Check, oauth: OAuth) -> None:
    flow = oauth.flow()
    navigation = oauth.attempt(oauth.url(flow.params(response_type="foo")), listener=flow.listener)
    check.must(
        navigation.hit is not None,
        f"response_type=foo: no error redirect to the client ({navigation.describe(oauth.secrets)})",
    )
    error_or_page(check, navigation, flow, "response_type=foo", {"unsupported_response_type"})


@case("AUTHZ-27")
def test_repeated_parameters(check: Check, oauth: OAuth) -> None:
    for name in ("state", "scope"):
        flow = oauth.flow()
        value = flow.state if name == "state" else "openid"
        url = oauth.url(flow.params(extra=[(name, value)]))
        error_or_page(
            check, oauth.attempt(url, listener=flow.listener), flow, f"{name} twice", {"invalid_request"}
        )
    flow = oauth.flow()
    url = oauth.url(flow.params(extra=[("redirect_uri", flow.redirect_uri)]))
    refused(check, oauth.attempt(url, listener=flow.listener), "redirect_uri twice")


@case("AUTHZ-28")
def test_error_redirect_hygiene(check: Check, oauth: OAuth) -> None:
    variants = {
        "no response_type": {"drop": ["response_type"]},
        "response_type=foo": {"response_type": "foo"},
        "no code_challenge": {"drop": ["code_challenge", "code_challenge_method"]},
        "code_challenge_method=plain": {"code_challenge_method": "plain"},
        "prompt=none without a session": {"extra": [("prompt", "none")]},
    }
    redirects = 0
    for label, change in variants.items():
        flow = oauth.flow()
        url = oauth.url(flow.params(**change))
        navigation = oauth.attempt(url, listener=flow.listener)
        hit = navigation.hit
        if hit is None or hit.param("error") is None:
            continue
        redirects += 1
        check.must(hit.param("code") is None, f"{label}: an error redirect carries a code", field="code")
        check.must(
            hit.param("state") == flow.state,
            f"{label}: the error redirect did not echo the state",
            field="state",
        )
        for name in ("error", "error_description"):
            value = hit.param(name) or ""
            check.must(
                set(value) <= ERROR_CHARSET,
                f"{label}: {name} has characters outside %x20-21/%x23-5B/%x5D-7E",
                field=name,
            )
        uri = hit.param("error_uri")
        if uri is not None:
            check.must(
                bool(urlsplit(uri).scheme), f"{label}: error_uri {uri!r} is not a URI", field="error_uri"
            )
        extra = set(hit.names) - ERROR_PARAMS
        check.should(
            not extra,
            f"{label}: unexpected parameters {sorted(extra)} on the error redirect",
            field=",".join(sorted(extra)),
        )
    check.record("error redirects examined", redirects)


@case("AUTHZ-29")
def test_scope_without_openid(check: Check, oauth: OAuth) -> None:
    flow = oauth.flow()
    authorization = oauth.authorize(flow, flow.params(scope="profile email offline_access"))
    if authorization.code is None:
        check.record("outcome", f"error {authorization.error or authorization.navigation.final_status}")
        check.expect(
            authorization.navigation.final_status is None or authorization.navigation.final_status < 500,
            "the provider answered 5xx",
        )
        return
    response = oauth.exchange(flow, authorization.code)
    check.expect(response.status_code < 500, f"the exchange answered HTTP {response.status_code}")
    body = response.json() if response.status_code == 200 else {}
    check.record(
        "outcome", "plain OAuth grant" if "id_token" not in body else "id_token issued without openid"
    )


@case("AUTHZ-30")
def test_unknown_scope(check: Check, oauth: OAuth) -> None:
    flow = oauth.flow()
    authorization = oauth.authorize(flow, flow.params(scope=flow.scope + " foo"))
    if authorization.code is None:
        check.should(
            authorization.error == "invalid_scope",
            f"unknown scope: error={authorization.error!r} instead of ignoring it or invalid_scope",
            field="scope",
        )
        return
    body = oauth.parse_tokens(flow, oauth.exchange(flow, authorization.code)).body
    granted = body.get("scope")
    check.record("granted scope", granted)
    check.should(
        granted is not None,
        "scope omitted from the token response although the request had an "
        "unknown value (RFC 6749 §5.1: then it means the requested scope)",
        field="scope",
    )
    check.should("foo" not in str(granted or "").split(), "the unknown scope foo was granted", field="scope")


@case("AUTHZ-31")
def test_prompt_none_without_session(check: Check, oauth: OAuth) -> None:
    flow = oauth.flow(state=long_state())
    authorization = oauth.authorize(flow, flow.params(extra=[("prompt", "none")]), sign_in=False, fresh=True)
    navigation = authorization.navigation
    check.must(not navigation.login_ui, "prompt=none showed a sign-in page")
    hit = navigation.hit
    check.require(
        hit is not None,
        f"prompt=none without a session: no redirect to the client ({navigation.describe(oauth.secrets)})",
    )
    check.must(
        hit.param("error") in INTERACTION_ERRORS,
        f"error={hit.param('error')!r}, expected one of {sorted(INTERACTION_ERRORS)}",
        field="error",
    )
    check.must(hit.param("code") is None, "prompt=none without a session issued a code", field="code")
    check.must(hit.param("state") == flow.state, "the 128-character state did not survive", field="state")


@case("AUTHZ-32")
def test_prompt_none_with_session(check: Check, oauth: OAuth) -> None:
    first = oauth.tokens()
    flow = oauth.flow()
    authorization = oauth.authorize(flow, flow.params(extra=[("prompt", "none")]), sign_in=False)
    if authorization.code is None:
        check.record("outcome", f"error={authorization.error}")
        return
    second = oauth.parse_tokens(flow, oauth.exchange(flow, authorization.code))
    check.record("outcome", "code issued without interaction")
    check.expect(second.id_claims.get("sub") == first.id_claims.get("sub"), "prompt=none gave another sub")


@case("AUTHZ-33")
def test_prompt_login_shows_ui(check: Check, oauth: OAuth, ui_driver: Driver, clock: Clock) -> None:
    first = oauth.tokens(driver=ui_driver)
    with clock.passing(2):
        flow = oauth.flow()
        pairs = flow.params(extra=[("prompt", "login")])
        authorization = oauth.authorize(flow, pairs, driver=ui_driver, sign_in=ui_driver.can_type)
        check.must(
            authorization.navigation.login_ui,
            "prompt=login with a session did not show the sign-in page",
            clause="Core §3.1.2.1",
        )
        if authorization.code is None:
            check.record("auth_time", "not compared: the driver cannot sign in again")
            return
        second = oauth.parse_tokens(flow, oauth.exchange(flow, authorization.code))
    before, after = first.id_claims.get("auth_time"), second.id_claims.get("auth_time")
    check.record("auth_time", [before, after])
    if isinstance(before, int | float) and isinstance(after, int | float):
        check.must(after > before, "auth_time did not move forward after prompt=login", field="auth_time")


@case("AUTHZ-34")
def test_prompt_none_and_login(check: Check, oauth: OAuth) -> None:
    flow = oauth.flow()
    authorization = oauth.authorize(flow, flow.params(extra=[("prompt", "none login")]), sign_in=False)
    check.must(authorization.code is None, "prompt='none login' issued a code", field="prompt")
    check.record("outcome", f"error={authorization.error}" if authorization.hit else "page")


@case("AUTHZ-35")
def test_max_age(check: Check, oauth: OAuth, clock: Clock) -> None:
    first = oauth.tokens()
    signed_in = first.id_claims.get("auth_time")
    with clock.passing(2):
        flow = oauth.flow()
        pairs = flow.params(extra=[("max_age", "1")])
        silent = oauth.authorize(flow, pairs, sign_in=False)
        check.record(
            "max_age=1 without signing in",
            "sign-in page"
            if silent.navigation.login_ui
            else f"code={silent.code is not None} error={silent.error}",
        )
        if silent.code is not None:
            tokens = oauth.parse_tokens(flow, oauth.exchange(flow, silent.code))
            auth_time = tokens.id_claims.get("auth_time")
            check.must(
                auth_time is not None, "max_age was sent but the id_token has no auth_time", field="auth_time"
            )
            check.must(
                auth_time != signed_in,
                "max_age=1 after 2 s issued a code without re-authentication",
                field="auth_time",
            )
        elif oauth.session.driver.can_reauthenticate:
            flow = oauth.flow()
            tokens = oauth.tokens(flow, flow.params(extra=[("max_age", "1")]))
            auth_time = tokens.id_claims.get("auth_time")
            check.must(
                auth_time is not None, "max_age was sent but the id_token has no auth_time", field="auth_time"
            )
        else:
            check.record("re-authentication", "demanded; not completed (the driver cannot sign in again)")
    flow = oauth.flow()
    # Signing in again may be needed: against the mock the clock has just gone back, and a session
    # begun "in the future" is one the provider may rightly refuse to reuse.
    tokens = oauth.tokens(flow, flow.params(extra=[("max_age", "10000")]))
    check.must(
        "auth_time" in tokens.id_claims, "max_age=10000: the id_token has no auth_time", field="auth_time"
    )


@case("AUTHZ-36")
def test_cosmetic_parameters(check: Check, oauth: OAuth, session: Session) -> None:
    variants = [
        ("display", "page"),
        ("ui_locales", "fr-CA fr en"),
        ("claims_locales", "fr-CA fr en"),
        ("acr_values", "urn:mace:incommon:iap:silver"),
        ("login_hint", session.options.username),
    ]
    for name, value in variants:
        flow = oauth.flow()
        authorization = oauth.authorize(flow, flow.params(extra=[(name, value)]))
        check.must(
            authorization.code,
            f"{name}={value}: no code ({authorization.navigation.describe(oauth.secrets)})",
            field=name,
        )


@case("AUTHZ-37")
def test_cancel(check: Check, oauth: OAuth, session: Session, ui_driver: Driver) -> None:
    flow = oauth.flow(state=long_state())
    authorization = oauth.authorize(flow, driver=ui_driver, fresh=True, cancel=True)
    navigation = authorization.navigation
    if not navigation.hits and navigation.login_ui:
        pytest.skip(f"the sign-in page has no cancel button matching {session.options.cancel_selector!r}")
    if not navigation.login_ui:
        pytest.skip("no sign-in or consent page was shown, so there was nothing to cancel")
    hit = navigation.hit
    check.require(
        hit is not None, f"cancel: no redirect to the client ({navigation.describe(oauth.secrets)})"
    )
    check.must(
        hit.param("error") == "access_denied",
        f"cancel: error={hit.param('error')!r}, expected access_denied",
        field="error",
    )
    check.must(hit.param("state") == flow.state, "cancel: the state did not survive", field="state")
    check.must(hit.param("code") is None, "cancel: a code was issued", field="code")


def framing_protected(headers: dict[str, str]) -> tuple[bool, bool]:
    lowered = {k.lower(): v for k, v in headers.items()}
    xfo = lowered.get("x-frame-options", "").strip().upper() in ("DENY", "SAMEORIGIN")
    csp = "frame-ancestors" in lowered.get("content-security-policy", "")
    return xfo, csp


@case("AUTHZ-38")
def test_pages_not_frameable(check: Check, oauth: OAuth, session: Session, target: Target) -> None:
    flow = oauth.flow()
    pages = {
        "sign-in page": session.probe.navigate(oauth.url(flow.params()), sign_in=False, fresh=True),
        "error page": session.probe.navigate(
            oauth.url(flow.params(client_id="conformance-unknown-client")),
            sign_in=False,
            fresh=True,
        ),
    }
    for label, navigation in pages.items():
        if not navigation.page or navigation.left_to:
            check.record(label, "not served by the provider's origin")
            continue
        xfo, csp = framing_protected(navigation.headers)
        check.record(label, {"X-Frame-Options": xfo, "CSP frame-ancestors": csp})
        check.must(
            xfo or csp,
            f"the {label} can be framed: neither X-Frame-Options nor CSP frame-ancestors",
            field="X-Frame-Options",
        )
        check.should(
            csp,
            f"the {label} has no CSP frame-ancestors",
            clause="RFC 9700 §4.16",
            field="Content-Security-Policy",
        )


@case("AUTHZ-39")
def test_no_cors_on_authorize(check: Check, oauth: OAuth, target: Target) -> None:
    flow = oauth.flow()
    response = target.http.get(oauth.url(flow.params()), headers={"Origin": "https://attacker.example"})
    allowed = response.headers.get("Access-Control-Allow-Origin")
    check.must(
        allowed is None,
        f"the authorization endpoint answers Access-Control-Allow-Origin: {allowed}",
        field="Access-Control-Allow-Origin",
    )


@case("AUTHZ-40")
def test_plain_http_authorize(check: Check, oauth: OAuth, target: Target) -> None:
    endpoint = oauth.authorization_endpoint
    if target.local or not endpoint.startswith("https://"):
        pytest.skip("the target is plain http on loopback (the mock or a local install): TLS does not apply")
    import requests

    flow = oauth.flow()
    insecure = "http://" + endpoint.removeprefix("https://") + "?" + encode_pairs(flow.params())
    try:
        response = target.http.get(insecure, timeout=10, patient=False)
    except requests.RequestException as error:
        check.record("http", f"refused ({type(error).__name__})")
        return
    location = response.headers.get("Location", "")
    check.record("http", f"HTTP {response.status_code} {location.split('?')[0]}")
    check.must(
        response.is_redirect and location.startswith("https://"),
        "the http:// authorization endpoint "
        f"answered HTTP {response.status_code} instead of refusing or redirecting to https",
    )
    check.must(not flow.listener.hits, "the http:// request produced a callback")


@case("AUTHZ-41")
def test_parallel_authorizations(check: Check, oauth: OAuth) -> None:
    flows = [oauth.flow(), oauth.flow()]
    authorizations = [oauth.login(flow) for flow in flows]
    for authorization in authorizations:
        flow = authorization.flow
        check.must(
            len(flow.listener.hits) == 1,
            f"listener {flow.listener.port} received {len(flow.listener.hits)} requests",
            field="redirect_uri",
        )
        check.must(
            authorization.hit.param("state") == flow.state,
            "a callback carries the other flow's state",
            field="state",
        )
    crossed = oauth.exchange(flows[0], authorizations[0].code or "", code_verifier=flows[1].verifier)
    check.must(
        crossed.status_code == 400,
        f"flow A's code with flow B's verifier answered HTTP {crossed.status_code}",
        clause="RFC 7636 §4.6",
        field="code_verifier",
    )


@case("AUTHZ-42")
def test_referrer_policy(check: Check, oauth: OAuth, session: Session) -> None:
    flow = oauth.flow()
    navigation = session.probe.navigate(oauth.url(flow.params()), sign_in=False, fresh=True)
    policy = {k.lower(): v for k, v in navigation.headers.items()}.get("referrer-policy")
    meta = 'name="referrer"' in navigation.page
    check.record("Referrer-Policy", policy)
    check.record("meta referrer", meta)
    check.expect(policy or meta, "the sign-in page sets no Referrer-Policy")
