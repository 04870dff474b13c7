"""Who may call the control API: programs (tests, curl, other containers), never a web page, and on a
shared deployment only those that know its token.

With `control_token` set, every call must send `Authorization: Bearer <token>`: anyone else who can
connect could read every password, mint tokens for any user and inject faults. Without it the
control API takes no credentials (a developer's own loopback mock), so two browser tricks must not
reach it: a cross-site form or fetch POST from any page the developer has open (CSRF; every port of
127.0.0.1 is one "site" to a browser, so SameSite cookies do not help), and DNS rebinding, where a
host name of the attacker's resolves to 127.0.0.1 and its page becomes same-origin with the mock.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from flask import Response, request

from ..credentials import presented_token, same_secret
from ..http import challenge_header, message_error
from ..live import current_platform
from ..web_origin import foreign_origin
from .inputs import BadInput

CONTROL_REALM = "mock-platform control API"


def require_control_token() -> Response | None:
    """before_request of the control blueprint: with control_token set, 401 unless the call sends it."""
    expected = current_platform().settings.control_token
    if not expected:
        return None
    presented = presented_token()
    if presented is not None and same_secret(presented, expected):
        return None
    problem = "sends no Bearer token" if presented is None else "sends a token that is not this server's"
    return message_error(
        401,
        f"this call {problem}: the control API of this server needs Authorization: Bearer <token>, the "
        "control_token it was started with (MOCK_PLATFORM_CONTROL_TOKEN)",
        {"WWW-Authenticate": challenge_header(realm=CONTROL_REALM)},
    )


def refuse_web_pages() -> None:
    """before_request of the control blueprint: 403 for browser-made cross-origin calls and foreign Host names."""
    if origin := foreign_origin():
        raise BadInput(
            f"the control API refuses calls from web pages ({origin}); call it from your tests or curl",
            status=403,
        )
    own_host = urlsplit(current_platform().settings.public_base_url).hostname or ""
    host = urlsplit("//" + request.host).hostname or ""
    if not host_cannot_be_rebound(host, own_host):
        raise BadInput(
            f"the control API answers only to IP addresses, single-label names (localhost, a compose "
            f"service) and the base URL's host, not {host[:100]!r}; set MOCK_PLATFORM_BASE_URL to the "
            "URL you use",
            status=403,
        )


def host_cannot_be_rebound(host: str, base_host: str) -> bool:
    """True for names no attacker's DNS can point at the mock: IP literals, single-label names
    (a rebinding attack needs a public, dotted name) and the host the operator configured."""
    if host == base_host or "." not in host:
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
