"""summarizer.batch_api and `summarizer batch`: request files in the Batch API's format,
the batch's answers checked as live ones, follow-ups, and the Files and Batches endpoints."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summarizer import Summarizer, batch_api
from summarizer.cli import app
from summarizer.testing import comparable
from tests.conftest import SEED, FaultServer, Reply, completion, write_articles

OPTIONS = ["--backend", "openai", "--model", "gpt-4o-mini"]


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch, fault_server: FaultServer) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-batch")
    monkeypatch.setenv("OPENAI_BASE_URL", fault_server.base_url)


def _manifest(requests: Path) -> str:
    return str(batch_api.manifest_path(requests))


def _cli(*args: str) -> Any:
    return CliRunner().invoke(app, [*args])


def _prepare(tmp_path: Path, count: int, *extra: str) -> tuple[Path, list[dict[str, Any]]]:
    folder = write_articles(tmp_path / "in", count)
    requests = tmp_path / "requests.jsonl"
    run = _cli("batch", "prepare", str(folder), "-o", str(requests), *OPTIONS, *extra)
    assert run.exit_code == 0, run.output
    return requests, [json.loads(line) for line in requests.read_text().splitlines()]


def _output_line(custom_id: str, body: dict[str, Any], n: int) -> str:
    """A line of a batch's output file, as the Batch API documents it."""
    return json.dumps({"id": f"batch_req_{n}", "custom_id": custom_id,
                       "response": {"status_code": 200, "request_id": f"req_{n}", "body": body},
                       "error": None})  # fmt: skip


def _error_line(custom_id: str, code: str, message: str, n: int) -> str:
    """A line of a batch's error file: an expired request, or one that failed."""
    return json.dumps({"id": f"batch_req_{n}", "custom_id": custom_id, "response": None,
                       "error": {"code": code, "message": message}})  # fmt: skip


def test_request_lines_are_in_the_documented_format_and_are_the_live_calls(
    fault_server: FaultServer, valid_summary_json: str, tmp_path: Path
) -> None:
    requests, lines = _prepare(tmp_path, 3)
    assert not fault_server.requests  # preparing calls no model
    for line in lines:
        assert set(line) == {"custom_id", "method", "url", "body"}
        assert line["method"] == "POST" and line["url"] == "/v1/chat/completions"
        assert isinstance(line["custom_id"], str) and line["body"]["model"] == "gpt-4o-mini"
        form = line["body"]["response_format"]
        assert form["type"] == "json_schema" and form["json_schema"]["strict"] is True
    assert len({line["custom_id"] for line in lines}) == 3  # unique, as the API requires
    # The body is byte for byte what a live call of the same article sends.
    fault_server.script = [Reply(200, completion(valid_summary_json))]
    article = (tmp_path / "in" / "a001.txt").read_text()
    with Summarizer(backend="openai", model="gpt-4o-mini", cache=False) as live:
        live.summarize(article)
    assert fault_server.requests[0]["json"] == lines[1]["body"]
    manifest = batch_api.manifest_path(requests)
    assert [json.loads(m)["custom_id"] for m in manifest.read_text().splitlines()] == [
        line["custom_id"] for line in lines
    ]


def test_the_same_article_twice_is_one_request_and_a_cached_one_none(
    fault_server: FaultServer, valid_summary_json: str, tmp_path: Path
) -> None:
    folder = write_articles(tmp_path / "in", 2)
    (folder / "a002.txt").write_text((folder / "a000.txt").read_text())  # a copy
    fault_server.script = [Reply(200, completion(valid_summary_json))]
    with Summarizer(backend="openai", model="gpt-4o-mini") as live:  # fills the cache
        live.summarize((folder / "a001.txt").read_text())
    run = _cli("batch", "prepare", str(folder), "-o", str(tmp_path / "r.jsonl"), *OPTIONS)
    assert run.exit_code == 0, run.output
    assert len((tmp_path / "r.jsonl").read_text().splitlines()) == 1
    assert "wrote 1 request(s)" in run.output and "(1 already cached)" in run.output
    assert "estimated cost at batch prices: $" in run.output
    (line,) = [json.loads(raw) for raw in (tmp_path / "r.jsonl").read_text().splitlines()]
    output = tmp_path / "output.jsonl"
    output.write_text(_output_line(line["custom_id"], completion(valid_summary_json), 0))
    run = _cli("batch", "collect", str(output), "--articles", str(tmp_path / "r.articles.jsonl"),
               "-o", str(tmp_path / "out"), *OPTIONS)  # fmt: skip
    assert run.exit_code == 0, run.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "a000.json",
        "a001.json",
        "a002.json",
    ]  # every input has its result: the copy shares its original's, the cached one its own
    assert len(fault_server.requests) == 1  # the live call that filled the cache, only


