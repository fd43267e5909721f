"""summarizer.retry: which bound a failed attempt names, and what is given up with.
(The transport against real sockets: tests/test_http_faults.py.)"""

from __future__ import annotations

import asyncio
import time

import httpx2
import pytest
from tenacity import AsyncRetrying, RetryCallState

from summarizer.retry import (
    DEADLINE_HEADER,
    RetryTransport,
    _bound,
    _give_up,
    _RetryableStatus,
    deadline_header,
)
from summarizer.settings import RetryPolicy


@pytest.mark.parametrize(
    ("remaining", "budget", "timeout", "named"),
    [
        (10.0 + 0.001, 10.0, 60.0, "the article's deadline"),  # the deadline was the bound
        (10.0, 10.0, 60.0, "the article's deadline"),
        (10.5, 10.0, 60.0, "the retry budget"),  # the deadline was further
        (100.0, 60.0, 60.0, "the request timeout"),
        (100.0, 61.0, 60.0, "the request timeout"),
        (100.0, 59.0, 60.0, "the retry budget"),
    ],
)
def test_an_attempt_ends_at_the_bound_it_names(
    remaining: float, budget: float, timeout: float, named: str
) -> None:
    assert _bound(remaining, budget, timeout) == named


def _state(exc: BaseException) -> RetryCallState:
    state = RetryCallState(AsyncRetrying(), None, (), {})
    state.set_exception((type(exc), exc, None))
    return state


def test_after_the_last_attempt_a_status_is_returned_and_an_error_raised() -> None:
    response = httpx2.Response(503)
    assert _give_up(_state(_RetryableStatus(response))) is response
    refused = httpx2.ConnectError("refused")
    with pytest.raises(httpx2.ConnectError, match="refused"):
        _give_up(_state(refused))


# -- the transport, against a server in the same process ------------------------------


def _send(
    replies: list[tuple[float, int, dict[str, str]]],
    *,
    policy: RetryPolicy | None = None,
    timeout: float = 5.0,
    deadline_in: float | None = None,
    read_timeout: float | None = None,
) -> tuple[int | str, list[httpx2.Request]]:
    """Send one request through a `RetryTransport` whose server answers each attempt in
    turn with (seconds it waits, status, headers); the status it ended with (or the
    error's message) and the requests the server saw."""
    seen: list[httpx2.Request] = []

    async def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        wait, status, headers = replies[min(len(seen), len(replies)) - 1]
        await asyncio.sleep(wait)
        return httpx2.Response(status, headers=headers)

    transport = RetryTransport(
        httpx2.MockTransport(handler),
        policy or RetryPolicy(max_attempts=4, backoff_s=0, max_backoff_s=0),
        timeout,
    )
    until = None if deadline_in is None else time.monotonic() + deadline_in
    extensions = {} if read_timeout is None else {"timeout": {"read": read_timeout}}
    request = httpx2.Request(
        "POST", "http://backend.test/v1/chat/completions", headers=deadline_header(until),
        extensions=extensions,
    )  # fmt: skip

    async def go() -> int | str:
        try:
            return (await transport.handle_async_request(request)).status_code
        except httpx2.TimeoutException as exc:
            return str(exc)

    return asyncio.run(go()), seen


def test_the_deadline_travels_in_a_header_no_server_sees() -> None:
    assert deadline_header(None) == {}
    assert deadline_header(12.5) == {DEADLINE_HEADER: "12.5"}
    status, seen = _send([(0, 200, {})], deadline_in=30)
    assert status == 200 and DEADLINE_HEADER not in seen[0].headers
    assert _send([(0, 200, {})])[0] == 200  # no deadline at all


def test_the_articles_deadline_ends_an_attempt_and_a_retry() -> None:
    status, _ = _send([(1.0, 200, {})], deadline_in=0.2)
    assert "(the article's deadline)" in str(status)
    status, seen = _send([(0, 503, {}), (3.0, 200, {})], deadline_in=1.0,
                         policy=RetryPolicy(max_total_s=100, backoff_s=0))  # fmt: skip
    assert len(seen) == 2 and "the article's deadline" in str(status)


