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
    the cancelled decode still ran). Now the decode is stopped and waited for at exit."""
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
    assert run.returncode == 1, (run.returncode, run.stderr[-2000:])
    (line,) = run.stderr.splitlines()
    assert "within its deadline of 3 s" in line
    assert json.loads(run.stdout)["error"]["type"] == "BackendTimeout"
    assert took < 60  # start-up and model load, the 3 s, and a decode that stops at once


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
