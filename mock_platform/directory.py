"""Users, organizations, workspaces and compute environments of the fake Platform.

The directory is one document (seed YAML, merged with the config file and control-API changes),
validated into an immutable `Directory` with lookup indexes. The document lives in the store so
every worker sees the same one; each worker rebuilds its `Directory` only when the version moves.

A user entry of the seed or the config file may list `access-tokens`: personal access tokens the
user had before (made in Platform's web UI, or by an older CLI), which the store keeps as it keeps
minted ones. They are taken out of the document before it is stored (`Directory.document`), so a
token is never kept in clear; `Directory.access_tokens()` lists them for seeding.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import msgspec
from authlib.oidc.core import UserInfo
from msgspec import Meta, Struct

from . import pats
from .credentials import same_secret
from .errors import ConfigError
from .shipped_yaml import read_shipped_yaml
from .validation import convert

SEED_FILE = Path(__file__).parent / "data" / "directory.yml"

OrgRole = Literal["owner", "member", "collaborator"]
WorkspaceRole = Literal["owner", "admin", "maintain", "launch", "connect", "view"]
ORG_ROLES: tuple[str, ...] = get_args(OrgRole)
WORKSPACE_ROLES: tuple[str, ...] = get_args(WorkspaceRole)
MAX_ID = 2**53 - 1  # exact in every JSON reader (the Seqera CLI's is JavaScript's) and in a 64-bit column
Id = Annotated[int, Meta(ge=1, le=MAX_ID)]
Name = Annotated[
    str,
    Meta(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$",
        description="1-40 characters of letters, digits, . _ - (starting alphanumeric)",
    ),
]
SEED_DATE = "2026-01-05T09:00:00Z"
SEED_TIME = datetime.fromisoformat(SEED_DATE).timestamp()  # when seeded PATs were created
ACCESS_TOKENS = "access-tokens"  # the key of a user's seeded PATs, as the interface fixes it
# Minted PATs take the ids above the highest seeded tid, so a seeded tid must leave them room below
# 2**31, the largest id every store keeps.
MAX_SEEDED_TID = 10**9


class Entry(Struct, frozen=True, forbid_unknown_fields=True, kw_only=True, rename="camel"):
    """A mapping of the directory document: camelCase keys, as in Platform's API; no other keys."""


class NotAllowed(Exception):
    """The user may not see this object (Platform answers 403)."""


class ComputeEnv(Entry, frozen=True):
    id: Annotated[str, Meta(pattern=r"^[A-Za-z0-9]{1,32}$", description="1-32 letters and digits")]
    name: Annotated[str, Meta(min_length=1)]
    platform: str = "local-platform"
    work_dir: str = "/tmp/work"  # noqa: S108 - a seed value shown to clients
    primary: bool = False
    status: str = "AVAILABLE"
    description: str | None = None

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


class User(Entry, frozen=True):
    id: Id
    user_name: Name
    email: Annotated[str, Meta(pattern=r"^[^@\s]+@[^@\s]+$", description="an e-mail address")]
    password: Annotated[str, Meta(min_length=1, description="any non-empty string, for the login page")]
    first_name: str | None = None
    last_name: str | None = None
    organization: str | None = None
    description: str | None = None
    avatar: str | None = None
    default_workspace_id: int | None = None
    claims: dict[str, Any] = {}
    compute_envs: tuple[ComputeEnv, ...] = ()

    def __post_init__(self) -> None:
        if "sub" in self.claims:
            raise ValueError("claims.sub: `sub` is the user id and cannot be overridden")

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


