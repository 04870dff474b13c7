"""headless_chromium: a Chromium that trusts a given CA, over real TLS on loopback."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from headless_chromium import launch_chromium, trust_in_nss_database
from tests.one_page_server import one_page_server

pytestmark = pytest.mark.browser


@pytest.fixture
def tls_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An https URL on 127.0.0.1 and the PEM of the private CA that signed its certificate."""
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    with one_page_server(lambda _: (b"<title>hello over tls</title>", "text/html"), context) as port:
        yield f"https://127.0.0.1:{port}/", ca_file


def test_a_browser_given_the_ca_loads_the_page(tls_site: tuple[str, Path]) -> None:
    url, ca_file = tls_site
    browser = launch_chromium(ca_file=ca_file)
    try:
        page = browser.new_page()
        page.goto(url)
        assert page.title() == "hello over tls"
    finally:
        browser.close()


def test_a_browser_without_the_ca_refuses_the_certificate(tls_site: tuple[str, Path]) -> None:
    url, _ = tls_site
    browser = launch_chromium()
    try:
        with pytest.raises(Exception, match="ERR_CERT_AUTHORITY_INVALID"):
            browser.new_page().goto(url)
    finally:
        browser.close()


def test_a_file_without_certificates_is_refused_by_name(tmp_path: Path) -> None:
    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("hello")
    with pytest.raises(RuntimeError, match=r"ca\.pem holds no PEM certificate"):
        trust_in_nss_database(not_pem, tmp_path / "nssdb")
