"""Requests a web page made from another origin: what the forms and the control API refuse.

Browsers send `Origin` on every cross-origin POST (and `Sec-Fetch-Site`); tests, curl and the CLIs
send neither. Every port of 127.0.0.1 is one "site" to a browser, so SameSite cookies alone do not
keep a page on another local port from posting to the mock.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request

from .live import current_platform

BROWSER_FETCH_SITES = ("cross-site", "same-site")


def foreign_origin() -> str | None:
    """What gives away a request sent by a page of another origin; None for same-origin and non-browser ones.

    Fetch metadata first, where the browser sends it: it is right even when a referrer policy made
    the Origin of a same-origin form POST "null".
    """
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return f"a {site} page" if site in BROWSER_FETCH_SITES else None
    origin = request.headers.get("Origin")
    if origin is not None and origin.lower() not in own_origins():
        return origin[:100]
    return None


def own_origins() -> tuple[str, str]:
    """The base URL's origin (what browsers see behind a proxy) and the one the request reached."""
    public = urlsplit(current_platform().settings.public_base_url)
    return f"{public.scheme}://{public.netloc}".lower(), request.host_url.rstrip("/").lower()
