"""`mock-platform serve | users | keys rotate | check-config`.

Options are generated from the Settings fields, so flags, `MOCK_PLATFORM_*` variables and the
config file always agree; an option given on the command line wins over the other two.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .console_scripts import activation_command
from .defects import DEFECTS
from .errors import ConfigError
from .live import Platform
from .settings import ENV_PREFIX, FIELDS, PATH_SETTINGS, Settings
from .store.database import masked

if TYPE_CHECKING:
    from .tls import ServerCertificate


def settings_options(names: tuple[str, ...]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        for name in reversed(names):
            spec = FIELDS[name]
            flag = "--" + name.replace("_", "-")
            help_text = f"{spec.metadata['help']} [env {ENV_PREFIX}{name.upper()}]"
            if isinstance(spec.default, bool):
                option = click.option(f"{flag}/--no-{flag[2:]}", name, default=None, help=help_text)
            elif isinstance(spec.default, int):
                option = click.option(flag, name, type=int, default=None, help=help_text)
            elif name in PATH_SETTINGS:
                option = click.option(
                    flag, name, type=click.Path(path_type=Path), default=None, help=help_text
                )
            else:
                option = click.option(flag, name, default=None, help=help_text)
            command = option(command)
        return command

    return decorate


def load_settings(flags: dict[str, Any]) -> Settings:
    try:
        return Settings.load(flags)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


COMMON = ("data_dir", "config", "database_url")
JSON_OPTION = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON document instead of the text."
)


class LazyGroup(click.Group):
    """A group that imports some subcommands only when they are used (click's documented pattern):
    `check-client` brings the client checker's imports, which `serve` never needs at startup."""

    def __init__(self, *args: Any, lazy_subcommands: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_subcommands = lazy_subcommands  # name: "module.attribute"

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy_subcommands])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_subcommands:
            module, attribute = self.lazy_subcommands[cmd_name].rsplit(".", 1)
            return getattr(importlib.import_module(module), attribute)
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=LazyGroup,
    lazy_subcommands={"check-client": "mock_platform.client_check.cli.check_client"},
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="mock-platform", prog_name="mock-platform", message="%(prog)s %(version)s")
def main() -> None:
    """A fake Seqera Platform: OIDC provider and Platform REST API for CLI login tests."""


@main.command()
@settings_options(tuple(f.name for f in dataclasses.fields(Settings)))
@click.option("--dev", is_flag=True, help="Serve with werkzeug's single-process server instead of gunicorn.")
def serve(dev: bool, **flags: Any) -> None:
    """Start the dev IdP (gunicorn workers sharing one store)."""
    from .app import create_app
    from .serving import listen, run_gunicorn, run_werkzeug

    settings = load_settings(flags)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # --dev: its access log prints query strings
    try:
        certificate = _server_certificate(settings)  # checked before the port is bound: nothing served
        sock = listen(settings.host, settings.port)
        settings = settings.replace(port=sock.getsockname()[1])  # port 0: the one the OS picked
        app = create_app(settings)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    state = (
        f"state in {masked(settings.database_url)}"
        if settings.database_url
        else f"data in {settings.data_dir}"
    )
    click.echo(
        f"mock-platform: issuer {settings.issuer} (discovery {settings.issuer}/.well-known/openid-configuration)\n"
        f"mock-platform: listening on {settings.host}:{settings.port}, {state}"
        + (f", defects ON: {', '.join(sorted(settings.defects))}" if settings.defects else ""),
        err=True,
    )
    if certificate is not None:
        click.echo(_tls_banner(certificate, settings.issuer), err=True)
    if settings.upstream_issuer:
        from .federation import summary

        click.echo(f"mock-platform: {summary(settings)}", err=True)
    for note in banner_notes(settings):
        click.echo(f"mock-platform: {note}", err=True)
    if dev:
        run_werkzeug(app, sock, certificate.ssl_context() if certificate else None)
    else:
        run_gunicorn(app, settings, sock, certificate)


