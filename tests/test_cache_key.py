"""The cache key (#22): every setting that changes an answer changes the key, and nothing
else does. A key that missed one would serve a stale answer; one that took in a setting
that changes nothing would only miss the cache. Property-tested with hypothesis over
pairs of settings that differ in one field."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer import Article, Summarizer
from summarizer.keys import cache_key
from tests.conftest import SEED

ARTICLE = Article.from_text(SEED.read_text())
BASE: dict[str, Any] = {"base_url": "http://127.0.0.1:9/v1", "model": "m"}
# A folder of the user's prompts whose "news" shadows the built-in one.
MY_PROMPTS = Path(tempfile.mkdtemp(prefix="my-prompts-"))
(MY_PROMPTS / "news.user.j2").write_text("Summarize: {{ sentences | length }} sentences.")

# Each field that changes what the model is asked, or how its answer is checked, with
# values that differ from the defaults.
CHANGES_THE_ANSWER: dict[str, st.SearchStrategy[Any]] = {
    "base_url": st.sampled_from(["http://127.0.0.1:8/v1", "https://other.example/v1"]),
    "model": st.sampled_from(["m2", "llama3.1", "gpt-4o-mini"]),
    "response_format": st.just("json_object"),
    "temperature": st.floats(0.01, 2.0),
    "top_p": st.floats(0.01, 1.0),
    "seed": st.integers(-(2**31), 2**31),
    "max_tokens": st.integers(1, 100_000),
    "max_reasks": st.sampled_from([0, 1, 3]),
    "policy": st.sampled_from(["flag", "strict"]),
    "prompt": st.just("news-base"),
    "prompts_dir": st.just(MY_PROMPTS),
    "language": st.sampled_from(["fr", "de", "es"]),
    "lists": st.just("extract"),
    "brief_schema": st.sampled_from(
        ["tests.user_briefs:FactCheck", "tests/user_briefs.py:FactCheck"]
    ),
}
# Fields that bound time, concurrency or where things are kept: never the answer.
CHANGES_NOTHING: dict[str, st.SearchStrategy[Any]] = {
    "timeout": st.floats(1, 1000),
    "deadline": st.floats(1, 1000),
    "jobs": st.integers(1, 64),
    "retry": st.builds(dict, max_attempts=st.integers(1, 9)),
    "queue": st.integers(0, 1000),
    "max_request_bytes": st.integers(2048, 10**7),
    "context_window": st.integers(8192, 10**6),
    "format": st.sampled_from(["json", "markdown", "text"]),
    "request_max_reasks": st.integers(0, 10),
    "head_timeout": st.floats(1, 100),
}


def key(**options: Any) -> str:
    """The key under settings (the CLI's and the service's included: a `Summarizer` given
    options refuses those, see test_a_summarizer_refuses_settings_not_its_own)."""
    from summarizer.settings import Settings

    settings = Settings.load(**{**BASE, **options})
    return cache_key(ARTICLE, Summarizer(cache=False, settings=settings).request_identity())


def test_a_summarizer_refuses_settings_not_its_own() -> None:
    from summarizer.errors import ConfigError

    with pytest.raises(ConfigError, match=r"^tokens: a setting of the service, not an option"):
        Summarizer(cache=False, tokens=["x" * 20], **BASE)
    with pytest.raises(ConfigError, match=r"^jobs: a setting of the CLI"):
        Summarizer(cache=False, jobs=2, **BASE)
    with pytest.raises(ConfigError, match=r"^colour: not an option of a Summarizer"):
        Summarizer(cache=False, colour="red", **BASE)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_every_field_that_changes_an_answer_changes_the_key(data: st.DataObject) -> None:
    field = data.draw(st.sampled_from(sorted(CHANGES_THE_ANSWER)))
    value = data.draw(CHANGES_THE_ANSWER[field])
    assert key(**{field: value}) != key(), field


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_nothing_else_changes_the_key(data: st.DataObject) -> None:
    field = data.draw(st.sampled_from(sorted(CHANGES_NOTHING)))
    value = data.draw(CHANGES_NOTHING[field])
    assert key(**{field: value}) == key(), field


def test_the_two_lists_cover_every_setting() -> None:
    """A new setting must be placed on one side or the other (or be the service's, the
    cache's or a secret's, which never reach a request)."""
    from summarizer.settings import Settings

    elsewhere = {"backend", "api_key", "api_key_env", "cache_dir", "cache_url", "cache_ttl",
                 "price", "model_path", "tokens",
                 "cors_origins", "request_max_tokens", "request_max_timeout",
                 "request_max_deadline", "max_connections", "forwarded_allow_ips",
                 "schemas"}  # fmt: skip
    placed = set(CHANGES_THE_ANSWER) | set(CHANGES_NOTHING) | elsewhere
    assert set(Settings.model_fields) == placed


def test_the_article_its_metadata_and_given_language_change_the_key() -> None:
    summarizer = Summarizer(cache=False, **BASE)
    identity = summarizer.request_identity()
    text = SEED.read_text()
    keys = {
        cache_key(Article.from_text(text), identity),
        cache_key(Article.from_text(text + " One more sentence."), identity),
        cache_key(Article.from_text(text, title="A title"), identity),
        cache_key(Article.from_text(text, source="Another source"), identity),
        cache_key(Article.from_text(text, language="en"), identity),
    }
    assert len(keys) == 5


def test_the_embedded_decoder_version_and_model_file_change_the_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    pytest.importorskip("llama_cpp", reason="the embedded backend's identity needs [local]")
    from summarizer.local import decode

    embedded = Summarizer(cache=False, backend="embedded").request_identity()
    monkeypatch.setattr(decode, "DECODER_VERSION", decode.DECODER_VERSION + "-next")
    newer = Summarizer(cache=False, backend="embedded").request_identity()
    gguf = tmp_path / "mine.gguf"
    gguf.write_bytes(b"GGUF")
    own = Summarizer(cache=False, backend="embedded", model_path=gguf).request_identity()
    keys = {cache_key(ARTICLE, identity) for identity in (embedded, newer, own)}
    assert len(keys) == 3


def test_the_key_format_is_pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    """A change to how the key is built (a renamed field, another separator) silently
    empties every user's cache: it must be deliberate. Update the value here when it is."""
    from summarizer import keys

    monkeypatch.setattr(keys, "segmenter_id", lambda: "segmenters-pinned")
    article = Article(text="One sentence in Zürich. Another one.", title="T", language="en")
    assert keys.cache_key(article, {"model": "m", "sampling": {"temperature": 0}}) == (PINNED_KEY)
    chunk = keys.chunk_key(article, {"model": "m"}, [(1, "One sentence in Zürich.")])
    assert chunk != keys.cache_key(article, {"model": "m"})
    assert chunk == PINNED_CHUNK_KEY


PINNED_KEY = "c3a58b95c9b052dba6c6b815b81c7623a1214f3c708786d58d91db49943a37a9"
PINNED_CHUNK_KEY = "62387a58f2f3061ae2c3c3d7d24e238b3bc11d962422a835777ce60fcc803922"


@pytest.mark.parametrize("lists", ["write", "extract"])
def test_every_prompt_that_may_answer_is_in_the_key(lists: str) -> None:
    """Which prompt makes the answer is the article's to decide (a long one's overview, a
    French one written rather than chosen): a change to any of them changes the key. The
    choosing prompt counts only where the lists are chosen."""
    import copy
    from dataclasses import replace

    summarizer = Summarizer(cache=False, lists=lists)
    base = summarizer.key_of(ARTICLE)
    for name in ("prompt", "overview_prompt", "choose_prompt"):
        other = copy.copy(summarizer)
        changed = replace(getattr(summarizer, name), version="changed")
        setattr(other, name, changed)
        counts = name != "choose_prompt" or lists == "extract"
        assert (other.key_of(ARTICLE) != base) is counts, name
