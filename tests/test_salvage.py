"""summarizer.salvage: what the drop policy keeps of an answer that fails, item by item,
and what it says it changed. Written against the mutants `make mutate` found alive."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from summarizer import Article, ArticleSummary
from summarizer.brief import layout
from summarizer.checks.scope import article_scope
from summarizer.errors import SummaryValidationError
from summarizer.salvage import (
    _drop_duplicates,
    _drop_sentences,
    _fix_item,
    _recite,
    _same,
    _text_of,
    recover,
    salvage,
    unchecked,
)
from summarizer.schema import Entity, KeyPoint, Overview


@pytest.fixture
def valid(valid_summary_json: str) -> dict[str, Any]:
    return json.loads(valid_summary_json)  # type: ignore[no-any-return]


@pytest.fixture
def sentences(seed_text: str) -> list[str]:
    return [s.text for s in Article.from_text(seed_text).sentences]


def test_an_items_text_is_its_words_without_its_citations() -> None:
    item = {"sentences": [1], "name": "Egypt", "type": "country", "role": "lead", "n": 3}
    assert _text_of(item) == "Egypt country lead"


@pytest.mark.parametrize(
    ("text", "before", "after"),
    [
        ("Egypt is expected to lead the International Stabilization Force.", [2], [1]),
        ("Steve Witkoff and JD Vance are reportedly traveling to Israel this week.", [2], [14]),
        ("Egypt is expected to lead the force, and Indonesia offered 20,000 soldiers.", [3],
         [1, 8]),
    ],
)  # fmt: skip
def test_a_misplaced_item_is_recited_to_the_sentences_that_support_it_best(
    sentences: list[str], text: str, before: list[int], after: list[int]
) -> None:
    """The first sentence and the last can be the best; two sentences when one is not
    enough, never more."""
    item = {"sentences": before, "text": text}
    with article_scope(sentences):
        fixed = _fix_item(KeyPoint, "key_points", item, "not in the cited sentence", sentences)
    assert fixed is not None and fixed.action == "recited"
    assert item["sentences"] == after and fixed.item == item
    assert fixed.reason == (
        f"cited S{before[0]}: not in the cited sentence; now cites "
        + ", ".join(f"S{n}" for n in after)
    )


def test_an_item_no_sentence_supports_keeps_its_citation_and_is_not_fixed(
    sentences: list[str],
) -> None:
    item = {"sentences": [4], "text": "Brazil will send 5,000 engineers to the border."}
    with article_scope(sentences):
        assert not _recite(KeyPoint, item, sentences)
        assert item["sentences"] == [4]
        assert _fix_item(KeyPoint, "key_points", item, "why", sentences) is None
        assert _fix_item(KeyPoint, "key_points", "not an item", "why", sentences) is None


def test_sameness_of_items_and_of_values() -> None:
    egypt = {"sentences": [1], "name": "Egypt", "type": "country", "role": "lead"}
    assert _same(Entity, egypt, dict(egypt, sentences=[3]))
    assert not _same(Entity, egypt, "Egypt") and not _same(Entity, "Egypt", egypt)
    assert _same(Entity, "Egypt", "Egypt") and not _same(Entity, "Egypt", "Iran")


def test_repeats_are_dropped_in_every_list_and_named_by_the_item_they_repeat() -> None:
    a = {"sentences": [8], "value": "20,000", "counts": "soldiers"}
    b = {"sentences": [11], "value": "two", "counts": "sources"}
    data = {"key_points": "not a list", "entities": ["Egypt", "Iran", "Egypt"],
            "figures": [a, b, dict(b)]}  # fmt: skip
    corrections = _drop_duplicates(data, layout(ArticleSummary))
    assert data["entities"] == ["Egypt", "Iran"] and data["figures"] == [a, b]
    assert [(c.field, c.action, c.item, c.reason) for c in corrections] == [
        ("entities", "dropped", {"value": "Egypt"}, "repeats entities item 1"),
        ("figures", "dropped", b, "repeats figures item 2"),
    ]


def test_an_item_that_is_not_an_object_is_dropped_and_shown_as_given(
    valid: dict[str, Any], sentences: list[str]
) -> None:
    valid["entities"].append("Northbridge")
    result = salvage(json.dumps(valid), sentences, model=ArticleSummary)
    assert result is not None
    assert [(c.field, c.action, c.item) for c in result[1]] == [
        ("entities", "dropped", {"value": "Northbridge"})
    ]


def test_a_failing_summary_sentence_and_a_failing_item_are_both_mended(
    valid: dict[str, Any], sentences: list[str]
) -> None:
    """A summary sentence's error first does not stop the items' errors being read."""
    invented = "Indonesia offered 30,000 soldiers."
    valid["summary"] = f"{valid['summary']} {invented}"
    valid["entities"].append({"sentences": [2], "name": "Northbridge", "type": "location",
                              "role": "x"})  # fmt: skip
    result = salvage(json.dumps(valid), sentences, model=ArticleSummary)
    assert result is not None
    assert sorted((c.field, c.action) for c in result[1]) == [
        ("entities", "dropped"),
        ("summary", "dropped"),
    ]


def test_three_summary_sentences_may_lose_one(valid: dict[str, Any], sentences: list[str]) -> None:
    valid["summary"] = (
        "Egypt is expected to lead the International Stabilization Force for Gaza. "
        "Indonesia offered 30,000 soldiers. "
        "Turkey and Azerbaijan have reportedly signalled they would send troops."
    )
    result = salvage(json.dumps(valid), sentences, model=ArticleSummary)
    assert result is not None
    assert result[0].summary.count(". ") == 1 and "30,000" not in result[0].summary


def test_dropping_summary_sentences_names_only_those_that_exist() -> None:
    data = {"summary": "One is here. Two is here. Three is here."}
    corrections = _drop_sentences(data, "summary", {0: "wrong", 3: "beyond the text"})
    assert data["summary"] == "Two is here. Three is here."
    assert [c.item for c in corrections or []] == [{"sentence": "One is here."}]
    one = {"summary": "One is here."}
    assert _drop_sentences(one, "summary", {0: "wrong"}) is None  # nothing would be left


def test_too_few_key_points_is_not_an_items_error(
    valid: dict[str, Any], sentences: list[str]
) -> None:
    valid["key_points"] = valid["key_points"][:2]
    assert salvage(json.dumps(valid), sentences, model=ArticleSummary) is None


def _failed(*outputs: dict[str, Any]) -> SummaryValidationError:
    texts: list[str | None] = [json.dumps(o) for o in outputs]
    return SummaryValidationError("x", attempts=len(texts), errors=[], last_output=texts[-1],
                                  outputs=texts)  # fmt: skip


def test_the_answer_needing_fewest_corrections_is_kept_even_if_earlier(
    valid: dict[str, Any], sentences: list[str]
) -> None:
    first = copy.deepcopy(valid)
    first["entities"].append({"sentences": [2], "name": "Northbridge", "type": "location",
                              "role": "x"})  # fmt: skip
    worse = copy.deepcopy(first)
    worse["entities"].append({"sentences": [2], "name": "Southfield", "type": "location",
                              "role": "y"})  # fmt: skip
    kept = recover(_failed(first, worse), "drop", ArticleSummary, sentences)
    assert kept is not None and len(kept[1]) == 1
    assert recover(_failed(first, worse), "strict", ArticleSummary, sentences) is None


def test_recovery_passes_on_how_to_check(valid: dict[str, Any], sentences: list[str]) -> None:
    """`cite` (code finds the sentences), `skip` (kinds not looked for) and the model
    reach the checks."""
    miscited = copy.deepcopy(valid)
    miscited["figures"][0]["sentences"] = [2]  # 20,000 is in S8
    by_code = recover(_failed(miscited), "drop", ArticleSummary, sentences, cite=True)
    assert by_code is not None and by_code[1] == [] and by_code[0].figures[0].sentences == [8]
    unhedged = copy.deepcopy(valid)
    text = "The U.S. is pushing for the coalition of troops to be granted a U.N. mandate."
    unhedged["key_points"].append({"sentences": [6], "text": text})
    assert recover(_failed(unhedged), "drop", ArticleSummary, sentences)[1]  # type: ignore[index]
    skipped = recover(_failed(unhedged), "drop", ArticleSummary, sentences,
                      skip=frozenset({"hedge"}))  # fmt: skip
    assert skipped is not None and skipped[1] == [] and len(skipped[0].key_points) == 4
    overview = {k: valid[k] for k in ("title", "tldr", "summary")}
    kept = recover(_failed(overview), "drop", Overview, sentences)
    assert kept is not None and isinstance(kept[0], Overview)


def test_repeats_go_first_and_say_so_and_a_summary_sentence_keeps_them(
    valid: dict[str, Any], sentences: list[str]
) -> None:
    valid["key_points"].append(dict(valid["key_points"][0]))
    valid["summary"] = f"{valid['summary']} Indonesia offered 30,000 soldiers."
    result = salvage(json.dumps(valid), sentences, model=ArticleSummary)
    assert result is not None
    assert [(c.field, c.reason.split(":")[0]) for c in result[1]] == [
        ("key_points", "repeats key_points item 1"),
        ("summary", "sentence 4 of the summary"),
    ]


def test_a_recited_items_correction_says_what_was_wrong(
    valid: dict[str, Any], sentences: list[str]
) -> None:
    valid["figures"][0]["sentences"] = [2]
    result = salvage(json.dumps(valid), sentences, model=ArticleSummary)
    assert result is not None
    (fixed,) = result[1]
    assert fixed.action == "recited" and fixed.reason.startswith("cited S2: ")
    assert "20,000" in fixed.reason and fixed.reason.endswith("now cites S8")


def test_form_only_keeps_repeats_and_lists_what_it_drops(valid: dict[str, Any]) -> None:
    """Policy flag: the answer as given where its form is valid (the report marks the
    rest); an item of invalid form is dropped and listed."""
    valid["entities"].append(dict(valid["entities"][0]))
    valid["figures"].append({"sentences": [8], "value": "many", "counts": "troops"})
    result = unchecked(json.dumps(valid), ArticleSummary)
    assert result is not None
    summary, corrections = result
    assert len(summary.entities) == 3
    assert [(c.field, c.action) for c in corrections] == [("figures", "dropped")]