def banner_notes(settings: Settings) -> list[str]:
    """What a developer should know before the first request: switches that change how sign-in
    behaves, where the dev console is, and how to reach the CLIs when PATH does not lead to them."""
    notes = []
    if settings.auto_login:
        notes.append(
            f"auto-login ON: every authorize signs in {settings.auto_login} without a page "
            "(MOCK_PLATFORM_AUTO_LOGIN), so curl can finish a CLI's login"
        )
    if settings.control_api:
        notes.append(f"dev console: {settings.public_base_url}/ (endpoints, users, clients, recent requests)")
    if settings.access_log:
        notes.append("access log ON: one line per request, secrets masked")
    if activate := activation_command():
        notes.append(f"in another shell, `{activate}` puts mock-platform and platform-auth on PATH")
    return notes


def _server_certificate(settings: Settings) -> ServerCertificate | None:
    if not settings.serves_tls:
        return None
    from .tls import server_certificate  # cryptography's x509 only when TLS is on

    return server_certificate(settings)


def _tls_banner(certificate: ServerCertificate, issuer: str) -> str:
    from .tls import trust_instructions

    lines = [
        f"mock-platform: https with {certificate.cert_file} for {', '.join(certificate.hosts)}, "
        f"valid until {certificate.not_after:%Y-%m-%d}"
        + (f" ({certificate.news})" if certificate.news else "")
    ]
    if certificate.trust_anchor is not None:
        lines.append(trust_instructions(certificate.trust_anchor, issuer))
    else:
        lines.append(
            "clients must trust the CA that issued it (REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS, ...)"
        )
    return "\n".join(lines)


@main.command()
@settings_options(COMMON)
@click.option(
    "--tokens",
    "show_tokens",
    is_flag=True,
    help="List the seeded personal access tokens instead, one per line with their values: userName, tid, "
    "name, state (live, or deleted since the seed was applied) and the token.",
)
@JSON_OPTION
def users(show_tokens: bool, as_json: bool, **flags: Any) -> None:
    """List the users of the directory (seed, config file and control-API changes) and their seeded PATs."""
    platform = _platform(flags)
    if show_tokens:
        tokens = []
        for _, user, token in platform.seed.access_tokens():
            record = platform.store.find_pat(token.tid)
            live = record is not None and record.deleted_at is None and record.user_id == user.id
            tokens.append(
                {
                    "userName": user.user_name,
                    "tid": token.tid,
                    "name": token.name,
                    "state": "live" if live else "deleted",
                    "token": token.token,
                }
            )
        if as_json:
            click.echo(json.dumps({"tokens": tokens}, indent=2))
        else:
            for row in tokens:
                click.echo("\t".join(str(value) for value in row.values()))
        return
    directory = platform.directory
    seeded: dict[int, list[dict[str, Any]]] = {}
    for _, user, token in platform.seed.access_tokens():
        seeded.setdefault(user.id, []).append({"name": token.name, "tid": token.tid})
    if as_json:
        listed = [
            {
                "id": user.id,
                "userName": user.user_name,
                "email": user.email,
                "organizations": [
                    {"name": org.name, "role": org.members[user.id]}
                    for org in directory.organizations_of(user.id)
                ],
                "accessTokens": seeded.get(user.id, []),
            }
            for user in directory.users
        ]
        click.echo(json.dumps({"users": listed}, indent=2))
        return
    for user in directory.users:
        orgs = ", ".join(
            f"{org.name} ({org.members[user.id]})" for org in directory.organizations_of(user.id)
        )
        tokens = ", ".join(f"{token['name']} (tid {token['tid']})" for token in seeded.get(user.id, []))
        click.echo(f"{user.id}\t{user.user_name}\t{user.email}\t{orgs or '-'}\t{tokens or '-'}")


@main.group()
def keys() -> None:
    """Signing keys, kept in the store (the SQLite file in the data dir, or the database_url)."""


@keys.command("rotate")
@settings_options(COMMON)
def keys_rotate(**flags: Any) -> None:
    """Add a new signing key; the previous keys stay published in JWKS."""
    keyring = _platform(flags).rotate_keys()
    click.echo(
        f"new signing key {keyring.signing_key.kid}; published: {', '.join(k.kid for k in keyring.keys)}"
    )


