"""PUI, PAT, PATU, PATD: the Platform REST calls of `nextflow auth` (seqera-contract.md §1.8-§1.11, §2).

Every PAT is created with a name `conformance-<run>-<random>` and deleted at the end of the run by
the `platform` fixture, whatever happened; `DELETE /tokens/delete-all` is never called. The PAT
given with `--pat` (PATU-06) is only read with: it belongs to the operator, not to the run.
"""

from __future__ import annotations

import base64
import secrets
import string
import time
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from .checks import Check
from .expectations import json_body
from .harness import OAuth, Tokens, refresh_token_of
from .platform import Platform, decode_pat
from .plugin import Options
from .target import Target
from .test_userinfo import forged_jwt

case = pytest.mark.case
PROPAGATION_WINDOW = 5.0


@dataclass
class Pat:
    response: requests.Response
    body: dict[str, Any]

    @property
    def access_key(self) -> str:
        return self.body.get("accessKey") or ""

    @property
    def id(self) -> Any:
        return (self.body.get("token") or {}).get("id")


def create(platform: Platform, token: str, name: str | None = None) -> Pat:
    response = platform.create_token(token, platform.name() if name is None else name)
    body = json_body(response)
    return Pat(response, body if isinstance(body, dict) else {})


def user_of(response: requests.Response) -> dict[str, Any]:
    body = json_body(response)
    user = body.get("user") if isinstance(body, dict) else None
    return user if isinstance(user, dict) else {}


def listed(platform: Platform, token: str) -> list[dict[str, Any]]:
    body = json_body(platform.list_tokens(token)) or {}
    return body.get("tokens") or [] if isinstance(body, dict) else []


def tampered_variants(access_key: str) -> dict[str, str]:
    """One secret character changed (re-encoded), and one base64 character flipped."""
    variants = {}
    document, text = decode_pat(access_key)
    if document is not None:
        head, _, secret = text.partition(".")
        if secret:
            swapped = secret[:-1] + ("0" if secret[-1] != "0" else "1")
            variants["secret changed"] = base64.b64encode(f"{head}.{swapped}".encode()).decode()
    middle = len(access_key) // 2
    flipped = "A" if access_key[middle] != "A" else "B"
    variants["base64 character flipped"] = access_key[:middle] + flipped + access_key[middle + 1 :]
    return variants


@pytest.fixture(scope="session")
def pat(platform: Platform, happy: Tokens) -> Pat:
    """One PAT created with the CLI's access token, shared by the cases that only use it."""
    return create(platform, happy.access_token)


@pytest.fixture
def key(pat: Pat, check: Check) -> str:
    check.needs(
        pat.access_key, f"no PAT to use: POST /tokens answered HTTP {pat.response.status_code} (see PAT-01)"
    )
    return pat.access_key


@pytest.fixture(scope="session")
def me(platform: Platform, happy: Tokens) -> dict[str, Any]:
    return user_of(platform.user_info(happy.access_token))


@dataclass
class Deleted:
    pat: Pat
    tid: Any
    response: requests.Response | None


@pytest.fixture(scope="session")
def deleted(platform: Platform, happy: Tokens) -> Deleted:
    """A PAT that deleted itself the way `nextflow auth logout` does: tid from the PAT, the PAT as Bearer."""
    created = create(platform, happy.access_token)
    document, _ = decode_pat(created.access_key) if created.access_key else (None, "")
    tid = document.get("tid") if document else None
    if not isinstance(tid, int) or isinstance(tid, bool) or tid not in platform.created:
        return Deleted(created, tid, None)
    return Deleted(created, tid, platform.delete_token(created.access_key, tid))


# PUI -----------------------------------------------------------------------------------------------