class AccessToken(Entry, frozen=True):
    """A personal access token the user had before: seeded, then kept and accepted as minted ones are."""

    name: Annotated[
        str, Meta(min_length=1, max_length=100, description="a token name of 1 to 100 characters")
    ]
    token: Annotated[
        str, Meta(description='a personal access token, standard base64 of {"tid": <id>}.<40 hex characters>')
    ]

    def __post_init__(self) -> None:
        if problem := pats.problem(self.token):
            raise ValueError(f"token: {problem}")
        if self.tid > MAX_SEEDED_TID:
            raise ValueError(
                f"token: its tid {self.tid} is above {MAX_SEEDED_TID}; minted PATs take the ids above the "
                "highest seeded one, so give it a smaller tid"
            )

    @property
    def tid(self) -> int:
        return self._decoded()[0]

    @property
    def secret(self) -> str:
        return self._decoded()[1]

    def _decoded(self) -> tuple[int, str]:
        decoded = pats.decode(self.token)
        assert decoded is not None, "__post_init__ refused every token that does not decode"
        return decoded


class UserEntry(User, frozen=True):
    """A user as the seed or config file lists them: with the personal access tokens they had before."""

    access_tokens: tuple[AccessToken, ...] = msgspec.field(default=(), name=ACCESS_TOKENS)


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

    def access_tokens(self) -> Iterator[tuple[str, User, AccessToken]]:
        """Each seeded PAT with its owner and its place in the document, for messages."""
        for index, user in enumerate(self.users):
            for position, token in enumerate(getattr(user, "access_tokens", ())):
                yield (
                    f"users[{index}] ({user.user_name}).{ACCESS_TOKENS}[{position}] ({token.name})",
                    user,
                    token,
                )

    def find_user(self, ref: str | int | None) -> User | None:
        """By id, userName or email (names and emails compared without case)."""
        if ref is None:
            return None
        return self._by_ref.get(str(ref).strip().lower())

    def authenticate(self, login: str, password: str) -> User | None:
        user = self.find_user(login)
        if user is None or not same_secret(password, user.password):
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


class WorkspaceEntry(Entry, frozen=True):
    id: Id
    name: Name
    full_name: str | None = None
    visibility: Literal["PRIVATE", "SHARED"] = "PRIVATE"
    description: str | None = None
    participants: dict[str, WorkspaceRole] = {}
    compute_envs: tuple[ComputeEnv, ...] = ()


class OrganizationEntry(Entry, frozen=True):
    org_id: Id
    name: Name
    full_name: str | None = None
    type: Literal["academic", "evaluating", "pro", "basic", "internal"] = "pro"
    description: str | None = None
    location: str | None = None
    website: str | None = None
    logo_url: str | None = None
    members: dict[str, OrgRole] = {}
    workspaces: tuple[WorkspaceEntry, ...] = ()


class DirectoryDocument(Struct, frozen=True):
    users: tuple[UserEntry, ...] | None = None
    organizations: tuple[OrganizationEntry, ...] | None = None


