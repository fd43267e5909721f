"""What stands between a request and the summarizer: the bearer token, the body's size,
the operator's caps on a request's options, and the queue (`jobs` at once, `queue` more
waiting, 429 beyond)."""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi.responses import JSONResponse, Response

from summarizer.client import one_line
from summarizer.metrics import Metrics
from summarizer.settings import Settings

T = TypeVar("T")


class OverLimit(Exception):
    """A request's option beyond what the operator allows (the `request_max_*` settings)."""


def within_limits(options: dict[str, Any], s: Settings) -> None:
    """Refuse options beyond the operator's caps: each re-ask is a model call, and a long
    timeout or deadline holds a job slot."""
    caps = (
        ("max_reasks", s.request_max_reasks),
        ("max_tokens", s.request_max_tokens),
        ("timeout", s.request_max_timeout),
        ("deadline", s.request_max_deadline),
    )
    for name, most in caps:
        asked = options.get(name)
        if asked is not None and asked > most:
            raise OverLimit(f"options.{name}: at most {most:g} on this service (asked {asked:g})")


class Busy(Exception):
    """More requests are waiting than the queue holds."""


class ClientGone(Exception):
    """The client disconnected before its summary was made; the work was cancelled."""


class Gatekeeper:
    """ASGI middleware, outermost: the bearer token (401), the body's size (413: refused
    before it is read when it says its length, once it passes the limit when it streams),
    and the requests and latency metrics. Plain ASGI, not Starlette's BaseHTTPMiddleware,
    under which an endpoint cannot see its client go away."""

    def __init__(self, app: Any, limit: int, tokens: list[bytes], metrics: Metrics) -> None:
        self.app, self.limit, self.tokens, self.metrics = app, limit, tokens, metrics

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        await self._guarded(scope, receive, sending)
        route = getattr(scope.get("route"), "path", "other")  # a template: bounded labels
        self.metrics.requests.labels(route=route, status=str(status[0])).inc()
        self.metrics.latency.labels(route=route).observe(time.perf_counter() - started)

    async def _guarded(self, scope: Any, receive: Any, send: Any) -> None:
        headers = dict(scope.get("headers") or [])
        if self.tokens and not _authorized(headers.get(b"authorization", b""), self.tokens):
            refusal = self._error(401, "unauthorized", "a valid bearer token is required")
            refusal.headers["www-authenticate"] = "Bearer"
            await refusal(scope, receive, send)
            return
        declared = headers.get(b"content-length", b"0")
        if not declared.isdigit():
            await self._error(400, "bad_request", "invalid Content-Length")(scope, receive, send)
            return
        if int(declared) > self.limit:
            await self._too_large()(scope, receive, send)
            return
        seen, refused = 0, False

        async def counted() -> Any:
            nonlocal seen, refused
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit and not refused:
                refused = True  # answer 413 now; to the app the client has gone
                await self._too_large()(scope, receive, send)
                return {"type": "http.disconnect"}
            return message

        async def unless_refused(message: Any) -> None:
            if not refused:
                await send(message)

        try:
            await self.app(scope, counted, unless_refused)
        except Exception:
            if not refused:
                raise

    def _error(self, status: int, kind: str, message: str) -> Response:
        return error_response(self.metrics, status, kind, message)

    def _too_large(self) -> Response:
        return self._error(413, "too_large", f"the request is larger than {self.limit} bytes")


class Gate:
    """At most `running` at once, at most `waiting` more in line; beyond that, Busy."""

    def __init__(self, running: int, waiting: int) -> None:
        self._slots = asyncio.Semaphore(running)
        self._waiting = waiting
        self._queued = 0

    async def run(self, work: Callable[[], Awaitable[T]]) -> T:
        if self._slots.locked() and self._queued >= self._waiting:
            raise Busy
        self._queued += 1
        try:
            await self._slots.acquire()
        finally:
            self._queued -= 1
        try:
            return await work()
        finally:
            self._slots.release()


def _authorized(header: bytes, tokens: list[bytes]) -> bool:
    scheme, _, given = header.partition(b" ")
    if scheme.lower() != b"bearer" or not given.strip():
        return False
    # Compared in constant time, against every token, so timing says nothing.
    return any([hmac.compare_digest(given.strip(), t) for t in tokens])


def error_response(
    metrics: Metrics, status: int, kind: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    """An error answer (see the service's table), counted by kind."""
    metrics.failures.labels(kind=kind).inc()
    body = {"error": {"type": kind, "message": one_line(message)}}
    return JSONResponse(body, status_code=status, headers=headers)