@case("PUI-01")
def test_user_info_with_oidc_token(check: Check, platform: Platform, happy: Tokens) -> None:
    response = platform.user_info(happy.access_token)
    check.require(
        response.status_code == 200,
        f"/user-info answered HTTP {response.status_code}: the CLI's login stops here",
        field="status",
    )
    user = user_of(response)
    check.must(user, "the body has no `user` object (the CLI reads json.user)", field="user")
    check.must(
        isinstance(user.get("id"), int) and not isinstance(user.get("id"), bool),
        f"user.id is {user.get('id')!r}, not an integer",
        field="user.id",
    )
    check.must(
        isinstance(user.get("userName"), str) and user["userName"],
        "user.userName is empty",
        field="user.userName",
    )
    check.must(isinstance(user.get("email"), str), "user.email is missing", field="user.email")


@case("PUI-02")
def test_user_matches_oidc_identity(
    check: Check, me: dict[str, Any], oauth: OAuth, platform: Platform, happy: Tokens
) -> None:
    claims = json_body(oauth.userinfo(happy.access_token)) or {}
    check.needs(me.get("id") is not None, "GET /user-info gave no user (see PUI-01)")
    check.needs(claims.get("sub"), "OIDC userinfo gave no claims (see UI-01)")
    check.should(
        me.get("email") == claims.get("email"),
        f"user.email {me.get('email')!r} differs from the OIDC email {claims.get('email')!r}",
        field="user.email",
    )
    again = user_of(platform.user_info(oauth.tokens().access_token))
    check.should(
        again.get("id") == me.get("id"),
        "a second login of the same account maps to another user.id",
        field="user.id",
    )


@case("PUI-03")
def test_user_info_rejects_bad_tokens(check: Check, platform: Platform, target: Target) -> None:
    for label, token in (
        ("no token", None),
        ("garbage token", secrets.token_urlsafe(40)),
        ("forged JWT", forged_jwt(target.api_url)),
    ):
        response = platform.user_info(token)
        check.must(response.status_code != 200, f"{label}: /user-info answered 200", field="status")
        check.should(
            response.status_code == 401,
            f"{label}: HTTP {response.status_code}, 401 preferred",
            field="status",
        )
        if response.status_code == 401:
            check.should(
                "WWW-Authenticate" in response.headers,
                f"{label}: 401 without WWW-Authenticate",
                field="WWW-Authenticate",
            )


@case("PUI-04")
def test_user_info_rejects_id_token(check: Check, platform: Platform, happy: Tokens) -> None:
    response = platform.user_info(happy.id_token)
    check.should(
        response.status_code in (401, 403), f"the id_token as Bearer answered HTTP {response.status_code}"
    )


@case("PUI-05")
def test_user_info_with_refreshed_token(check: Check, platform: Platform, oauth: OAuth) -> None:
    tokens = oauth.tokens()
    refresh_token = refresh_token_of(check, tokens)
    refreshed = json_body(oauth.refresh(refresh_token)) or {}
    check.needs(refreshed.get("access_token"), "the refresh failed (see REF-02)")
    response = platform.user_info(refreshed["access_token"])
    check.must(response.status_code == 200, f"a refreshed access token got HTTP {response.status_code}")


@case("PUI-06")
def test_user_info_scheme_and_type(check: Check, platform: Platform, happy: Tokens) -> None:
    response = platform.user_info(happy.access_token, scheme="bearer")
    check.should(response.status_code == 200, f"scheme 'bearer' answered HTTP {response.status_code}")
    media = response.headers.get("Content-Type", "").split(";")[0].strip()
    check.should(media == "application/json", f"Content-Type {media!r}", field="Content-Type")


# PAT -----------------------------------------------------------------------------------------------


@case("PAT-01")
def test_create_pat(check: Check, pat: Pat) -> None:
    check.response(pat.response, label="POST /tokens")
    check.must(
        pat.response.status_code == 200,
        f"POST /tokens answered HTTP {pat.response.status_code}; the CLI accepts exactly 200",
        field="status",
    )
    check.must(
        isinstance(pat.body.get("accessKey"), str) and pat.body["accessKey"],
        "no accessKey",
        field="accessKey",
    )
    token = pat.body.get("token") or {}
    check.must(isinstance(token.get("id"), int), f"token.id is {token.get('id')!r}", field="token.id")
    check.must(
        token.get("name") and token.get("dateCreated"),
        "token.name or token.dateCreated missing",
        field="token",
    )


