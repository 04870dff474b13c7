"""`mock-platform serve` (gunicorn) limits: what gets through to the app and what is refused first."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from tests.oidc_flows import authorize_params, endpoint
from tests.serve_process import serve


def test_long_authorize_urls_reach_the_app_and_longer_ones_are_refused(tmp_path):
    with serve(tmp_path, "--workers", "1") as base:
        authorize = endpoint(f"{base}/api", "authorize")
        state = "s" * 6000  # past gunicorn's default 4094-byte request line
        response = requests.get(
            f"{authorize}?{urlencode(authorize_params(state=state))}", allow_redirects=False, timeout=10
        )
        assert response.status_code == 302
        assert parse_qs(urlsplit(response.headers["Location"]).query)["state"] == [state]

        response = requests.get(
            f"{authorize}?{urlencode(authorize_params(state='s' * 9000))}", allow_redirects=False, timeout=10
        )
        assert response.status_code == 414
