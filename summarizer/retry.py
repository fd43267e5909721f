"""Retrying transient HTTP failures, below the openai SDK and above the socket; deadlines.

The retry sits in an httpx transport so that every model call, re-asks included, gets
the same policy, and so that recorded cassettes (which patch the inner transport) see
each real attempt. The openai SDK's own retries are switched off (`max_retries=0`) so
attempts are not multiplied.

Retried: 408, 409, 429 (waiting as long as Retry-After says, within the time budget),
500, 502, 503, 504, timeouts and connection errors, a connection dropped in the middle of
the response body included (the body is read inside the attempt), and whatever a server
marks ``x-should-retry: true``. Anything else, or ``x-should-retry: false``, is returned
at once and the SDK turns it into an error (400, 401, 403, 404...).

Deadlines hold whatever the server does (a server that sends one byte a second): each
attempt runs under ``asyncio.timeout``, first byte to last, bounded by the attempt
`timeout`, the retry budget and the article's deadline (`deadline_header`), whichever
ends first. `timeout` bounds each attempt, not the request: a request that timed out says
how many attempts it made.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any, cast

import httpx2
from openai._base_client import BaseClient
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from summarizer.settings import RetryPolicy

# The SDK's Retry-After parser (see `retry_after_s`); tests/test_http_faults.py pins what
# we rely on of it (test_retry_after_is_read_as_the_sdk_reads_it).
_sdk_retry_after = BaseClient._parse_retry_after_header

RETRY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
NO_ANSWER = "no complete answer within "  # how a timeout of ours begins (see client.translate)


# The article's deadline travels with each of its requests, in a header that
# `RetryTransport` takes off before anything is sent: the openai SDK hands its transport
# nothing else per request (its `timeout` becomes httpx's extension, read below).
DEADLINE_HEADER = "x-summarizer-deadline"


def deadline_header(until: float | None) -> dict[str, str]:
    """The header that tells the transport the monotonic time (`time.monotonic()`) by
    which every attempt of this request must end; none for no deadline."""
    return {} if until is None else {DEADLINE_HEADER: repr(until)}


def _deadline_of(request: httpx2.Request) -> float | None:
    """The request's deadline, its header removed so that no server sees it."""
    value = request.headers.pop(DEADLINE_HEADER, None)
    try:
        return None if value is None else float(value)
    except ValueError:
        return None


def _bound(remaining: float, budget: float, timeout: float) -> str:
    """Which bound ended an attempt given `budget` seconds: for its message."""
    if remaining <= budget + 0.001:
        return "the article's deadline"
    return "the request timeout" if budget >= timeout else "the retry budget"


def _remaining(until: float | None) -> float:
    return float("inf") if until is None else until - time.monotonic()


def _no_answer(timed_out: dict[int, str], attempts: int) -> str:
    """What ended a request whose last attempt timed out, with how many attempts it made,
    so that the time it took adds up: "... within 5 s (the request timeout) on each of 3
    attempts", not "within 5 s" after 20 seconds."""
    last = timed_out[attempts]
    each = len(timed_out) == attempts and set(timed_out.values()) == {last}
    return f"{NO_ANSWER}{last} on {'each' if each else 'the last'} of {attempts} attempts"


class _RetryableStatus(Exception):
    def __init__(self, response: httpx2.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def retry_after_s(response: httpx2.Response) -> float | None:
    """Seconds the server asked us to wait (Retry-After-Ms, or Retry-After in seconds or
    as an HTTP date); None if it did not say, or said something unreadable (then the
    usual backoff applies).

    The header is read by the openai SDK's own parser, so we wait exactly as the SDK would;
    it is a method that reads no state of its client, so it is called without one. The
    SDK leaves out-of-range values to its caller: a past date is no wait, NaN or infinity
    is no answer."""
    seconds = _sdk_retry_after(cast(Any, None), response.headers)
    if seconds is None or not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def _give_up(state: RetryCallState) -> httpx2.Response:
    """After the last attempt: a failing status is returned (the SDK turns it into its
    usual error); anything else is raised."""
    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, _RetryableStatus):
        return exc.response
    assert exc is not None
    raise exc


def _should_retry(response: httpx2.Response) -> bool:
    marked = response.headers.get("x-should-retry", "").strip().lower()
    if marked in ("true", "false"):
        return marked == "true"
    return response.status_code in RETRY_STATUS


class RetryTransport(httpx2.AsyncBaseTransport):
    """Wraps a transport; bounds each attempt by time and retries transient failures per
    `RetryPolicy`."""

    def __init__(
        self, inner: httpx2.AsyncBaseTransport, policy: RetryPolicy, timeout: float
    ) -> None:
        self.inner = inner
        self.policy = policy
        self.timeout = timeout

    def _timeout_of(self, request: httpx2.Request) -> float:
        """The request's own timeout (the SDK puts a per-request timeout in httpx's
        ``timeout`` extension), else this transport's."""
        given = (request.extensions.get("timeout") or {}).get("read")
        return float(given) if isinstance(given, int | float) and given > 0 else self.timeout

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        policy = self.policy
        timeout = self._timeout_of(request)
        started = time.monotonic()
        article_until = _deadline_of(request)
        attempts = 0
        timed_out: dict[int, str] = {}  # attempt: how its time ran out ("5 s (the ...)")

        def left() -> float:  # what the retry budget and the article deadline allow
            spent = time.monotonic() - started
            return min(policy.max_total_s - spent, _remaining(article_until))

        async def once() -> httpx2.Response:
            nonlocal attempts
            attempts += 1
            # The retry budget bounds retrying, not the first attempt: a budget shorter
            # than the timeout would silently cut the timeout the user (or backend) chose.
            allowed = _remaining(article_until) if attempts == 1 else left()
            budget = min(timeout, allowed)
            if budget <= 0:
                raise httpx2.ReadTimeout(NO_ANSWER + "the time allowed", request=request)
            try:
                async with asyncio.timeout(budget):
                    response = await self.inner.handle_async_request(request)
                    await response.aread()  # inside the attempt: a drop mid-body is retried
            except TimeoutError:
                bound = _bound(_remaining(article_until), budget, timeout)
                timed_out[attempts] = f"{budget:.3g} s ({bound})"
                raise httpx2.ReadTimeout(NO_ANSWER + timed_out[attempts], request=request) from None
            if _should_retry(response):
                await response.aclose()
                raise _RetryableStatus(response)
            return response

        jitter = wait_random_exponential(multiplier=policy.backoff_s, max=policy.max_backoff_s)

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            asked = retry_after_s(exc.response) if isinstance(exc, _RetryableStatus) else None
            return max(0.0, min(float(jitter(state)) if asked is None else asked, left()))

        def out_of_time(state: RetryCallState) -> bool:
            """No time for another attempt, or not for the wait the server asked for."""
            exc = state.outcome.exception() if state.outcome else None
            asked = retry_after_s(exc.response) if isinstance(exc, _RetryableStatus) else None
            return left() <= max(0.01, asked or 0.0)

        stop: Any = stop_after_attempt(policy.max_attempts) | stop_after_delay(policy.max_total_s)
        retrying = AsyncRetrying(
            stop=stop | out_of_time,
            wait=wait,
            retry=retry_if_exception_type((_RetryableStatus, httpx2.TransportError)),
            retry_error_callback=_give_up,
        )
        try:
            result: httpx2.Response = await retrying(once)
        except httpx2.ReadTimeout:
            if attempts not in timed_out or attempts == 1:
                raise
            raise httpx2.ReadTimeout(_no_answer(timed_out, attempts), request=request) from None
        return result

    async def aclose(self) -> None:
        await self.inner.aclose()