@case("PAT-02")
def test_pat_format(check: Check, key: str, pat: Pat) -> None:
    document, detail = decode_pat(key)
    check.require(document is not None, f"the CLI cannot read the PAT: {detail}", field="accessKey")
    check.must(
        document.get("tid") == pat.id, f"tid is {document.get('tid')!r}, token.id is {pat.id!r}", field="tid"
    )
    check.must(
        "." in detail and detail.partition(".")[2],
        "no '.' and secret after the JSON object",
        field="accessKey",
    )
    check.must(
        key.count(".") != 2,
        "the PAT has exactly two dots: the CLI would treat it as a JWT",
        field="accessKey",
    )


@case("PAT-03")
def test_pat_name_lengths(check: Check, platform: Platform, happy: Tokens) -> None:
    base = platform.name()
    names = {
        "1 character": secrets.choice(string.ascii_lowercase),
        "50 characters": (base + "-" + secrets.token_hex(25))[:50],
        "51 characters": (base + "-" + secrets.token_hex(25))[:51],
        "empty": "",
        "missing": None,
    }
    for label, name in names.items():
        response = platform.create_token(happy.access_token, name)
        check.record(label, response.status_code)
        check.must(response.status_code < 500, f"name of {label}: HTTP {response.status_code}", field="name")
        if label in ("1 character", "50 characters"):
            if response.status_code == 409:
                continue
            check.should(
                response.status_code == 200,
                f"name of {label} refused (HTTP {response.status_code})",
                field="name",
            )
        else:
            check.should(
                response.status_code == 400,
                f"name of {label}: HTTP {response.status_code}, expected 400 "
                "(OpenAPI 1.187.0 allows 1-50 characters)",
                field="name",
            )


@case("PAT-04")
def test_duplicate_name(check: Check, platform: Platform, happy: Tokens) -> None:
    name = platform.name()
    first = platform.create_token(happy.access_token, name)
    check.require(first.status_code in (200, 201), f"the first POST /tokens failed: HTTP {first.status_code}")
    second = platform.create_token(happy.access_token, name)
    check.should(
        second.status_code == 409,
        f"the same name again answered HTTP {second.status_code}, not 409",
        field="name",
    )


@case("PAT-05")
def test_create_without_valid_token(check: Check, platform: Platform, happy: Tokens) -> None:
    names = []
    for label, token in (("no token", None), ("garbage token", secrets.token_urlsafe(40))):
        name = platform.name()
        names.append(name)
        response = platform.http.post(
            platform.url("/tokens"),
            json={"name": name},
            headers={"Authorization": f"Bearer {token}"} if token else {},
        )
        check.must(
            response.status_code in (401, 403),
            f"{label}: POST /tokens answered HTTP {response.status_code}",
            field="status",
        )
    present = {t.get("name") for t in listed(platform, happy.access_token)} & set(names)
    check.must(not present, f"PATs were created without a valid token: {sorted(present)}")


@case("PAT-06")
def test_list_tokens(check: Check, platform: Platform, happy: Tokens, key: str, pat: Pat) -> None:
    response = platform.list_tokens(happy.access_token)
    check.require(response.status_code == 200, f"GET /tokens answered HTTP {response.status_code}")
    tokens = listed(platform, happy.access_token)
    mine = [t for t in tokens if t.get("id") == pat.id]
    check.must(mine, "the new PAT is not listed", field="tokens")
    if mine:
        check.must(
            all(k in mine[0] for k in ("id", "name", "dateCreated")),
            "id, name or dateCreated missing",
            field="tokens",
        )
    secret = decode_pat(key)[1].partition(".")[2] or key
    check.must(
        key not in response.text and secret not in response.text and "accessKey" not in response.text,
        "the listing discloses the PAT or its secret",
        field="accessKey",
    )


