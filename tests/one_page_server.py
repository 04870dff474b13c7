"""Another site for a test: a server on 127.0.0.1 that answers every GET with one page."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Page = Callable[[int], tuple[bytes, str]]  # the server's port -> (body, Content-Type)


@contextmanager
def one_page_server(page: Page, ssl_context: ssl.SSLContext | None = None) -> Iterator[int]:
    """Serve `page(port)` to every GET on a free port (https with `ssl_context`) until the block ends;
    yields the port."""

    class OnePage(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body, content_type = page(self.server.server_port)
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), OnePage)
    if ssl_context is not None:
        server.socket = ssl_context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