@main.group()
def tls() -> None:
    """HTTPS certificates: the local CA of --tls in the data dir."""


@tls.command("trust")
@settings_options(("data_dir", "config", "host", "port", "base_url", "api_path", "tls_cert", "tls_key"))
def tls_trust(**flags: Any) -> None:
    """Print how curl, Python, Node (Seqera CLI), Java (Nextflow) and Chrome trust the mock's CA.

    The CA is created in {data_dir}/tls/ when there is none yet, the same one `serve --tls` uses,
    so the trust can be set up before the first start; nothing is served.
    """
    from .tls import TLS_DIR, given_certificate, local_ca, public_host, trust_instructions

    settings = load_settings({**flags, "tls": True})
    try:
        if settings.tls_cert is not None and settings.tls_key is not None:
            anchor = given_certificate(
                settings.tls_cert, settings.tls_key, public_host(settings)
            ).trust_anchor
        else:
            anchor, news = local_ca(settings.data_dir / TLS_DIR)
            if news:
                click.echo(f"mock-platform: {news}", err=True)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    if anchor is None:
        raise click.ClickException(
            f"{settings.tls_cert} is issued by a CA the mock does not have; trust that CA's certificate "
            "as the README's TLS section shows for ca.pem"
        )
    click.echo(trust_instructions(anchor, settings.issuer))


@main.command("check-config")
@settings_options(tuple(f.name for f in dataclasses.fields(Settings)))
@JSON_OPTION
def check_config(as_json: bool, **flags: Any) -> None:
    """Validate settings, clients, directory and the Co-Scientist script; print what the mock would serve.

    Exit status 0 when everything is valid; 1 with one line naming the first problem (on stderr, also
    with --json)."""
    document = config_document(_platform(flags))
    if as_json:
        click.echo(json.dumps(document, indent=2))
        return
    click.echo(f"issuer: {document['issuer']}")
    click.echo(f"store: {document['store']}")
    for client in document["clients"]:
        click.echo(
            f"client {client['clientId']}: {client['tokenEndpointAuthMethod']}, redirect "
            f"{', '.join(client['redirectUris'])}, scopes {' '.join(client['scopes'])}"
        )
    click.echo(f"users: {', '.join(document['users'])}")
    if seeded := document["seededAccessTokens"]:
        listed = ", ".join(f"{token['userName']}/{token['name']} (tid {token['tid']})" for token in seeded)
        click.echo(f"seeded personal access tokens: {listed}")
    if document["federation"]:
        click.echo(document["federation"])
    script = document["coScientistScript"]
    click.echo(f"co-scientist script: {script['source']} ({script['cannedReplies']} canned replies)")
    if document["defects"]:
        click.echo("defects: " + ", ".join(f"{d['name']} ({d['meaning']})" for d in document["defects"]))
    click.echo("configuration OK")


def config_document(platform: Platform) -> dict[str, Any]:
    """What check-config reports, as data: the text and --json are both made from it."""
    from .co_scientist import setting_script

    settings = platform.settings
    try:
        script = setting_script(settings)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    federation = None
    if settings.upstream_issuer:
        from .federation import summary

        federation = summary(settings)
    return {
        "ok": True,
        "issuer": settings.issuer,
        "store": masked(settings.store_url),
        "clients": [
            {
                "clientId": client.client_id,
                "tokenEndpointAuthMethod": client.token_endpoint_auth_method,
                "redirectUris": list(client.redirect_uris),
                "scopes": list(client.allowed_scopes),
            }
            for client in platform.all_clients().values()
        ],
        "users": [user.user_name for user in platform.directory.users],
        "seededAccessTokens": [
            {"userName": user.user_name, "name": token.name, "tid": token.tid}
            for _, user, token in platform.seed.access_tokens()
        ],
        "federation": federation,
        "coScientistScript": {"source": script.source, "cannedReplies": len(script.replies)},
        "defects": [{"name": name, "meaning": DEFECTS[name].meaning} for name in sorted(settings.defects)],
    }


def _platform(flags: dict[str, Any]) -> Platform:
    try:
        return Platform(load_settings(flags))
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


if __name__ == "__main__":
    sys.exit(main())
