"""Users, organizations, workspaces and compute environments of the fake Platform.

The directory is one document (seed YAML, merged with the config file and control-API changes),
validated into an immutable `Directory` with lookup indexes. The document lives in the store so
every worker sees the same one; each worker rebuilds its `Directory` only when the version moves.
"""

from __future__ import annotations

import copy
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from authlib.oidc.core import UserInfo

from .errors import ConfigError

SEED_FILE = Path(__file__).parent / "data" / "directory.yml"

ORG_ROLES = ("owner", "member", "collaborator")
ORG_TYPES = ("academic", "evaluating", "pro", "basic", "internal")
WORKSPACE_ROLES = ("owner", "admin", "maintain", "launch", "connect", "view")
VISIBILITIES = ("PRIVATE", "SHARED")
USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
SEED_DATE = "2026-01-05T09:00:00Z"
USER_KEYS = {
    "id", "userName", "email", "password", "firstName", "lastName", "organization", "description",
    "avatar", "defaultWorkspaceId", "claims", "computeEnvs",
}  # fmt: skip
ORG_KEYS = {
    "orgId",
    "name",
    "fullName",
    "type",
    "description",
    "location",
    "website",
    "logoUrl",
    "members",
    "workspaces",
}
WORKSPACE_KEYS = {"id", "name", "fullName", "visibility", "description", "participants", "computeEnvs"}
COMPUTE_ENV_KEYS = {"id", "name", "platform", "workDir", "primary", "status", "description"}


class NotAllowed(Exception):
    """The user may not see this object (Platform answers 403)."""


@dataclass(frozen=True)
class ComputeEnv:
    id: str
    name: str
    platform: str
    work_dir: str
    primary: bool
    status: str
    description: str | None

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "platform": self.platform,
            "status": self.status,
            "message": None,
            "lastUsed": None,
            "primary": self.primary,
            "workspaceName": None,
            "visibility": None,
            "workDir": self.work_dir,
            "credentialsId": None,
        }

    def detail(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "platform": self.platform,
            "config": {"workDir": self.work_dir},
            "dateCreated": SEED_DATE,
            "lastUpdated": SEED_DATE,
            "lastUsed": None,
            "deleted": None,
            "status": self.status,
            "message": None,
            "primary": self.primary,
            "credentialsId": None,
            "managedIdentityId": None,
            "orgId": None,
            "workspaceId": None,
        }


@dataclass(frozen=True)
class User:
    id: int
    user_name: str
    email: str
    password: str
    first_name: str | None
    last_name: str | None
    organization: str | None
    description: str | None
    avatar: str | None
    default_workspace_id: int | None
    claims: Mapping[str, Any]
    compute_envs: tuple[ComputeEnv, ...]

    def get_user_id(self) -> str:
        return str(self.id)

    @property
    def sub(self) -> str:
        return str(self.id)

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part) or self.user_name

    def oidc_claims(self) -> UserInfo:
        """Every standard claim we know of the user; filter by scope before handing it out."""
        claims = UserInfo(
            sub=self.sub,
            name=self.name,
            preferred_username=self.user_name,
            nickname=self.user_name,
            email=self.email,
            email_verified=True,
        )
        if self.first_name:
            claims["given_name"] = self.first_name
        if self.last_name:
            claims["family_name"] = self.last_name
        if self.avatar:
            claims["picture"] = self.avatar
        return claims

    def claims_for_scope(self, scope: str) -> dict[str, Any]:
        """Standard claims filtered by scope (OIDC Core §5.4), plus the user's non-standard `claims`."""
        standard = UserInfo({**self.oidc_claims(), **self.claims}).filter(scope)
        extra = {key: value for key, value in self.claims.items() if key not in UserInfo.REGISTERED_CLAIMS}
        return {**standard, **extra}

    def platform_view(self) -> dict[str, Any]:
        """The `UserResponseDto` shape of Platform's `GET /user-info`."""
        return {
            "id": self.id,
            "userName": self.user_name,
            "email": self.email,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "organization": self.organization,
            "description": self.description,
            "avatar": self.avatar,
            "avatarId": None,
            "notification": None,
            "termsOfUseConsent": True,
            "marketingConsent": False,
            "lastAccess": SEED_DATE,
            "dateCreated": SEED_DATE,
            "lastUpdated": SEED_DATE,
            "deleted": False,
            "trusted": True,
            "waveBuildNotification": None,
            "options": {"githubToken": None, "maxRuns": None},
        }


