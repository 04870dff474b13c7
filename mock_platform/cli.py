"""`mock-platform serve | users | keys rotate | check-config`.

Options are generated from the Settings fields, so flags, `MOCK_PLATFORM_*` variables and the
config file always agree; an option given on the command line wins over the other two.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .defects import DEFECTS
from .errors import ConfigError
from .live import Platform
from .settings import ENV_PREFIX, FIELDS, Settings
from .store.database import masked


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
            elif name in ("data_dir", "config"):
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
    if dev:
        run_werkzeug(app, sock)
    else:
        run_gunicorn(app, settings, sock)


@main.command()
@settings_options(COMMON)
def users(**flags: Any) -> None:
    """List the users of the directory (seed, config file and control-API changes)."""
    platform = _platform(flags)
    directory = platform.directory
    for user in directory.users:
        orgs = ", ".join(
            f"{org.name} ({org.members[user.id]})" for org in directory.organizations_of(user.id)
        )
        click.echo(f"{user.id}\t{user.user_name}\t{user.email}\t{orgs or '-'}")


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


@main.command("check-config")
@settings_options(tuple(f.name for f in dataclasses.fields(Settings)))
def check_config(**flags: Any) -> None:
    """Validate settings, clients and directory; print what the mock would serve."""
    platform = _platform(flags)
    settings = platform.settings
    click.echo(f"issuer: {settings.issuer}")
    click.echo(f"store: {masked(settings.store_url)}")
    for client in platform.all_clients().values():
        click.echo(
            f"client {client.client_id}: {client.token_endpoint_auth_method}, redirect "
            f"{', '.join(client.redirect_uris)}, scopes {' '.join(client.allowed_scopes)}"
        )
    click.echo(f"users: {', '.join(u.user_name for u in platform.directory.users)}")
    if settings.defects:
        click.echo(
            "defects: " + ", ".join(f"{name} ({DEFECTS[name].meaning})" for name in sorted(settings.defects))
        )
    click.echo("configuration OK")


def _platform(flags: dict[str, Any]) -> Platform:
    try:
        return Platform(load_settings(flags))
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


if __name__ == "__main__":
    sys.exit(main())