def test_the_retry_budget_bounds_retries_but_not_the_first_attempt() -> None:
    budget = RetryPolicy(max_total_s=1.0, backoff_s=0, max_backoff_s=0)
    assert _send([(1.3, 200, {})], policy=budget)[0] == 200
    # (Margins wide enough for a loaded machine: a late first answer leaves less budget.)
    status, seen = _send([(0.5, 503, {}), (1.0, 200, {})], policy=budget)
    assert len(seen) == 2 and "(the retry budget)" in str(status)


def test_a_requests_own_timeout_comes_before_the_transports() -> None:
    status, _ = _send([(1.0, 200, {})], read_timeout=0.2, timeout=10)
    assert "0.2 s (the request timeout)" in str(status)
    assert _send([(0.1, 200, {})], read_timeout=0, timeout=10)[0] == 200  # 0: not given


def test_a_request_that_timed_out_says_how_many_attempts_it_made() -> None:
    """#36: `--timeout 5` against a server that drips its answer ended after 29 s saying it
    gave none "within 5 s": the timeout bounds each attempt, and the message counts them
    (as `--help` says)."""
    from typer.testing import CliRunner

    from summarizer.cli import app

    two = RetryPolicy(max_attempts=2, backoff_s=0, max_backoff_s=0)
    status, seen = _send([(1.0, 200, {})], policy=two, timeout=0.2)
    assert len(seen) == 2
    assert status == "no complete answer within 0.2 s (the request timeout) on each of 2 attempts"
    status, _ = _send([(0, 503, {}), (1.0, 200, {})], policy=two, timeout=0.2)
    assert status == (
        "no complete answer within 0.2 s (the request timeout) on the last of 2 attempts"
    )
    status, _ = _send([(1.0, 200, {})], policy=RetryPolicy(max_attempts=1), timeout=0.2)
    assert status == "no complete answer within 0.2 s (the request timeout)"
    shown = " ".join(CliRunner().invoke(app, ["summarize", "--help"]).output.split())
    assert "--timeout <float> Seconds each attempt at a request may take" in shown
    assert "a request makes up to retry.max_attempts (4), all within --deadline" in shown


@pytest.mark.parametrize(
    ("status", "marked", "attempts"),
    [(503, None, 4), (400, None, 1), (400, "true", 4), (503, "false", 1), (400, " TRUE ", 4)],
)
def test_the_server_may_say_whether_to_retry(
    status: int, marked: str | None, attempts: int
) -> None:
    headers = {} if marked is None else {"x-should-retry": marked}
    ended, seen = _send([(0, status, headers)])
    assert ended == status and len(seen) == attempts


def test_an_attempt_past_the_deadline_is_not_made() -> None:
    status, seen = _send([(0, 200, {})], deadline_in=-1.0)
    assert status == "no complete answer within the time allowed" and seen == []


@pytest.mark.parametrize(("backoff", "most"), [(0.0, 5.0), (1.0, 0.01)])
def test_waits_between_attempts_follow_the_policy(backoff: float, most: float) -> None:
    """Backoff 0 waits nothing; a cap of 10 ms caps every wait (tenacity's defaults would
    wait seconds: 1 s doubling, no cap)."""
    policy = RetryPolicy(max_attempts=4, backoff_s=backoff, max_backoff_s=most)
    started = time.monotonic()
    status, seen = _send([(0, 503, {})], policy=policy)
    assert status == 503 and len(seen) == 4 and time.monotonic() - started < 1.0


def test_an_error_that_is_not_the_networks_is_not_retried() -> None:
    calls: list[int] = []

    async def handler(request: httpx2.Request) -> httpx2.Response:
        calls.append(1)
        raise ValueError("a bug, not a failure of the network")

    transport = RetryTransport(httpx2.MockTransport(handler), RetryPolicy(backoff_s=0), 5.0)
    request = httpx2.Request("POST", "http://backend.test/v1/chat/completions")
    with pytest.raises(ValueError, match="a bug"):
        asyncio.run(transport.handle_async_request(request))
    assert calls == [1]