@dataclass(frozen=True)
class Workspace:
    id: int
    name: str
    full_name: str
    visibility: str
    description: str | None
    participants: Mapping[int, str]
    compute_envs: tuple[ComputeEnv, ...]


@dataclass(frozen=True)
class Organization:
    org_id: int
    name: str
    full_name: str
    type: str
    description: str | None
    location: str | None
    website: str | None
    logo_url: str | None
    members: Mapping[int, str]
    workspaces: tuple[Workspace, ...]

    def member_id(self, user_id: int) -> int:
        return self.org_id % 10**9 * 1000 + user_id % 1000

    def platform_view(self, user_id: int) -> dict[str, Any]:
        return {
            "orgId": self.org_id,
            "name": self.name,
            "fullName": self.full_name,
            "description": self.description,
            "location": self.location,
            "website": self.website,
            "logoId": None,
            "logoUrl": self.logo_url,
            "memberId": self.member_id(user_id),
            "memberRole": self.members[user_id],
            "type": self.type,
            "paying": self.type == "pro",
        }


@dataclass(frozen=True)
class Directory:
    document: Mapping[str, Any]
    users: tuple[User, ...]
    organizations: tuple[Organization, ...]
    _by_ref: dict[str, User] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for user in self.users:
            for ref in (str(user.id), user.user_name.lower(), user.email.lower()):
                self._by_ref[ref] = user

    def find_user(self, ref: str | int | None) -> User | None:
        """By id, userName or email (names and emails compared without case)."""
        if ref is None:
            return None
        return self._by_ref.get(str(ref).strip().lower())

    def authenticate(self, login: str, password: str) -> User | None:
        user = self.find_user(login)
        if user is None or not hmac.compare_digest(user.password.encode(), password.encode()):
            return None
        return user

    def organizations_of(self, user_id: int) -> list[Organization]:
        return [org for org in self.organizations if user_id in org.members]

    def workspaces_of(self, user_id: int) -> list[dict[str, Any]]:
        """Rows of `GET /user/{id}/workspaces`: one per org (workspaceId null), one per workspace."""
        rows: list[dict[str, Any]] = []
        for org in self.organizations_of(user_id):
            base = {"orgId": org.org_id, "orgName": org.name, "orgLogoUrl": org.logo_url, "orgType": org.type}
            rows.append({**base, "workspaceId": None, "workspaceName": None})
            for workspace in org.workspaces:
                if user_id in workspace.participants:
                    rows.append(
                        {
                            **base,
                            "workspaceId": workspace.id,
                            "workspaceName": workspace.name,
                            "workspaceFullName": workspace.full_name,
                            "visibility": workspace.visibility,
                            "roles": [workspace.participants[user_id]],
                        }
                    )
        return rows

    def compute_envs(self, user: User, workspace_id: int | None) -> tuple[ComputeEnv, ...]:
        if workspace_id is None:
            return user.compute_envs
        for org in self.organizations:
            for workspace in org.workspaces:
                if workspace.id == workspace_id:
                    if user.id not in workspace.participants:
                        raise NotAllowed(
                            f"user {user.user_name} is not a participant of workspace {workspace_id}"
                        )
                    return workspace.compute_envs
        raise NotAllowed(f"workspace {workspace_id} does not exist or is not visible")


