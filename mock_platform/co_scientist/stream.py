"""The events stream of a session (Server-Sent Events), built so that it cannot hold a server thread long.

gunicorn's gthread workers serve each open stream on one of their few threads, so a stream ends:
- after the `finish` that closes the last reply stored (the Seqera CLI opens one stream per message);
- at once with `history_only=true`, or for an expired session, once the stored events are sent;
- after `stream_limit` seconds in any case (a client that waits longer reconnects with `cursor`).
While it waits it sends a comment every few seconds, so a client that went away is noticed (the write
fails, the server closes the generator) within seconds instead of at the limit.

Each event is `id: <seq>` plus `data: <json>`; `cursor=N` resumes after event N.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

from ..store import Store
from ..store.co_scientist import EXPIRED

POLL_SECONDS = 0.1
KEEPALIVE_SECONDS = 3.0
STREAM_HEADERS = {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Accel-Buffering": "no",  # nginx in front of the mock: pass each event on at once
}


def sse_event(seq: int, event: object) -> str:
    return f"id: {seq}\ndata: {json.dumps(event)}\n\n"


def events(
    store: Store,
    session_id: str,
    cursor: int,
    history_only: bool,
    stream_limit: float,
    clock: Callable[[], float] = time.time,
) -> Iterator[str]:
    deadline = time.monotonic() + stream_limit
    quiet_since = time.monotonic()
    yield ": connected\n\n"  # the headers go out now, not with the first event
    while True:
        view = store.ai_stream_view(session_id, cursor, clock())
        for event in view.events:
            yield sse_event(event.seq, event.event)
            cursor = event.seq
        if view.events:
            quiet_since = time.monotonic()
            if view.events[-1].event.get("type") == "finish" and cursor == view.last_seq:
                return
        if history_only or (view.status == EXPIRED and cursor == view.last_seq):
            return
        now = time.monotonic()
        if now >= deadline:
            yield f": open for {stream_limit:g} s, the longest a stream stays open; reconnect with cursor={cursor}\n\n"
            return
        if now - quiet_since >= KEEPALIVE_SECONDS:
            yield ": keepalive\n\n"
            quiet_since = now
        wait = POLL_SECONDS
        if view.next_ready_at is not None:
            wait = min(max(view.next_ready_at - clock(), 0.0), KEEPALIVE_SECONDS)
        time.sleep(min(wait, max(deadline - now, 0.0)))
