"""The loopback redirect rule on its own (mock_platform/clients.py): RFC 8252 §7.3 any port, nothing else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mock_platform.clients import loopback_redirect_allowed, redirect_uri_registered

HOST_ONLY = "http://127.0.0.1"  # as Platform registers nextflow_cli: any port, any path
WITH_PATH = "http://127.0.0.1/callback"  # as seqera_ai_cli is registered: any port, this path

ports = st.integers(1, 65535)
segment = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-._~", min_size=1, max_size=12)
paths = st.lists(segment, max_size=4).map(lambda parts: "".join(f"/{part}" for part in parts))


@given(port=ports, path=paths)
def test_a_host_only_registration_accepts_every_port_and_path(port, path):
    assert loopback_redirect_allowed(HOST_ONLY, f"http://127.0.0.1:{port}{path}")


@given(port=ports, path=paths)
def test_a_registration_with_a_path_accepts_every_port_but_only_that_path(port, path):
    requested = f"http://127.0.0.1:{port}{path}"
    assert loopback_redirect_allowed(WITH_PATH, requested) == (path == "/callback")


def test_the_port_may_be_left_out_but_not_left_empty_or_out_of_range():
    assert loopback_redirect_allowed(WITH_PATH, "http://127.0.0.1/callback")
    for port in ("", "0", "65536", "99999", "123456", "-1", "80a"):
        assert not loopback_redirect_allowed(WITH_PATH, f"http://127.0.0.1:{port}/callback"), port


@given(port=ports)
def test_the_ipv6_literal_is_a_host_of_its_own(port):
    assert loopback_redirect_allowed("http://[::1]/callback", f"http://[::1]:{port}/callback")
    assert not loopback_redirect_allowed("http://[::1]/callback", f"http://127.0.0.1:{port}/callback")
    assert not loopback_redirect_allowed(WITH_PATH, f"http://[::1]:{port}/callback")


@pytest.mark.parametrize(
    "requested",
    [
        "http://localhost:41121/callback",
        "http://127.0.0.2:41121/callback",
        "http://0.0.0.0:41121/callback",
        "http://127.1:41121/callback",
        "http://2130706433:41121/callback",
        "http://0x7f000001:41121/callback",
        "http://[::ffff:127.0.0.1]:41121/callback",
        "http://127.0.0.1.example:41121/callback",
        "http://127.0.0.1:41121@attacker.example/callback",
        "http://attacker.example\\@127.0.0.1:41121/callback",
        "http://user:pass@127.0.0.1:41121/callback",
        "http://127.0.0.1:41121#@attacker.example/",
        "http://127.0.0.1:41121/callback#frag",
        "http://127.0.0.1:41121\\callback",
        "http://127.0.0.1:41121/call back",
        "http://127.0.0.1:41121/callback\r\nLocation: http://attacker.example/",
        "https://127.0.0.1:41121/callback",
        "http://127.0.0.1:41121/callback?foo=bar",
        "http://127.0.0.1:41121/callback?next=http://attacker.example/",
        "http://127.0.0.1:41121/%zz",
        "//127.0.0.1:41121/callback",
        "127.0.0.1:41121/callback",
        "javascript:alert(1)//127.0.0.1",
        "",
    ],
)
def test_look_alikes_and_authority_tricks_are_refused(requested):
    assert not loopback_redirect_allowed(HOST_ONLY, requested)


def test_a_registered_query_must_come_back_exactly():
    registered = "http://127.0.0.1/callback?tenant=a"
    assert loopback_redirect_allowed(registered, "http://127.0.0.1:5000/callback?tenant=a")
    assert not loopback_redirect_allowed(registered, "http://127.0.0.1:5000/callback?tenant=b")
    assert not loopback_redirect_allowed(registered, "http://127.0.0.1:5000/callback")


@pytest.mark.parametrize(
    "registered",
    [
        "https://127.0.0.1/callback",
        "http://localhost/callback",
        "http://127.0.0.2/callback",
        "http://app.example/cb",
    ],
)
def test_only_an_http_loopback_ip_literal_registration_takes_any_port(registered):
    assert not loopback_redirect_allowed(registered, registered.replace("/c", ":5000/c", 1))


@pytest.mark.parametrize(
    ("requested", "allowed"),
    [
        ("https://app.example/cb", True),
        ("https://app.example:443/cb", False),
        ("https://app.example/cb/", False),
        ("https://APP.example/cb", False),
        ("https://app.example/cb?x=1", False),
        ("http://127.0.0.1:8123/anything", True),
        ("http://127.0.0.1:8123/anything#x", False),
    ],
)
def test_other_registrations_are_compared_exactly(requested, allowed):
    assert redirect_uri_registered(["https://app.example/cb", HOST_ONLY], requested) is allowed


@given(port=ports)
def test_no_registration_means_no_redirect(port):
    assert not redirect_uri_registered([], f"http://127.0.0.1:{port}/callback")
