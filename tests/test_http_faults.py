"""Retries, re-asks and error messages against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import email.utils
import json
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest

from summarizer import BackendError, RetryPolicy, Summarizer, SummaryValidationError
from summarizer.retry import retry_after_s
from tests.conftest import FaultServer, Reply, completion

FAST = RetryPolicy(max_attempts=4, max_total_s=30, backoff_s=0.01, max_backoff_s=0.05)


def make(server: FaultServer, **options: object) -> Summarizer:
    options = {"retry": FAST, "cache": False, "timeout": 5.0, **options}
    return Summarizer(base_url=server.base_url, model="test-model", **options)  # type: ignore[arg-type]


def test_429_with_retry_after_waits_then_succeeds(
    fault_server: FaultServer, seed_text: str, valid_summary_json: str
) -> None:
    fault_server.script = [
        Reply(429, headers={"retry-after": "1"}),
        Reply(200, completion(valid_summary_json)),
    ]
    result = make(fault_server).summarize(seed_text)
    assert len(fault_server.requests) == 2
    waited = fault_server.times[1] - fault_server.times[0]
    assert waited >= 0.95, f"Retry-After: 1 was not honoured (waited {waited:.2f} s)"
    assert result.brief.figures[0].value == "20,000"


@pytest.mark.parametrize("failures", [[Reply(500)], [Reply(503)], [Reply(500), Reply(503)]])
def test_server_errors_are_retried(
    fault_server: FaultServer, seed_text: str, valid_summary_json: str, failures: list[Reply]
) -> None:
    fault_server.script = [*failures, Reply(200, completion(valid_summary_json))]
    result = make(fault_server).summarize(seed_text)
    assert len(fault_server.requests) == len(failures) + 1
    assert result.provenance.attempts == 1  # one model call; the HTTP retries are below it


def test_dropped_connection_is_retried(
    fault_server: FaultServer, seed_text: str, valid_summary_json: str
) -> None:
    fault_server.script = [Reply(drop=True), Reply(200, completion(valid_summary_json))]
    make(fault_server).summarize(seed_text)
    assert len(fault_server.requests) == 2


def test_timeout_is_retried(
    fault_server: FaultServer, seed_text: str, valid_summary_json: str
) -> None:
    fault_server.script = [
        Reply(200, completion(valid_summary_json), delay=1.5),
        Reply(200, completion(valid_summary_json)),
    ]
    make(fault_server, timeout=0.5).summarize(seed_text)
    assert len(fault_server.requests) == 2


def test_401_fails_at_once_with_one_line_naming_the_backend(
    fault_server: FaultServer, seed_text: str
) -> None:
    fault_server.script = [Reply(401, {"error": {"message": "Incorrect API key provided"}})]
    with pytest.raises(BackendError) as info:
        make(fault_server, api_key="sk-wrong").summarize(seed_text)
    message = str(info.value)
    assert len(fault_server.requests) == 1
    assert "\n" not in message
    assert fault_server.base_url in message and "401" in message and "API key" in message
    assert info.value.status_code == 401


@pytest.mark.parametrize("status", [400, 403, 404])
def test_client_errors_are_not_retried(
    fault_server: FaultServer, seed_text: str, status: int
) -> None:
    fault_server.script = [Reply(status)]
    with pytest.raises(BackendError, match=str(status)):
        make(fault_server).summarize(seed_text)
    assert len(fault_server.requests) == 1


def test_attempts_stop_at_the_configured_bound(fault_server: FaultServer, seed_text: str) -> None:
    fault_server.script = [Reply(503)]
    policy = RetryPolicy(max_attempts=3, max_total_s=30, backoff_s=0.01, max_backoff_s=0.02)
    with pytest.raises(BackendError, match="503"):
        make(fault_server, retry=policy).summarize(seed_text)
    assert len(fault_server.requests) == 3


def test_total_time_bound_stops_retries(fault_server: FaultServer, seed_text: str) -> None:
    fault_server.script = [Reply(429, headers={"retry-after": "0.4"})]
    policy = RetryPolicy(max_attempts=100, max_total_s=1.0, backoff_s=0.01)
    with pytest.raises(BackendError, match="429"):
        make(fault_server, retry=policy).summarize(seed_text)
    assert 2 <= len(fault_server.requests) <= 5


def test_sdk_retries_are_off(fault_server: FaultServer, seed_text: str) -> None:
    fault_server.script = [Reply(503)]
    policy = RetryPolicy(max_attempts=1)
    with pytest.raises(BackendError):
        make(fault_server, retry=policy).summarize(seed_text)
    assert len(fault_server.requests) == 1


def test_invalid_output_is_reasked_with_the_error(
    fault_server: FaultServer, seed_text: str, valid_summary_json: str
) -> None:
    bad = json.loads(valid_summary_json)
    bad["key_points"][0]["sentences"] = [99]
    fault_server.script = [
        Reply(200, completion(json.dumps(bad))),
        Reply(200, completion(valid_summary_json)),
    ]
    result = make(fault_server).summarize(seed_text)
    assert result.provenance.attempts == 2
    assert result.provenance.usage.total_tokens == 300  # both attempts counted
    reask = fault_server.requests[1]["json"]["messages"]
    assert "S99" in reask[-1]["content"] and "S1 to S14" in reask[-1]["content"]


def test_final_validation_failure_carries_raw_output_and_every_error(
    fault_server: FaultServer, seed_text: str, valid_summary_json: str
) -> None:
    bad = json.loads(valid_summary_json)
    bad["entities"] = []
    bad["title"] = ""
    raw = json.dumps(bad)
    fault_server.script = [Reply(200, completion(raw))]
    with pytest.raises(SummaryValidationError) as info:
        make(fault_server, max_reasks=1).summarize(seed_text)
    err = info.value
    assert len(fault_server.requests) == 2
    assert err.attempts == 2
    assert err.last_output == raw
    fields = {(e["attempt"], e["loc"][0]) for e in err.errors}
    assert fields == {(1, "title"), (1, "entities"), (2, "title"), (2, "entities")}


def test_not_json_is_reasked(
    fault_server: FaultServer, seed_text: str, valid_summary_json: str
) -> None:
    fault_server.script = [
        Reply(200, completion("Egypt will lead the force.")),
        Reply(200, completion(valid_summary_json)),
    ]
    assert make(fault_server).summarize(seed_text).provenance.attempts == 2


def test_json_object_backends_get_the_schema_in_response_format(
    fault_server: FaultServer, seed_text: str, valid_summary_json: str
) -> None:
    fault_server.script = [Reply(200, completion(valid_summary_json))]
    make(fault_server, response_format="json_object").summarize(seed_text)
    sent = fault_server.requests[0]["json"]["response_format"]
    assert sent["type"] == "json_object"
    assert sent["schema"]["title"] == "ArticleSummary"


def test_json_schema_is_the_default_response_format(
    fault_server: FaultServer, seed_text: str, valid_summary_json: str
) -> None:
    fault_server.script = [Reply(200, completion(valid_summary_json))]
    make(fault_server).summarize(seed_text)
    sent = fault_server.requests[0]["json"]
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["temperature"] == 0.0
    assert "[S14] U.S. envoy Steve Witkoff" in sent["messages"][-1]["content"]


async def test_async_variant_retries_too(
    fault_server: FaultServer, seed_text: str, valid_summary_json: str
) -> None:
    fault_server.script = [Reply(503), Reply(200, completion(valid_summary_json))]
    result = await make(fault_server).asummarize(seed_text)
    assert len(fault_server.requests) == 2
    assert result.brief.entities[0].name == "Egypt"


@pytest.mark.parametrize("policy", ["drop", "flag", "strict"])
def test_policies_after_the_last_reask(
    fault_server: FaultServer, seed_text: str, valid_summary_json: str, policy: str
) -> None:
    bad = json.loads(valid_summary_json)
    bad["entities"].append(
        {"sentences": [4], "name": "European Council", "type": "organization", "role": "x"}
    )
    fault_server.script = [Reply(200, completion(json.dumps(bad)))]
    summarizer = make(fault_server, max_reasks=0, policy=policy)
    if policy == "strict":
        with pytest.raises(SummaryValidationError, match="European Council"):
            summarizer.summarize(seed_text)
        return
    result = summarizer.summarize(seed_text)
    names = [e.name for e in result.brief.entities]
    assert result.grounding is not None
    unsupported = [c.text for c in result.grounding.unsupported]
    if policy == "drop":
        assert "European Council" not in names
        assert [c.action for c in result.corrections] == ["dropped"]
        assert "European Council" not in unsupported
    else:
        assert "European Council" in names and not result.corrections
        assert "European Council" in unsupported


def test_drop_keeps_the_answer_that_needs_the_fewest_corrections(
    fault_server: FaultServer, seed_text: str, valid_summary_json: str
) -> None:
    """A small model's re-ask can be worse than its first answer (it copies the error text
    into its summary): every answer is salvaged, and the closest to valid is kept."""
    first = json.loads(valid_summary_json)
    first["entities"].append(
        {"sentences": [4], "name": "European Council", "type": "organization", "role": "x"}
    )
    worse = json.loads(valid_summary_json)
    worse["summary"] = "One sentence."  # no salvage for this one
    fault_server.script = [
        Reply(200, completion(json.dumps(first))),
        Reply(200, completion(json.dumps(worse))),
    ]
    result = make(fault_server, max_reasks=1).summarize(seed_text)
    assert len(fault_server.requests) == 2
    assert result.brief.summary == json.loads(valid_summary_json)["summary"]
    assert [(c.field, c.item.get("name")) for c in result.corrections] == [
        ("entities", "European Council")
    ]


def test_context_managers_close_clients_and_cache(
    fault_server: FaultServer, seed_text: str, valid_summary_json: str, tmp_path: Path
) -> None:
    fault_server.script = [Reply(200, completion(valid_summary_json))]
    with make(fault_server, cache=True, cache_dir=str(tmp_path / "c")) as s:
        s.summarize(seed_text)
        assert len(s.clients._made) == 1
    assert len(s.clients._made) == 0


async def test_async_context_manager_and_cancellation(
    fault_server: FaultServer, seed_text: str, valid_summary_json: str
) -> None:
    fault_server.script = [Reply(200, completion(valid_summary_json), delay=5)]
    async with make(fault_server) as s:
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(s.asummarize(seed_text), 0.3)
        assert time.monotonic() - started < 1.0  # the request was abandoned, not awaited


def test_article_deadline_holds_in_the_python_api(
    fault_server: FaultServer, seed_text: str
) -> None:
    fault_server.script = [Reply(200, {}, delay=10)]
    started = time.monotonic()
    with pytest.raises(BackendError, match="deadline of 1 s"):
        make(fault_server, timeout=60.0, deadline=1.0).summarize(seed_text)
    assert time.monotonic() - started < 2.0


def test_library_use_prints_nothing_on_stderr(fault_server: FaultServer, seed_text: str) -> None:
    """instructor logs each failed attempt at ERROR; a library user without logging set up
    must not see those lines on stderr (the exception says what failed)."""
    fault_server.script = [Reply(200, completion("not json"))]
    code = (
        "import sys\n"
        "from summarizer import Summarizer, SummaryValidationError\n"
        f"s = Summarizer(base_url={fault_server.base_url!r}, model='m', cache=False, "
        "max_reasks=1)\n"
        "try:\n"
        "    s.summarize(sys.stdin.read())\n"
        "except SummaryValidationError:\n"
        "    print('raised')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], input=seed_text, capture_output=True, text=True, check=False
    )
    assert done.stdout.strip() == "raised"
    assert done.stderr == ""


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "0.25"}, 0.25),
        ({"retry-after-ms": "junk", "retry-after": "2"}, 2.0),
        ({"retry-after": "Wed, 01 Jan 2020 00:00:00 GMT"}, 0.0),  # a past date: no wait
        ({"retry-after": "soon"}, None),
        ({"retry-after": "Wed, 99 Foo 2026 99:99:99 GMT"}, None),
        ({"retry-after": "nan"}, None),
        ({"retry-after": "inf"}, None),
        ({}, None),
    ],
)
def test_retry_after_is_read_as_the_sdk_reads_it(
    headers: dict[str, str], expected: float | None
) -> None:
    # retry_after_s reuses the openai SDK's private parser: this pins what we rely on, so
    # an SDK upgrade that changes or removes it fails here rather than in production.
    assert retry_after_s(httpx2.Response(429, headers=headers)) == expected


def test_retry_after_an_http_date_in_the_future() -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    waited = retry_after_s(httpx2.Response(503, headers={"retry-after": when}))
    assert waited is not None and 25 < waited <= 30
