"""summarizer.text.support: graded support, and the sentences a text rests on."""

from __future__ import annotations

from summarizer.text.support import citations, cited, labels, occurrences, support

ARTICLE = [
    "Egypt is expected to lead the stabilization force, diplomats said.",
    "Indonesia offered 20,000 soldiers for the operation.",
    "The weather in Cairo was mild on Tuesday.",
]


def test_the_best_sentence_supports_a_restatement() -> None:
    found = support("Egypt is expected to lead the force.", ARTICLE)
    assert found.evidence[0] == 1 and found.score > 0.7
    assert support("Brazil will send ships.", ARTICLE).score < 0.3


def test_a_fused_sentence_is_supported_by_two() -> None:
    fused = "Egypt is expected to lead the force, and Indonesia offered 20,000 soldiers."
    found = support(fused, ARTICLE)
    assert set(found.evidence[:2]) == {1, 2} and found.fused > found.words


def test_word_order_counts() -> None:
    forward = support("Indonesia offered soldiers", ["Indonesia offered soldiers"])
    backward = support("soldiers offered Indonesia", ["Indonesia offered soldiers"])
    assert forward.score > backward.score


def test_citations_add_the_sentence_where_a_figure_or_name_is() -> None:
    assert citations("Egypt is expected to lead the force of 20,000 soldiers.", ARTICLE) == (1, 2)
    assert citations("", []) == ()


def test_occurrences_labels_and_cited() -> None:
    assert occurrences("Indonesia", ARTICLE) == (2,)
    assert occurrences("twenty thousand", ARTICLE, figure=True) == (2,)
    assert labels([1, 3]) == "S1, S3"
    assert cited([2, 9], ARTICLE) == [ARTICLE[1]]  # a sentence that does not exist: left out
