"""The identity queue (POST /_mock/identity), and the user and claim fields other control calls share."""

from __future__ import annotations

from typing import Annotated, Any

from msgspec import Meta

from ..directory import User
from ..live import Platform
from .inputs import BadInput, Body, Text, json_excerpt, read
from .users import create_user

TARGET_FIELDS = {
    "id_token": "id_token_claims",
    "access_token": "access_token_claims",
    "userinfo": "userinfo_claims",
}
# Claims the protocol sets: overriding them here would make tokens the mock itself then rejects.
PROTOCOL_CLAIMS = frozenset(
    {"iss", "sub", "aud", "exp", "iat", "nbf", "auth_time", "nonce", "azp", "at_hash", "c_hash", "jti",
     "client_id", "scope"}
)  # fmt: skip
MAX_COUNT = 1000
UserReference = Annotated[str | int, Meta(description="the userName, email or id of the user")]
Claims = dict[str, Any]


class ClaimFields(Body):
    """Extra claims: `claims` for every token kind the call makes, or per kind."""

    claims: Claims | None = None
    id_token_claims: Claims | None = None
    userinfo_claims: Claims | None = None


class IdentityRequest(ClaimFields, kw_only=True):
    user: Annotated[
        str | int | dict[str, Any],
        Meta(description="the userName, email or id of the user, or an object for a new user"),
    ]
    client_id: Text | None = None
    access_token_claims: Claims | None = None
    count: Annotated[int, Meta(ge=1, le=MAX_COUNT)] = 1


def find_user(platform: Platform, reference: str | int) -> User:
    user = platform.directory.find_user(reference)
    if user is not None:
        return user
    known = ", ".join(user.user_name for user in platform.directory.users)
    raise BadInput(
        f"user: {json_excerpt(reference)} is not a userName, email or id of a user; users: {known}"
    )


def claim_targets(request: ClaimFields, flat_targets: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """Extra claims per token kind: `claims` for each of `flat_targets`, then the per-kind fields."""
    flat = request.claims or {}
    targets = {}
    for target, field in TARGET_FIELDS.items():
        specific = getattr(request, field, None)
        claims = {**(flat if target in flat_targets else {}), **(specific or {})}
        if reserved := sorted(PROTOCOL_CLAIMS & set(claims)):
            source = field if specific and reserved[0] in specific else "claims"
            raise BadInput(
                f"{source}.{reserved[0]}: a claim the protocol sets; for tokens with a chosen iss, aud or exp "
                "use POST /_mock/tokens (fields iss, aud, exp)"
            )
        targets[target] = claims
    return targets


def queue_identity(platform: Platform, document: dict[str, Any]) -> dict[str, Any]:
    request = read(document, IdentityRequest)
    reference, client_id, count = request.user, request.client_id, request.count
    if client_id is not None and platform.query_client(client_id) is None:
        raise BadInput(
            f"client_id: no client {json_excerpt(client_id)}; registered: {', '.join(sorted(platform.all_clients()))}"
        )
    claims = claim_targets(request, flat_targets=tuple(TARGET_FIELDS))
    if isinstance(reference, dict):
        user, created = create_user(platform, reference, "user"), True
    else:
        user, created = find_user(platform, reference), False
    entry_id = platform.store.enqueue_identity(client_id, user.id, claims, count)
    return {
        "id": entry_id,
        "user": user.user_name,
        "user_id": user.id,
        "client_id": client_id,
        "count": count,
        "claims": claims,
        "created_user": created,
    }


def queued(platform: Platform) -> list[dict[str, Any]]:
    entries = []
    for row in platform.store.list_identities():
        user = platform.directory.find_user(row["user_id"])
        entries.append(
            {
                "id": row["id"],
                "user": user.user_name if user else None,
                "user_id": row["user_id"],
                "client_id": row["client_id"],
                "remaining": row["remaining"],
                "claims": row["claims"],
            }
        )
    return entries
