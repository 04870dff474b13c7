"""Serving under a base URL with a path (https://platform.example.com/sub) behind a reverse proxy.

The proxy may strip the prefix (nginx `proxy_pass http://mock/;`) or pass it on (`proxy_pass
http://mock;`): the app answers both, because every route is registered without the prefix and
the prefix is removed here when a request carries it. URLs and cookie paths the mock hands out come
from the base URL in the settings, never from the request's Host or X-Forwarded-* headers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class StripBasePath:
    """WSGI middleware: `/sub/api/x` reaches the route `/api/x`; `/subway` stays as it is."""

    def __init__(self, app: WsgiApp, base_path: str) -> None:
        self.app = app
        self.base_path = base_path

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == self.base_path or path.startswith(self.base_path + "/"):
            environ["PATH_INFO"] = path[len(self.base_path) :] or "/"
        return self.app(environ, start_response)
