"""The dev console at `GET /`: what a developer needs on one page, in a browser.

The issuer and every endpoint, commands to paste for both CLIs, the users with their passwords, the
registered clients, and the latest requests of the request log with the JWTs they carried decoded.
Only for browsers (`Accept: text/html`): programs still get the JSON 404 of any unknown path.
It shows what the control API shows, so it is served only with the control API (`init_app` in this
package registers it) and only to requests `console_refusal` lets through. No JavaScript: values
are selected whole with one click (`user-select: all`) and copied as usual.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import Any

from flask import Response, render_template, request
from werkzeug.exceptions import NotFound

from ..console_scripts import activation_command
from ..credentials import CredentialError, basic_credentials, presented_token, same_secret
from ..http import message_error
from ..live import Platform, current_platform
from ..oidc.discovery import provider_metadata
from ..web_origin import foreign_origin
from .faults import CONTROL_PREFIX
from .guard import refuse_web_pages
from .inputs import BadInput

RECENT_REQUESTS = 25
SUMMARY_KEYS = ("time", "method", "path", "status", "endpoint")
CONSOLE_REALM = "mock-platform dev console"


def console_refusal() -> Response | None:
    """The answer to give instead of the console, or None to show it: the one access decision.

    Like the control API, the console refuses what only a web page sends (another site's navigation
    or fetch) and host names DNS rebinding could use: it lists every password. With a control token
    set it asks for that token as the password of HTTP Basic, which a browser prompts for (a browser
    cannot be made to send a Bearer header from the address bar); a Bearer header works too.
    """
    if origin := foreign_origin():
        return message_error(
            403,
            f"the dev console opens from the address bar or the mock's own pages, not from {origin}: it "
            "shows every password",
        )
    try:
        refuse_web_pages()
    except BadInput as refused:
        return message_error(refused.status, refused.message)
    expected = current_platform().settings.control_token
    if expected and not _presents_control_token(expected):
        return message_error(
            401,
            "this server's dev console needs its control token (MOCK_PLATFORM_CONTROL_TOKEN): give it as "
            "the password when the browser asks (any user name), or curl -u :TOKEN",
            {"WWW-Authenticate": f'Basic realm="{CONSOLE_REALM}", charset="UTF-8"'},
        )
    return None


def _presents_control_token(expected: str) -> bool:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic" and (credentials := basic_credentials(value.strip())):
        return same_secret(credentials[1], expected)
    try:
        presented = presented_token()
    except CredentialError:
        return False
    return presented is not None and same_secret(presented, expected)


def console() -> Response | tuple[str, int]:
    if "text/html" not in request.headers.get("Accept", ""):
        raise NotFound()  # a program, not a browser: the JSON 404 that `/` always answered
    if (refused := console_refusal()) is not None:
        return refused
    platform = current_platform()
    return render_template("console.html", **console_context(platform)), 200


@dataclass(frozen=True)
class LoggedRequest:
    summary: dict[str, Any]
    detail: str  # the rest of the masked entry, as indented JSON
    jwts: list[dict[str, Any]]


def console_context(platform: Platform) -> dict[str, Any]:
    settings = platform.settings
    base_url = settings.public_base_url
    metadata = provider_metadata(settings)
    endpoints = [
        ("issuer and Platform API root", settings.issuer),
        ("discovery", f"{settings.issuer}/.well-known/openid-configuration"),
    ]
    endpoints += [
        (name.removesuffix("_endpoint").removesuffix("_uri").replace("_", " "), url)
        for name, url in metadata.items()
        if name.endswith(("_endpoint", "_uri"))
    ]
    endpoints += [
        ("Platform API description (OpenAPI)", f"{settings.issuer}/openapi.json"),
        ("Co-Scientist backend", base_url + settings.ai_path),
        ("control API", f"{base_url}{CONTROL_PREFIX}/"),
        ("health", f"{base_url}/healthz"),
    ]
    directory = platform.directory
    users = [
        {
            "user": user,
            "organizations": ", ".join(
                f"{org.name} ({org.members[user.id]})" for org in directory.organizations_of(user.id)
            ),
        }
        for user in directory.users
    ]
    return {
        "settings": settings,
        "switches": switches(platform),
        "endpoints": endpoints,
        "commands": cli_commands(platform),
        "users": users,
        "clients": list(platform.all_clients().values()),
        "runtime_clients": set(platform.runtime_clients),
        "requests": recent_requests(platform),
    }


def switches(platform: Platform) -> list[str]:
    """The settings that change how sign-in behaves, as the start-up banner names them."""
    settings = platform.settings
    notes = []
    if settings.auto_login:
        notes.append(f"auto-login ON: every authorize signs in {settings.auto_login} without a page")
    if settings.defects:
        notes.append(f"deliberate defects ON: {', '.join(sorted(settings.defects))}")
    if not settings.headless_login or not settings.local_login:
        notes.append("login_hint sign-in OFF")
    if settings.upstream_issuer:
        notes.append(f"federated sign-in through {settings.upstream_issuer}")
    return notes


def cli_commands(platform: Platform) -> list[tuple[str, str]]:
    """(what, command) pairs to paste into a shell, for the first user of the directory."""
    settings = platform.settings
    issuer = shlex.quote(settings.issuer)
    seqera_env = f"SEQERA_AUTH_DOMAIN={issuer} SEQERA_AI_BACKEND_URL=" + shlex.quote(
        settings.public_base_url + settings.ai_path
    )
    commands = []
    if activate := activation_command():
        commands.append(("put platform-auth and mock-platform on PATH (this shell)", activate))
    commands += [
        ("Nextflow", f"nextflow auth login -url {issuer}"),
        ("Seqera CLI", f"{seqera_env} seqera login"),
    ]
    users = platform.directory.users
    if users:
        user = users[0]
        credentials = f"--username {shlex.quote(user.user_name)} --password {shlex.quote(user.password)}"
        commands += [
            (
                f"reference client, as nextflow auth, headless sign-in as {user.user_name}",
                f"platform-auth nextflow login -u {issuer} --browser playwright {credentials}",
            ),
            ("its status (exit status 0: logged in)", f"platform-auth nextflow status -u {issuer}"),
            (
                "reference client, as the Seqera CLI",
                f"{seqera_env} platform-auth seqera login --browser playwright {credentials}",
            ),
        ]
    commands.append(
        ("discovery", f"curl -s {shlex.quote(settings.issuer + '/.well-known/openid-configuration')}")
    )
    return commands


def recent_requests(platform: Platform) -> list[LoggedRequest] | None:
    """The latest requests, newest first; None when the request log is off."""
    if not platform.settings.request_log_size:
        return None
    logged = []
    for entry in reversed(platform.store.recent_requests(RECENT_REQUESTS)):
        rest = {key: value for key, value in entry.items() if key not in (*SUMMARY_KEYS, "jwts")}
        logged.append(
            LoggedRequest(
                summary={key: entry.get(key) for key in SUMMARY_KEYS},
                detail=json.dumps(rest, indent=2, ensure_ascii=False),
                jwts=[
                    {**jwt, "text": json.dumps({"header": jwt["header"], "claims": jwt["claims"]}, indent=2)}
                    for jwt in entry.get("jwts", [])
                ],
            )
        )
    return logged