def test_a_file_past_the_apis_limits_is_split(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch_api, "MAX_REQUESTS", 2)
    requests, _ = _prepare(tmp_path, 5)
    parts = [requests, tmp_path / "requests.2.jsonl", tmp_path / "requests.3.jsonl"]
    assert [len(p.read_text().splitlines()) for p in parts] == [2, 2, 1]
    monkeypatch.setattr(batch_api, "MAX_REQUESTS", 50_000)
    size = len(requests.read_text().splitlines()[0]) + 1
    monkeypatch.setattr(batch_api, "MAX_BYTES", 2 * size + 10)
    _prepare(tmp_path, 5)
    assert len(requests.read_text().encode()) <= 2 * size + 10


def test_collect_gives_the_results_a_live_call_gives(
    fault_server: FaultServer, valid_summary_json: str, tmp_path: Path
) -> None:
    """Twenty articles through a batch, then the same live: equal results, no model call
    while collecting, and the cache filled."""
    requests, lines = _prepare(tmp_path, 20)
    answer = completion(valid_summary_json, prompt_tokens=1000, completion_tokens=500)
    output = tmp_path / "output.jsonl"
    output.write_text("".join(_output_line(line["custom_id"], answer, n) + "\n"
                              for n, line in enumerate(lines)))  # fmt: skip
    run = _cli("batch", "collect", str(output), "--articles",
               _manifest(requests), "-o", str(tmp_path / "out"), *OPTIONS)  # fmt: skip
    assert run.exit_code == 0, run.output
    assert not fault_server.requests
    collected = {p.stem: json.loads(p.read_text()) for p in (tmp_path / "out").iterdir()}
    assert sorted(collected) == [f"a{n:03}" for n in range(20)]
    fault_server.script = [Reply(200, answer)]
    for name in ("a000", "a019"):
        with Summarizer(backend="openai", model="gpt-4o-mini", cache=False) as live:
            made = live.summarize((tmp_path / "in" / f"{name}.txt").read_text())
        found = collected[name]
        assert found["summary"] == comparable(made)["summary"]
        assert found["grounding"] == comparable(made)["grounding"]
        assert found["corrections"] == comparable(made)["corrections"]
        # half the live price: the batch's
        assert found["provenance"]["cost_usd"] == pytest.approx((made.provenance.cost_usd or 0) / 2)
    with Summarizer(backend="openai", model="gpt-4o-mini") as cached:
        assert cached.summarize((tmp_path / "in" / "a005.txt").read_text()).cache_hit


def test_expired_and_failed_lines_are_asked_live_or_written_for_another_batch(
    fault_server: FaultServer, valid_summary_json: str, tmp_path: Path
) -> None:
    requests, lines = _prepare(tmp_path, 3)
    manifest = _manifest(requests)
    answer = completion(valid_summary_json)
    output, errors = tmp_path / "output.jsonl", tmp_path / "errors.jsonl"
    output.write_text(_output_line(lines[0]["custom_id"], answer, 0) + "\n")
    errors.write_text(
        _error_line(lines[1]["custom_id"], "batch_expired",
                    "This request could not be executed before the completion window "
                    "expired.", 1) + "\n"
        + json.dumps({"id": "batch_req_2", "custom_id": lines[2]["custom_id"],
                      "response": {"status_code": 500, "request_id": "r",
                                   "body": {"error": {"message": "server error"}}},
                      "error": None}) + "\n"
    )  # fmt: skip
    later = tmp_path / "later.jsonl"
    out = str(tmp_path / "out")
    held = _cli("batch", "collect", str(output), str(errors), "--articles", manifest,
                "--no-live", "--follow-up", str(later), "-o", out, *OPTIONS)  # fmt: skip
    assert held.exit_code == 1 and not fault_server.requests
    assert "no answer in the batch (batch_expired: This request could not" in held.output
    assert "no answer in the batch (status 500: server error)" in held.output
    again = [json.loads(line) for line in later.read_text().splitlines()]
    assert [line["body"] for line in again] == [lines[1]["body"], lines[2]["body"]]
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["a000.json"]
    fault_server.script = [Reply(200, answer)]
    asked = _cli("batch", "collect", str(output), str(errors), "--articles", manifest,
                 "-o", str(tmp_path / "out"), *OPTIONS)  # fmt: skip
    assert asked.exit_code == 0, asked.output
    assert len(fault_server.requests) == 2  # the two without an answer, live
    assert len(list((tmp_path / "out").iterdir())) == 3