@case("PAT-07")
def test_create_with_pat(check: Check, platform: Platform, key: str) -> None:
    response = platform.create_token(key, platform.name())
    check.record("POST /tokens with a PAT", response.status_code)


# PATU ----------------------------------------------------------------------------------------------


@case("PATU-01")
def test_user_info_with_pat(check: Check, platform: Platform, key: str, me: dict[str, Any]) -> None:
    response = platform.user_info(key)
    check.require(
        response.status_code == 200, f"/user-info with the PAT answered HTTP {response.status_code}"
    )
    check.must(
        user_of(response).get("id") == me.get("id"), "the PAT maps to another user.id", field="user.id"
    )


@case("PATU-02")
def test_workspaces_with_pat(check: Check, platform: Platform, key: str, me: dict[str, Any]) -> None:
    check.needs(me.get("id") is not None, "no user id from /user-info (see PUI-01)")
    response = platform.workspaces(key, me["id"])
    check.should(response.status_code == 200, f"/user/{{id}}/workspaces answered HTTP {response.status_code}")
    body = json_body(response)
    check.should(
        isinstance(body, dict) and isinstance(body.get("orgsAndWorkspaces"), list),
        "no orgsAndWorkspaces array",
        field="orgsAndWorkspaces",
    )


@case("PATU-03")
def test_last_used(check: Check, platform: Platform, key: str, pat: Pat, happy: Tokens) -> None:
    platform.user_info(key)
    mine = [t for t in listed(platform, happy.access_token) if t.get("id") == pat.id]
    check.record("lastUsed", mine[0].get("lastUsed") if mine else "not listed")


@case("PATU-04")
def test_pat_survives_grant_revocation(check: Check, platform: Platform, oauth: OAuth) -> None:
    if not oauth.discovery.get("revocation_endpoint"):
        pytest.skip("no revocation_endpoint advertised to end the OIDC grant")
    tokens = oauth.tokens()
    refresh_token = refresh_token_of(check, tokens)
    created = create(platform, tokens.access_token)
    check.needs(created.access_key, f"POST /tokens answered HTTP {created.response.status_code} (see PAT-01)")
    oauth.revoke(refresh_token, hint="refresh_token")
    response = platform.user_info(created.access_key)
    check.should(
        response.status_code == 200,
        f"the PAT stopped working when the OIDC grant was revoked (HTTP {response.status_code})",
    )


@case("PATU-05")
def test_tampered_pat(check: Check, platform: Platform, key: str) -> None:
    for label, value in tampered_variants(key).items():
        response = platform.user_info(value)
        check.must(
            response.status_code in (401, 403), f"{label}: HTTP {response.status_code}", field="status"
        )


@pytest.fixture
def existing_pat(options: Options) -> str:
    if options.pat is None:
        pytest.skip("needs a PAT made before the upgrade: --pat TOKEN (CONFORMANCE_PAT)")
    return options.pat


@case("PATU-06")
def test_pat_from_before_the_upgrade(
    existing_pat: str, check: Check, options: Options, target: Target
) -> None:
    """What `nextflow auth status` and `logout` do with a PAT from seqera-auth.config, without any login."""
    platform = Platform(target.http, target.api_url, target.http.secrets)  # no `platform` fixture: no login
    response = platform.user_info(existing_pat)
    check.require(
        response.status_code == 200,
        f"/user-info refused the PAT given with --pat (HTTP {response.status_code}): if that token is "
        "live (listed in the web UI under Your tokens), tokens made before the upgrade stopped working",
        field="status",
    )
    user = user_of(response)
    check.require(
        isinstance(user.get("id"), int) and user.get("userName"),
        "/user-info answered 200 without user.id and user.userName",
        field="user",
    )
    check.record("user", f"{user['userName']} (id {user['id']})")
    workspaces = platform.workspaces(existing_pat, user["id"])
    check.should(
        workspaces.status_code == 200,
        f"/user/{{id}}/workspaces refused the PAT (HTTP {workspaces.status_code}); nextflow auth status calls it",
        field="status",
    )
    listing = platform.list_tokens(existing_pat)
    check.should(
        listing.status_code == 200,
        f"GET /tokens refused the PAT (HTTP {listing.status_code})",
        field="status",
    )
    if listing.status_code == 200:
        body = json_body(listing)
        tokens = body.get("tokens") if isinstance(body, dict) else None
        ids = (
            [token.get("id") for token in tokens if isinstance(token, dict)]
            if isinstance(tokens, list)
            else []
        )
        check.should(
            options.pat_tid in ids,
            f"GET /tokens does not list id {options.pat_tid}, the tid in the PAT: nextflow auth logout "
            "would delete another token, or none",
            field="tid",
        )


