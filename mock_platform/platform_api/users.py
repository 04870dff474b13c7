"""The signed-in user's view of the Platform: `/user-info`, organizations, workspaces, compute envs."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, request

from ..directory import ORG_ROLES, ComputeEnv, NotAllowed, Organization, User, Workspace
from ..http import json_response
from ..live import current_platform
from ..pats import MAX_ID
from .auth import Caller, authenticated
from .responses import ApiError

bp = Blueprint("platform_users", __name__)

WHOLE_NUMBER = re.compile(r"^[0-9]{1,19}$")


@bp.get("/user-info")
@authenticated
def user_info(caller: Caller) -> Response:
    return json_response(user_info_document(caller.user))


def user_info_document(user: User) -> dict[str, Any]:
    """`DescribeUserResponse`; the Co-Scientist backend's `/v1/cli/user-info` answers the same."""
    return {
        "user": user.platform_view(),
        "needConsent": False,
        "defaultWorkspaceId": user.default_workspace_id,
    }


@bp.get("/orgs")
@authenticated
def organizations(caller: Caller) -> Response:
    role = request.args.get("role")
    if role is not None and role not in ORG_ROLES:
        raise ApiError(400, f"role {role!r} is not one of {', '.join(ORG_ROLES)}: fix it or leave it out")
    user_id = caller.user.id
    views = [
        org.platform_view(user_id)
        for org in current_platform().directory.organizations_of(user_id)
        if role is None or org.members[user_id] == role
    ]
    return json_response({"organizations": views, "totalSize": len(views)})


@bp.get("/user/<int:user_id>/workspaces")
@authenticated
def workspaces(caller: Caller, user_id: int) -> Response:
    if user_id != caller.user.id:
        raise ApiError(403, f"you may list only your own workspaces: call /user/{caller.user.id}/workspaces")
    return json_response({"orgsAndWorkspaces": current_platform().directory.workspaces_of(user_id)})


@bp.get("/compute-envs")
@authenticated
def compute_envs(caller: Caller) -> Response:
    workspace_id = _workspace_id()
    envs = _visible_compute_envs(caller, workspace_id)
    placement = _placement(workspace_id)
    extra = {"workspaceName": placement[1].name, "visibility": placement[1].visibility} if placement else {}
    return json_response({"computeEnvs": [{**env.summary(), **extra} for env in envs]})


@bp.get("/compute-envs/<env_id>")
@authenticated
def compute_env(caller: Caller, env_id: str) -> Response:
    workspace_id = _workspace_id()
    for env in _visible_compute_envs(caller, workspace_id):
        if env.id == env_id:
            placement = _placement(workspace_id)
            owner = {"orgId": placement[0].org_id, "workspaceId": placement[1].id} if placement else {}
            return json_response({"computeEnv": {**env.detail(), **owner}})
    where = f"workspace {workspace_id}" if workspace_id else "your personal workspace"
    query = f"?workspaceId={workspace_id}" if workspace_id else ""
    raise ApiError(
        404, f"no compute environment {env_id!r} in {where}: list them with GET /compute-envs{query}"
    )


def _workspace_id() -> int | None:
    raw = request.args.get("workspaceId")
    if not raw:
        return None
    if not WHOLE_NUMBER.match(raw) or not 0 < int(raw) <= MAX_ID:
        raise ApiError(
            400,
            f"workspaceId {raw!r} is not a workspace id (a positive whole number); "
            "leave it out for your personal workspace",
        )
    return int(raw)


def _visible_compute_envs(caller: Caller, workspace_id: int | None) -> tuple[ComputeEnv, ...]:
    try:
        return current_platform().directory.compute_envs(caller.user, workspace_id)
    except NotAllowed as error:
        raise ApiError(
            403, f"{error}: list the workspaces you can use with GET /user/{caller.user.id}/workspaces"
        ) from None


def _placement(workspace_id: int | None) -> tuple[Organization, Workspace] | None:
    for org in current_platform().directory.organizations:
        for workspace in org.workspaces:
            if workspace.id == workspace_id:
                return org, workspace
    return None
