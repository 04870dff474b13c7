"""The /_mock/ endpoints: JSON in, JSON out, and a 400 {"message": ...} naming the field at fault."""

from __future__ import annotations

import fnmatch
from datetime import UTC, datetime
from typing import Annotated, Any

from flask import Blueprint, Response, current_app, request
from msgspec import Meta

from ..errors import ConfigError
from ..http import json_response, message_error, never_cached
from ..live import DocumentChanged, Platform, current_platform
from . import faults, identity, minting, users
from .guard import refuse_web_pages, require_control_token
from .inputs import BadInput, Body, Duration, json_body, read, seconds

bp = Blueprint("control", __name__)
bp.before_request(require_control_token)
bp.before_request(refuse_web_pages)
bp.after_request(never_cached)

MAX_CLOCK_ADVANCE = 10 * 365 * 86400.0


@bp.errorhandler(BadInput)
def bad_input(error: BadInput) -> Response:
    return message_error(error.status, error.message)


@bp.errorhandler(ConfigError)
def bad_config(error: ConfigError) -> Response:
    return message_error(400, str(error))


@bp.errorhandler(DocumentChanged)
def document_changed(error: DocumentChanged) -> Response:
    return message_error(409, str(error))


@bp.get("/")
def index() -> Response:
    """This list."""
    endpoints = {}
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if rule.endpoint.startswith(f"{bp.name}."):
            doc = (current_app.view_functions[rule.endpoint].__doc__ or "").strip().partition("\n")[0]
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                endpoints[f"{method} {rule.rule}"] = doc
    return json_response({"endpoints": endpoints})


# identity queue ----------------------------------------------------------------------------------


@bp.post("/identity")
def queue_identity() -> Response:
    """Queue who signs in at the next authorize of a client (user, claims, count)."""
    platform = current_platform()
    return json_response(identity.queue_identity(platform, json_body()), 201)


@bp.get("/identity")
def list_identities() -> Response:
    """The queued identities, oldest first."""
    return json_response({"identities": identity.queued(current_platform())})


@bp.delete("/identity")
def clear_identities() -> Response:
    """Empty the identity queue."""
    current_platform().store.clear_identities()
    return json_response({"identities": []})


# faults ------------------------------------------------------------------------------------------


@bp.post("/faults")
def add_fault() -> Response:
    """Make the next calls to an endpoint fail: status, OAuth error, body, delay; count or fraction."""
    platform = current_platform()
    spec, count = faults.parse_fault(json_body(), current_app, platform.settings.api_path)
    fault_id = platform.store.add_fault(spec, count)
    row = {"id": fault_id, "spec": spec, "remaining": count, "hits": 0}
    return json_response(faults.fault_from_row(row).view(), 201)


@bp.get("/faults")
def list_faults() -> Response:
    """The faults still waiting to fire, with their hit counts."""
    rows = current_platform().store.list_faults()
    return json_response({"faults": [faults.fault_from_row(row).view() for row in rows]})


@bp.delete("/faults")
def clear_faults() -> Response:
    """Remove every fault."""
    current_platform().store.clear_faults()
    return json_response({"faults": []})


@bp.delete("/faults/<int:fault_id>")
def delete_fault(fault_id: int) -> Response:
    """Remove one fault."""
    if not current_platform().store.delete_fault(fault_id):
        raise BadInput(f"no fault {fault_id} (it may have fired its last call already)", status=404)
    return json_response({"deleted": fault_id})


# tokens, clock, keys -----------------------------------------------------------------------------


@bp.post("/tokens")
def mint_token() -> Response:
    """Mint an access token (and id_token) for a user and client: expired, wrong_key, iss, aud, exp, claims."""
    return json_response(minting.mint(current_platform(), json_body()))


def clock_view(platform: Platform) -> dict[str, Any]:
    now = platform.now()
    return {
        "now": now,
        "time": datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "offset": platform.state.clock_offset,
    }


@bp.get("/clock")
def get_clock() -> Response:
    """The mock's time and its offset from the real clock, in seconds."""
    return json_response(clock_view(current_platform()))


class ClockMove(Body):
    advance: Annotated[
        Duration, Meta(description='the seconds to move the clock forward: a number, or "15m", "2h", "1d"')
    ]

    def __post_init__(self) -> None:
        self.advance = seconds(self.advance, "advance", maximum=MAX_CLOCK_ADVANCE)


