"""``platform-auth``: log in to Seqera Platform (or the mock) as ``nextflow auth`` and the Seqera CLI do."""

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from . import co_scientist, defects, nextflow, seqera
from .browser import Browser, PlaywrightBrowser, PrintBrowser, SystemBrowser
from .callback import DEFAULT_TIMEOUT
from .errors import ClientError


class _Group(click.Group):
    """Turns any ClientError below it into one ``Error: ...`` line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ClientError as exc:
            failure = click.ClickException(one_line(exc))
            failure.exit_code = exc.exit_code
            raise failure from exc


def one_line(error: ClientError) -> str:
    """The exact message, then the hint: as a new sentence after a full stop, else after a semicolon."""
    message = str(error)
    if error.hint and message.endswith("."):
        message = f"{message} {error.hint[0].upper()}{error.hint[1:]}."
    elif error.hint:
        message = f"{message}; {error.hint}"
    return " ".join(message.split())


def browser_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--browser",
            "browser_kind",
            type=click.Choice(["system", "print", "playwright"]),
            default="system",
            show_default=True,
            help="How to open the sign-in URL: the desktop browser (printing the URL when there is no "
            "display), print it only, or sign in with headless Chromium.",
        ),
        click.option(
            "--no-browser", is_flag=True, help="Print the sign-in URL instead of opening a browser."
        ),
        click.option(
            "--username", help="With --browser playwright: user name or email to type on the sign-in page."
        ),
        click.option("--password", help="With --browser playwright: password to type on the sign-in page."),
        click.option(
            "--login-hint",
            help="Add login_hint=USER to the authorize URL; the mock then signs USER in without a page.",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0, min_open=True),
            help="Seconds to wait for the browser to come back to the callback.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def make_browser(
    browser_kind: str, no_browser: bool, username: str | None, password: str | None, wait: float
) -> Browser:
    if (username is None) != (password is None):
        raise click.UsageError("--username and --password go together.")
    if no_browser and browser_kind != "system":
        raise click.UsageError("--no-browser cannot be combined with --browser.")
    if username is not None and browser_kind != "playwright":
        raise click.UsageError("--username and --password need --browser playwright.")
    if browser_kind == "playwright":
        return PlaywrightBrowser(username, password)
    if no_browser or browser_kind == "print":
        return PrintBrowser(wait)
    return SystemBrowser(wait)


def _hint_params(login_hint: str | None) -> dict[str, str] | None:
    return {"login_hint": login_hint} if login_hint else None


JSON_OPTION = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON document instead of the text (same exit status)."
)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mock-platform", prog_name="platform-auth", message="%(prog)s %(version)s")
def cli() -> None:
    """Log in to Seqera Platform, or the mock of it, the way the real command-line tools do.

    PLATFORM_AUTH_DEFECTS=name,... switches on deliberate bugs (client/defects.py), to test a
    client checker such as `mock-platform check-client`; never set it otherwise."""
    defects.enabled()  # an unknown defect name is an error before anything runs


@cli.group("nextflow")
def nextflow_commands() -> None:
    """As `nextflow auth` does: client nextflow_cli, a PAT saved in $NXF_HOME/seqera-auth.config
    ($NXF_HOME defaults to ~/.nextflow). Never prompts."""


@nextflow_commands.command("login")
@click.option(
    "-u",
    "--url",
    help="Platform API endpoint, e.g. http://127.0.0.1:8080/api. Default: tower.endpoint from the Nextflow "
    "config, else $TOWER_API_ENDPOINT, else https://api.cloud.seqera.io.",
)
@browser_options
def nextflow_login(
    url: str | None,
    browser_kind: str,
    no_browser: bool,
    username: str | None,
    password: str | None,
    login_hint: str | None,
    timeout: float | None,
) -> None:
    """Sign in with OIDC + PKCE, create a PAT and save it to seqera-auth.config."""
    wait = timeout or DEFAULT_TIMEOUT
    browser = make_browser(browser_kind, no_browser, username, password, wait)
    nextflow.login(nextflow.NextflowHome.from_environment(), url, browser, wait, _hint_params(login_hint))


@nextflow_commands.command("logout")
def nextflow_logout() -> None:
    """Delete the saved PAT on the Platform, then remove seqera-auth.config and its includeConfig line.

    The local files are removed even when the Platform call fails."""
    nextflow.logout(nextflow.NextflowHome.from_environment())


@nextflow_commands.command("status")
@click.option("-u", "--url", help="Check this API endpoint instead of the configured one.")
@JSON_OPTION
def nextflow_status(url: str | None, as_json: bool) -> None:
    """Show the endpoint, API connection, user, workspace and compute environment in use.

    Exit status, for CI checks: 0 logged in and the Platform accepts the token; 1 not logged in, or
    the token is refused (log in again); 3 the Platform cannot be reached or fails."""
    nextflow.status(nextflow.NextflowHome.from_environment(), url, as_json=as_json)


@cli.group("seqera")
def seqera_commands() -> None:
    """As the Seqera CLI (1.12.0) does: client seqera_ai_cli, audience platform, refresh token in
    ~/.config/seqera-ai/refresh-token.

    \b
    Environment:
      SEQERA_AUTH_DOMAIN          OIDC authority (default http://127.0.0.1:8080/api, the local mock)
      SEQERA_AUTH_CLI_CLIENT_ID   client id (default seqera_ai_cli)
      SEQERA_AUTH_AUDIENCE        audience (default platform)
      SEQERA_AUTH_REDIRECT_PORT   first callback port (default 53682; the next 9 are tried too)
      SEQERA_AI_BACKEND_URL       Co-Scientist backend (default http://127.0.0.1:8080/ai)
      SEQERA_ACCESS_TOKEN, SEQERA_TOKEN, TOWER_ACCESS_TOKEN   a token to use instead of OAuth
    """


def _seqera() -> tuple[seqera.SeqeraSettings, seqera.Store]:
    settings = seqera.SeqeraSettings.from_environment()
    return settings, seqera.Store(settings.config_dir)


@seqera_commands.command("login")
@browser_options
def seqera_login(
    browser_kind: str,
    no_browser: bool,
    username: str | None,
    password: str | None,
    login_hint: str | None,
    timeout: float | None,
) -> None:
    """Sign in with OIDC + PKCE, store the refresh token and pick the organization if there is only one."""
    settings, store = _seqera()
    if timeout is not None:
        settings = replace(settings, callback_timeout=timeout)
    browser = make_browser(browser_kind, no_browser, username, password, settings.callback_timeout)
    seqera.login(settings, store, browser, _hint_params(login_hint))


@seqera_commands.command("logout")
def seqera_logout() -> None:
    """Revoke the refresh token at the provider's revocation_endpoint, then delete the local state.

    Seqera CLI 1.12.0 only deletes the local token; revoking it is this tool's deliberate improvement."""
    seqera.logout(*_seqera())


@seqera_commands.command("status")
@JSON_OPTION
def seqera_status(as_json: bool) -> None:
    """Show the local session and check it live: a fresh access token, then the organizations with it.

    Exit status, for CI checks: 0 the session works; 1 not logged in, or the refresh token or access
    token is refused (log in again); 3 the provider or the Co-Scientist backend cannot be reached or fails."""
    seqera.status(*_seqera(), as_json=as_json)


@seqera_commands.command("token")
def seqera_token() -> None:
    """Print a valid access token (from a refresh_token grant, or the token in the environment)."""
    settings, store = _seqera()
    click.echo(seqera.Session(settings, store).access_token())


@seqera_commands.command("ai")
@click.argument("message")
@click.option(
    "--headless",
    is_flag=True,
    help="Send MESSAGE, print the reply and exit: the only mode here (the full-screen UI is the real CLI's).",
)
@click.option(
    "--cwd",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The session's working directory (sent as cwd; tools run there).",
)
@click.option(
    "--run-tools",
    is_flag=True,
    help="Run the shell commands the assistant asks for, in --cwd, and send their output back; without it "
    "each is answered as not run (exit code 126).",
)
def seqera_ai(message: str, headless: bool, cwd: Path, run_tools: bool) -> None:
    """Ask the Co-Scientist backend once, as `seqera ai --headless MESSAGE` does: start a session in the
    selected organization, send MESSAGE, print the streamed reply, end the session."""
    if not headless:
        raise click.UsageError("only --headless is supported: platform-auth seqera ai --headless MESSAGE")
    settings, store = _seqera()
    co_scientist.run_headless(settings, store, message, cwd.resolve(), run_tools)


@seqera_commands.group("org", invoke_without_command=True)
@click.pass_context
def seqera_org(ctx: click.Context) -> None:
    """Show the selected organization; subcommands list, switch and clear it."""
    if ctx.invoked_subcommand is None:
        seqera.show_organization(_seqera()[1])


@seqera_org.command("list")
@JSON_OPTION
def seqera_org_list(as_json: bool) -> None:
    """List the organizations the Co-Scientist backend offers (* marks the selected one)."""
    seqera.list_organizations(*_seqera(), as_json=as_json)


@seqera_org.command("switch")
@click.argument("org_id")
def seqera_org_switch(org_id: str) -> None:
    """Select the organization ORG_ID (see `org list`)."""
    seqera.switch_organization(*_seqera(), org_id)


@seqera_org.command("clear")
def seqera_org_clear() -> None:
    """Forget the selected organization."""
    seqera.clear_organization(_seqera()[1])


def main() -> None:
    cli(prog_name="platform-auth")
