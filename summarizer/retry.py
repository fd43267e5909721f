"""Retrying transient HTTP failures, below the openai SDK and above the socket.

The retry sits in an httpx transport so that every model call, re-asks included, gets
the same policy, and so that recorded cassettes (which patch the inner transport) see
each real attempt. The openai SDK's own retries are switched off (`max_retries=0`) so
attempts are not multiplied.

Retried: 408, 409, 429 (waiting as long as Retry-After says, within the time budget),
500, 502, 503, 504, timeouts and connection errors. Anything else is returned at once
and the SDK turns it into an error (400, 401, 403, 404...).
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx2
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

RETRY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds on retrying one HTTP request."""

    max_attempts: int = 4
    max_total_s: float = 120.0
    backoff_s: float = 0.5
    max_backoff_s: float = 20.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")


class _RetryableStatus(Exception):
    def __init__(self, response: httpx2.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def retry_after_s(response: httpx2.Response) -> float | None:
    """Seconds the server asked us to wait (Retry-After: seconds or an HTTP date)."""
    value = response.headers.get("retry-after-ms")
    if value:
        try:
            return max(0.0, float(value) / 1000)
        except ValueError:
            pass
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return None if parsed is None else max(0.0, parsed.timestamp() - time.time())


def _make_wait(policy: RetryPolicy) -> Callable[[RetryCallState], float]:
    jitter = wait_random_exponential(multiplier=policy.backoff_s, max=policy.max_backoff_s)

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _RetryableStatus) and (after := retry_after_s(exc.response)) is not None:
            return min(after, policy.max_total_s)
        return float(jitter(state))

    return wait


def _tenacity_args(policy: RetryPolicy) -> dict[str, Any]:
    def give_up(state: RetryCallState) -> httpx2.Response:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _RetryableStatus):
            return exc.response  # the SDK turns the last failure into its usual error
        assert exc is not None
        raise exc

    return {
        "stop": stop_after_attempt(policy.max_attempts) | stop_after_delay(policy.max_total_s),
        "wait": _make_wait(policy),
        "retry": retry_if_exception_type((_RetryableStatus, httpx2.TransportError)),
        "retry_error_callback": give_up,
    }


class RetryTransport(httpx2.BaseTransport):
    """Wraps a transport; retries transient failures per `RetryPolicy`."""

    def __init__(self, inner: httpx2.BaseTransport, policy: RetryPolicy) -> None:
        self.inner = inner
        self.policy = policy
        self.attempts = 0  # HTTP attempts made through this transport, for provenance

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        def once() -> httpx2.Response:
            self.attempts += 1
            response = self.inner.handle_request(request)
            if response.status_code in RETRY_STATUS:
                response.read()
                response.close()
                raise _RetryableStatus(response)
            return response

        result: httpx2.Response = Retrying(**_tenacity_args(self.policy))(once)
        return result

    def close(self) -> None:
        self.inner.close()


class AsyncRetryTransport(httpx2.AsyncBaseTransport):
    """The async twin of `RetryTransport`."""

    def __init__(self, inner: httpx2.AsyncBaseTransport, policy: RetryPolicy) -> None:
        self.inner = inner
        self.policy = policy
        self.attempts = 0

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        async def once() -> httpx2.Response:
            self.attempts += 1
            response = await self.inner.handle_async_request(request)
            if response.status_code in RETRY_STATUS:
                await response.aread()
                await response.aclose()
                raise _RetryableStatus(response)
            return response

        result: httpx2.Response = await AsyncRetrying(**_tenacity_args(self.policy))(once)
        return result

    async def aclose(self) -> None:
        await self.inner.aclose()