def parse_directory(document: Mapping[str, Any], where: str) -> Directory:
    users_doc = document.get("users") or []
    orgs_doc = document.get("organizations") or []
    if not isinstance(users_doc, list) or not isinstance(orgs_doc, list):
        raise ConfigError(f"{where}: users and organizations must be lists")
    users = tuple(_parse_user(entry, f"{where}: users[{i}]") for i, entry in enumerate(users_doc))
    _unique([u.id for u in users], f"{where}: users", "id")
    _unique([u.user_name.lower() for u in users], f"{where}: users", "userName")
    _unique([u.email.lower() for u in users], f"{where}: users", "email")
    by_name = {u.user_name: u.id for u in users}
    organizations = tuple(
        _parse_org(entry, f"{where}: organizations[{i}]", by_name) for i, entry in enumerate(orgs_doc)
    )
    _unique([o.org_id for o in organizations], f"{where}: organizations", "orgId")
    _unique([o.name for o in organizations], f"{where}: organizations", "name")
    workspace_ids = [w.id for o in organizations for w in o.workspaces]
    _unique(workspace_ids, f"{where}: workspaces", "id")
    env_ids = [c.id for u in users for c in u.compute_envs] + [
        c.id for o in organizations for w in o.workspaces for c in w.compute_envs
    ]
    _unique(env_ids, f"{where}: computeEnvs", "id")
    for user in users:
        if user.default_workspace_id is not None and user.default_workspace_id not in workspace_ids:
            raise ConfigError(
                f"{where}: users ({user.user_name}).defaultWorkspaceId: no workspace has that id"
            )
    return Directory(document=copy.deepcopy(dict(document)), users=users, organizations=organizations)


