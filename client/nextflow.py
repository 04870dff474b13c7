"""``nextflow auth login|logout|status`` (contract §1, §3), without the interactive prompts.

Files live under ``$NXF_HOME`` (default ``~/.nextflow``): the PAT goes to ``seqera-auth.config``,
which ``config`` pulls in with an ``includeConfig`` line.
"""

import getpass
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from . import defects
from .browser import Browser
from .errors import ClientError, NotLoggedIn, status_problem
from .flow import login as oidc_login
from .platform import PlatformClient, decode_token_id
from .transport import checked_url

CLIENT_ID = "nextflow_cli"
DEFAULT_ENDPOINT = "https://api.cloud.seqera.io"
AUTH_FILE_NAME = "seqera-auth.config"
INCLUDE_LINE = f"includeConfig '{AUTH_FILE_NAME}'"
# Auth0 settings of the device-code login the ADR replaced; read by nothing since (contract §1.13).
DEPRECATED_AUTH_VARIABLES = ("TOWER_AUTH_DOMAIN", "TOWER_AUTH_CLIENT_ID")

_BLOCK_OPEN = re.compile(r"^([A-Za-z_][\w.]*)\s*\{$")
_ASSIGNMENT = re.compile(r"^([A-Za-z_][\w.]*)\s*=\s*(.+)$")


@dataclass(frozen=True)
class NextflowHome:
    path: Path

    @classmethod
    def from_environment(cls, env: Mapping[str, str] = os.environ) -> "NextflowHome":
        return cls(Path(env["NXF_HOME"]) if env.get("NXF_HOME") else Path.home() / ".nextflow")

    @property
    def config_file(self) -> Path:
        return self.path / "config"

    @property
    def auth_file(self) -> Path:
        return self.path / AUTH_FILE_NAME

    def tower_config(self) -> dict[str, Any]:
        """``tower.*`` settings of ``config`` with ``seqera-auth.config`` laid over them, prefix stripped."""
        return tower_settings({**read_config(self.config_file), **read_config(self.auth_file)})


def read_config(path: Path) -> dict[str, Any]:
    """Flattened assignments of a Nextflow config, enough for ``tower { key = 'v' }`` and ``tower.key = 'v'``.

    Not a Groovy parser: one statement per line, blocks opened at the end of a line and closed on a
    line of their own; other statements (``includeConfig``, closures) are skipped.
    """
    if not path.is_file():
        return {}
    values: dict[str, Any] = {}
    scope: list[str] = []
    for raw_line in path.read_text(encoding="utf-8").splitlines():
        line = raw_line.strip()
        if line.startswith("//"):
            continue
        if block := _BLOCK_OPEN.match(line):
            scope.append(block.group(1))
        elif line.startswith("}"):
            if scope:
                scope.pop()
        elif assignment := _ASSIGNMENT.match(line):
            values[".".join([*scope, assignment.group(1)])] = _config_value(assignment.group(2))
    return values


def tower_settings(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key.removeprefix("tower."): value for key, value in values.items() if key.startswith("tower.")}


def _config_value(text: str) -> Any:
    if text[0] in "'\"":
        end = text.find(text[0], 1)
        return text[1:end] if end > 0 else text[1:]
    text = text.split("//", 1)[0].strip()
    if text in ("true", "false"):
        return text == "true"
    return int(text) if re.fullmatch(r"-?\d+", text) else text


def normalize_url(url: str, source: str) -> str:
    """Nextflow's rule, a URL without a scheme gets https://, then checked: `htp://x` is an error here
    where Nextflow would call `https://htp://x`."""
    url = url.strip().rstrip("/")
    return checked_url(url if "://" in url else f"https://{url}", source)


def resolve_endpoint(
    url: str | None, tower: Mapping[str, Any], env: Mapping[str, str] = os.environ
) -> tuple[str, str]:
    """(endpoint, source): ``-u``, else ``tower.endpoint`` (unless empty or ``-``), else
    TOWER_API_ENDPOINT, else the default."""
    if url:
        return normalize_url(url, "-u/--url"), "command line"
    configured = tower.get("endpoint")
    if configured and configured != "-":
        return normalize_url(str(configured), "tower.endpoint in the Nextflow config"), "nextflow config"
    if env.get("TOWER_API_ENDPOINT"):
        return normalize_url(env["TOWER_API_ENDPOINT"], "$TOWER_API_ENDPOINT"), "env var $TOWER_API_ENDPOINT"
    return DEFAULT_ENDPOINT, "default"


