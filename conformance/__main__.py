"""`python -m conformance compare | save-login | login-url`.

The suite itself runs under pytest (`pytest --pyargs conformance ...`); these are its helpers. Like
`mock-platform` and `platform-auth`, errors are one line on stderr: exit code 2 for a usage error,
1 for anything else.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import click

from .checks import Secrets
from .login import BrowserDriver, LoginError
from .oauth import SEQERA_AUDIENCE, SEQERA_PORTS, Flow, Listener, encode_pairs
from .plugin import OTHER_CLIENT
from .preflight import PreflightError, preflight
from .report import compare
from .target import Discovery, Http
from .transport import Transport, TransportConfigError, resolve_trust

PROG = "python -m conformance"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mock-platform", prog_name=PROG, message="%(prog)s %(version)s")
def cli() -> None:
    """Helpers of the Seqera Platform conformance suite (the suite runs under pytest).

    \b
    pytest --pyargs conformance --platform-url https://platform.example.com/api --report out/run.md
    """


@cli.command("compare")
@click.argument("first", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("second", type=click.Path(dir_okay=False, path_type=Path))
def compare_command(first: Path, second: Path) -> int:
    """Print the cases whose results differ between two JSON reports (exit 1 when some do).

    FIRST is the report.json of one run (e.g. the mock), SECOND of another (e.g. a real install).
    """
    documents = []
    for path in (first, second):
        try:
            documents.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as error:
            raise click.UsageError(f"cannot read report {path}: {error}") from None
    a, b = documents
    click.echo(f"a: {a['meta'].get('target')}  ({a['summary_line']})")
    click.echo(f"b: {b['meta'].get('target')}  ({b['summary_line']})")
    differences = compare(a, b)
    click.echo("\n".join(differences) if differences else "no differences")
    return 1 if differences else 0


def provider_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--platform-url, --client-id, --ca-bundle, --insecure: how to reach the provider, as in the suite."""
    options = [
        click.option(
            "--platform-url",
            required=True,
            envvar="CONFORMANCE_PLATFORM_URL",
            help="API root, e.g. https://platform.example.com/api [CONFORMANCE_PLATFORM_URL]",
        ),
        click.option(
            "--client-id",
            default="nextflow_cli",
            show_default=True,
            type=click.Choice(sorted(OTHER_CLIENT)),
            help="The client whose sign-in it is.",
        ),
        click.option(
            "--ca-bundle",
            envvar="CONFORMANCE_CA_BUNDLE",
            type=click.Path(dir_okay=False, path_type=Path),
            help="PEM file of the CAs that sign the provider's certificates [CONFORMANCE_CA_BUNDLE].",
        ),
        click.option("--insecure", is_flag=True, help="Do not verify certificates."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@dataclass
class Provider:
    """The provider as the suite's preflight finds it: transport, secrets and discovery document."""

    api_url: str
    client_id: str
    transport: Transport
    secrets: Secrets
    discovery: Discovery

    @classmethod
    def reach(cls, platform_url: str, client_id: str, ca_bundle: Path | None, insecure: bool) -> Provider:
        try:
            transport = Transport(resolve_trust(str(ca_bundle) if ca_bundle else None, insecure))
        except TransportConfigError as error:
            raise click.UsageError(str(error)) from None
        api_url, secrets = platform_url.rstrip("/"), Secrets()
        try:
            discovery = preflight(Http(secrets, transport), api_url)
        except PreflightError as error:
            raise click.ClickException(error.one_line()) from None
        return cls(api_url, client_id, transport, secrets, discovery)

    def authorization_url(self, listener: Listener) -> str:
        """The authorization request as the CLI sends it, its callback at `listener`."""
        audience = SEQERA_AUDIENCE if self.client_id == "seqera_ai_cli" else None
        flow = Flow(self.client_id, listener, audience=audience)
        return f"{self.discovery['authorization_endpoint']}?{encode_pairs(flow.params())}"


@cli.command("save-login")
@provider_options
@click.option(
    "--output",
    default="conformance-login.json",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the storage state.",
)
@click.option(
    "--timeout", default=300.0, show_default=True, type=float, help="Seconds to wait for the sign-in."
)
@click.option("--headless", is_flag=True, help="No window (only with --username/--password).")
@click.option("--username", help="Fill the sign-in form automatically with this user name.")
@click.option("--password", help="... and this password.")
@click.option(
    "--username-selector", default="input[name=username]", show_default=True, help="The user name field."
)
@click.option(
    "--password-selector", default="input[name=password]", show_default=True, help="The password field."
)
@click.option(
    "--submit-selector",
    default="button[name=action][value=login]",
    show_default=True,
    help="The sign-in button.",
)
def save_login(platform_url: str, client_id: str, ca_bundle: Path | None, insecure: bool, **args: Any) -> int:
    """Sign in once in a browser (SSO, magic link, MFA) and save the session for --login storage-state."""
    if args["headless"] and (args["username"] is None or args["password"] is None):
        raise click.UsageError(
            "--headless needs --username and --password (nobody can sign in to a hidden window)"
        )
    if not args["headless"] and not _has_display():
        raise click.UsageError(
            "no display for a browser window (DISPLAY is unset): run save-login where you can see a browser, "
            "or fill the form without one with --headless --username U --password P"
        )
    provider = Provider.reach(platform_url, client_id, ca_bundle, insecure)
    return _save_login(provider, SimpleNamespace(**args))


def _save_login(provider: Provider, args: SimpleNamespace) -> int:
    """Open a browser on the provider's sign-in; once the callback arrives, save the session."""
    automatic = args.username is not None and args.password is not None
    options = SimpleNamespace(
        platform_url=provider.api_url,
        headed=not args.headless,
        login_timeout=args.timeout,
        storage_state=None,
        username=args.username,
        password=args.password,
        username_selector=args.username_selector,
        password_selector=args.password_selector,
        submit_selector=args.submit_selector,
        cancel_selector="",
        continue_selectors=(),
        transport=provider.transport,
        login_script=None,
        sign_in_origins=frozenset(),
    )
    driver = BrowserDriver("form" if automatic else "manual", options, provider.secrets, None)
    listener = Listener()
    try:
        if not automatic:
            click.echo(
                f"Sign in to {provider.api_url} in the browser window (waiting up to {args.timeout:.0f} s)..."
            )
        navigation = driver.navigate(provider.authorization_url(listener), listener=listener)
        if not navigation.hits:
            raise click.ClickException(
                f"the sign-in did not reach the callback ({navigation.describe(provider.secrets)})"
            )
        driver.save_state(args.output)
    except LoginError as error:
        raise click.ClickException(str(error)) from None
    finally:
        driver.close()
        listener.close()
    click.echo(
        f"Saved the signed-in session to {args.output}; use --login storage-state --storage-state {args.output}"
    )
    return 0


@cli.command("login-url")
@provider_options
def login_url(platform_url: str, client_id: str, ca_bundle: Path | None, insecure: bool) -> int:
    """Print an authorization URL as the CLI builds it: the start of the sign-in, e.g. to record a
    login script with `playwright codegen "$(python -m conformance login-url --platform-url ...)"`."""
    provider = Provider.reach(platform_url, client_id, ca_bundle, insecure)
    # Nothing listens there: the sign-in is what matters, not the code it ends with.
    callback = cast(Listener, SimpleNamespace(redirect_uri=f"http://127.0.0.1:{SEQERA_PORTS[0]}/callback"))
    click.echo(provider.authorization_url(callback))
    return 0


def _has_display() -> bool:
    return not sys.platform.startswith("linux") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; errors are one line on stderr, usage errors exit 2."""
    try:
        result = cli.main(args=argv, prog_name=PROG, standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as error:
        click.echo(error.format_message(), err=True)
        return 2
    except click.UsageError as error:
        command = error.ctx.command_path if error.ctx is not None else PROG
        click.echo(f"Error: {error.format_message()} (see {command} --help)", err=True)
        return 2
    except click.ClickException as error:
        click.echo(f"Error: {error.format_message()}", err=True)
        return error.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