def merge_documents(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Config-file users/organizations replace seed entries with the same userName/name, else add."""
    merged: dict[str, Any] = {}
    for key, identity in (("users", "userName"), ("organizations", "name")):
        entries = {entry.get(identity): entry for entry in base.get(key) or [] if isinstance(entry, Mapping)}
        for entry in extra.get(key) or []:
            if isinstance(entry, Mapping):
                entries[entry.get(identity)] = entry
            else:
                entries[id(entry)] = entry
        merged[key] = list(entries.values())
    return merged


def load_seed_document(config_document: Mapping[str, Any] | None = None) -> dict[str, Any]:
    seed = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
    return merge_documents(seed, config_document or {})


def _parse_user(entry: Any, where: str) -> User:
    entry = _mapping(entry, where, USER_KEYS)
    user_id = _int(entry, "id", where)
    user_name = entry.get("userName")
    if not isinstance(user_name, str) or not USER_NAME.match(user_name):
        raise ConfigError(
            f"{where}.userName: required, 1-40 characters of letters, digits, . _ - (starting alphanumeric)"
        )
    where = f"{where} ({user_name})"
    email = entry.get("email")
    if not isinstance(email, str) or not EMAIL.match(email):
        raise ConfigError(f"{where}.email: required, an e-mail address")
    password = entry.get("password")
    if not isinstance(password, str) or not password:
        raise ConfigError(f"{where}.password: required for the login page (any non-empty string)")
    claims = entry.get("claims") or {}
    if not isinstance(claims, Mapping):
        raise ConfigError(f"{where}.claims: must be a mapping of extra OIDC claims")
    if "sub" in claims:
        raise ConfigError(f"{where}.claims.sub: `sub` is the user id and cannot be overridden")
    default_workspace = entry.get("defaultWorkspaceId")
    if default_workspace is not None and (
        not isinstance(default_workspace, int) or isinstance(default_workspace, bool)
    ):
        raise ConfigError(f"{where}.defaultWorkspaceId: must be a workspace id (integer) or null")
    return User(
        id=user_id,
        user_name=user_name,
        email=email,
        password=password,
        first_name=_optional_str(entry, "firstName", where),
        last_name=_optional_str(entry, "lastName", where),
        organization=_optional_str(entry, "organization", where),
        description=_optional_str(entry, "description", where),
        avatar=_optional_str(entry, "avatar", where),
        default_workspace_id=default_workspace,
        claims=dict(claims),
        compute_envs=_parse_compute_envs(entry.get("computeEnvs"), f"{where}.computeEnvs"),
    )


def _parse_org(entry: Any, where: str, users: Mapping[str, int]) -> Organization:
    entry = _mapping(entry, where, ORG_KEYS)
    org_id = _int(entry, "orgId", where)
    name = entry.get("name")
    if not isinstance(name, str) or not USER_NAME.match(name):
        raise ConfigError(f"{where}.name: required, 1-40 characters of letters, digits, . _ -")
    where = f"{where} ({name})"
    org_type = entry.get("type", "pro")
    if org_type not in ORG_TYPES:
        raise ConfigError(f"{where}.type: {org_type!r} is not one of {', '.join(ORG_TYPES)}")
    members = _roles(entry.get("members"), f"{where}.members", users, ORG_ROLES)
    workspaces_doc = entry.get("workspaces") or []
    if not isinstance(workspaces_doc, list):
        raise ConfigError(f"{where}.workspaces: must be a list")
    workspaces = tuple(
        _parse_workspace(item, f"{where}.workspaces[{i}]", users, members)
        for i, item in enumerate(workspaces_doc)
    )
    return Organization(
        org_id=org_id,
        name=name,
        full_name=str(entry.get("fullName") or name),
        type=org_type,
        description=_optional_str(entry, "description", where),
        location=_optional_str(entry, "location", where),
        website=_optional_str(entry, "website", where),
        logo_url=_optional_str(entry, "logoUrl", where),
        members=members,
        workspaces=workspaces,
    )


def _parse_workspace(
    entry: Any, where: str, users: Mapping[str, int], members: Mapping[int, str]
) -> Workspace:
    entry = _mapping(entry, where, WORKSPACE_KEYS)
    workspace_id = _int(entry, "id", where)
    name = entry.get("name")
    if not isinstance(name, str) or not USER_NAME.match(name):
        raise ConfigError(f"{where}.name: required, 1-40 characters of letters, digits, . _ -")
    visibility = entry.get("visibility", "PRIVATE")
    if visibility not in VISIBILITIES:
        raise ConfigError(f"{where}.visibility: {visibility!r} is not one of {', '.join(VISIBILITIES)}")
    participants = _roles(entry.get("participants"), f"{where}.participants", users, WORKSPACE_ROLES)
    if outsiders := [uid for uid in participants if uid not in members]:
        raise ConfigError(f"{where}.participants: user id(s) {outsiders} are not members of the organization")
    return Workspace(
        id=workspace_id,
        name=name,
        full_name=str(entry.get("fullName") or name),
        visibility=visibility,
        description=_optional_str(entry, "description", where),
        participants=participants,
        compute_envs=_parse_compute_envs(entry.get("computeEnvs"), f"{where}.computeEnvs"),
    )


def _parse_compute_envs(entries: Any, where: str) -> tuple[ComputeEnv, ...]:
    if entries is None:
        return ()
    if not isinstance(entries, list):
        raise ConfigError(f"{where}: must be a list")
    result = []
    for i, item in enumerate(entries):
        item = _mapping(item, f"{where}[{i}]", COMPUTE_ENV_KEYS)
        env_id, name = item.get("id"), item.get("name")
        if not isinstance(env_id, str) or not re.match(r"^[A-Za-z0-9]{1,32}$", env_id):
            raise ConfigError(f"{where}[{i}].id: required, 1-32 letters and digits")
        if not isinstance(name, str) or not name:
            raise ConfigError(f"{where}[{i}].name: required")
        result.append(
            ComputeEnv(
                id=env_id,
                name=name,
                platform=str(item.get("platform", "local-platform")),
                work_dir=str(item.get("workDir", "/tmp/work")),  # noqa: S108 - a seed value shown to clients
                primary=bool(item.get("primary", False)),
                status=str(item.get("status", "AVAILABLE")),
                description=_optional_str(item, "description", f"{where}[{i}]"),
            )
        )
    return tuple(result)


def _roles(value: Any, where: str, users: Mapping[str, int], allowed: tuple[str, ...]) -> dict[int, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: must map userName to role")
    roles = {}
    for user_name, role in value.items():
        if user_name not in users:
            raise ConfigError(f"{where}.{user_name}: no user with that userName")
        if role not in allowed:
            raise ConfigError(f"{where}.{user_name}: role {role!r} is not one of {', '.join(allowed)}")
        roles[users[user_name]] = role
    return roles


def _mapping(entry: Any, where: str, known: set[str]) -> Mapping[str, Any]:
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where}: must be a mapping")
    unknown = set(entry) - known
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; known: {', '.join(sorted(known))}"
        )
    return entry


def _int(entry: Mapping[str, Any], key: str, where: str) -> int:
    value = entry.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ConfigError(f"{where}.{key}: required, a positive integer")
    return value


def _optional_str(entry: Mapping[str, Any], key: str, where: str) -> str | None:
    value = entry.get(key)
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{where}.{key}: must be text or null")
    return value


def _unique(values: list[Any], where: str, key: str) -> None:
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            raise ConfigError(f"{where}: {key} {value!r} is used twice")
        seen.add(value)
