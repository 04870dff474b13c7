"""One request at a time runs the app in a served worker; the others wait on a lock, not on the GIL.

A gthread worker's threads all run Python under one GIL, and each of them gives it up at every
SQLite statement and socket call. With eight requests in flight the GIL changes hands dozens of
times per request, each time through a futex and the scheduler: on two cores, eight clients cost a
quarter more server CPU per login than one, most of it in the kernel (bench/README.md, "Profiling").
Behind this gate a waiting thread sleeps until the request ahead of it is answered; gunicorn still
reads and writes sockets on all threads, and a request that waits for something else (an injected
delay, a call to the upstream provider) steps out of the gate while it waits (`released`), so a
slow request never holds the others up. The request body is read before the gate (a client that
sends it slowly, or never, holds up only its own thread), and a streamed body (Co-Scientist events)
is produced after the app returns, outside the gate.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

_held = threading.local()  # the gate's lock while this thread is inside it


class AppGate:
    """WSGI middleware around the app of a served worker (see the module's docstring)."""

    def __init__(self, app: Callable[[dict, Callable[..., Any]], Iterable[bytes]], max_body: int) -> None:
        """`max_body`: the most bytes of a request body the app accepts (Flask's MAX_CONTENT_LENGTH)."""
        self.app = app
        self.max_body = max_body
        self.lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        _read_body_ahead(environ, self.max_body)
        with self.lock:
            _held.lock = self.lock
            try:
                return self.app(environ, start_response)
            finally:
                _held.lock = None


def _read_body_ahead(environ: dict, max_body: int) -> None:
    """The body into memory, at most one byte more than the app accepts: it still refuses a larger
    one (413), from Content-Length or from that extra byte."""
    stream = environ.get("wsgi.input")
    length = environ.get("CONTENT_LENGTH")
    if stream is None or not (length or environ.get("wsgi.input_terminated")):
        return
    limit = max_body + 1
    if length:
        try:
            limit = min(int(length), limit)
        except ValueError:
            return  # the app answers a malformed Content-Length
        if limit < 0:
            return
    environ["wsgi.input"] = io.BytesIO(stream.read(limit))


@contextmanager
def released() -> Iterator[None]:
    """Around a wait inside a request: other requests run meanwhile (nothing to do outside the gate)."""
    lock = getattr(_held, "lock", None)
    if lock is None:
        yield
        return
    _held.lock = None
    lock.release()
    try:
        yield
    finally:
        lock.acquire()
        _held.lock = lock
