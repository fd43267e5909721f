"""The service's connections: a time limit on the request head, a cap on open
connections, and accept errors logged at a bounded rate.

uvicorn closes an idle keep-alive connection, but not one that never sends a byte, nor
one that sends its head a byte at a time; and it has no cap on connections. 300 idle
sockets under a 256-descriptor limit left the service unable to accept anything, while
asyncio logged "Too many open files" for every failed accept (66 MB in 12 s). Here:

- every connection must send a complete request head within `head_timeout` seconds of
  opening (or of its last response), else it is closed;
- at most `max_connections` are open (and never more than the process's descriptor
  limit allows beside what it has open and a burst of accepts): beyond that, the
  connection that has waited longest for a head is closed to make room, and if none is
  waiting, the newcomer is;
- the same accept error is logged at most once per `LOG_EVERY_S`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import time
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

LOG_EVERY_S = 10.0
# asyncio accepts up to `backlog` connections in one go, and a second batch can come
# before the first's surplus is closed (closing is deferred to the next turn of the
# loop): uvicorn's default of 2,048 let one burst exhaust a small descriptor limit, and a
# failed accept pauses the listener for a second. The kernel's queue holds this many too.
BACKLOG = 64
SPARE_DESCRIPTORS = 32  # the backend's connections, the cache, logs
log = logging.getLogger("summarizer")


def _open_descriptors() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:  # not Linux: a generous guess
        return 64


def connection_cap(wanted: int) -> int:
    """`wanted`, or fewer if the descriptor limit would not hold that many beside what the
    process has open, a burst of accepts and a spare few."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return wanted
    room = soft - _open_descriptors() - 2 * BACKLOG - SPARE_DESCRIPTORS
    return max(8, min(wanted, room))


class GuardedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a head timeout and a connection cap; configure it
    with `configured`."""

    head_timeout = 10.0
    max_connections = 512

    @classmethod
    def configured(cls, head_timeout: float, max_connections: int) -> type[GuardedH11Protocol]:
        return type(
            "GuardedH11Protocol",
            (cls,),
            {"head_timeout": head_timeout, "max_connections": connection_cap(max_connections)},
        )

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_timer: asyncio.TimerHandle | None = None
        self._cycle_seen: Any = None
        self._waiting_since = time.monotonic()
        self._arm()
        if len(self.connections) > self.max_connections:
            self._make_room()

    def _arm(self) -> None:
        """Wait for a request head, at most `head_timeout` seconds from now."""
        self._disarm()
        self._waiting_since = time.monotonic()
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _waiting(self) -> bool:
        return self._head_timer is not None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def _make_room(self) -> None:
        waiting = [
            c for c in self.connections
            if isinstance(c, GuardedH11Protocol) and c is not self and c._waiting()
        ]  # fmt: skip
        oldest = min(waiting, key=lambda c: c._waiting_since, default=None)
        victim = oldest if oldest is not None else self
        victim._disarm()
        victim.transport.close()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.cycle is not None and self.cycle is not self._cycle_seen:
            self._cycle_seen = self.cycle  # a request head arrived
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()  # the next head, on a kept-alive connection, within the limit too

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def quiet_accept_errors(loop: asyncio.AbstractEventLoop) -> None:
    """Log each kind of event-loop error (a failed accept, "Too many open files") at most
    once per `LOG_EVERY_S`, with how many were not logged."""
    last: dict[str, float] = {}
    skipped: dict[str, int] = {}

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        kind = f"{context.get('message', '')}: {exc}"
        now = time.monotonic()
        if now - last.get(kind, -LOG_EVERY_S) < LOG_EVERY_S:
            skipped[kind] = skipped.get(kind, 0) + 1
            return
        last[kind] = now
        more = skipped.pop(kind, 0)
        log.error("%s%s", kind, f" (and {more} more like it)" if more else "")

    loop.set_exception_handler(handler)


def serve(app: Any, host: str, port: int, settings: Any) -> None:
    """Run `app` with uvicorn on `host`:`port`, with the guards above; proxy headers only
    from the addresses in `settings.forwarded_allow_ips`."""
    import uvicorn

    protocol = GuardedH11Protocol.configured(settings.head_timeout, settings.max_connections)
    trusted = list(settings.forwarded_allow_ips)
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", http=protocol, backlog=BACKLOG,
        proxy_headers=bool(trusted), forwarded_allow_ips=trusted or None,
    )  # fmt: skip
    server = uvicorn.Server(config)

    async def run() -> None:
        quiet_accept_errors(asyncio.get_running_loop())
        await server.serve()

    asyncio.run(run())
