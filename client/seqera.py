"""The Seqera CLI's (``seqera``, Co-Scientist, 1.12.0) login and session handling (contract §5.2, §6.2).

Differences from 1.12.0, on purpose: the default auth domain is the local mock
(``http://127.0.0.1:8080/api``) instead of ``https://cloud.seqera.io/api``; the refresh token is
always kept in a file (never the OS keychain); ``logout`` revokes the refresh token at the
provider's ``revocation_endpoint`` before deleting it; and there are no interactive prompts.
"""

import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from . import defects
from .browser import Browser
from .discovery import OidcConfig, discover
from .errors import ClientError, LoginError, NotLoggedIn, PlatformError, RefreshFailed, status_problem
from .exchange import refresh, revoke
from .flow import DEFAULT_SCOPES
from .flow import login as oidc_login
from .transport import checked_url, send

DEFAULT_AUTH_DOMAIN = "http://127.0.0.1:8080/api"
DEFAULT_CLIENT_ID = "seqera_ai_cli"
DEFAULT_AUDIENCE = "platform"
DEFAULT_REDIRECT_PORT = 53682
REDIRECT_PORT_FALLBACKS = 9
DEFAULT_BACKEND_URL = "http://127.0.0.1:8080/ai"
DEFAULT_CALLBACK_TIMEOUT_MS = 120_000
MAX_CALLBACK_TIMEOUT_MS = 600_000
REFRESH_BUFFER_SECONDS = 300
PAT_VARIABLES = ("SEQERA_ACCESS_TOKEN", "SEQERA_TOKEN", "TOWER_ACCESS_TOKEN")
LOGIN_HINT = "run 'platform-auth seqera login'"


@dataclass(frozen=True)
class SeqeraSettings:
    auth_domain: str
    client_id: str
    audience: str
    redirect_port: int
    backend_url: str
    callback_timeout: float
    config_dir: Path

    @classmethod
    def from_environment(cls, env: Mapping[str, str] = os.environ) -> "SeqeraSettings":
        timeout_ms = min(
            _int_setting(env, "SEQERA_AUTH_CALLBACK_TIMEOUT_MS", DEFAULT_CALLBACK_TIMEOUT_MS),
            MAX_CALLBACK_TIMEOUT_MS,
        )
        return cls(
            auth_domain=checked_url(
                env.get("SEQERA_AUTH_DOMAIN", DEFAULT_AUTH_DOMAIN).rstrip("/"), "$SEQERA_AUTH_DOMAIN"
            ),
            client_id=env.get("SEQERA_AUTH_CLI_CLIENT_ID", DEFAULT_CLIENT_ID),
            audience=env.get("SEQERA_AUTH_AUDIENCE", DEFAULT_AUDIENCE),
            redirect_port=_int_setting(env, "SEQERA_AUTH_REDIRECT_PORT", DEFAULT_REDIRECT_PORT),
            backend_url=checked_url(
                env.get("SEQERA_AI_BACKEND_URL", DEFAULT_BACKEND_URL).rstrip("/"), "$SEQERA_AI_BACKEND_URL"
            ),
            callback_timeout=timeout_ms / 1000,
            config_dir=Path.home() / ".config" / "seqera-ai",
        )


