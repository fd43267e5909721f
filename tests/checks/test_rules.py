"""summarizer.checks.rules: each kind of error, and the kinds skipped by argument."""

from __future__ import annotations

import pytest

from summarizer.checks.rules import ErrorKind, cited_errors, errors, free_text_errors

ARTICLE = [
    "Egypt is expected to lead the stabilization force, diplomats said.",
    "Indonesia offered 20,000 soldiers for the operation.",
    '"We are ready," Indonesian President Prabowo Subianto said.',
]


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Indonesia offered 30,000 soldiers for the operation.", ErrorKind.NUMBER),
        ("Brazil offered 20,000 soldiers for the operation.", ErrorKind.NAME),
        ('Prabowo Subianto said "we will never go".', ErrorKind.QUOTATION),
        ("Egypt will lead the stabilization force.", ErrorKind.HEDGE),
        ("Indonesia offered 20,000 soldiers, write only what the article says.", ErrorKind.ECHO),
        ("Indonesia offered 20,000 soldiersforTheoperation.", ErrorKind.WORD),
        ("Indonesia offered 20,000 soldiers for the.", ErrorKind.WORD),  # cut short
    ],
)
def test_each_kind_is_found(sentence: str, kind: ErrorKind) -> None:
    assert kind in {e.kind for e in free_text_errors(sentence, ARTICLE)}


def test_a_restatement_has_no_error() -> None:
    assert free_text_errors("Indonesia offered 20,000 soldiers.", ARTICLE) == []


def test_skipped_kinds_are_not_reported() -> None:
    sentence = "Brazil offered 20,000 soldiers for the operation."
    assert free_text_errors(sentence, ARTICLE, skip=frozenset({"name"})) == []


def test_a_cited_item_is_held_to_what_it_cites() -> None:
    text = "Indonesia offered 20,000 soldiers."
    assert cited_errors(text, [2], ARTICLE, "S2") == []
    found = cited_errors(text, [1], ARTICLE, "S1")
    assert {e.kind for e in found} >= {ErrorKind.NAME, ErrorKind.NUMBER}
    assert all("S1" in e.message for e in found)


def test_a_speaker_must_be_the_source() -> None:
    found = errors("Egypt said it would lead.", [ARTICLE[0]], window=ARTICLE[:1])
    assert [e.kind for e in found] == [ErrorKind.SPEAKER]


def test_a_pronoun_joined_to_another_name_is_the_wrong_speaker() -> None:
    """The seed's brief joined two sentences so that Egypt says what Hamas said."""
    article = [
        "Egypt is still being consulted on whether the force should be a U.N. operation.",
        "Hamas agreed to the first stage of the proposal.",
        "It said the rest of the plan would require a national framework.",
    ]
    wrong = (
        "Egypt is still being consulted on the force, but it said the rest of the plan "
        "would require a national framework."
    )
    (error,) = free_text_errors(wrong, article)
    assert error.kind == ErrorKind.SPEAKER and error.found == "it said"
    assert "Egypt" in error.message and "Hamas agreed" in error.message
    right = (
        "Hamas agreed to the first stage, and it said the rest of the plan would require a "
        "national framework."
    )
    assert free_text_errors(right, article) == []
    assert free_text_errors(wrong, article, skip=frozenset({"speaker"})) == []


def test_a_sentence_cut_short_is_an_error_unless_the_article_ends_so() -> None:
    article = [
        "Egypt is expected to lead the force, diplomats said.",
        "This is what they agreed to.",
    ]
    (error,) = free_text_errors("Egypt is expected to lead the", article)  # a headline, cut
    assert error.kind == ErrorKind.WORD and error.found == "the"
    assert free_text_errors("This is what they agreed to.", article) == []
