"""SEC: cross-cutting security negatives (RFC 9700, RFC 8252 §8, RFC 8725)."""

from __future__ import annotations

import secrets
import ssl
from urllib.parse import urlsplit

import pytest
import requests
from joserfc.jwk import RSAKey

from .checks import Check
from .expectations import token_error
from .harness import OAuth, Session, Tokens
from .idtoken import IdTokenError, forgeries, parse_compact
from .oauth import encode_pairs, new_verifier
from .platform import Platform
from .preflight import tls_problem
from .target import Discovery, Jwks, Target, origin

case = pytest.mark.case
ATTACKER = "https://attacker.example/"
REDIRECT_PARAMS = ("returnTo", "return_to", "next", "redirect", "redirect_url", "continue")


@case("SEC-01")
def test_intercepted_code(check: Check, oauth: OAuth) -> None:
    authorization = oauth.login()
    flow, code = authorization.flow, authorization.code or ""
    stolen = oauth.exchange(flow, code, code_verifier=None)
    token_error(check, stolen, "intercepted code without a verifier", {"invalid_grant", "invalid_request"})
    guessed = oauth.exchange(flow, code, code_verifier=new_verifier())
    token_error(check, guessed, "intercepted code with a guessed verifier", {"invalid_grant"})
    legitimate = oauth.exchange(flow, code)
    check.record("legitimate redemption afterwards", legitimate.status_code)


@case("SEC-03")
def test_silent_reauthorization(check: Check, oauth: OAuth) -> None:
    oauth.tokens()
    for label, extra in (("no prompt", []), ("prompt=none", [("prompt", "none")])):
        flow = oauth.flow()
        authorization = oauth.authorize(flow, flow.params(extra=extra), sign_in=False)
        silent = authorization.code is not None
        check.record(label, "code issued without interaction" if silent else f"error={authorization.error}")
        check.should(
            not silent,
            f"{label}: with an existing session a code was issued to the public client with "
            "no user interaction; any local app can obtain one (RFC 8252 §8.6 risk)",
            field="prompt",
        )


@case("SEC-04")
def test_forged_access_tokens(
    check: Check, happy: Tokens, jwks: Jwks, oauth: OAuth, platform: Platform
) -> None:
    token = happy.access_token
    if token.count(".") != 2:
        pytest.skip("access tokens are opaque, not JWTs")
    try:
        kid = parse_compact(token).header.get("kid")
    except IdTokenError:
        pytest.skip("the access token is not a JWS")
    published = next(iter(jwks.find(kid) or [k for k in jwks.keys if k.get("kty") == "RSA"]), None)
    check.require(published, "no published RSA key to forge against")
    forged = forgeries(
        token,
        published=published,
        signer=RSAKey.generate_key(2048, private=True),
        issuer=oauth.discovery.issuer,
        client_id=oauth.client_id,
        now=happy.received_at,
    )
    for label, value in forged.items():
        for where, response in (
            ("userinfo", oauth.userinfo(value)),
            ("/user-info", platform.user_info(value)),
        ):
            check.must(
                response.status_code in (401, 403),
                f"{label} at {where}: HTTP {response.status_code}",
                field="Authorization",
            )
            check.should(
                response.status_code == 401, f"{label} at {where}: HTTP {response.status_code}, not 401"
            )


@case("SEC-06")
def test_no_open_redirect(check: Check, oauth: OAuth, session: Session, discovery: Discovery) -> None:
    home = origin(oauth.authorization_endpoint)
    flow = oauth.flow()
    extra = [(name, ATTACKER) for name in REDIRECT_PARAMS]
    url = oauth.url(flow.params(extra=extra))
    for label, navigation in (
        ("sign-in page", session.probe.navigate(url, sign_in=False, fresh=True)),
        ("after signing in", oauth.authorize(flow, flow.params(extra=extra)).navigation),
    ):
        target = navigation.left_to
        check.must(
            target is None or origin(target) in (home, origin(flow.redirect_uri)),
            f"{label}: the provider redirected to {target}",
            field="returnTo",
        )
    logout = discovery.get("end_session_endpoint")
    if not logout:
        check.record("logout", "no end_session_endpoint advertised")
        return
    pairs = [("post_logout_redirect_uri", ATTACKER), ("client_id", oauth.client_id)]
    pairs += [(name, ATTACKER) for name in REDIRECT_PARAMS]
    response = oauth.http.get(f"{logout}?{encode_pairs(pairs)}")
    location = response.headers.get("Location", "") if response.is_redirect else ""
    check.record("logout", f"HTTP {response.status_code}")
    check.must(
        not location or origin(requests.compat.urljoin(logout, location)) == origin(logout),
        f"logout redirected to {location}",
        field="post_logout_redirect_uri",
    )


@case("SEC-07")
def test_error_page_escaping(check: Check, oauth: OAuth, session: Session) -> None:
    marker = f"conformance-{secrets.token_hex(4)}"
    markup = f'<script>alert("{marker}")</script>'
    flow = oauth.flow()
    for label, pairs in (
        ("redirect_uri", flow.params(redirect_uri=f"http://attacker.example/{markup}")),
        ("state", flow.params(client_id="conformance-unknown-client", state=markup)),
    ):
        navigation = session.probe.navigate(oauth.url(pairs), sign_in=False, fresh=True)
        check.should(
            markup not in navigation.page,
            f"markup in {label} is reflected unescaped on the error page",
            field=label,
        )


@case("SEC-08")
def test_tls(check: Check, target: Target, discovery: Discovery) -> None:
    if target.local:
        pytest.skip("the target is plain http on loopback (the mock or a local install): TLS does not apply")
    urls = {
        target.api_url,
        *(
            v
            for k, v in discovery.document.items()
            if isinstance(v, str) and v.startswith("http") and (k.endswith("_endpoint") or k == "jwks_uri")
        ),
    }
    check.must(all(u.startswith("https://") for u in urls), "an endpoint is not served over https")
    hosts = {origin(u): u for u in sorted(urls) if u.startswith("https://")}
    transport = target.http.transport.verifying()
    unverified = " (the run itself used --insecure)" if target.http.transport.trust.insecure else ""
    for url in hosts.values():
        parts = urlsplit(url)
        where = f"{parts.hostname}:{parts.port or 443}"
        try:
            version = transport.tls_version(url)
        except (OSError, ssl.SSLError) as error:
            cause = (
                tls_problem(error, url, transport).cause if isinstance(error, ssl.SSLError) else str(error)
            )
            check.must(False, f"{where}: TLS with certificate validation failed: {cause}{unverified}")
            continue
        check.record(where, version)
        check.must(version in ("TLSv1.2", "TLSv1.3"), f"{where} negotiated {version}")
        try:
            plain = target.http.get(f"http://{parts.hostname}{parts.path}", timeout=10, patient=False)
        except requests.RequestException:
            continue
        check.must(
            plain.is_redirect or plain.status_code >= 400,
            f"http://{parts.hostname} serves content without TLS (HTTP {plain.status_code})",
        )


@case("SEC-09")
def test_guessing_by_volume(check: Check, oauth: OAuth) -> None:
    flow = oauth.flow()
    statuses: dict[str, list[int]] = {"codes": [], "refresh tokens": []}
    for _ in range(30):
        statuses["codes"].append(oauth.exchange(flow, secrets.token_urlsafe(32)).status_code)
        statuses["refresh tokens"].append(oauth.refresh(secrets.token_urlsafe(32)).status_code)
    for label, seen in statuses.items():
        check.record(
            label, "rate limited (429)" if 429 in seen else f"no limit after 30 guesses ({sorted(set(seen))})"
        )