def _int_setting(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ClientError(f"{name} must be a whole number, got {value!r}") from None


def env_access_token(env: Mapping[str, str] = os.environ) -> tuple[str, str] | None:
    """(token, variable) of the first PAT variable set; with one, OAuth is skipped entirely."""
    for name in PAT_VARIABLES:
        if env.get(name):
            return env[name], name
    return None


def write_private_file(path: Path, text: str) -> None:
    """Write ``<name>.tmp`` (created with mode 0600), then rename it, so no reader sees a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f"{path.name}.tmp")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.replace(temporary, path)


class Store:
    """``~/.config/seqera-ai``: the refresh token and the auth metadata. Access tokens never touch disk."""

    def __init__(self, config_dir: Path) -> None:
        self.refresh_token_file = config_dir / "refresh-token"
        self.metadata_file = config_dir / "auth-metadata.json"

    def read_refresh_token(self) -> str | None:
        if not self.refresh_token_file.is_file():
            return None
        return self.refresh_token_file.read_text(encoding="utf-8").strip() or None

    def write_refresh_token(self, token: str) -> None:
        write_private_file(self.refresh_token_file, token)

    def delete_refresh_token(self) -> None:
        self.refresh_token_file.unlink(missing_ok=True)

    def read_metadata(self) -> dict[str, Any]:
        if not self.metadata_file.is_file():
            return {}
        try:
            metadata = json.loads(self.metadata_file.read_text(encoding="utf-8"))
        except ValueError:
            return {}
        return metadata if isinstance(metadata, dict) else {}

    def write_metadata(self, metadata: Mapping[str, Any]) -> None:
        write_private_file(self.metadata_file, json.dumps(metadata, indent=2) + "\n")

    def delete_metadata(self) -> None:
        self.metadata_file.unlink(missing_ok=True)


class Session:
    """Hands out a valid access token: a PAT from the environment, or one from a refresh_token grant.

    The first call in a process refreshes (nothing but the refresh token is stored), and so does any
    call with less than five minutes left. A rotated refresh token replaces the stored one; a refused
    refresh deletes it.
    """

    def __init__(self, settings: SeqeraSettings, store: Store, env: Mapping[str, str] = os.environ) -> None:
        self.settings = settings
        self.store = store
        self.env = env
        self._oidc: OidcConfig | None = None
        self._access_token: str | None = None
        self._expires_at = 0.0

    def access_token(self) -> str:
        from_env = env_access_token(self.env)
        if from_env:
            return from_env[0]
        if self._access_token is None or time.monotonic() >= self._expires_at - REFRESH_BUFFER_SECONDS:
            self._refresh()
        return str(self._access_token)

    def adopt(self, tokens: Mapping[str, Any]) -> None:
        """Take the tokens of a fresh login (or a refresh) as the current ones."""
        keep_first = defects.active("refresh-token-not-updated") and self.store.read_refresh_token()
        if tokens.get("refresh_token") and not keep_first:
            self.store.write_refresh_token(str(tokens["refresh_token"]))
        if defects.active("access-token-stored"):
            write_private_file(
                self.store.refresh_token_file.with_name("access-token"), tokens["access_token"]
            )
        self._access_token = str(tokens["access_token"])
        self._expires_at = time.monotonic() + float(tokens.get("expires_in") or 0)

    def oidc(self) -> OidcConfig:
        if self._oidc is None:
            self._oidc = discover(self.settings.auth_domain)
        return self._oidc

    def _refresh(self) -> None:
        refresh_token = self.store.read_refresh_token()
        if refresh_token is None:
            raise ClientError("Not logged in to Seqera", hint=LOGIN_HINT)
        try:
            tokens = refresh(
                self.oidc().token_endpoint, self.settings.client_id, refresh_token, DEFAULT_SCOPES
            )
        except RefreshFailed as exc:
            self.store.delete_refresh_token()
            exc.hint = f"the stored refresh token was deleted; {LOGIN_HINT} again"
            raise
        self.adopt(tokens)


class Backend:
    """The Co-Scientist backend (``SEQERA_AI_BACKEND_URL``)."""

    def __init__(self, url: str, session: Session) -> None:
        self.url = url
        self.session = session

    def organizations(self) -> list[dict[str, Any]]:
        url = f"{self.url}/v1/cli/organizations"
        response = send("GET", url, headers={"Authorization": f"Bearer {self.session.access_token()}"})
        if not response.ok:
            raise PlatformError(
                f"Co-Scientist backend request failed (HTTP {response.status_code}): {response.text}",
                status=response.status_code,
            )
        try:
            organizations = response.json().get("organizations")
        except (ValueError, AttributeError):
            organizations = None
        if not isinstance(organizations, list):
            raise PlatformError(f"Unexpected response from {url}: no 'organizations' list")
        return organizations


def fetch_userinfo(auth_domain: str, access_token: str) -> dict[str, Any] | None:
    """``GET {authDomain}/userinfo`` (the Seqera CLI's fixed path); failures are ignored, as there."""
    try:
        response = send("GET", f"{auth_domain}/userinfo", headers={"Authorization": f"Bearer {access_token}"})
        userinfo = response.json() if response.ok else None
    except (ClientError, ValueError):
        return None
    return userinfo if isinstance(userinfo, dict) else None


def login(
    settings: SeqeraSettings,
    store: Store,
    browser: Browser,
    extra_params: Mapping[str, str] | None = None,
    env: Mapping[str, str] = os.environ,
) -> None:
    click.echo("[Login] Starting Seqera CLI authentication...")
    tokens = oidc_login(
        settings.auth_domain,
        settings.client_id,
        browser,
        timeout=settings.callback_timeout,
        extra_params=extra_params,
        callback_port=settings.redirect_port,
        callback_fallback_ports=REDIRECT_PORT_FALLBACKS,
        audience=settings.audience,
    )
    for required in ("refresh_token", "expires_in"):
        if required not in tokens:
            raise LoginError(
                f"Token response missing {required}", hint="the client needs the offline_access scope"
            )
    session = Session(settings, store, env)
    session.adopt(tokens)
    metadata: dict[str, Any] = {
        "user": fetch_userinfo(settings.auth_domain, tokens["access_token"]),
        "last_login": int(time.time() * 1000),
        "authDomain": settings.auth_domain,
        "audience": settings.audience,
        "selected_organization": None,
    }
    click.echo("[Login] ✓ Authentication successful!")
    try:
        organizations = Backend(settings.backend_url, session).organizations()
    except ClientError as exc:
        click.secho(f"[Login] Could not list organizations: {exc}", fg="yellow", err=True)
        organizations = []
    if len(organizations) == 1:
        metadata["selected_organization"] = organizations[0]
        click.echo(f"[Login] ✓ Organization set: {organizations[0].get('org_name')}")
    elif organizations:
        click.echo(
            "[Login] Several organizations are available; pick one with 'platform-auth seqera org switch ID':"
        )
        _echo_organizations(organizations, None)
    store.write_metadata(metadata)


def logout(settings: SeqeraSettings, store: Store) -> None:
    """Revoke the refresh token (RFC 7009) where the provider allows it, then delete the local state."""
    refresh_token = store.read_refresh_token()
    if refresh_token is None:
        click.echo("[Logout] No stored refresh token.")
    elif not defects.active("logout-no-revoke"):
        try:
            oidc = discover(settings.auth_domain)
            if oidc.revocation_endpoint:
                revoke(oidc.revocation_endpoint, settings.client_id, refresh_token, "refresh_token")
                click.echo("[Logout] ✓ Refresh token revoked")
            else:
                click.secho(
                    "[Logout] The provider has no revocation_endpoint; not revoked", fg="yellow", err=True
                )
        except ClientError as exc:
            click.secho(f"[Logout] Could not revoke the refresh token: {exc}", fg="yellow", err=True)
    if not defects.active("logout-keeps-files"):
        store.delete_refresh_token()
        store.delete_metadata()
    click.echo("[Logout] ✓ Local credentials removed")


def status(
    settings: SeqeraSettings, store: Store, env: Mapping[str, str] = os.environ, as_json: bool = False
) -> None:
    """Local state, then a live check: get an access token and list organizations with it. Exits 1
    when not logged in or the credentials are refused, 3 when the provider or backend is not usable."""
    metadata = store.read_metadata()
    from_env = env_access_token(env)
    has_refresh_token = store.read_refresh_token() is not None
    if from_env:
        credentials = f"env var ${from_env[1]}"
    elif has_refresh_token:
        credentials = f"refresh token in {store.refresh_token_file}"
    else:
        credentials = "none"
    rows = [
        ("Auth domain", settings.auth_domain),
        ("Client ID", settings.client_id),
        ("Backend", settings.backend_url),
        ("Credentials", credentials),
        ("User", _user_label(metadata.get("user"))),
        ("Organization", _organization_label(metadata.get("selected_organization"))),
        ("Last login", _time_label(metadata.get("last_login"))),
    ]
    organizations: list[dict[str, Any]] | None = None
    problem: ClientError | None = None
    if not from_env and not has_refresh_token:
        problem = NotLoggedIn("Not logged in to Seqera", hint=LOGIN_HINT)
    else:
        try:
            organizations = Backend(settings.backend_url, Session(settings, store, env)).organizations()
        except ClientError as exc:
            problem = status_problem(exc, LOGIN_HINT)
    if as_json:
        document = {
            "ok": problem is None,
            "exitCode": problem.exit_code if problem else 0,
            "problem": str(problem) if problem else None,
            **{_json_key(name): value for name, value in rows},
            "user": metadata.get("user"),
            "organization": metadata.get("selected_organization"),
            "organizationsVisible": None if organizations is None else len(organizations),
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        if organizations is not None:
            rows.append(("Session", f"✔ OK ({len(organizations)} organization(s) visible)"))
        width = max(len(name) for name, _ in rows) + 2
        for name, value in rows:
            click.echo(f"{name.ljust(width)}{value}")
    if problem is not None:
        raise problem


def _json_key(label: str) -> str:
    """ "Auth domain" -> "authDomain"."""
    first, *rest = label.split()
    return first.lower() + "".join(word.capitalize() for word in rest)


def show_organization(store: Store) -> None:
    selected = store.read_metadata().get("selected_organization")
    if selected:
        click.echo(f"Current organization: {_organization_label(selected)}")
    else:
        click.echo("No organization selected. See 'platform-auth seqera org list'.")


def list_organizations(
    settings: SeqeraSettings, store: Store, env: Mapping[str, str] = os.environ, as_json: bool = False
) -> None:
    organizations = Backend(settings.backend_url, Session(settings, store, env)).organizations()
    selected_id = (store.read_metadata().get("selected_organization") or {}).get("org_id")
    if as_json:
        listed = [
            {**org, "selected": selected_id is not None and org.get("org_id") == selected_id}
            for org in organizations
        ]
        click.echo(json.dumps({"organizations": listed}, indent=2, ensure_ascii=False))
        return
    if not organizations:
        click.echo("No organizations available.")
    _echo_organizations(organizations, selected_id)


def switch_organization(
    settings: SeqeraSettings, store: Store, org_id: str, env: Mapping[str, str] = os.environ
) -> None:
    organizations = Backend(settings.backend_url, Session(settings, store, env)).organizations()
    chosen = next((org for org in organizations if str(org.get("org_id")) == org_id), None)
    if chosen is None:
        raise ClientError(f"Organization {org_id} not found", hint="see 'platform-auth seqera org list'")
    store.write_metadata({**store.read_metadata(), "selected_organization": chosen})
    click.echo(f"Organization set: {chosen.get('org_name')}")


def clear_organization(store: Store) -> None:
    store.write_metadata({**store.read_metadata(), "selected_organization": None})
    click.echo("Organization selection cleared.")


def _echo_organizations(organizations: list[dict[str, Any]], selected_id: Any) -> None:
    for org in organizations:
        marker = "*" if selected_id is not None and org.get("org_id") == selected_id else " "
        click.echo(f"{marker} {org.get('org_id')}  {org.get('org_name')}  [{org.get('org_type')}]")


def _user_label(user: Any) -> str:
    if not isinstance(user, dict):
        return "-"
    return str(user.get("email") or user.get("preferred_username") or user.get("sub") or "-")


def _organization_label(org: Any) -> str:
    if not isinstance(org, dict):
        return "-"
    return f"{org.get('org_name')} ({org.get('org_id')})"


def _time_label(milliseconds: Any) -> str:
    if not isinstance(milliseconds, int):
        return "-"
    return datetime.fromtimestamp(milliseconds / 1000).astimezone().isoformat(timespec="seconds")