def test_an_answer_that_fails_the_checks_is_re_asked_in_the_next_batch(
    fault_server: FaultServer, valid_summary_json: str, tmp_path: Path
) -> None:
    """Under --no-live, the re-ask (the answer and what was wrong with it) goes to a
    follow-up file; collecting that batch's answer replays both, with no model call."""
    requests, lines = _prepare(tmp_path, 1)
    wrong = json.loads(valid_summary_json)
    wrong["tldr"] = "Brazil will lead 40,000 troops in Gaza."
    output = tmp_path / "output.jsonl"
    output.write_text(_output_line(lines[0]["custom_id"], completion(json.dumps(wrong)), 0))
    later = tmp_path / "later.jsonl"
    run = _cli("batch", "collect", str(output), "--articles",
               _manifest(requests), "--no-live", "--follow-up", str(later),
               *OPTIONS)  # fmt: skip
    assert run.exit_code == 1 and "the batch's answer failed the checks; its re-ask" in run.output
    (reask,) = [json.loads(line) for line in later.read_text().splitlines()]
    sent = reask["body"]["messages"]
    assert sent[: len(lines[0]["body"]["messages"])] == lines[0]["body"]["messages"]
    assert "Brazil" in json.dumps(sent[len(lines[0]["body"]["messages"]) :])  # what it said
    answered = tmp_path / "later.output.jsonl"
    answered.write_text(_output_line(reask["custom_id"], completion(valid_summary_json), 0))
    done = _cli("batch", "collect", str(answered), "--articles",
                _manifest(later), "-o", str(tmp_path / "out"), *OPTIONS)  # fmt: skip
    assert done.exit_code == 0, done.output
    assert not fault_server.requests
    result = json.loads((tmp_path / "out" / "a000.json").read_text())
    assert result["provenance"]["attempts"] == 2


