"""`summarizer serve` (#15): the running service on a real socket, in front of a scripted
OpenAI-protocol server (`FaultServer`) or a recorded cassette."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import hypothesis
import pytest
import schemathesis
import uvicorn
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from summarizer import Settings, Summarizer
from summarizer.service import create_app
from summarizer.settings import RetryPolicy
from tests.conftest import FaultServer, Reply, completion

ROOT = Path(__file__).resolve().parent.parent
FAST = RetryPolicy(max_attempts=2, max_total_s=10, backoff_s=0.01, max_backoff_s=0.02)


class Running:
    """The app served by uvicorn on a free port of 127.0.0.1, in a thread."""

    def __init__(self, summarizer: Summarizer) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        config = uvicorn.Config(create_app(summarizer), host="127.0.0.1", port=self.port,
                                log_level="error", lifespan="off")  # fmt: skip
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Running:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        return self

    def __exit__(self, *_: Any) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def serve(fault_server: FaultServer, tmp_path: Path, **options: Any) -> Running:
    """The service over a summarizer of the fault server; `options` may be the service's own
    settings (tokens, queue...), which a `Summarizer` takes only inside `Settings`."""
    settings = Settings.load(
        base_url=fault_server.base_url, model="m", cache_dir=tmp_path, retry=FAST,
        context_window=32768, **options,
    )  # fmt: skip
    return Running(Summarizer(settings=settings))


@pytest.fixture
def seed_body(seed_text: str) -> dict[str, Any]:
    from summarizer import Article

    article = Article.from_text(seed_text)
    return {"text": article.text, "published": "2025-10-18", "source": "Test"}


def test_a_summary_over_http_is_the_published_schema_and_then_a_cache_hit(
    fault_server: FaultServer, tmp_path: Path, seed_body: dict[str, Any], valid_summary_json: str
) -> None:
    import jsonschema

    fault_server.script = [Reply(200, completion(valid_summary_json))]
    with serve(fault_server, tmp_path) as app:
        first = httpx2.post(f"{app.url}/v1/summaries", json=seed_body, timeout=30)
        second = httpx2.post(f"{app.url}/v1/summaries", json=seed_body, timeout=30)
        metrics = httpx2.get(f"{app.url}/metrics").text
        schema = httpx2.get(f"{app.url}/v1/schema").json()
        health = httpx2.get(f"{app.url}/healthz").json()
    assert first.status_code == 200, first.text
    published = json.loads((ROOT / "schemas" / "SummaryResult.v1.json").read_text())
    jsonschema.validate(first.json(), published)
    assert first.json()["summary"]["title"] == json.loads(valid_summary_json)["title"]
    assert second.json()["provenance"]["cache_hit"] is True
    assert len(fault_server.requests) == 1
    assert "summarizer_cache_hits_total 1.0" in metrics
    assert 'summarizer_requests_total{route="/v1/summaries",status="200"} 2.0' in metrics
    assert "summarizer_model_calls_total 1.0" in metrics
    assert set(schema) == {"ArticleSummary", "SummaryResult"}
    assert health["status"] == "ok"


def test_check_returns_the_grounding_report(
    fault_server: FaultServer, tmp_path: Path, seed_body: dict[str, Any]
) -> None:
    body = {"article": seed_body, "summary": "Egypt is expected to lead the force in Peru."}
    with serve(fault_server, tmp_path) as app:
        report = httpx2.post(f"{app.url}/v1/check", json=body).json()
    assert [e["kind"] for c in report["checks"] for e in c["errors"]] == ["name"]


def test_check_takes_the_article_as_its_text_alone(
    fault_server: FaultServer, tmp_path: Path, seed_body: dict[str, Any]
) -> None:
    """#36: `{"article": "text", ...}` got a 422 that did not say what was expected."""
    summary = "Egypt is expected to lead the force in Peru."
    with serve(fault_server, tmp_path) as app:
        url = f"{app.url}/v1/check"
        whole = httpx2.post(url, json={"article": seed_body, "summary": summary})
        text = httpx2.post(url, json={"article": seed_body["text"], "summary": summary})
        misnamed = httpx2.post(url, json={"text": seed_body["text"], "summary": summary})
        inner = httpx2.post(url, json={"article": {"body": "A sentence."}, "summary": summary})
    assert text.status_code == 200, text.text
    assert text.json()["checks"] == whole.json()["checks"]
    assert misnamed.status_code == 422
    assert misnamed.json()["error"]["message"] == "article: Field required"
    assert inner.status_code == 422
    assert inner.json()["error"]["message"] == "article.text: Field required"