def access_token(tower: Mapping[str, Any], env: Mapping[str, str] = os.environ) -> tuple[str | None, str]:
    """(token, source) as ``PlatformHelper.getAccessToken`` picks it."""
    if env.get("TOWER_WORKFLOW_ID") or "accessToken" not in tower:
        token = env.get("TOWER_ACCESS_TOKEN")
        return token, "env var $TOWER_ACCESS_TOKEN" if token else "not set"
    return str(tower["accessToken"]), "nextflow config"


def token_name(user: str, now: datetime) -> str:
    return f"nextflow-auth-{user}-{now:%Y-%m-%d-%H-%M}"


def render_auth_config(tower: Mapping[str, Any]) -> str:
    """``writeConfig``'s text: strings in single quotes (not escaped), other values bare."""
    lines = ["// Seqera Platform configuration", "tower {"]
    for key, value in tower.items():
        if isinstance(value, str):
            lines.append(f"    {key} = '{value}'")
        else:
            lines.append(f"    {key} = {str(value).lower() if isinstance(value, bool) else value}")
    return "\n".join([*lines, "}", ""])


def write_auth_config(home: NextflowHome, tower: Mapping[str, Any]) -> None:
    """Delete, create with mode 0600, then write, so the PAT is never in a readable file; then include it."""
    home.path.mkdir(parents=True, exist_ok=True)
    home.auth_file.unlink(missing_ok=True)
    descriptor = os.open(home.auth_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as auth_file:
        auth_file.write(render_auth_config(tower))
    add_include_line(home.config_file)


def add_include_line(config_file: Path) -> None:
    content = config_file.read_text(encoding="utf-8") if config_file.exists() else ""
    if INCLUDE_LINE in content:
        return
    if content and not content.endswith("\n"):
        content += "\n"
    config_file.write_text(f"{content}\n{INCLUDE_LINE}\n", encoding="utf-8")


def remove_include_line(config_file: Path) -> None:
    """Drop lines equal to the include after trimming; like Java's ``split``, trailing newlines go too."""
    if not config_file.exists():
        return
    lines = config_file.read_text(encoding="utf-8").rstrip("\n").split("\n")
    config_file.write_text(
        "\n".join(line for line in lines if line.strip() != INCLUDE_LINE), encoding="utf-8"
    )


def warn_deprecated_variables(env: Mapping[str, str]) -> None:
    """One warning naming the Auth0 variables that are set, which change nothing any more."""
    names = [name for name in DEPRECATED_AUTH_VARIABLES if env.get(name)]
    if names:
        verb, pronoun = ("is", "it") if len(names) == 1 else ("are", "them")
        click.secho(
            f"WARNING: {' and '.join(names)} {verb} deprecated and ignored: login goes through the Seqera "
            f"Platform's own OIDC provider, not Auth0; unset {pronoun}.",
            fg="yellow",
            err=True,
        )


def login(
    home: NextflowHome,
    url: str | None,
    browser: Browser,
    timeout: float,
    extra_params: Mapping[str, str] | None = None,
    env: Mapping[str, str] = os.environ,
) -> None:
    warn_deprecated_variables(env)
    if env.get("TOWER_ACCESS_TOKEN"):
        click.secho(
            "WARNING: Authentication token is already configured via TOWER_ACCESS_TOKEN environment "
            "variable.",
            fg="yellow",
            err=True,
        )
    if home.auth_file.exists():
        raise ClientError(
            "Authentication token is already configured in Nextflow config.",
            hint=f"run 'platform-auth nextflow logout' to remove {home.auth_file} first",
        )
    endpoint, _ = resolve_endpoint(url, home.tower_config(), env)
    click.echo("Nextflow authentication with Seqera Platform")
    click.echo(f" - Authentication will be saved to: {home.auth_file}")
    click.echo(f" - Seqera Platform API endpoint: {endpoint}")
    tokens = oidc_login(endpoint, CLIENT_ID, browser, timeout=timeout, extra_params=extra_params)
    platform = PlatformClient(endpoint, tokens["access_token"])
    user = platform.get_user_info()
    click.echo(f"✔ Authentication successful ({user.get('userName')})")
    pat = platform.create_token(token_name(getpass.getuser(), datetime.now()))
    write_auth_config(home, {"accessToken": pat, "endpoint": endpoint, "enabled": True})
    click.echo(f"✔ Personal access token saved to {home.auth_file}")


def logout(home: NextflowHome, env: Mapping[str, str] = os.environ) -> None:
    """Contract §3.4 without the confirmation prompt; a failed server call does not stop the clean-up."""
    warn_deprecated_variables(env)
    if not home.auth_file.exists():
        click.echo("No previous login found.")
        return
    tower = tower_settings(read_config(home.auth_file))
    endpoint, _ = resolve_endpoint(None, tower, env)
    token = tower.get("accessToken")
    if not token:
        click.secho("WARN: No authentication token found in auth file.", fg="yellow", err=True)
    else:
        if env.get("TOWER_ACCESS_TOKEN"):
            click.secho(
                "WARNING: TOWER_ACCESS_TOKEN environment variable is set; logout leaves it alone.",
                fg="yellow",
                err=True,
            )
        click.echo(f" - Using Seqera Platform endpoint: {endpoint}")
        if not defects.active("logout-keeps-pat"):
            _delete_pat(PlatformClient(endpoint, str(token)), str(token))
    if not defects.active("logout-keeps-files"):
        remove_include_line(home.config_file)
        home.auth_file.unlink(missing_ok=True)
    click.echo("✔ Authentication removed from Nextflow config.")


def _delete_pat(platform: PlatformClient, pat: str) -> None:
    try:
        click.echo(f" - Token is valid for user: {platform.get_user_info().get('userName')}")
    except ClientError as exc:
        click.secho(f"Failed to validate token: {exc}", fg="red", err=True)
    try:
        platform.delete_token(decode_token_id(pat))
    except ClientError as exc:
        click.secho(f"Error removing token: {exc}", fg="red", err=True)
    else:
        click.echo("✔ Token successfully deleted from Seqera Platform.")


@dataclass(frozen=True)
class NextflowStatus:
    """What ``status`` found: the table's rows, and why the login is not usable (None when it is)."""

    endpoint: str
    reachable: bool
    user: dict[str, Any] | None
    rows: list[tuple[str, str, str]]
    problem: ClientError | None

    def document(self) -> dict[str, Any]:
        """``status --json``: the verdict and the key facts first, then every row of the table."""
        return {
            "ok": self.problem is None,
            "exitCode": self.problem.exit_code if self.problem else 0,
            "problem": str(self.problem) if self.problem else None,
            "endpoint": self.endpoint,
            "reachable": self.reachable,
            "user": self.user,
            "settings": [
                {"setting": name, "value": value, "source": source} for name, value, source in self.rows
            ],
        }


def status(
    home: NextflowHome, url: str | None = None, env: Mapping[str, str] = os.environ, as_json: bool = False
) -> None:
    """Contract §3.5: a Setting / Value / Source table; then, unlike Nextflow, a non-zero exit when the
    login is not usable, so that a CI job can check it (1: log in again, 3: the Platform is not usable)."""
    warn_deprecated_variables(env)
    report = check_status(home, url, env)
    if as_json:
        click.echo(json.dumps(report.document(), indent=2, ensure_ascii=False))
    else:
        for line in format_table(report.rows):
            click.echo(line)
    if report.problem is not None:
        raise report.problem


def check_status(home: NextflowHome, url: str | None, env: Mapping[str, str]) -> NextflowStatus:
    tower = home.tower_config()
    endpoint, endpoint_source = resolve_endpoint(url, tower, env)
    rows = [("API endpoint", endpoint, endpoint_source)]
    platform = PlatformClient(endpoint)
    reachable = _reachable(platform)
    rows.append(("API connection", "✔ OK" if reachable else "ERROR", ""))
    token, token_source = access_token(tower, env)
    user: dict[str, Any] | None = None
    problem: ClientError | None = None
    if token:
        platform = PlatformClient(endpoint, token)
        try:
            user = platform.get_user_info()
            rows.append(("Authentication", f"✔ OK (user: {user.get('userName')})", token_source))
        except ClientError as exc:
            rows.append(("Authentication", "✘ Connection check failed", token_source))
            problem = status_problem(
                exc, "log in again: 'platform-auth nextflow logout', then 'platform-auth nextflow login'"
            )
    else:
        rows.append(("Authentication", "Not set", "not set"))
        problem = NotLoggedIn(
            "Not logged in: no access token in the Nextflow config or $TOWER_ACCESS_TOKEN",
            hint="run 'platform-auth nextflow login'",
        )
    enabled = str(tower.get("enabled", "")).lower() in ("true", "1", "yes")
    rows.append(
        (
            "Workflow monitoring",
            "Yes" if enabled else "No",
            "nextflow config" if tower.get("enabled") else "default",
        )
    )
    workspace_id = _workspace_id(tower, env)
    if workspace_id:
        source = "nextflow config" if tower.get("workspaceId") else "env var $TOWER_WORKSPACE_ID"
        rows.append(("Default workspace", workspace_id, source))
        if user is not None:
            rows += _workspace_rows(platform, user, workspace_id)
    elif token:
        rows.append(("Default workspace", "None (Personal workspace)", "default"))
    if user is not None:
        rows += _compute_env_rows(platform, tower.get("computeEnvId"), workspace_id)
    return NextflowStatus(endpoint, reachable, user, rows, problem)


def _reachable(platform: PlatformClient) -> bool:
    try:
        platform.service_info()
    except ClientError:
        return False
    return True


def _workspace_id(tower: Mapping[str, Any], env: Mapping[str, str]) -> str | None:
    if env.get("TOWER_WORKFLOW_ID") or "workspaceId" not in tower:
        return env.get("TOWER_WORKSPACE_ID")
    return str(tower["workspaceId"])


def _workspace_rows(
    platform: PlatformClient, user: Mapping[str, Any], workspace_id: str
) -> list[tuple[str, str, str]]:
    try:
        entries = platform.user_workspaces(user["id"])
    except ClientError:
        return []
    for entry in entries:
        if str(entry.get("workspaceId")) == workspace_id:
            rows = [
                ("Workspace name", f"{entry.get('orgName')} / {entry.get('workspaceName')}", ""),
                ("Workspace description", str(entry.get("workspaceFullName")), ""),
            ]
            if entry.get("roles"):
                rows.append(("Workspace role(s)", ", ".join(entry["roles"]), ""))
            return rows
    return []


def _compute_env_rows(
    platform: PlatformClient, compute_env_id: Any, workspace_id: str | None
) -> list[tuple[str, str, str]]:
    try:
        envs = platform.compute_envs(workspace_id)
    except ClientError:
        return [("Compute environment", "Error fetching", "")]
    wanted = (
        (lambda env: env.get("id") == compute_env_id) if compute_env_id else (lambda env: env.get("primary"))
    )
    chosen = next((env for env in envs if wanted(env)), None)
    if chosen is None:
        return []
    return [
        ("Compute environment", f"{chosen.get('name')} [{chosen.get('platform')}]", "workspace"),
        ("Default work dir", str(chosen.get("workDir")), "compute env"),
    ]


def format_table(rows: list[tuple[str, str, str]]) -> list[str]:
    widths = [max(15 if column < 2 else 10, *(len(row[column]) for row in rows)) + 2 for column in range(3)]
    lines = [f"{'Setting'.ljust(widths[0])} {'Value'.ljust(widths[1])} Source"]
    lines.append(" ".join("-" * width for width in widths))
    lines += [
        f"{name.ljust(widths[0])} {value.ljust(widths[1])} {source}".rstrip() for name, value, source in rows
    ]
    return lines
