"""A federated login over HTTP: requests carries the cookies of both mocks and follows the redirects
between them, up to the client's callback (which nobody serves: the code is read from the redirect)."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlsplit

import requests

from mock_platform.pkce_login import PkceLogin
from mock_platform.testing import RunningServer

from ..oidc_flows import REDIRECT_URI, SCOPES, TIMEOUT, endpoint

RETURN_LINK = re.compile(r'<a id="return-to-application" href="([^"]+)"')


class HttpLogin:
    def __init__(self, platform: RunningServer, login_hint: str | None = "alice") -> None:
        self.platform = platform
        self.pkce = PkceLogin("nextflow_cli", login_hint, REDIRECT_URI, scope=SCOPES)
        self.http = requests.Session()

    def authorize(self, **extra: str | None) -> requests.Response:
        return self.http.get(
            endpoint(self.platform.issuer, "authorize"),
            params=self.pkce.authorize_query(**extra),
            allow_redirects=False,
            timeout=TIMEOUT,
        )

    def follow(self, response: requests.Response) -> requests.Response:
        """The redirect to the client's callback, or the page a redirect chain ends on."""
        while response.is_redirect and not response.headers["Location"].startswith(self.pkce.redirect_uri):
            response = self.http.get(response.headers["Location"], allow_redirects=False, timeout=TIMEOUT)
        return response

    def run(self, **extra: str | None) -> requests.Response:
        return self.follow(self.authorize(**extra))

    def tokens(self, response: requests.Response) -> dict:
        code = self.pkce.code_from(response.headers["Location"])
        token = requests.post(
            endpoint(self.platform.issuer, "token"), data=self.pkce.token_form(code), timeout=TIMEOUT
        )
        assert token.status_code == 200, token.text
        return token.json()


def upstream_location(response: requests.Response) -> dict[str, str]:
    """The query of the redirect from the platform's authorize to the upstream's."""
    assert response.status_code in (302, 303), f"{response.status_code}: {response.text[:300]}"
    return dict(parse_qsl(urlsplit(response.headers["Location"]).query))


def returned_error(page: requests.Response) -> dict[str, str]:
    """What the failure page's link back sends to the client's callback."""
    link = RETURN_LINK.search(page.text)
    assert link, f"no link back to the application on the page: {page.text[:2000]}"
    url = html.unescape(link.group(1))
    assert url.startswith(REDIRECT_URI + "?")
    return dict(parse_qsl(urlsplit(url).query))


def stated_cause(page: requests.Response) -> str:
    """The cause the failure page names, as one line of text."""
    found = re.search(r'<p class="error" role="alert">(.*?)</p>', page.text, re.S)
    assert found, page.text[:2000]
    return " ".join(html.unescape(found.group(1)).split())
