"""The endpoints of the Co-Scientist backend (seqera-contract.md §6.2-6.3), under `ai_path`.

Every call but `/` and service-info needs the Platform credential check (`platform_api.auth`): an
access token of either CLI client, or a PAT. Errors are `{"message": ...}` like the Platform API's,
except running out of credits: 429 `{"detail": ...}`, the text the Seqera CLI shows.
"""

from __future__ import annotations

import functools
import time
import uuid
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

import msgspec
from flask import Blueprint, Response, current_app

from ..directory import Organization, User
from ..http import NO_STORE, json_response, never_cached
from ..live import Platform, current_platform
from ..platform_api.auth import Caller, authenticated
from ..platform_api.responses import ApiError, iso_date
from ..platform_api.service import SERVICE_INFO
from ..platform_api.users import user_info_document
from ..store import AiSession
from ..store.co_scientist import ACTIVE
from . import bodies
from .assistant import CANCELLED, continue_turn, start_turn
from .script import Script, parse_script
from .stream import STREAM_HEADERS, events

bp = Blueprint("co_scientist", __name__)
bp.after_request(never_cached)
# The Seqera CLI builds the session-list URL from the backend's origin, dropping its path: this
# blueprint serves that one call at the server root.
root_bp = Blueprint("co_scientist_root", __name__)
root_bp.after_request(never_cached)

SCRIPT = "mock_platform.co_scientist_script"  # the ai_script setting's script, in app.extensions
MAX_SESSION_ID = 36
OUT_OF_CREDITS = (
    "You have run out of Co-Scientist credits. (mock-platform: the balance was set through "
    "PUT /_mock/ai/credits; set a new balance or POST /_mock/reset.)"
)
SKILLS = [
    {"name": "config", "description": "Write a nextflow.config for the pipeline in this directory."},
    {"name": "debug", "description": "Lint and preview the pipeline, and explain what fails."},
    {"name": "schema", "description": "Write nextflow_schema.json for the pipeline's parameters."},
]


@functools.cache
def backend_version() -> str:
    return f"{version('mock-platform')}-mock"


@bp.get("/")
def root() -> Response:
    """What `seqera info` reads first: the backend's version and the Platform it belongs to."""
    settings = current_platform().settings
    return json_response(
        {
            "status": "ok",
            "service": "co-scientist-mock",
            "version": backend_version(),
            "platform_url": settings.public_base_url,
            "platform_api_url": settings.issuer,
        }
    )


@bp.get("/v1/cli/service-info")
def service_info() -> Response:
    """Platform's `/service-info` shape (`seqera info` reads `serviceInfo.version` and `apiVersion`)."""
    return json_response({"serviceInfo": SERVICE_INFO})


@bp.get("/v1/cli/user-info")
@authenticated
def user_info(caller: Caller) -> Response:
    """Platform's `/user-info` shape (`seqera info` reads `user.firstName`, `lastName`, `userName`, `email`)."""
    return json_response(user_info_document(caller.user))


@bp.get("/v1/cli/organizations")
@authenticated
def organizations(caller: Caller) -> Response:
    orgs = current_platform().directory.organizations_of(caller.user.id)
    return json_response(
        {
            "organizations": [
                {"org_id": org.org_id, "org_name": org.name, "org_type": org.type} for org in orgs
            ]
        }
    )


# sessions ----------------------------------------------------------------------------------------


@bp.post("/v1/cli/sessions")
@authenticated
def create_session(caller: Caller) -> Response:
    platform = current_platform()
    new = bodies.read_body(bodies.NewSession)
    if new.organization_id is not None:
        _organization(platform, caller.user, new.organization_id, "organization_id")
    now = platform.now()
    session = AiSession(
        id=str(uuid.uuid4()),
        user_id=caller.user.id,
        organization_id=new.organization_id,
        cwd=new.cwd,
        status=ACTIVE,
        title=None,
        options=new.options(),
        created_at=now,
        updated_at=now,
    )
    platform.store.create_ai_session(session)
    return json_response(session_view(session))


@bp.get("/v1/cli/sessions")
@authenticated
def list_sessions(caller: Caller) -> Response:
    query = bodies.read_query(bodies.SessionsQuery)
    sessions = current_platform().store.list_ai_sessions(caller.user.id, query.cwd, query.status, query.limit)
    return json_response({"sessions": [session_view(session) for session in sessions]})


root_bp.add_url_rule("/v1/cli/sessions", view_func=list_sessions)


def with_session(view: Callable[[Platform, Caller, AiSession], Response]) -> Callable[..., Response]:
    """A view of one session: the caller is authenticated and the session must be theirs (else 404)."""

    @functools.wraps(view)
    def wrapper(caller: Caller, session_id: str) -> Response:
        platform = current_platform()
        session = platform.store.find_ai_session(session_id) if len(session_id) <= MAX_SESSION_ID else None
        if session is None or session.user_id != caller.user.id:
            raise ApiError(
                404, f"no session {session_id[:80]!r} of yours: start one with POST /v1/cli/sessions"
            )
        return view(platform, caller, session)

    return authenticated(wrapper)


@bp.post("/v1/cli/sessions/<session_id>/expire")
@with_session
def expire_session(platform: Platform, caller: Caller, session: AiSession) -> Response:
    platform.store.expire_ai_session(session.id, platform.now(), time.time(), CANCELLED)
    return json_response(session_view(platform.store.find_ai_session(session.id) or session))


