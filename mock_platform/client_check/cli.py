"""`mock-platform check-client`: the click command. The checker itself is imported when it runs, so the
other `mock-platform` commands do not pay for it."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from .catalog import CASES
from .profiles import PROFILES

EXIT_CANNOT_RUN = 2


class CannotRun(click.ClickException):
    exit_code = EXIT_CANNOT_RUN


def _command(text: str | None, option: str) -> tuple[str, ...] | None:
    if text is None:
        return None
    try:
        words = tuple(shlex.split(text))
    except ValueError as error:
        raise click.BadParameter(f"not a command line: {error}", param_hint=option) from None
    if not words:
        raise click.BadParameter("empty command", param_hint=option)
    return words


def _cases(values: tuple[str, ...]) -> frozenset[str] | None:
    names = frozenset(name.strip().upper() for value in values for name in value.split(",") if name.strip())
    unknown = names - CASES.keys()
    if unknown:
        raise click.BadParameter(
            f"unknown case(s) {', '.join(sorted(unknown))}; the catalog has CLI-01 to CLI-{len(CASES):02d}",
            param_hint="--case",
        )
    return names or None


@click.command(
    "check-client",
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Example: mock-platform check-client --profile seqera --refresh 'seqera org list' "
    "--logout 'seqera logout' --report client-check -- seqera login --no-browser",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to PATH.md, PATH.json and PATH.html (every case with its clause and evidence; "
    "secrets masked).",
)
@click.option(
    "--profile",
    type=click.Choice(sorted(PROFILES)),
    help="The client is Nextflow's `auth` (seqera-auth.config) or the Seqera CLI (~/.config/seqera-ai): "
    "check its files and point it at the mock (NXF_HOME / SEQERA_AUTH_DOMAIN, SEQERA_AI_BACKEND_URL). "
    "Without a profile the file cases are skipped.",
)
@click.option(
    "--refresh",
    "refresh_command",
    metavar="CMD",
    help="A command that uses the stored login and refreshes it when needed, e.g. 'seqera org list' "
    "(placeholders allowed). Enables the refresh cases CLI-26 to CLI-29.",
)
@click.option(
    "--logout",
    "logout_command",
    metavar="CMD",
    help="The client's logout command, e.g. 'nextflow auth logout'. Enables the logout cases CLI-30 to CLI-32.",
)
@click.option(
    "--stdin",
    metavar="TEXT",
    help=r"Text written to every command's standard input, to answer prompts; '\n' is a newline. "
    "Default: none (stdin at end of file).",
)
@click.option(
    "--timeout",
    "time_limit",
    type=click.FloatRange(min=1),
    default=60.0,
    show_default=True,
    help="Time limit of each scenario, seconds; a command still running then is stopped.",
)
@click.option(
    "--case",
    "cases",
    multiple=True,
    metavar="ID",
    help="Check only these cases (CLI-06, or several comma-separated; repeatable), running only the "
    "scenarios they need. Default: every case.",
)
@click.option(
    "--slow",
    is_flag=True,
    help="Also run the scenarios that wait for the client's own timeouts (CLI-33, CLI-34; up to the time limit each).",
)
@click.option(
    "--mock-config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML with extra `clients:` and `users:` for the mock, as `mock-platform serve --config` takes "
    "(for a client with its own client_id).",
)
@click.option(
    "--sign-in",
    "sign_in",
    default="alice:alice-password",
    show_default=True,
    metavar="USER:PASSWORD",
    help="Who the browser signs in as on the mock's page.",
)
@click.argument("login_command", nargs=-1, required=True, type=click.UNPROCESSED, metavar="-- LOGIN_CMD...")
def check_client(
    report_path: Path | None,
    profile: str | None,
    refresh_command: str | None,
    logout_command: str | None,
    stdin: str | None,
    time_limit: float,
    cases: tuple[str, ...],
    slow: bool,
    mock_config: Path | None,
    sign_in: str,
    login_command: tuple[str, ...],
) -> None:
    """Judge a CLI's login as the conformance suite judges a provider.

    Runs LOGIN_CMD against a fresh mock per scenario (placeholders {issuer}, {base_url} and {ai_url}
    in every command), in a throwaway HOME, signs in with headless Chromium through the mock's page,
    and reports every case of the client catalog (CLI-01 to CLI-35) with its clause and evidence.
    Exit status: 0 when no MUST case fails, 1 when one does, 2 when the check cannot run.
    """
    from .runner import CheckError, check
    from .stage import CheckSettings

    user, colon, password = sign_in.partition(":")
    if not colon or not user:
        raise click.BadParameter("expected USER:PASSWORD", param_hint="--sign-in")
    settings = CheckSettings(
        login=login_command,
        refresh=_command(refresh_command, "--refresh"),
        logout=_command(logout_command, "--logout"),
        profile=profile,
        stdin=stdin.replace("\\n", "\n") if stdin is not None else None,
        time_limit=time_limit,
        cases=_cases(cases),
        slow=slow,
        mock_config=mock_config,
        user=user,
        password=password,
    )
    try:
        report = check(settings, progress=lambda line: click.echo(line, err=True))
    except CheckError as error:
        raise CannotRun(str(error)) from None
    for line in report.lines():
        click.echo(line)
    click.echo(report.summary)
    if report_path is not None:
        written = report.write(report_path)
        click.echo(f"report: {', '.join(str(path) for path in written)}", err=True)
    if not report.ok:
        raise SystemExit(1)
