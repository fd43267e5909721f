"""The result cache: hits, misses, refresh, bypass, and what the key covers."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from summarizer import Summarizer, SummaryValidationError, prompts
from summarizer.cache import ResultCache
from tests.conftest import FaultServer, Reply, completion


def make(server: FaultServer, cache_dir: Path, **options: object) -> Summarizer:
    return Summarizer(
        base_url=server.base_url,
        model="test-model",
        cache_dir=str(cache_dir),
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture
def served(fault_server: FaultServer, valid_summary_json: str) -> FaultServer:
    fault_server.script = [Reply(200, completion(valid_summary_json))]
    return fault_server


def test_second_call_is_a_hit_with_no_request(
    served: FaultServer, seed_text: str, tmp_path: Path
) -> None:
    first = make(served, tmp_path).summarize(seed_text)
    second = make(served, tmp_path).summarize(seed_text)  # a new instance: the cache is on disk
    assert len(served.requests) == 1
    assert not first.cache_hit and second.cache_hit
    assert second.brief == first.brief
    assert second.provenance.cache_key == first.provenance.cache_key
    assert second.provenance.attempts == 0


def test_refresh_calls_again_and_no_cache_neither_reads_nor_writes(
    served: FaultServer, seed_text: str, tmp_path: Path
) -> None:
    make(served, tmp_path).summarize(seed_text)
    assert not make(served, tmp_path, refresh=True).summarize(seed_text).cache_hit
    assert len(served.requests) == 2
    make(served, tmp_path / "other", cache=False).summarize(seed_text)
    assert not (tmp_path / "other").exists()


@pytest.mark.parametrize(
    "change",
    [
        {"temperature": 0.7},
        {"top_p": 0.9},
        {"seed": 7},
        {"max_tokens": 900},
        {"model": "other-model"},
        {"response_format": "json_object"},
        {"max_reasks": 1},
    ],
)
def test_key_changes_with_every_parameter(
    served: FaultServer, seed_text: str, tmp_path: Path, change: dict[str, Any]
) -> None:
    base = make(served, tmp_path).summarize(seed_text)
    options: dict[str, Any] = {"model": "test-model", **change}
    other = Summarizer(base_url=served.base_url, cache_dir=str(tmp_path), **options).summarize(
        seed_text
    )
    assert other.provenance.cache_key != base.provenance.cache_key
    assert not other.cache_hit


def test_key_changes_with_base_url_article_and_metadata(
    served: FaultServer, seed_text: str, tmp_path: Path
) -> None:
    s = make(served, tmp_path)
    keys = {
        s.summarize(seed_text).provenance.cache_key,
        s.summarize(seed_text + " Extra.").provenance.cache_key,
        s.summarize(seed_text, title="A title").provenance.cache_key,
    }
    assert len(keys) == 3


def test_editing_a_prompt_template_misses_the_cache(
    served: FaultServer, seed_text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "prompts"
    shutil.copytree(prompts.prompt_dir(), copy)
    monkeypatch.setattr(prompts, "prompt_dir", lambda: copy)
    prompts._load.cache_clear()
    first = make(served, tmp_path / "cache").summarize(seed_text)
    system = copy / "news.system.j2"
    system.write_text(system.read_text() + "\nBe brief.\n")
    prompts._load.cache_clear()
    second = make(served, tmp_path / "cache").summarize(seed_text)
    prompts._load.cache_clear()
    assert not second.cache_hit
    assert first.provenance.cache_key != second.provenance.cache_key
    assert "Be brief." in served.requests[-1]["json"]["messages"][0]["content"]


def test_only_validated_results_are_stored(
    fault_server: FaultServer, seed_text: str, tmp_path: Path
) -> None:
    fault_server.script = [Reply(200, completion('{"title": ""}'))]
    with pytest.raises(SummaryValidationError):
        make(fault_server, tmp_path, max_reasks=0).summarize(seed_text)
    assert len(ResultCache(tmp_path)) == 0


def test_one_shot_summarize_reuses_its_summarizer(
    served: FaultServer, seed_text: str, tmp_path: Path
) -> None:
    from summarizer import summarize

    options = {"base_url": served.base_url, "model": "test-model", "cache_dir": str(tmp_path)}
    assert not summarize(seed_text, **options).cache_hit
    assert summarize(seed_text, **options).cache_hit
    assert len(served.requests) == 1
