"""summarizer.text.attribution: quotations, speakers, attributions, and hedges or
negations changed between a sentence and its evidence."""

from __future__ import annotations

import pytest

from summarizer.text.attribution import (
    attributions,
    framing_errors,
    pronoun_speakers,
    quotation_occurs,
    quotations,
    speakers,
    speaks_before,
)
from summarizer.text.words import normalize


def test_quotations_in_double_and_long_single_quotes() -> None:
    assert quotations("He said \"we will stay\" and 'no more talks today'.") == [
        "we will stay",
        "no more talks today",
    ]
    assert quotation_occurs("we will... stay", normalize("We will, he said, stay."))
    assert not quotation_occurs("we will leave", normalize("We will stay."))
    # A quotation's own closing punctuation need not be in the article's sentence.
    assert quotation_occurs("We will stay!", normalize("We will stay and fight."))


def test_speakers_in_each_construction() -> None:
    assert speakers("Smith said the plan was ready.") == ["Smith"]
    assert speakers("The plan, according to the Times of Israel, is ready.") == ["Times of Israel"]
    assert speakers("The plan is ready, said Jones.") == ["Jones"]


def test_attributions_named_anonymous_and_reported() -> None:
    assert attributions("Three government officials told the paper it was agreed.") == [
        "Three government officials"
    ]
    assert attributions("The force will reportedly include Egypt.") == ["reportedly"]
    assert attributions("The force includes Egypt.") == []


def test_a_speaker_comes_just_before_a_speech_verb() -> None:
    window = ["Erdogan told Trump that Turkey would help."]
    assert speaks_before("Recep Tayyip Erdogan", window)
    assert not speaks_before("Trump", window)
    assert not speaks_before("", window) and not speaks_before("  ", ["Smith said so."])


def test_a_dropped_hedge_and_a_flipped_negation() -> None:
    evidence = "Egypt is expected to lead the stabilization force."
    assert [k for k, _ in framing_errors("Egypt will lead the stabilization force.", evidence)] == [
        "hedge"
    ]
    negated = "Egypt will not lead the stabilization force in Gaza."
    stated = "Egypt will lead the stabilization force in Gaza."
    assert [k for k, _ in framing_errors(negated, stated)] == ["negation"]
    assert framing_errors(evidence, evidence) == []


@pytest.mark.parametrize(
    ("text", "evidence", "found"),
    [
        # The messages, word for word: they are the re-ask's words.
        ("Egypt will lead the stabilization force.",
         "Egypt is expected to lead the stabilization force.",
         [("hedge", "says 'will' where its evidence is not certain")]),
        ("Egypt leads talks.", "Egypt may lead talks.",  # two words governed: enough
         [("hedge", "states as fact what its evidence hedges ('may')")]),
        ("Egypt will not lead talks.", "Egypt will lead talks.",
         [("negation", "negates what its evidence states")]),
        ("Egypt will lead talks.", "Egypt will not lead talks.",
         [("negation", "states what its evidence negates")]),
        # A headline drops the copula and keeps the hedge.
        ("Egypt expected to lead the stabilization force",
         "Egypt is expected to lead the stabilization force.", []),
        # A hedge governs the next five words, no more and no fewer.
        ("Egypt leads talks.", "Egypt may lead many long tiring talks.",
         [("hedge", "states as fact what its evidence hedges ('may')")]),
        ("Egypt leads talks.", "Egypt may lead the very long tiring talks.", []),
        # Every hedge counts, not only the last.
        ("Egypt leads talks in Cairo and Iran hosts them.",
         "Egypt may lead talks in Cairo and Iran might host them.",
         [("hedge", "states as fact what its evidence hedges ('may')")]),
        # Only what the hedge or negation is about: its first word must be in the other.
        ("Egypt leads the force.", "It may rain as Egypt leads the force.", []),
        ("There was no rain as Egypt leads the force.", "Egypt leads the force.", []),
        ("Egypt leads the force.", "There was no rain as Egypt leads the force.", []),
    ],
)  # fmt: skip
def test_framing_errors_say_exactly_what_changed(
    text: str, evidence: str, found: list[tuple[str, str]]
) -> None:
    assert framing_errors(text, evidence) == found


def test_a_pronoun_speaker_reads_as_a_name_before_it() -> None:
    hamas = ("It said the plan needs a framework.", "Hamas agreed to the first stage.")
    assert pronoun_speakers("Hamas agreed, and it said the plan needs a framework.", [hamas]) == []
    (found,) = pronoun_speakers(
        "Egypt was consulted, but it said the plan needs a framework.", [hamas]
    )
    assert found == ("it said", "Egypt", "Hamas agreed to the first stage.")
    # Within the article's own sentence: "Hamas agreed, and it said ..."
    inline = ("Hamas agreed, and it said the plan needs a framework.", "Egypt was consulted.")
    assert pronoun_speakers("Hamas agreed, and it said the plan needs a framework.", [inline]) == []
    # No name before the pronoun in the summary, or no such speech in the evidence: passes.
    assert pronoun_speakers("It said the plan needs a framework.", [hamas]) == []
    assert pronoun_speakers("Egypt agreed, but he told reporters so.", [hamas]) == []
