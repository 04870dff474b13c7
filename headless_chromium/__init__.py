"""Which Chromium Playwright should drive, and how: shared by the mock's pytest plugin, the reference
client's Playwright launcher and the conformance suite's login drivers, so that none of them needs another."""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# Without the networking flags Chromium keeps calling Google's services, which a closed network
# refuses many times a second; --no-sandbox lets it run as root in containers and CI.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_executable() -> str | None:
    """PLAYWRIGHT_CHROMIUM_EXECUTABLE, else a system Chromium, else None (Playwright's own browser)."""
    explicit = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE")
    if explicit:
        return explicit
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def playwright_install_hint() -> str:
    """How to get Playwright into the Python that runs this. mock-platform is not on PyPI, so
    `pip install 'mock-platform[browser]'` only works from a checkout (or a git URL)."""
    return (
        f"install it into this Python: {sys.executable} -m pip install playwright (from a mock-platform "
        "checkout, `.venv/bin/pip install -e '.[browser]'` or `make test` does the same)"
    )


def chromium_install_hint() -> str:
    return (
        "install Chromium (Debian: apt-get install chromium), set PLAYWRIGHT_CHROMIUM_EXECUTABLE to one, "
        f"or download Playwright's own: {sys.executable} -m playwright install chromium"
    )


_playwright: Any = None


def shared_playwright() -> Any:
    """The process's one sync Playwright, started on first use and stopped at exit.

    Playwright's sync API refuses a second instance on a thread that already runs one, so the pytest
    plugin's browser fixture and the conformance suite's login drivers share this one.
    """
    global _playwright
    if _playwright is None:
        from playwright.sync_api import sync_playwright

        _playwright = sync_playwright().start()
        atexit.register(_stop_playwright)
    return _playwright


def launch_chromium(
    *,
    headless: bool = True,
    extra_args: tuple[str, ...] = (),
    ca_file: str | Path | None = None,
    proxy: Mapping[str, str] | None = None,
) -> Any:
    """A Chromium that trusts the certificate authorities in `ca_file` (PEM) besides its own.

    Chromium on Linux takes locally trusted roots from the NSS database in `$HOME/.pki/nssdb`, so
    the browser gets a throwaway HOME whose database holds those CAs; certificate errors are never
    switched off. `proxy` is Playwright's launch option (`server`, `bypass`, `username`, `password`);
    loopback addresses never go through it.
    """
    env = None
    home = None
    if ca_file is not None:
        home = Path(tempfile.mkdtemp(prefix="chromium-home-"))
        env = {**os.environ, "HOME": str(home)}
        try:
            trust_in_nss_database(Path(ca_file), home / ".pki" / "nssdb")
        except BaseException:
            shutil.rmtree(home, ignore_errors=True)
            raise
    browser = shared_playwright().chromium.launch(
        executable_path=chromium_executable(),
        args=[*CHROMIUM_ARGS, *extra_args],
        headless=headless,
        env=env,
        proxy=dict(proxy) if proxy else None,
    )
    if home is not None:
        browser.on("disconnected", lambda _browser: shutil.rmtree(home, ignore_errors=True))
    return browser


def trust_in_nss_database(ca_file: Path, database: Path) -> None:
    """Create an NSS database at `database` trusting every certificate of the PEM file `ca_file`."""
    certutil = shutil.which("certutil")
    if certutil is None:
        raise RuntimeError(
            "trusting a CA in Chromium needs NSS's certutil: install libnss3-tools (Debian/Ubuntu) or nss-tools"
        )
    try:
        pem = ca_file.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        raise RuntimeError(f"cannot read the CA file {ca_file}: {error}") from None
    certificates = re.findall(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", pem, re.DOTALL)
    if not certificates:
        raise RuntimeError(f"{ca_file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
    database.mkdir(parents=True, exist_ok=True)
    _certutil(certutil, "-N", "-d", f"sql:{database}", "--empty-password")
    for number, certificate in enumerate(certificates):
        _certutil(
            certutil,
            "-A",
            "-d",
            f"sql:{database}",
            "-t",
            "C,,",
            "-n",
            f"trusted-ca-{number}",
            input=certificate,
        )


def _certutil(*command: str, input: str | None = None) -> None:
    result = subprocess.run(command, input=input, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise RuntimeError(f"certutil {command[1]} failed: {(result.stderr or result.stdout).strip()}")


def _stop_playwright() -> None:
    global _playwright
    if _playwright is not None:
        _playwright.stop()
        _playwright = None
