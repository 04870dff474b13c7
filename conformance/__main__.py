"""`python -m conformance compare a.json b.json` and `python -m conformance save-login ...`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from types import SimpleNamespace

import requests

from .checks import Secrets
from .login import BrowserDriver, LoginError
from .oauth import Flow, Listener, encode_pairs
from .plugin import OTHER_CLIENT
from .report import compare
from .target import Http


def _compare(args: argparse.Namespace) -> int:
    documents = []
    for path in (args.first, args.second):
        try:
            documents.append(json.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, ValueError) as error:
            print(f"error: cannot read report {path}: {error}", file=sys.stderr)
            return 2
    first, second = documents
    print(f"a: {first['meta'].get('target')}  ({first['summary_line']})")
    print(f"b: {second['meta'].get('target')}  ({second['summary_line']})")
    differences = compare(first, second)
    print("\n".join(differences) if differences else "no differences")
    return 1 if differences else 0


def _save_login(args: argparse.Namespace) -> int:
    """Open a browser on the provider's sign-in; once the callback arrives, save the session."""
    api_url = args.platform_url.rstrip("/")
    secrets = Secrets()
    try:
        discovery = Http(secrets).get(f"{api_url}/.well-known/openid-configuration")
    except requests.RequestException as error:
        print(
            f"error: cannot reach {api_url} ({type(error).__name__}); check --platform-url", file=sys.stderr
        )
        return 1
    if discovery.status_code != 200:
        print(f"error: discovery at {api_url} answered HTTP {discovery.status_code}", file=sys.stderr)
        return 1
    try:
        endpoint = discovery.json()["authorization_endpoint"]
    except (ValueError, KeyError, TypeError):
        print(f"error: discovery at {api_url} has no authorization_endpoint", file=sys.stderr)
        return 1
    automatic = args.username is not None and args.password is not None
    options = SimpleNamespace(
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
    )
    driver = BrowserDriver("form" if automatic else "manual", options, secrets, None)
    listener = Listener()
    try:
        flow = Flow(
            args.client_id, listener, audience="platform" if args.client_id == "seqera_ai_cli" else None
        )
        if not automatic:
            print(f"Sign in to {api_url} in the browser window (waiting up to {args.timeout:.0f} s)...")
        navigation = driver.navigate(f"{endpoint}?{encode_pairs(flow.params())}", listener=listener)
        if not navigation.hits:
            print(
                f"error: the sign-in did not reach the callback ({navigation.describe(secrets)})",
                file=sys.stderr,
            )
            return 1
        driver.save_state(Path(args.output))
    except LoginError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        driver.close()
        listener.close()
    print(
        f"Saved the signed-in session to {args.output}; use --login storage-state --storage-state {args.output}"
    )
    return 0


def _has_display() -> bool:
    return not sys.platform.startswith("linux") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    diff = commands.add_parser(
        "compare", help="Print the cases whose results differ between two JSON reports."
    )
    diff.add_argument("first", help="report.json of the first run (e.g. the mock)")
    diff.add_argument("second", help="report.json of the second run (e.g. a real install)")
    diff.set_defaults(run=_compare)
    save = commands.add_parser(
        "save-login",
        help="Sign in once in a browser (SSO, magic link, MFA) and save the session for --login storage-state.",
    )
    save.add_argument("--platform-url", required=True, help="API root, e.g. https://platform.example.com/api")
    save.add_argument("--output", default="conformance-login.json", help="Where to write the storage state.")
    save.add_argument("--client-id", default="nextflow_cli", choices=sorted(OTHER_CLIENT))
    save.add_argument("--timeout", type=float, default=300.0, help="Seconds to wait for the sign-in.")
    save.add_argument("--headless", action="store_true", help="No window (only with --username/--password).")
    save.add_argument("--username", help="Fill the sign-in form automatically with this user name.")
    save.add_argument("--password", help="... and this password.")
    save.add_argument("--username-selector", default="input[name=username]")
    save.add_argument("--password-selector", default="input[name=password]")
    save.add_argument("--submit-selector", default="button[name=action][value=login]")
    save.set_defaults(run=_save_login)
    args = parser.parse_args(argv)
    if args.command == "save-login" and args.headless and (args.username is None or args.password is None):
        parser.error("--headless needs --username and --password (nobody can sign in to a hidden window)")
    if args.command == "save-login" and not args.headless and not _has_display():
        parser.error(
            "no display for a browser window (DISPLAY is unset): run save-login where you can see a browser, "
            "or fill the form without one with --headless --username U --password P"
        )
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
