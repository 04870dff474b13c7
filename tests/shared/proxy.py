"""A round-robin reverse proxy on loopback: each request goes to the next replica in turn, as nginx's
default upstream balancing does in the compose `shared` profile, so consecutive requests of one login
(authorize, token, userinfo, refresh) land on different replicas."""

from __future__ import annotations

import http.client
import itertools
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"}


class RoundRobinProxy:
    def __init__(self, upstreams: list[str]) -> None:
        self.upstreams = [urlsplit(url) for url in upstreams]
        self._next = itertools.cycle(range(len(upstreams)))
        self._lock = threading.Lock()
        self.served: Counter[int] = Counter()  # requests per upstream index
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def pick(self) -> int:
        with self._lock:
            index = next(self._next)
            self.served[index] += 1
            return index

    def __enter__(self) -> RoundRobinProxy:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def forward(self) -> None:
                upstream = proxy.upstreams[proxy.pick()]
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
                try:
                    connection.request(self.command, self.path, body=body, headers=headers)
                    response = connection.getresponse()
                    payload = response.read()
                except OSError as error:  # the replica is down: what nginx answers then
                    self.send_error(502, f"upstream {upstream.netloc}: {error}")
                    return
                finally:
                    connection.close()
                self.send_response_only(response.status, response.reason)
                for name, value in response.getheaders():
                    if name.lower() not in HOP_BY_HOP | {"content-length"}:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = forward

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the replicas keep their own logs."""

        return Handler