def parse_directory(document: Mapping[str, Any], where: str) -> Directory:
    """The typed directory; then what types cannot say: unique ids and names, known member names."""
    parsed = convert(document, DirectoryDocument, where=f"{where}: ", error=ConfigError)
    users, entries = parsed.users or (), parsed.organizations or ()
    _unique([u.id for u in users], f"{where}: users", "id")
    _unique([u.user_name.lower() for u in users], f"{where}: users", "userName")
    _unique([u.email.lower() for u in users], f"{where}: users", "email")
    by_name = {u.user_name: u.id for u in users}
    organizations = tuple(
        _organization(entry, f"{where}: organizations[{i}] ({entry.name})", by_name)
        for i, entry in enumerate(entries)
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
    directory = Directory(document=_without_access_tokens(document), users=users, organizations=organizations)
    _check_access_tokens(directory, where)
    return directory


def merge_documents(
    base: Mapping[str, Any], extra: Mapping[str, Any], where: str = "config"
) -> dict[str, Any]:
    """Config-file users/organizations replace seed entries with the same userName/name, else add.

    A user entry of only `userName` and `access-tokens` gives those tokens to the seed user of that
    name instead (replacing the ones the seed gave), so a config file need not repeat the user.
    """
    merged: dict[str, Any] = {}
    for key, identity in (("users", "userName"), ("organizations", "name")):
        entries = {entry.get(identity): entry for entry in base.get(key) or [] if isinstance(entry, Mapping)}
        for index, entry in enumerate(extra.get(key) or []):
            if not isinstance(entry, Mapping):
                entries[id(entry)] = entry
            elif key == "users" and ACCESS_TOKENS in entry and set(entry) <= {identity, ACCESS_TOKENS}:
                name = entry.get(identity)
                if name not in entries:
                    known = ", ".join(str(n) for n in entries if isinstance(n, str))
                    raise ConfigError(
                        f"{where}: users[{index}] ({name}): no user {name!r} to give {ACCESS_TOKENS} to; "
                        f"name one of {known}, or give the whole user (id, userName, email, password)"
                    )
                entries[name] = {**entries[name], ACCESS_TOKENS: entry[ACCESS_TOKENS]}
            else:
                entries[entry.get(identity)] = entry
        merged[key] = list(entries.values())
    return merged


def load_seed_document(
    config_document: Mapping[str, Any] | None = None, where: str = "config"
) -> dict[str, Any]:
    seed = read_shipped_yaml(SEED_FILE)
    return merge_documents(seed, config_document or {}, where)


def _organization(entry: OrganizationEntry, where: str, users: Mapping[str, int]) -> Organization:
    members = _by_id(entry.members, f"{where}.members", users)
    workspaces = []
    for index, item in enumerate(entry.workspaces):
        place = f"{where}.workspaces[{index}] ({item.name}).participants"
        participants = _by_id(item.participants, place, users)
        if outsiders := [uid for uid in participants if uid not in members]:
            raise ConfigError(f"{place}: user id(s) {outsiders} are not members of the organization")
        workspaces.append(
            Workspace(
                id=item.id,
                name=item.name,
                full_name=item.full_name or item.name,
                visibility=item.visibility,
                description=item.description,
                participants=participants,
                compute_envs=item.compute_envs,
            )
        )
    return Organization(
        org_id=entry.org_id,
        name=entry.name,
        full_name=entry.full_name or entry.name,
        type=entry.type,
        description=entry.description,
        location=entry.location,
        website=entry.website,
        logo_url=entry.logo_url,
        members=members,
        workspaces=tuple(workspaces),
    )


def _by_id(roles: Mapping[str, str], where: str, users: Mapping[str, int]) -> dict[int, str]:
    """userName -> role, as the document has it, becomes user id -> role."""
    for user_name in roles:
        if user_name not in users:
            raise ConfigError(f"{where}.{user_name}: no user with that userName")
    return {users[user_name]: role for user_name, role in roles.items()}


def _without_access_tokens(document: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of the document without the users' `access-tokens`, which the store keeps hashed."""
    stripped = copy.deepcopy(dict(document))
    if isinstance(stripped.get("users"), list):
        stripped["users"] = [
            {k: v for k, v in user.items() if k != ACCESS_TOKENS} if isinstance(user, Mapping) else user
            for user in stripped["users"]
        ]
    return stripped


def _check_access_tokens(directory: Directory, where: str) -> None:
    """What types cannot say about seeded PATs: a tid is one token's (across users), a name one per user."""
    by_tid: dict[int, str] = {}
    names: set[tuple[int, str]] = set()
    for place, user, token in directory.access_tokens():
        if token.tid in by_tid:
            raise ConfigError(
                f"{where}: {place}.token: tid {token.tid} is already the tid of {by_tid[token.tid]}; "
                "every personal access token needs an id of its own"
            )
        if (user.id, token.name) in names:
            raise ConfigError(
                f"{where}: {place}.name: {user.user_name} has two tokens named {token.name!r}; "
                "Platform keeps token names unique per user"
            )
        by_tid[token.tid] = place
        names.add((user.id, token.name))


def _unique(values: list[Any], where: str, key: str) -> None:
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            raise ConfigError(f"{where}: {key} {value!r} is used twice")
        seen.add(value)
