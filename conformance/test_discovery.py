"""DISC: the OpenID Provider metadata document (Discovery 1.0, RFC 8414) and the CLI's reading of it."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from .checks import Check
from .oauth import cli_scan
from .target import Discovery, Target, is_loopback, origin

case = pytest.mark.case
SCOPE_TOKEN = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]+$")
REQUIRED = {
    "issuer": str,
    "authorization_endpoint": str,
    "token_endpoint": str,
    "jwks_uri": str,
    "response_types_supported": list,
    "subject_types_supported": list,
    "id_token_signing_alg_values_supported": list,
}


def secure_url(url: Any, target: Target) -> bool:
    """An absolute https URL (http only on loopback when the target itself is local)."""
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    if not parts.netloc:
        return False
    return parts.scheme == "https" or (target.local and parts.scheme == "http" and is_loopback(url))


def endpoints(discovery: Discovery) -> dict[str, Any]:
    return {k: v for k, v in discovery.document.items() if k.endswith("_endpoint") or k == "jwks_uri"}


@case("DISC-01")
def test_discovery_is_json(check: Check, discovery: Discovery) -> None:
    response = discovery.response
    check.response(response, label="discovery")
    check.must(response.status_code == 200, f"discovery answered HTTP {response.status_code}, not 200")
    media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    check.must(
        media == "application/json",
        f"Content-Type is {media or 'missing'!r}, not application/json",
        clause="RFC 8414 §3.2",
        field="Content-Type",
    )
    check.must(bool(discovery.document), "the body is not a JSON object")


@case("DISC-02")
def test_issuer_matches_discovery_url(check: Check, discovery: Discovery, target: Target) -> None:
    issuer = discovery.issuer
    check.record("issuer", issuer)
    if issuer.rstrip("/") == target.api_url.rstrip("/") and issuer != target.api_url:
        check.must(
            False,
            f"issuer {issuer!r} differs from {target.api_url!r} only by a trailing slash",
            field="issuer",
        )
        return
    check.must(
        issuer == target.api_url,
        f"issuer {issuer!r} is not the URL the document was fetched from ({target.api_url!r})",
        clause="Disc §4.3",
        field="issuer",
    )


@case("DISC-03")
def test_issuer_is_valid_url(check: Check, discovery: Discovery, target: Target) -> None:
    parts = urlsplit(discovery.issuer)
    local = target.local and parts.scheme == "http" and is_loopback(discovery.issuer)
    check.must(
        parts.scheme == "https" or local, f"issuer scheme is {parts.scheme!r}, not https", field="issuer"
    )
    check.must(bool(parts.hostname), "issuer has no host", field="issuer")
    check.must(not parts.query and "?" not in discovery.issuer, "issuer has a query", field="issuer")
    check.must(not parts.fragment and "#" not in discovery.issuer, "issuer has a fragment", field="issuer")


@case("DISC-04")
def test_required_members(check: Check, discovery: Discovery) -> None:
    for name, kind in REQUIRED.items():
        value = discovery.get(name)
        check.must(
            isinstance(value, kind),
            f"{name} is {type(value).__name__ if value is not None else 'missing'}, "
            f"expected a JSON {'string' if kind is str else 'array'}",
            field=name,
        )
    subjects = discovery.get("subject_types_supported") or []
    check.must(
        {"public", "pairwise"} & set(subjects),
        "subject_types_supported has neither public nor pairwise",
        field="subject_types_supported",
    )


@case("DISC-05")
def test_userinfo_endpoint(check: Check, discovery: Discovery, target: Target) -> None:
    value = discovery.get("userinfo_endpoint")
    check.should(value is not None, "userinfo_endpoint is not advertised", field="userinfo_endpoint")
    if value is not None:
        check.should(
            secure_url(value, target),
            f"userinfo_endpoint {value!r} is not an absolute https URL",
            field="userinfo_endpoint",
        )


@case("DISC-06")
def test_endpoints_are_https(check: Check, discovery: Discovery, target: Target) -> None:
    for name, value in endpoints(discovery).items():
        check.must(secure_url(value, target), f"{name} {value!r} is not an absolute https URL", field=name)
    authorize = discovery.get("authorization_endpoint")
    if isinstance(authorize, str):
        check.must(
            "#" not in authorize,
            "authorization_endpoint has a fragment",
            clause="RFC 6749 §3.1",
            field="authorization_endpoint",
        )


@case("DISC-07")
def test_response_type_code(check: Check, discovery: Discovery) -> None:
    check.must(
        "code" in (discovery.get("response_types_supported") or []),
        "response_types_supported does not contain code",
        field="response_types_supported",
    )


@case("DISC-08")
def test_rs256_advertised(check: Check, discovery: Discovery) -> None:
    check.must(
        "RS256" in (discovery.get("id_token_signing_alg_values_supported") or []),
        "id_token_signing_alg_values_supported does not include RS256",
        field="id_token_signing_alg_values_supported",
    )


@case("DISC-09")
def test_pkce_s256_advertised(check: Check, discovery: Discovery) -> None:
    methods = discovery.get("code_challenge_methods_supported")
    check.must(
        isinstance(methods, list),
        "code_challenge_methods_supported is not advertised as an array "
        "(RFC 8414 §2: absent means no PKCE support)",
        field="code_challenge_methods_supported",
    )
    check.must(
        "S256" in (methods or []),
        "code_challenge_methods_supported does not list S256",
        field="code_challenge_methods_supported",
    )


@case("DISC-10")
def test_pkce_plain_not_advertised(check: Check, discovery: Discovery) -> None:
    check.should(
        "plain" not in (discovery.get("code_challenge_methods_supported") or []),
        "code_challenge_methods_supported lists plain",
        field="code_challenge_methods_supported",
    )


@case("DISC-11")
def test_auth_method_none(check: Check, discovery: Discovery) -> None:
    methods = discovery.get("token_endpoint_auth_methods_supported")
    check.should(
        methods is not None,
        "token_endpoint_auth_methods_supported is absent: the default "
        "client_secret_basic does not cover a public client",
        field="token_endpoint_auth_methods_supported",
    )
    if methods is not None:
        check.should(
            "none" in methods,
            "token_endpoint_auth_methods_supported does not list none",
            field="token_endpoint_auth_methods_supported",
        )


@case("DISC-12")
def test_grant_types(check: Check, discovery: Discovery) -> None:
    grants = discovery.get("grant_types_supported")
    check.should(
        grants is not None,
        "grant_types_supported is absent: its default omits refresh_token",
        field="grant_types_supported",
    )
    for grant in ("authorization_code", "refresh_token"):
        if grants is not None:
            check.should(
                grant in grants, f"grant_types_supported does not list {grant}", field="grant_types_supported"
            )


@case("DISC-13")
def test_scopes_supported(check: Check, discovery: Discovery) -> None:
    scopes = discovery.get("scopes_supported")
    check.record("scopes_supported", scopes)
    if scopes is None:
        return
    check.must("openid" in scopes, "scopes_supported does not contain openid", field="scopes_supported")
    for scope in ("profile", "email", "offline_access"):
        check.should(scope in scopes, f"scopes_supported does not contain {scope}", field="scopes_supported")


@case("DISC-14")
def test_structural_hygiene(check: Check, discovery: Discovery) -> None:
    for name, value in discovery.document.items():
        check.must(
            value != [], f"{name} is a zero-length array (omit it instead)", clause="Disc §4.2", field=name
        )
    for scope in discovery.get("scopes_supported") or []:
        check.must(
            isinstance(scope, str) and SCOPE_TOKEN.match(scope),
            f"scope {scope!r} is not a valid scope token",
            clause="RFC 6749 §3.3",
            field="scopes_supported",
        )


@case("DISC-15")
def test_claims_supported(check: Check, discovery: Discovery) -> None:
    claims = discovery.get("claims_supported")
    check.should(isinstance(claims, list), "claims_supported is not advertised", field="claims_supported")
    for claim in ("sub", "email", "email_verified"):
        check.should(
            claim in (claims or []), f"claims_supported does not list {claim}", field="claims_supported"
        )
    names = {"name", "preferred_username", "given_name", "family_name", "nickname"}
    check.should(names & set(claims or []), "claims_supported lists no name claim", field="claims_supported")


@case("DISC-16")
def test_iss_parameter_flag(check: Check, discovery: Discovery) -> None:
    value = discovery.get("authorization_response_iss_parameter_supported")
    check.record("authorization_response_iss_parameter_supported", value)
    check.must(
        value is None or isinstance(value, bool),
        f"authorization_response_iss_parameter_supported is {value!r}, not a boolean",
        field="authorization_response_iss_parameter_supported",
    )


@case("DISC-17")
def test_revocation_and_introspection(check: Check, discovery: Discovery, target: Target) -> None:
    for name in ("revocation_endpoint", "introspection_endpoint"):
        value = discovery.get(name)
        check.record(name, value)
        if value is not None:
            check.should(
                secure_url(value, target), f"{name} {value!r} is not an absolute https URL", field=name
            )
    if discovery.get("revocation_endpoint"):
        methods = discovery.get("revocation_endpoint_auth_methods_supported")
        check.should(
            methods is not None and "none" in methods,
            "revocation_endpoint_auth_methods_supported does not list none (public client)",
            clause="RFC 7009 §2",
            field="revocation_endpoint_auth_methods_supported",
        )


@case("DISC-18")
def test_cli_can_read_endpoints(check: Check, discovery: Discovery) -> None:
    for name in ("authorization_endpoint", "token_endpoint"):
        scanned, parsed = cli_scan(discovery.text, name), discovery.get(name)
        check.must(scanned is not None, f"the CLI's scanner finds no {name}", field=name)
        if scanned is None:
            continue
        if "\\" in scanned:
            check.must(
                False, f"{name} carries JSON escapes ({scanned!r}); the CLI reads it verbatim", field=name
            )
            continue
        check.must(
            scanned == parsed,
            f"the CLI's scanner reads {name} as {scanned!r}, the document says {parsed!r} "
            "(escaped characters, or a nested object with the same key before the top-level one)",
            field=name,
        )
    authorize = discovery.get("authorization_endpoint")
    if isinstance(authorize, str):
        check.must(
            not urlsplit(authorize).query and "?" not in authorize,
            "authorization_endpoint has a query; the CLI appends '?' blindly",
            field="authorization_endpoint",
        )


@case("DISC-19")
def test_discovery_redirects(check: Check, discovery: Discovery) -> None:
    response = discovery.response
    check.record("status", response.status_code)
    if response.is_redirect:
        location = response.headers.get("Location", "")
        check.record("redirect", location)
        check.record("https_to_http", response.url.startswith("https:") and location.startswith("http:"))
        check.expect(
            False,
            f"discovery redirects ({response.status_code} to {location}); the CLI follows it "
            "unless it goes from https to http",
        )


@case("DISC-20")
def test_rfc8414_metadata(check: Check, discovery: Discovery, target: Target) -> None:
    path = urlsplit(target.api_url).path
    candidates = {
        "path-insertion": f"{origin(target.api_url)}/.well-known/oauth-authorization-server{path}",
        "appended": f"{target.api_url}/.well-known/oauth-authorization-server",
    }
    for form, url in candidates.items():
        response = target.http.get(url)
        check.record(f"{form} status", response.status_code)
        if response.status_code != 200:
            continue
        try:
            document = response.json()
        except ValueError:
            check.expect(False, f"{form} RFC 8414 document is not JSON")
            continue
        for key in ("issuer", "authorization_endpoint", "token_endpoint"):
            check.expect(
                document.get(key) == discovery.get(key), f"{form} RFC 8414 document differs on {key}"
            )


@case("DISC-21")
def test_discovery_cors(check: Check, target: Target) -> None:
    response = target.http.get(target.discovery_url, headers={"Origin": "https://client.example"})
    check.record("Access-Control-Allow-Origin", response.headers.get("Access-Control-Allow-Origin"))