@bp.post("/clock")
def advance_clock() -> Response:
    """Move the mock's clock forward: {"advance": seconds or "15m", "2h", "1d"}."""
    platform = current_platform()
    platform.store.advance_clock(read(json_body(), ClockMove).advance)
    platform.sync()
    return json_response(clock_view(platform))


@bp.delete("/clock")
def reset_clock() -> Response:
    """Put the mock's clock back to real time."""
    platform = current_platform()
    platform.store.set_clock_offset(0.0)
    platform.sync()
    return json_response(clock_view(platform))


@bp.post("/keys/rotate")
def rotate_keys() -> Response:
    """Add a new signing key; the previous ones stay published in JWKS."""
    keyring = current_platform().rotate_keys()
    return json_response(
        {"kid": keyring.signing_key.kid, "published": [key.kid for key in reversed(keyring.keys)]}
    )


# users and clients -------------------------------------------------------------------------------


@bp.get("/users")
def list_users() -> Response:
    """Every user, with claims, organization roles and workspace roles."""
    directory = current_platform().directory
    return json_response({"users": [users.user_view(directory, user) for user in directory.users]})


@bp.post("/users")
def create_user() -> Response:
    """Add a user (userName; id, email, password default), with claims, organizations, workspaces."""
    platform = current_platform()
    user = users.create_user(platform, json_body())
    return json_response(users.user_view(platform.directory, user), 201)


@bp.get("/users/<user_name>")
def get_user(user_name: str) -> Response:
    """One user."""
    directory = current_platform().directory
    user = directory.find_user(user_name)
    if user is None:
        raise BadInput(f"no user {user_name!r}", status=404)
    return json_response(users.user_view(directory, user))


@bp.put("/users/<user_name>")
def update_user(user_name: str) -> Response:
    """Change a user's claims, profile, organization and workspace roles (created if new)."""
    platform = current_platform()
    user, created = users.update_user(platform, user_name, json_body())
    return json_response(users.user_view(platform.directory, user), 201 if created else 200)


@bp.delete("/users/<user_name>")
def delete_user(user_name: str) -> Response:
    """Remove a user and their memberships; their tokens stop working."""
    user = users.delete_user(current_platform(), user_name)
    return json_response({"deleted": user.user_name})


@bp.get("/clients")
def list_clients() -> Response:
    """Every registered client (seed, config file, run time)."""
    clients = current_platform().all_clients()
    return json_response({"clients": [client.public_view() for client in clients.values()]})


@bp.post("/clients")
def register_client() -> Response:
    """Register (or replace) a client, in the shape of clients.yml."""
    platform = current_platform()
    if not request.get_data(cache=True):
        raise BadInput(
            'send the client as JSON, e.g. {"client-id": "my_cli", "redirect-uris": ["http://127.0.0.1"]}'
        )
    entry = json_body()
    replaced = platform.query_client(entry.get("client-id")) is not None
    client = platform.register_client(entry)
    platform.sync()
    return json_response({**client.public_view(), "replaced": replaced}, 201)


# request log, reset ------------------------------------------------------------------------------


class RequestsQuery(Body):
    limit: str | None = None
    path: str | None = None
    method: str | None = None


@bp.get("/requests")
def recent_requests() -> Response:
    """The last requests the mock received, secrets masked (?limit=N, ?path=/api/oauth/*)."""
    platform = current_platform()
    size = platform.settings.request_log_size
    if not size:
        raise BadInput(
            "the request log is off (request_log_size=0); start the mock with MOCK_PLATFORM_REQUEST_LOG_SIZE=200",
            status=409,
        )
    query = read(request.args.to_dict(), RequestsQuery, "query: ")
    limit = _limit(query.limit, size)
    entries = platform.store.recent_requests(size)
    if query.path:
        entries = [entry for entry in entries if fnmatch.fnmatchcase(entry["path"], query.path)]
    if query.method:
        entries = [entry for entry in entries if entry["method"] == query.method.upper()]
    return json_response({"requests": entries[-limit:]})


def _limit(value: str | None, size: int) -> int:
    if value is None:
        return size
    if not value.isdigit() or not 1 <= int(value) <= size:
        raise BadInput(f"limit: must be a whole number from 1 to {size}, got {value!r}")
    return int(value)


@bp.delete("/requests")
def clear_requests() -> Response:
    """Forget the logged requests."""
    current_platform().store.clear_request_log()
    return json_response({"requests": []})


@bp.post("/reset")
def reset() -> Response:
    """Back to the seed: users, clients, queue, faults, clock, request log and tokens (keys stay)."""
    platform = current_platform()
    platform.reset()
    platform.sync()
    return json_response({"status": "reset"})