# PATD ----------------------------------------------------------------------------------------------


@case("PATD-01")
def test_pat_deletes_itself(check: Check, deleted: Deleted) -> None:
    check.require(deleted.pat.access_key, f"POST /tokens answered HTTP {deleted.pat.response.status_code}")
    check.require(
        deleted.response is not None,
        f"the CLI's logout cannot find the token id in the PAT "
        f"(tid {deleted.tid!r}, token.id {deleted.pat.id!r})",
        clause="nextflow decodeTokenId",
        field="tid",
    )
    check.response(deleted.response, label="DELETE /tokens/{tid}")
    status = deleted.response.status_code
    check.must(
        status in (200, 204), f"DELETE /tokens/{{tid}} with the PAT answered HTTP {status}", field="status"
    )
    check.record("status", status)


@case("PATD-02")
def test_deleted_pat_refused(check: Check, platform: Platform, deleted: Deleted, target: Target) -> None:
    check.needs(
        deleted.response is not None and deleted.response.status_code in (200, 204),
        "the PAT could not delete itself (see PATD-01)",
    )
    window = 0 if target.started_mock else PROPAGATION_WINDOW  # replicas may lag (catalog §4.17)
    started = time.monotonic()
    response = platform.user_info(deleted.pat.access_key)
    while response.status_code not in (401, 403) and time.monotonic() - started < window:
        time.sleep(0.5)
        response = platform.user_info(deleted.pat.access_key)
    check.record("refused after (s)", round(time.monotonic() - started, 2))
    check.must(
        response.status_code in (401, 403),
        f"the deleted PAT still works (HTTP {response.status_code})",
        field="status",
    )


@case("PATD-03")
def test_deleted_pat_not_listed(check: Check, platform: Platform, deleted: Deleted, happy: Tokens) -> None:
    check.needs(
        deleted.response is not None and deleted.response.status_code in (200, 204),
        "the PAT could not delete itself (see PATD-01)",
    )
    ids = [t.get("id") for t in listed(platform, happy.access_token)]
    check.must(deleted.pat.id not in ids, "the deleted PAT is still listed", field="tokens")


@case("PATD-04")
def test_delete_twice(check: Check, platform: Platform, deleted: Deleted, happy: Tokens) -> None:
    check.needs(
        deleted.response is not None and deleted.response.status_code in (200, 204),
        "the PAT could not delete itself (see PATD-01)",
    )
    response = platform.delete_token(happy.access_token, deleted.pat.id)
    check.record("second DELETE", response.status_code)
    check.should(
        400 <= response.status_code < 500,
        f"the second DELETE answered HTTP {response.status_code}",
        field="status",
    )


@case("PATD-05")
def test_other_users_pat(check: Check, platform: Platform, happy: Tokens, second_account: Tokens) -> None:
    theirs = create(platform, second_account.access_token)
    check.require(
        theirs.access_key, f"the second account could not create a PAT (HTTP {theirs.response.status_code})"
    )
    response = platform.delete_token(happy.access_token, theirs.id)
    check.must(
        response.status_code in (403, 404),
        f"deleting another user's PAT answered HTTP {response.status_code}",
        field="status",
    )
    check.must(
        platform.user_info(theirs.access_key).status_code == 200, "the other user's PAT stopped working"
    )