def test_preparing_needs_no_key_and_submitting_says_it_needs_one(
    valid_summary_json: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """#36: the README's `summarizer batch prepare a.txt -o requests.jsonl` exited 2 with no
    OPENAI_API_KEY, though it only writes a file: it writes OpenAI's requests, the same as
    with a key. Collecting their answers with --no-live sends nothing either; submit,
    status and fetch say in one line that they need the key."""
    monkeypatch.delenv("OPENAI_BASE_URL")
    folder = write_articles(tmp_path / "in", 2)
    keyed = _cli("batch", "prepare", str(folder), "-o", str(tmp_path / "keyed.jsonl"))
    assert keyed.exit_code == 0, keyed.output
    monkeypatch.delenv("OPENAI_API_KEY")
    requests = tmp_path / "requests.jsonl"
    run = _cli("batch", "prepare", str(folder), "-o", str(requests))
    assert run.exit_code == 0, run.output
    assert requests.read_text() == (tmp_path / "keyed.jsonl").read_text()
    named = _cli("batch", "prepare", str(folder), "-o", str(tmp_path / "named.jsonl"),
                 "--backend", "openai")  # fmt: skip
    assert named.exit_code == 0, named.output  # it said: the openai backend needs an API key
    lines = [json.loads(line) for line in requests.read_text().splitlines()]
    assert [line["body"]["model"] for line in lines] == ["gpt-4o-mini"] * 2
    assert lines[0]["body"]["response_format"]["json_schema"]["strict"] is True
    output = tmp_path / "output.jsonl"
    output.write_text("".join(_output_line(line["custom_id"], completion(valid_summary_json), n)
                              + "\n" for n, line in enumerate(lines)))  # fmt: skip
    out = tmp_path / "out"
    collected = _cli("batch", "collect", str(output), "--articles", _manifest(requests),
                     "--no-live", "-o", str(out))  # fmt: skip
    assert collected.exit_code == 0, collected.output
    assert sorted(p.name for p in out.iterdir()) == ["a000.json", "a001.json"]
    for command in (["submit", str(requests)], ["status", "batch_1"], ["fetch", "batch_1"]):
        refused = _cli("batch", *command)
        assert refused.exit_code == 2
        assert (
            refused.output == "summarizer: the Batch API needs an OpenAI key: set OPENAI_API_KEY\n"
        )


def test_collecting_with_other_settings_than_prepared_is_refused(tmp_path: Path) -> None:
    requests, lines = _prepare(tmp_path, 1)
    output = tmp_path / "output.jsonl"
    output.write_text(_output_line(lines[0]["custom_id"], completion("{}"), 0))
    run = _cli("batch", "collect", str(output), "--articles",
               _manifest(requests), *OPTIONS, "--temperature", "0.5")  # fmt: skip
    assert run.exit_code == 1
    assert "its request is not the one prepared" in run.output


def test_bad_input_is_one_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.jsonl"
    junk.write_text("not json\n")
    run = _cli("batch", "collect", str(junk), "--articles", str(junk), *OPTIONS)
    assert run.exit_code == 2 and "junk.jsonl:1: not a line of a batch's output" in run.output
    run = _cli("batch", "prepare", str(SEED), "-o", str(tmp_path / "r.jsonl"), "--backend",
               "embedded")  # fmt: skip
    assert run.exit_code == 2 and "the embedded model has none" in run.output
    assert "Traceback" not in run.output


class FakeBatches:
    """OpenAI's Files and Batches endpoints, as far as submit, status and fetch use them."""

    def __init__(self) -> None:
        self.uploads: list[bytes] = []
        self.created: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def _send(self, payload: Any, content: bytes | None = None) -> None:
                data = content if content is not None else json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                if self.path.endswith("/files"):
                    fake.uploads.append(body)
                    self._send({"id": "file-in", "object": "file", "bytes": len(body),
                                "created_at": 0, "filename": "r.jsonl", "purpose": "batch",
                                "status": "processed"})  # fmt: skip
                else:
                    fake.created.append(json.loads(body))
                    self._send(fake.batch("validating"))

            def do_GET(self) -> None:
                if self.path.endswith("/content"):
                    self._send(None, b'{"custom_id": "x"}\n')
                else:
                    self._send(fake.batch("completed"))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def batch(self, status: str) -> dict[str, Any]:
        return {"id": "batch_1", "object": "batch", "endpoint": "/v1/chat/completions",
                "input_file_id": "file-in", "completion_window": "24h", "created_at": 0,
                "status": status, "output_file_id": "file-out", "error_file_id": None,
                "request_counts": {"total": 1, "completed": 1, "failed": 0}}  # fmt: skip


@pytest.fixture
def fake_batches() -> Iterator[FakeBatches]:
    fake = FakeBatches()
    yield fake
    fake.httpd.shutdown()
    fake.httpd.server_close()


def test_submit_status_and_fetch_drive_the_files_and_batches_endpoints(
    tmp_path: Path, fake_batches: FakeBatches, monkeypatch: pytest.MonkeyPatch
) -> None:
    requests, _ = _prepare(tmp_path, 1)
    monkeypatch.setenv("OPENAI_BASE_URL", fake_batches.base_url)
    submitted = _cli("batch", "submit", str(requests))
    assert submitted.exit_code == 0, submitted.output
    assert submitted.output.strip() == "batch_1"
    assert requests.read_bytes() in fake_batches.uploads[0]  # the file, uploaded whole
    assert fake_batches.created[0]["endpoint"] == "/v1/chat/completions"
    assert fake_batches.created[0]["completion_window"] == "24h"
    status = _cli("batch", "status", "batch_1")
    assert status.output.strip() == "batch_1: completed (1/1 done, 0 failed)"
    fetched = _cli("batch", "fetch", "batch_1", "-o", str(tmp_path))
    assert fetched.exit_code == 0, fetched.output
    assert (tmp_path / "batch_1.output.jsonl").read_text() == '{"custom_id": "x"}\n'