@bp.post("/v1/cli/sessions/<session_id>/messages")
@with_session
def post_message(platform: Platform, caller: Caller, session: AiSession) -> Response:
    """A user message (answered by the scripted assistant) or `{"type": "cancel"}`."""
    message = bodies.read_body(bodies.Message)
    store = platform.store
    if message.type == "cancel":
        store.cancel_ai_turn(session.id, platform.now(), time.time(), CANCELLED)
        return json_response({})
    content = message.content or ""
    if request_id := store.open_ai_tool_call(session.id):
        raise ApiError(
            409,
            f"session {session.id} is waiting for the result of tool request {request_id}: POST it to "
            f'/v1/cli/sessions/{session.id}/tool-results, or send {{"type": "cancel"}} first',
        )
    if not store.spend_ai_credit():
        return json_response({"detail": OUT_OF_CREDITS}, 429, NO_STORE)
    reply, groups = active_script(platform).reply_to(content)
    values = {**_context(platform, caller.user, session, content), **groups}
    store.add_ai_turn(session.id, start_turn(reply, content, values), platform.now(), time.time())
    return json_response({})


@bp.get("/v1/cli/sessions/<session_id>/messages")
@with_session
def history(platform: Platform, caller: Caller, session: AiSession) -> Response:
    messages = [
        {
            "id": row["id"],
            "role": row["role"],
            "content": row["content"],
            "timestamp": iso_date(row["created_at"]),
        }
        for row in platform.store.ai_messages(session.id)
    ]
    return json_response({"messages": messages})


@bp.get("/v1/cli/sessions/<session_id>/events")
@with_session
def session_events(platform: Platform, caller: Caller, session: AiSession) -> Response:
    """The session's events as Server-Sent Events (see stream.py for when the stream ends)."""
    query = bodies.read_query(bodies.EventsQuery)
    limit = platform.settings.ai_stream_limit
    return Response(
        events(platform.store, session.id, query.cursor, query.history_only, limit), headers=STREAM_HEADERS
    )


@bp.post("/v1/cli/sessions/<session_id>/tool-results")
@with_session
def tool_results(platform: Platform, caller: Caller, session: AiSession) -> Response:
    posted = bodies.read_body(bodies.ToolResult)
    request_id, result = posted.request_id, msgspec.structs.asdict(posted.result)
    found = platform.store.find_ai_tool_call(session.id, request_id)
    if found is None:
        raise ApiError(
            404, f"request_id: session {session.id} never asked for tool request {request_id!r}; check the id"
        )
    call, still_open = found
    answered = still_open and platform.store.answer_ai_tool_call(
        session.id, request_id, result, continue_turn(call, result), platform.now(), time.time()
    )
    if not answered:
        raise ApiError(
            409,
            f"request_id: tool request {request_id} was already answered or cancelled; send each result once",
        )
    return json_response({})


# account -----------------------------------------------------------------------------------------


@bp.get("/v1/cli/credits")
@authenticated
def credits(caller: Caller) -> Response:
    platform = current_platform()
    org_id = bodies.read_query(bodies.CreditsQuery).org_id
    if org_id is not None:
        _organization(platform, caller.user, org_id, "org_id")
    balance = platform.store.ai_credits()
    return json_response({"org_id": org_id, "balance": balance, "unlimited": balance is None})


@bp.get("/v1/cli/skills")
@authenticated
def skills(caller: Caller) -> Response:
    return json_response({"skills": SKILLS})


@bp.post("/v1/cli/telemetry/crash")
@authenticated
def crash_report(caller: Caller) -> Response:
    """Accepted and dropped; the request log (GET /_mock/requests) shows that one was sent."""
    bodies.read_body(bodies.CrashReport)
    return json_response({})


# helpers -----------------------------------------------------------------------------------------


def session_view(session: AiSession) -> dict[str, Any]:
    return {
        "session_id": session.id,
        "id": session.id,
        "status": session.status,
        "cwd": session.cwd,
        "organization_id": session.organization_id,
        "title": session.title,
        "created_at": iso_date(session.created_at),
        "updated_at": iso_date(session.updated_at),
    }


def active_script(platform: Platform) -> Script:
    """The script set through the control API, else the ai_script setting's, else the built-in reply."""
    document = platform.store.ai_script()
    if document is not None:
        return parse_script(document, "control API")
    return current_app.extensions[SCRIPT]


def _organization(platform: Platform, user: User, org_id: int, field: str) -> Organization:
    for org in platform.directory.organizations_of(user.id):
        if org.org_id == org_id:
            return org
    raise ApiError(
        403,
        f"{field}: {user.user_name} is not a member of organization {org_id}; pick one of "
        "GET /v1/cli/organizations (seqera org switch)",
    )


def _context(platform: Platform, user: User, session: AiSession, message: str) -> dict[str, str]:
    org = next((o for o in platform.directory.organizations if o.org_id == session.organization_id), None)
    return {
        "user": user.user_name,
        "name": user.name,
        "email": user.email,
        "organization": f"{org.name} ({org.org_id})" if org else "none (no organization selected)",
        "organization_id": str(session.organization_id or ""),
        "message": message,
        "session_id": session.id,
        "cwd": session.cwd,
    }
