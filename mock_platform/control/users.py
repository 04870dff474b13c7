"""Users at run time: create, change (claims, profile, organization and workspace roles), delete.

Every change edits a copy of the directory document and goes through `platform.replace_directory`,
which validates it exactly as the seed YAML is validated, so a change either applies whole or not
at all. It is stored only if nobody changed the directory since it was read (another worker or
replica): else the edit is made again on the fresh directory. Memberships are given per user here, and written into the organizations' `members` and the
workspaces' `participants`, where the document keeps them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any, ParamSpec, TypeVar

import msgspec
from msgspec import Meta

from ..directory import Directory, OrgRole, User, WorkspaceRole
from ..errors import ConfigError
from ..live import EDIT_ATTEMPTS, DocumentChanged, Platform, editable_document
from ..validation import unknown_names
from .inputs import BadInput, Body, json_excerpt, read

USER_KEYS = tuple(field.encode_name for field in msgspec.structs.fields(User))
ORG_ROLE = Annotated[
    OrgRole | None, Meta(description="one of owner, member, collaborator, or null to remove")
]
WORKSPACE_ROLE = Annotated[
    WorkspaceRole | None,
    Meta(description="one of owner, admin, maintain, launch, connect, view, or null to remove"),
]


class Memberships(Body):
    """Roles given per user, by organization name and by workspace ("<org>/<workspace>" or id)."""

    organizations: dict[str, ORG_ROLE] = {}
    workspaces: dict[str, WORKSPACE_ROLE] = {}


MEMBERSHIPS = tuple(field.encode_name for field in msgspec.structs.fields(Memberships))
P = ParamSpec("P")
R = TypeVar("R")


def _on_fresh_directory(edit: Callable[P, R]) -> Callable[P, R]:
    """Run an edit again, on the directory as stored now, when another worker or replica stored a change first."""

    @functools.wraps(edit)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        platform = args[0]
        assert isinstance(platform, Platform)
        for _ in range(EDIT_ATTEMPTS):
            try:
                return edit(*args, **kwargs)
            except DocumentChanged:
                platform.sync()
        raise _kept_changing()

    return run


def _kept_changing() -> BadInput:
    return BadInput(
        "the directory kept changing under this edit (other callers edit it): try again", status=409
    )


def user_view(directory: Directory, user: User) -> dict[str, Any]:
    organizations = directory.organizations_of(user.id)
    return {
        "id": user.id,
        "userName": user.user_name,
        "email": user.email,
        "password": user.password,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "organization": user.organization,
        "defaultWorkspaceId": user.default_workspace_id,
        "claims": dict(user.claims),
        "organizations": {org.name: org.members[user.id] for org in organizations},
        "workspaces": {
            f"{org.name}/{workspace.name}": workspace.participants[user.id]
            for org in organizations
            for workspace in org.workspaces
            if user.id in workspace.participants
        },
    }


def create_user(platform: Platform, document: dict[str, Any], where: str = "") -> User:
    """A new user; id, email and password default to the next free id, <userName>@example.com and
    <userName>-password. `where` names the field that holds `document` ("user" in an identity)."""
    memberships = _memberships(document, USER_KEYS, where)
    user_name = document.get("userName")
    if not isinstance(user_name, str) or not user_name:
        raise BadInput(f"{_at(where, 'userName')}: required, the new user's login name")
    directory = platform.directory
    if directory.find_user(user_name) is not None:
        raise BadInput(
            f"{_at(where, 'userName')}: user {user_name!r} already exists; "
            f"change it with PUT /_mock/users/{user_name}",
            status=409,
        )
    entry = {key: value for key, value in document.items() if key in USER_KEYS and value is not None}
    entry.setdefault("email", f"{user_name}@example.com")
    entry.setdefault("password", f"{user_name}-password")
    try:
        return platform.add_user(
            entry, lambda edited: _apply_memberships(edited, user_name, memberships, where)
        )
    except ConfigError as error:
        raise BadInput(str(error)) from None
    except DocumentChanged:
        raise _kept_changing() from None


@_on_fresh_directory
def update_user(platform: Platform, user_name: str, document: dict[str, Any]) -> tuple[User, bool]:
    """Change the fields given (null clears one); a userName nobody has yet is created."""
    directory = platform.directory
    user = directory.find_user(user_name)
    named = document.get("userName")
    if named is not None and (not isinstance(named, str) or named.lower() != user_name.lower()):
        raise BadInput(
            f"userName: users cannot be renamed (the path names {user_name!r}, the body {json_excerpt(named)})"
        )
    if user is None:
        return create_user(platform, {**document, "userName": user_name}), True
    memberships = _memberships(document, tuple(key for key in USER_KEYS if key != "id"), "")
    edited = editable_document(directory)
    entry = next(item for item in edited["users"] if item.get("userName") == user.user_name)
    for key, value in document.items():
        if key not in USER_KEYS or key == "userName":
            continue
        if value is None:
            entry.pop(key, None)
        else:
            entry[key] = value
    _apply_memberships(edited, user.user_name, memberships, "")
    return _replace(platform, directory, edited, user.user_name), False


@_on_fresh_directory
def delete_user(platform: Platform, user_name: str) -> User:
    directory = platform.directory
    user = directory.find_user(user_name)
    if user is None:
        raise BadInput(f"no user {user_name!r}", status=404)
    edited = editable_document(directory)
    edited["users"] = [item for item in edited["users"] if item.get("userName") != user.user_name]
    for org in edited["organizations"]:
        _remove_member(org, user.user_name)
    _store(platform, directory, edited)  # retires the user's id, codes, tokens and personal access tokens
    return user


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _memberships(document: dict[str, Any], user_keys: tuple[str, ...], where: str) -> Memberships:
    """The memberships of a user-change body, after refusing fields that are neither those nor user keys."""
    if unknown := [key for key in document if key not in (*user_keys, *MEMBERSHIPS)]:
        message = unknown_names(unknown, (*user_keys, *MEMBERSHIPS), "field")
        raise BadInput(f"{where}: {message}" if where else message)
    return read({key: document[key] for key in MEMBERSHIPS if key in document}, Memberships, where)


def _apply_memberships(edited: dict[str, Any], user_name: str, memberships: Memberships, where: str) -> None:
    by_name = {org.get("name"): org for org in edited["organizations"]}
    for name, role in memberships.organizations.items():
        org = by_name.get(name)
        if org is None:
            raise BadInput(
                f"{_at(where, 'organizations')}.{name}: no such organization; "
                f"organizations: {', '.join(map(str, by_name))}"
            )
        if role is None:
            _remove_member(org, user_name)
            continue
        org["members"] = {**(org.get("members") or {}), user_name: role}
    for reference, role in memberships.workspaces.items():
        org, workspace = _find_workspace(edited, reference, where)
        participants = dict(workspace.get("participants") or {})
        if role is None:
            participants.pop(user_name, None)
        elif user_name not in (org.get("members") or {}):
            raise BadInput(
                f"{_at(where, 'workspaces')}.{reference}: {user_name} is not a member of organization "
                f'{org["name"]}; add "organizations": {{"{org["name"]}": "member"}}'
            )
        else:
            participants[user_name] = role
        workspace["participants"] = participants


def _find_workspace(edited: dict[str, Any], reference: str, where: str) -> tuple[dict, dict]:
    """A workspace by "<org>/<workspace>" name or by id."""
    org_name, slash, workspace_name = reference.partition("/")
    for org in edited["organizations"]:
        for workspace in org.get("workspaces") or []:
            by_name = slash and org.get("name") == org_name and workspace.get("name") == workspace_name
            if by_name or (not slash and str(workspace.get("id")) == reference):
                return org, workspace
    known = [
        f"{org.get('name')}/{workspace.get('name')} ({workspace.get('id')})"
        for org in edited["organizations"]
        for workspace in org.get("workspaces") or []
    ]
    raise BadInput(
        f"{_at(where, 'workspaces')}.{reference}: no such workspace; use <org>/<workspace> or an id: "
        f"{', '.join(known)}"
    )


def _remove_member(org: dict[str, Any], user_name: str) -> None:
    org["members"] = {name: role for name, role in (org.get("members") or {}).items() if name != user_name}
    for workspace in org.get("workspaces") or []:
        participants = workspace.get("participants") or {}
        workspace["participants"] = {name: role for name, role in participants.items() if name != user_name}


def _store(platform: Platform, directory: Directory, edited: dict[str, Any]) -> None:
    try:
        platform.replace_directory(edited, directory)
    except ConfigError as error:
        raise BadInput(str(error)) from None
    platform.sync()


def _replace(platform: Platform, directory: Directory, edited: dict[str, Any], user_name: str) -> User:
    _store(platform, directory, edited)
    user = platform.directory.find_user(user_name)
    assert user is not None, "the user was just written into the document"
    return user
