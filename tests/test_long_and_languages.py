"""Long articles (context window, chunks, merge) and articles in other languages (#14)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from summarizer import Article, Summarizer, SummarizerError, check
from summarizer.brief import layout
from summarizer.budget import Budget, estimate_tokens, openai_window, reported_window
from summarizer.chunking import merge, plan
from summarizer.errors import ChunkError
from summarizer.language import code_of, detect, name_of
from summarizer.schema import ArticleSummary
from summarizer.segment import segment
from tests.conftest import FaultServer, Reply, completion

FOREIGN = Path(__file__).parent / "fixtures" / "foreign"
FRENCH = FOREIGN / "fr-wikinews-seisme-chili-2010.txt"
GERMAN = FOREIGN / "de-wikinews-wikipedia-wissenschaftsjournalismus-2005.txt"

# -- the context window and counting ----------------------------------------------------


def test_the_window_of_known_openai_models_and_of_what_servers_report() -> None:
    assert openai_window("gpt-4o-mini") == 128_000
    assert openai_window("gpt-4.1-nano") == 1_047_576  # the longest prefix wins
    assert openai_window("my-llama") is None
    vllm = {"data": [{"id": "qwen", "max_model_len": 32768}, {"id": "other", "max_model_len": 8}]}
    assert reported_window(vllm, "qwen") == 32768
    llama_cpp = {"data": [{"id": "x.gguf", "meta": {"n_ctx_train": 131072}}]}
    assert reported_window(llama_cpp, "whatever") == 131072  # the only model served
    assert reported_window({"data": [{"id": "a"}, {"id": "b"}]}, "c") is None
    assert reported_window("not json", "c") is None


def test_the_token_estimate_errs_high_for_english() -> None:
    # About 4.2 bytes a token in English news (Qwen's tokenizer on news_dev); 3 is safe.
    text = "The council voted on Tuesday to close the library, a spokesperson said. " * 20
    assert estimate_tokens(text) >= len(text) / 4.2
    budget = Budget(window=4096, answer=1024, count=estimate_tokens)
    assert budget.usable == int(4096 / 1.05)
    assert budget.tokens([{"role": "user", "content": "abc"}]) == 1 + 4
    # A re-ask resends the prompt with the answer it corrects: as many as fit, no more.
    assert budget.reasks(prompt=100, wanted=2) == 2
    assert budget.reasks(prompt=1000, wanted=2) == 1
    assert budget.reasks(prompt=2700, wanted=2) == 0
    assert budget.chunk_room(overhead=300) == int(4096 / 1.05) - 300 - 1024
    assert Budget(window=1400, answer=1024, count=estimate_tokens).chunk_room(300) == 0


# -- chunks --------------------------------------------------------------------------------


def test_plan_fills_chunks_in_order_and_evens_out_the_last_two() -> None:
    assert plan([10] * 5, 100) == [range(0, 5)]
    assert plan([10] * 14, 120) == [range(0, 7), range(7, 14)]
    chunks = plan([10] * 30, 120)
    assert chunks[0] == range(0, 12)  # unchanged by what comes after it
    assert [len(c) for c in chunks] == [12, 9, 9]
    with pytest.raises(ChunkError, match="S2 alone"):
        plan([10, 500, 10], 120)


def _findings(summary_json: str, **changes: Any) -> dict[str, Any]:
    """The lists of a summary: what a chunk is asked for (`schema.Findings`)."""
    data = json.loads(summary_json)
    return {k: v for k, v in {**data, **changes}.items() if k not in ("title", "tldr", "summary")}


def test_merge_joins_the_same_entity_and_keeps_each_list_within_its_maximum(
    valid_summary_json: str,
) -> None:
    data = json.loads(valid_summary_json)
    first = _findings(valid_summary_json)
    other = dict(data["entities"][0], sentences=[9])  # the same entity, cited elsewhere
    second = _findings(valid_summary_json, entities=[other])
    merged = merge([first, second], layout(ArticleSummary))
    names = [e["name"] for e in merged["entities"]]
    assert names.count(other["name"]) == 1
    joined = next(e for e in merged["entities"] if e["name"] == other["name"])
    assert 9 in joined["sentences"] and set(data["entities"][0]["sentences"]) <= set(
        joined["sentences"]
    )
    assert len(merged["key_points"]) == len(data["key_points"])  # said twice, kept once
    assert len(merged["key_points"]) <= 7 and len(merged["entities"]) <= 20


def _overview(valid_summary_json: str) -> str:
    data = json.loads(valid_summary_json)
    return json.dumps({k: data[k] for k in ("title", "tldr", "summary")})


def _chunk_answer(valid_summary_json: str) -> Reply:
    return Reply(200, completion(json.dumps(_findings(valid_summary_json))))


SMALL: dict[str, Any] = {"context_window": 1100, "max_tokens": 300, "max_reasks": 0}


def test_a_long_article_is_summarized_in_chunks_that_keep_the_sentence_numbers(
    fault_server: FaultServer, seed_text: str, valid_summary_json: str, tmp_path: Path
) -> None:
    fault_server.script = [
        _chunk_answer(valid_summary_json),
        _chunk_answer(valid_summary_json),
        Reply(200, completion(_overview(valid_summary_json))),
    ]
    with Summarizer(
        base_url=fault_server.base_url, model="m", cache_dir=tmp_path, **SMALL
    ) as summarizer:
        result = summarizer.summarize(seed_text)
    assert result.provenance.chunks == 2
    assert result.provenance.attempts == 3
    asked = [r["json"]["messages"][-1]["content"] for r in fault_server.requests]
    assert len(asked) == 3
    assert "[S1] " in asked[0] and "[S14] " not in asked[0]
    assert "[S1] " not in asked[1] and "[S14] " in asked[1]  # the article's own numbers
    assert asked[2].startswith("Write these fields") and "- tldr: " in asked[2]
    assert result.brief.title == json.loads(valid_summary_json)["title"]
    assert result.grounding is not None and result.grounding.checks


def test_a_changed_end_redoes_only_the_last_chunk(
    fault_server: FaultServer, seed_text: str, valid_summary_json: str, tmp_path: Path
) -> None:
    fault_server.script = [_chunk_answer(valid_summary_json)] * 2 + [
        Reply(200, completion(_overview(valid_summary_json)))
    ]
    options = {"base_url": fault_server.base_url, "model": "m", "cache_dir": tmp_path, **SMALL}
    with Summarizer(**options) as summarizer:
        summarizer.summarize(seed_text)
        first = len(fault_server.requests)
        fault_server.script = [
            _chunk_answer(valid_summary_json),
            Reply(200, completion(_overview(valid_summary_json))),
        ]
        changed = seed_text.rstrip() + " Officials are expected to meet again next week."
        result = summarizer.summarize(changed)
    assert first == 3
    assert len(fault_server.requests) == 5  # the last chunk and the overview, not chunk 1
    assert result.provenance.chunks == 2


def test_an_unknown_servers_window_is_asked_for_when_the_article_is_long(
    fault_server: FaultServer, seed_text: str, valid_summary_json: str
) -> None:
    # Five copies of the seed: more than the smallest window (4,096) holds, so the server
    # is asked; it says 1,400, so the article goes in many small chunks, not 2 of 4,096.
    fault_server.models = {"data": [{"id": "m", "max_model_len": 1400}]}
    fault_server.respond = lambda body: (
        Reply(200, completion(_overview(valid_summary_json)))
        if body["response_format"]["json_schema"]["name"] == "Overview"
        else _chunk_answer(valid_summary_json)
    )
    article = "\n\n".join([Article.from_text(seed_text).text] * 5)
    options: dict[str, Any] = {"max_tokens": 300, "max_reasks": 0}
    with Summarizer(base_url=fault_server.base_url, model="m", cache=False, **options) as s:
        result = s.summarize(article)
    assert result.provenance.chunks >= 4  # with 4,096 it would have been 2
    assert len(fault_server.requests) == result.provenance.chunks + 1


# -- languages -----------------------------------------------------------------------------


def test_language_is_detected_and_can_be_named() -> None:
    assert detect(FRENCH.read_text()) == "fr"
    assert detect(GERMAN.read_text()) == "de"
    assert code_of("German") == "de" and code_of("FR") == "fr" and name_of("fr") == "French"
    article = Article.from_text("language: fr\n\nLe conseil a voté mardi.")
    assert article.lang == "fr"


@pytest.mark.parametrize(
    ("path", "count", "where"),
    [
        (FRENCH, 8, "« Il est possible qu'un tsunami se produise dans l'océan Pacifique »"),
        (GERMAN, 9, "Das erklärte der Sprachwissenschaftler Wolf-Andreas Liebert"),
    ],
)
def test_other_languages_get_their_own_sentences(path: Path, count: int, where: str) -> None:
    article = Article.from_text(path.read_text())
    assert len(article.sentences) == count
    assert any(s.text.startswith(where) for s in article.sentences)
    assert all(article.text[s.start : s.end] == s.text for s in article.sentences)


def test_a_german_article_is_checked_with_what_applies_and_says_what_did_not() -> None:
    text = GERMAN.read_text()
    good = check(text, "Liebert sagt, Wikipedia ergänze den Wissenschaftsjournalismus.")
    assert good.skipped_checks == [
        "about_article",
        "cut",
        "dangling",
        "first_person",
        "hedge",
        "lesson",
        "name",
        "negation",
        "relation",
        "speaker",
        "unparsed",
    ]  # the name checks read English capitals, the prose checks its parse
    assert not good.errors  # German nouns are capitalized: no English name rules here
    bad = check(text, "Liebert nannte der dpa 17 Beispiele.")
    assert [e.kind for e in bad.errors] == ["number"]
    assert check(FRENCH.read_text(), "Le séisme a fait 214 morts.").skipped_checks


def test_english_articles_skip_no_check(seed_text: str) -> None:
    assert check(seed_text, "Egypt is expected to lead the force.").skipped_checks == []


def test_the_summary_is_asked_in_the_articles_language_or_the_one_given(
    fault_server: FaultServer, valid_summary_json: str
) -> None:
    fault_server.script = [Reply(200, completion(valid_summary_json))]
    french = FRENCH.read_text()
    for given, expected in ((None, "in French."), ("de", "in German.")):
        s = Summarizer(
            base_url=fault_server.base_url, model="m", cache=False, max_reasks=0, language=given
        )
        with s, pytest.raises(SummarizerError):  # the English fixture cannot pass
            s.summarize(french)
        asked = fault_server.requests[-1]["json"]["messages"][-1]["content"]
        assert asked.startswith(f"Summarize this article {expected}")


def test_segmentation_keeps_the_seeds_initialisms_and_quoted_questions() -> None:
    text = 'The plan. U.S. envoy Steve Witkoff said so. "What was that?" she asked. Dr. Oz agreed.'
    assert [s.text for s in segment(text)] == [
        "The plan.",
        "U.S. envoy Steve Witkoff said so.",
        '"What was that?" she asked.',
        "Dr. Oz agreed.",
    ]


def test_a_french_article_end_to_end_through_the_pipeline(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    # A hand-written French summary (test input for the pipeline, not a recording): it is
    # validated against the French sentences, and the report says what was not checked.
    written = (FOREIGN / "handwritten_fr_summary.json").read_text()
    fault_server.script = [Reply(200, completion(written))]
    with Summarizer(base_url=fault_server.base_url, model="m", cache_dir=tmp_path) as s:
        result = s.summarize(FRENCH.read_text())
    assert result.grounding is not None
    assert (
        len(result.grounding.skipped_checks) == 11 and "unparsed" in result.grounding.skipped_checks
    )
    assert result.brief.figures[0].sentences == [5]
    assert not result.corrections
    # An invented number is still caught in French, and re-asked.
    bad = json.loads(written)
    bad["key_points"][1]["text"] = "Le bilan est de 315 morts, 12 heures après la catastrophe."
    fault_server.script = [Reply(200, completion(json.dumps(bad))), Reply(200, completion(written))]
    with Summarizer(base_url=fault_server.base_url, model="m", cache=False, max_reasks=1) as s:
        assert s.summarize(FRENCH.read_text()).provenance.attempts == 2
    reask = fault_server.requests[-1]["json"]["messages"][-1]["content"]
    assert "number 315" in reask
