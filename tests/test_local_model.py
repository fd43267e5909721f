"""The embedded model, for real: no cassette, no network. Needs `summarizer[local]`.

Deselect locally with `-m "not local_model"`; CI runs it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer import Article, ArticleSummary, Summarizer
from summarizer.checks.scope import article_scope

pytestmark = pytest.mark.local_model


def test_embedded_model_summarizes_a_real_article() -> None:
    # An article whose answer from the default model passes validation (as recorded in
    # cassettes/embedded-bls-employment-2000-09.yaml).
    pytest.importorskip("llama_cpp", reason="install summarizer[local]")
    seed_text = (
        Path(__file__).parent.parent / "seeds" / "bls-employment-situation-2000-09.txt"
    ).read_text()
    result = Summarizer(cache=False).summarize(seed_text)
    assert result.provenance.backend == "embedded"
    assert result.provenance.attempts >= 1 and result.provenance.usage.completion_tokens > 0
    # The result is valid against the article it came from, checked independently here.
    sentences = [s.text for s in Article.from_text(seed_text).sentences]
    with article_scope(sentences):
        ArticleSummary.model_validate(result.brief.model_dump())


def test_embedded_server_answers_the_openai_protocol() -> None:
    pytest.importorskip("llama_cpp", reason="install summarizer[local]")
    import httpx2

    from summarizer.local.transport import EmbeddedTransport

    schema = {
        "type": "object",
        "properties": {"answer": {"type": "string", "maxLength": 20}},
        "required": ["answer"],
    }
    body = {
        "model": "gemma-3-270m-q4_k_m",  # the base model: the smaller, faster one to load
        "messages": [{"role": "user", "content": "The capital of France is Paris.\n\nJSON:"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "A", "schema": schema}},
        "max_tokens": 40,
    }
    with httpx2.Client(transport=EmbeddedTransport(), base_url="http://embedded/v1") as client:
        reply = client.post("/chat/completions", json=body)
        assert reply.status_code == 200
        data = reply.json()
        assert data["object"] == "chat.completion"
        assert set(json.loads(data["choices"][0]["message"]["content"])) == {"answer"}
        assert data["usage"]["completion_tokens"] > 0
        assert client.post("/embeddings", json={}).status_code == 404
        assert client.post("/chat/completions", content=b"{not json").status_code == 400


def test_missing_model_file_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from summarizer import ConfigError, resolve
    from summarizer.local import model

    monkeypatch.setenv("SUMMARIZER_MODEL_PATH", str(tmp_path / "absent.gguf"))
    backend = resolve()  # the setting reaches the embedded backend, and its cache key
    assert backend.model_path == tmp_path / "absent.gguf"
    assert backend.identity()["model_path"] == str(tmp_path / "absent.gguf")
    with pytest.raises(ConfigError, match="does not exist"):
        model.ensure_model_file(given=backend.model_path)


@pytest.mark.parametrize("name", ["qwen2.5-coder-0.5b-instruct-q4_k_m", "gemma-3-270m-q4_k_m"])
def test_corrupt_model_file_is_assembled_again(  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch, tmp_path, name: str
) -> None:
    from summarizer.local import model

    entry = model.model_file(name)
    for package in entry.packages:
        pytest.importorskip(package.replace("-", "_"), reason="install summarizer[local]")
    monkeypatch.delenv("SUMMARIZER_MODEL_PATH", raising=False)
    import platformdirs

    monkeypatch.setattr(platformdirs, "user_cache_dir", lambda _name: str(tmp_path))
    path = model.model_path(name)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a model")
    assert model.ensure_model_file(name) == path
    assert path.stat().st_size > 200_000_000
    assert model._sha256(path) == entry.sha256


def test_an_unknown_embedded_model_is_a_clear_error() -> None:
    from summarizer import ConfigError
    from summarizer.local import model

    with pytest.raises(ConfigError, match="choose one of: qwen"):
        model.model_file("llama-7b")


def test_a_deadline_ends_the_embedded_model_with_one_line_not_a_crash(tmp_path: Path) -> None:
    """#20: after the deadline the process died with a segfault (llama.cpp torn down while
    the cancelled decode still ran). Now the decode is stopped and waited for at exit. A
    deadline that passes while the model writes leaves a brief made without it (#36); one
    that passes before (the model still loading, the article still parsed) fails it."""
    pytest.importorskip("llama_cpp", reason="install summarizer[local]")
    import os
    import subprocess
    import sys
    import time

    seed = Path(__file__).parent.parent / "seeds" / "gaza-stabilization-force-2025-10-18.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "summarizer.cli", "summarize", "--no-cache", "-q",
         "--deadline", "3", str(seed)],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    took = time.monotonic() - started
    row = json.loads(run.stdout)
    if run.returncode == 0:
        assert not run.stderr, run.stderr[-2000:]
        assert all("made without the model" in c["reason"] for c in row["corrections"])
    else:
        assert run.returncode == 1, (run.returncode, run.stderr[-2000:])
        (line,) = run.stderr.splitlines()
        assert "within its deadline of 3 s" in line
        assert row["error"]["type"] == "BackendTimeout"
    assert took < 60  # start-up and model load, the 3 s, and a decode that stops at once


def test_a_cancelled_generation_stops_inside_the_prompt_batch_it_is_reading() -> None:
    """#36: Ctrl-C took 10 to 15 s to end the process: a cancelled generation went on to
    the end of the prompt batch it was in (512 tokens: seconds on a loaded machine). Now
    llama.cpp itself stops the batch. Measured against one batch in the same run."""
    pytest.importorskip("llama_cpp", reason="install summarizer[local]")
    import threading
    import time

    from summarizer.local import model
    from summarizer.local.decode import Generation, generate
    from summarizer.local.pace import Pace
    from summarizer.local.transport import Stop

    class Batches(Pace):  # the times of the batches read, as the clock reports them
        def __init__(self) -> None:
            super().__init__()
            self.times: list[float] = []

        def read(self, tokens: int, seconds: float) -> None:
            self.times.append(seconds)
            super().read(tokens, seconds)

    loaded = model.load()
    llm = loaded.llm
    text = (Path(__file__).parent.parent / "seeds" / "weedin-v-chin-bow-1927.txt").read_text()
    prompt = "\n".join([text] * 4)  # several batches
    stop, batches = Stop(), Batches()
    gens: list[Generation] = []

    def work() -> None:
        llm.n_tokens = 0  # nothing reused: every batch is read
        gens.append(generate(loaded, prompt, grammar=None, max_tokens=8, pace=batches,
                             cancelled=stop.is_set, abort=stop.flag))  # fmt: skip

    thread = threading.Thread(target=work)
    thread.start()
    while not batches.times and thread.is_alive():
        time.sleep(0.005)
    batch_s = batches.times[0]
    time.sleep(batch_s * 0.2)  # early in the second batch
    asked = time.perf_counter()
    stop.set()
    thread.join(60)
    stopped_s = time.perf_counter() - asked
    assert gens[0].finish_reason == "cancelled"
    assert stopped_s < batch_s / 4, (stopped_s, batch_s)
    # The context still works: the next generation reads the prompt from where it can.
    again = generate(loaded, "The capital of France is", grammar=None, max_tokens=3)
    assert again.completion_tokens > 0


def test_a_generation_slower_than_its_work_allows_leaves_a_brief_made_without_the_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The bound on a generation is its work at the measured pace times a margin: with no
    margin and no slack, every generation is over it at its first batch. The article still
    gets a brief, in its own words, with a correction naming the bound."""
    pytest.importorskip("llama_cpp", reason="install summarizer[local]")
    from summarizer.local import pace

    monkeypatch.setattr(pace, "MARGIN", 0.0)
    monkeypatch.setattr(pace, "SLACK_S", 0.0)
    seed = Path(__file__).parent.parent / "seeds" / "nasa-holdren-spacex-launch-2012.txt"
    result = Summarizer(cache=False).summarize(seed.read_text())
    reasons = [c.reason for c in result.corrections]
    assert len(reasons) == 3 and all("made without the model" in r for r in reasons), reasons
    assert "its work allows at this machine's pace" in reasons[0]
    assert result.grounding is not None and not result.grounding.errors


def test_a_sentence_at_its_word_cap_ends_rather_than_gluing_words() -> None:
    """At a pattern's word cap the grammar allows no new word. Left to its favourite
    allowed token the model glued its next words on ("tomakeilateralDecisions", the
    seed's brief); now it ends the sentence there with a bare period."""
    pytest.importorskip("llama_cpp", reason="install summarizer[local]")
    from summarizer.local import model
    from summarizer.local.decode import generate
    from summarizer.local.grammar import grammar_for
    from summarizer.shapes import sentence_pattern

    sentence = (
        "Hamas said the rest of the plan would require discussions within a unified "
        "national framework and that it was not mandated to make unilateral decisions."
    )
    schema = {
        "type": "object",
        "properties": {"copy": {"type": "string", "pattern": f"^{sentence_pattern(8)}$"}},
        "required": ["copy"],
    }
    prompt = (
        "<|im_start|>user\nCopy this sentence word for word into the JSON field copy:\n"
        f"{sentence}<|im_end|>\n<|im_start|>assistant\n"
    )
    gen = generate(
        model.load(), [(prompt, True)], grammar=grammar_for(json.dumps(schema)), max_tokens=60
    )
    copied = json.loads(gen.text)["copy"]
    words = copied.split()
    assert len(words) <= 8 and copied.endswith("."), copied
    assert all(w.strip(".") in sentence.split() for w in words), copied  # none glued