def test_an_article_without_a_word_is_a_400_before_any_model_call(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    """#36: the README's `"text": "..."` reached the model, which invented an article (a
    502 after 15 s on the embedded model)."""
    fault_server.script = [Reply(200, completion("{}"))]
    with serve(fault_server, tmp_path, max_reasks=0) as app:
        answers = [
            httpx2.post(f"{app.url}/v1/summaries", json={"text": text}, timeout=30)
            for text in ("...", "123, 456.", "- - -", "x")
        ]
        sentences = httpx2.post(f"{app.url}/v1/sentences", json={"text": "..."})
    for answer in [*answers, sentences]:
        assert answer.status_code == 400, answer.text
        error = answer.json()["error"]
        assert error["type"] == "ArticleError"
        assert error["message"].startswith("the article has no sentences: no word in")
    assert fault_server.requests == []


@pytest.mark.parametrize(
    ("reply", "status", "kind"),
    [
        (Reply(500), 502, "BackendError"),
        (Reply(400, {"error": {"message": "bad model"}}), 502, "BackendError"),
        (Reply(200, completion("{}")), 502, "SummaryValidationError"),
        (Reply(200, completion("{}"), delay=3), 504, "BackendTimeout"),
    ],
    ids=["backend-500", "backend-400", "no-valid-summary", "backend-timeout"],
)
def test_backend_failures_are_json_with_a_status_that_fits(
    fault_server: FaultServer, tmp_path: Path, seed_body: dict[str, Any],
    reply: Reply, status: int, kind: str,
) -> None:  # fmt: skip
    fault_server.script = [reply]
    with serve(fault_server, tmp_path, timeout=1, max_reasks=0) as app:
        answer = httpx2.post(f"{app.url}/v1/summaries", json=seed_body, timeout=30)
    assert answer.status_code == status
    error = answer.json()["error"]
    assert error["type"] == kind and "\n" not in error["message"]


def test_bad_requests(fault_server: FaultServer, tmp_path: Path) -> None:
    with serve(fault_server, tmp_path, max_request_bytes=4096) as app:
        url = f"{app.url}/v1/summaries"
        blank = httpx2.post(url, json={"text": "   "})
        missing = httpx2.post(url, json={"title": "no text"})
        extra = httpx2.post(url, json={"text": "A sentence.", "colour": "red"})
        date = httpx2.post(url, json={"text": "A sentence.", "published": "yesterday"})
        big = httpx2.post(url, json={"text": "word " * 2000})
        streamed = httpx2.post(url, content=iter([b'{"text": "', b"x" * 5000, b'"}']))
        nowhere = httpx2.get(f"{app.url}/v2/nothing")
    assert blank.status_code == 400 and "empty" in blank.json()["error"]["message"]
    assert missing.status_code == 422 and missing.json()["error"]["message"].startswith("text")
    assert extra.status_code == 422
    assert date.status_code == 422 and "published" in date.json()["error"]["message"]
    assert big.status_code == 413 and streamed.status_code == 413
    assert nowhere.status_code == 404 and nowhere.json()["error"]["type"] == "not_found"


def test_tokens_are_required_when_configured(
    fault_server: FaultServer, tmp_path: Path, seed_body: dict[str, Any], valid_summary_json: str
) -> None:
    fault_server.script = [Reply(200, completion(valid_summary_json))]
    with serve(fault_server, tmp_path, tokens=["s3cret-token-0123456"]) as app:
        none = httpx2.get(f"{app.url}/healthz")
        wrong = httpx2.get(f"{app.url}/healthz", headers={"authorization": "Bearer nope"})
        right = httpx2.post(f"{app.url}/v1/summaries", json=seed_body, timeout=30,
                            headers={"authorization": "Bearer s3cret-token-0123456"})  # fmt: skip
    assert none.status_code == 401 and none.headers["www-authenticate"] == "Bearer"
    assert wrong.status_code == 401
    assert right.status_code == 200


def test_serving_beyond_this_machine_needs_a_token(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SUMMARIZER_MODEL": "m",
           "SUMMARIZER_BACKEND": "openai-compatible",
           "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}  # fmt: skip
    run = subprocess.run(
        [sys.executable, "-m", "summarizer.cli", "serve", "--host", "0.0.0.0", "--port", "9"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "summarizer: refusing to serve on 0.0.0.0 without a token: set SUMMARIZER_TOKENS (a "
        "JSON list) or tokens in the config file, or bind to 127.0.0.1"
    ]


def test_beyond_the_queue_requests_get_429_with_retry_after(
    fault_server: FaultServer, tmp_path: Path, seed_body: dict[str, Any], valid_summary_json: str
) -> None:
    fault_server.script = [Reply(200, completion(valid_summary_json), delay=1.5)]

    async def three() -> list[httpx2.Response]:
        async with httpx2.AsyncClient(timeout=30) as client:
            bodies = [dict(seed_body, title=f"copy {i}") for i in range(3)]  # no cache hits
            return await asyncio.gather(
                *(client.post(f"{app.url}/v1/summaries", json=b) for b in bodies)
            )

    with serve(fault_server, tmp_path, jobs=1, queue=1) as app:
        answers = asyncio.run(three())
    codes = sorted(a.status_code for a in answers)
    assert codes == [200, 200, 429]
    busy = next(a for a in answers if a.status_code == 429)
    assert busy.headers["retry-after"] == "1"


def test_fifty_requests_at_once_are_all_answered_in_bounded_memory(
    fault_server: FaultServer, tmp_path: Path, seed_body: dict[str, Any], valid_summary_json: str
) -> None:
    import resource

    fault_server.script = [Reply(200, completion(valid_summary_json), delay=0.2)]

    async def fifty(round_: int) -> list[httpx2.Response]:
        async with httpx2.AsyncClient(timeout=60) as client:
            bodies = [dict(seed_body, title=f"round {round_} copy {i}") for i in range(50)]
            return await asyncio.gather(
                *(client.post(f"{app.url}/v1/summaries", json=b) for b in bodies)
            )

    peaks = []
    with serve(fault_server, tmp_path, jobs=16, queue=64) as app:
        for round_ in range(3):
            answers = asyncio.run(fifty(round_))
            assert [a.status_code for a in answers] == [200] * 50  # none lost
            peaks.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)  # MB
    assert len(fault_server.requests) == 150
    assert {a.json()["summary"]["title"] for a in answers} == {
        json.loads(valid_summary_json)["title"]
    }
    # Memory: the first round loads what summarizing needs; later rounds of 50 at once
    # must not keep growing the process (nothing held per request once it is answered).
    assert peaks[2] - peaks[1] < 25, peaks


def test_a_client_that_goes_away_cancels_its_summary(
    fault_server: FaultServer, tmp_path: Path, seed_body: dict[str, Any], valid_summary_json: str
) -> None:
    fault_server.script = [Reply(200, completion(valid_summary_json), delay=4)]
    with serve(fault_server, tmp_path) as app:
        with pytest.raises(httpx2.TimeoutException):
            httpx2.post(f"{app.url}/v1/summaries", json=seed_body, timeout=0.5)
        deadline = time.monotonic() + 3
        metrics = ""
        while time.monotonic() < deadline and 'kind="client_gone"' not in metrics:
            time.sleep(0.1)
            metrics = httpx2.get(f"{app.url}/metrics").text
    assert 'summarizer_failures_total{kind="client_gone"} 1.0' in metrics


# -- property-based: every operation of the OpenAPI schema, against the running app ------


@pytest.fixture(scope="module")
def running_for_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    handwritten = (ROOT / "tests" / "fixtures" / "handwritten_seed_summary.json").read_text()
    with FaultServer() as backend:
        backend.script = [Reply(200, completion(handwritten))]
        summarizer = Summarizer(
            base_url=backend.base_url, model="m", cache=False, retry=FAST, max_reasks=0,
            context_window=32768,
        )  # fmt: skip
        with Running(summarizer) as app:
            yield app


def test_the_api_keeps_to_its_openapi_schema(running_for_schema: Running) -> None:
    # Generated from the app's own OpenAPI schema, every operation: any input gets a
    # documented status, the documented content type and a body matching the documented
    # schema (a 502 for an article the scripted backend's summary does not fit is a
    # documented answer).
    schema = schemathesis.openapi.from_url(f"{running_for_schema.url}/openapi.json")
    checks = [status_code_conformance, content_type_conformance, response_schema_conformance]
    tried = 0
    for found in schema.get_all_operations():
        operation = found.ok()  # type: ignore[union-attr]

        @hypothesis.given(case=operation.as_strategy())
        @hypothesis.settings(
            max_examples=12, deadline=None, derandomize=True, database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )  # fmt: skip
        def conforms(case: Any) -> None:
            case.call_and_validate(checks=checks, timeout=30)

        conforms()
        tried += 1
    assert tried == 7  # with GET /v1/schemas


def test_options_per_request_as_in_the_python_api(
    fault_server: FaultServer, tmp_path: Path, seed_body: dict[str, Any], valid_summary_json: str
) -> None:
    fault_server.script = [Reply(200, completion(valid_summary_json))]
    with serve(fault_server, tmp_path) as app:
        url = f"{app.url}/v1/summaries"
        warm = httpx2.post(url, json={**seed_body, "options": {"temperature": 0.5}}, timeout=30)
        elsewhere = httpx2.post(url, json={**seed_body, "options": {"base_url": "http://x/v1"}})
        klingon = httpx2.post(url, json={**seed_body, "options": {"language": "klingon"}})
    assert warm.status_code == 200
    assert fault_server.requests[-1]["json"]["temperature"] == 0.5
    assert elsewhere.status_code == 422  # the backend's address is the service's own
    assert klingon.status_code == 400 and "language" in klingon.json()["error"]["message"]


def test_no_cors_unless_configured(fault_server: FaultServer, tmp_path: Path) -> None:
    preflight = {"origin": "https://news.example", "access-control-request-method": "POST"}
    with serve(fault_server, tmp_path) as app:
        closed = httpx2.options(f"{app.url}/v1/summaries", headers=preflight)
    with serve(fault_server, tmp_path, cors_origins=["https://news.example"]) as app:
        open_ = httpx2.options(f"{app.url}/v1/summaries", headers=preflight)
    assert "access-control-allow-origin" not in closed.headers
    assert open_.headers["access-control-allow-origin"] == "https://news.example"


def test_the_embedded_model_through_the_service_replays_its_cassette(tmp_path: Path) -> None:
    # The recorded embedded-gaza case, asked over HTTP: the same prompt, so the same
    # recorded answer and the same result as the recording's fixture (the cassette plays
    # the model's side; the client's requests to the service, on localhost, go through).
    from summarizer import Article
    from tests.recording import FIXTURES, make_vcr

    seed = ROOT / "seeds" / "gaza-stabilization-force-2025-10-18.txt"
    body = {"text": Article.from_text(seed.read_text()).text, "published": "2025-10-18"}
    with make_vcr("none").use_cassette("embedded-gaza.yaml", ignore_localhost=True):
        summarizer = Summarizer(backend="embedded", cache=False)
        with Running(summarizer) as app:
            result = httpx2.post(f"{app.url}/v1/summaries", json=body, timeout=120).json()
    expected = json.loads((FIXTURES / "embedded-gaza.json").read_text())
    assert result["summary"] == expected["summary"]
    assert result["corrections"] == expected["corrections"]


def test_requests_with_options_are_cached_from_the_first_one(
    fault_server: FaultServer, tmp_path: Path, seed_body: dict[str, Any], valid_summary_json: str
) -> None:
    """The README's own body, sent five times on an empty cache: one model call (#20)."""
    fault_server.script = [Reply(200, completion(valid_summary_json))]
    body = {**seed_body, "options": {"max_reasks": 1}}
    with serve(fault_server, tmp_path) as app:
        answers = [httpx2.post(f"{app.url}/v1/summaries", json=body, timeout=30) for _ in range(5)]
    assert [a.status_code for a in answers] == [200] * 5
    assert [a.json()["provenance"]["cache_hit"] for a in answers] == [False] + [True] * 4
    assert len(fault_server.requests) == 1


def test_a_pasted_header_is_metadata_as_in_the_cli(
    fault_server: FaultServer, tmp_path: Path, seed_text: str
) -> None:
    with serve(fault_server, tmp_path) as app:
        answer = httpx2.post(f"{app.url}/v1/sentences", json={"text": seed_text}, timeout=30)
    first = answer.json()["sentences"][0]["text"]
    assert not first.startswith("date") and first.startswith("Egypt is expected")


def test_the_api_page_works_offline(fault_server: FaultServer, tmp_path: Path) -> None:
    with serve(fault_server, tmp_path) as app:
        page = httpx2.get(f"{app.url}/docs", timeout=30)
        script = httpx2.get(f"{app.url}/docs/assets/swagger-ui-bundle.js", timeout=30)
        css = httpx2.get(f"{app.url}/docs/assets/swagger-ui.css", timeout=30)
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/docs/assets/") for s in sources), sources
    assert script.status_code == 200 and len(script.content) > 100_000
    assert css.status_code == 200
