import os
import subprocess
import sys
from urllib.parse import parse_qsl, urlencode

import pytest

from client.browser import PlaywrightBrowser, PrintBrowser
from client.callback import CallbackServer
from client.errors import LoginError
from client.flow import build_authorize_url
from headless_chromium import chromium_executable

LOGIN_PAGE = """<html><body>
{error}
<form id="login-form" method="post">
  <input name="username"><input name="password" type="password">
  <button type="submit" name="action" value="login">Sign in</button>
  <button type="submit" name="action" value="cancel">Cancel</button>
</form></body></html>"""


def test_print_browser_puts_the_url_on_its_own_line(capsys):
    PrintBrowser()("http://idp/authorize?a=1")
    assert capsys.readouterr().out == "Open this URL in a browser to sign in:\nhttp://idp/authorize?a=1\n"


def test_chromium_executable_prefers_the_environment(monkeypatch):
    monkeypatch.setenv("PLAYWRIGHT_CHROMIUM_EXECUTABLE", "/opt/chrome")
    assert chromium_executable() == "/opt/chrome"


@pytest.fixture
def login_page(stub):
    """A provider page like the mock's: the form posts back to the authorize URL."""

    def sign_in(hit):
        form = dict(parse_qsl(hit.body))
        if (form.get("username"), form.get("password"), form.get("action")) != ("alice", "pw", "login"):
            return 200, LOGIN_PAGE.format(error='<p class="error">Wrong username or password.</p>'), {}
        location = f"{hit.query['redirect_uri']}?{urlencode({'code': 'c-1', 'state': hit.query['state']})}"
        return 303, "", {"Location": location}

    stub.handle(
        "GET", "/authorize", lambda hit: (200, LOGIN_PAGE.format(error=""), {"Content-Type": "text/html"})
    )
    stub.handle("POST", "/authorize", sign_in)
    return stub


def authorize_url(stub, server: CallbackServer) -> str:
    return build_authorize_url(
        f"{stub.url}/authorize",
        client_id="nextflow_cli",
        scope="openid",
        redirect_uri=server.redirect_uri,
        state="s-1",
        code_challenge="c",
    )


@pytest.mark.browser
def test_playwright_fills_in_the_login_form_and_reaches_the_callback(login_page):
    with CallbackServer("s-1") as server:
        PlaywrightBrowser("alice", "pw")(authorize_url(login_page, server))
        assert server.wait(1) == "c-1"


@pytest.mark.browser
def test_playwright_reports_the_error_of_a_rejected_sign_in(login_page):
    with CallbackServer("s-1") as server, pytest.raises(LoginError) as error:
        PlaywrightBrowser("alice", "wrong")(authorize_url(login_page, server))
    assert str(error.value) == "Sign-in rejected: Wrong username or password."


@pytest.mark.browser
def test_playwright_without_credentials_says_how_to_give_them(login_page):
    with CallbackServer("s-1") as server, pytest.raises(LoginError, match="pass --username and --password"):
        PlaywrightBrowser()(authorize_url(login_page, server))


def test_a_browser_that_cannot_start_is_one_line(login_page, monkeypatch):
    monkeypatch.setenv("PLAYWRIGHT_CHROMIUM_EXECUTABLE", "/nonexistent/chromium")
    with CallbackServer("s-1") as server, pytest.raises(LoginError) as error:
        PlaywrightBrowser("alice", "pw")(authorize_url(login_page, server))
    assert str(error.value).startswith("Browser sign-in failed: ")
    assert "\n" not in str(error.value)


def test_without_playwright_the_error_says_how_to_install_it_into_this_python(mock_platform, home):
    """mock-platform is not on PyPI: the hint names this interpreter's pip and the checkout's extra."""
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.modules['playwright'] = None; from client.cli import main; main()",
            "nextflow",
            "login",
            "-u",
            mock_platform.issuer,
            "--browser",
            "playwright",
            "--username",
            "alice",
            "--password",
            "alice-password",
        ],
        env={**os.environ, "HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 1
    assert run.stderr == (
        "Error: --browser playwright needs the playwright package; install it into this Python: "
        f"{sys.executable} -m pip install playwright (from a mock-platform checkout, "
        "`.venv/bin/pip install -e '.[browser]'` or `make test` does the same)\n"
    )
