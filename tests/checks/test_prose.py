"""summarizer.checks.prose: the checks on the prose a model writes, on the texts issue #37
quotes (a few words of the news_dev articles they summarized, and of the Gaza seed), each
refused by a check named for its error; and writers' ordinary sentences, passed."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from summarizer import Article
from summarizer.checks.report import ground_text
from summarizer.checks.rules import (
    ErrorKind,
    dangling_errors,
    free_text_errors,
    prose_warnings,
    repeated_errors,
)
from summarizer.checks.scope import article_scope
from summarizer.schema import Overview

SEED = Path(__file__).resolve().parents[2] / "seeds" / "gaza-stabilization-force-2025-10-18.txt"

# Excerpts of news_dev articles (CNN/DM, research use): line 10's and line 4's quotations.
LORRY = [
    "A bus carrying 40 people ended up on the embankment of the A34 after a lorry hit it.",
    'Bus passenger Adam Graves said on Twitter: "One moment the bus power failed, a minute '
    'or 2 later the lorry hit us."',
]
PELLEGRINI = [
    "Manuel Pellegrini says his first season in the Premier League has not been good "
    'enough but promised "in the future I will be better".',
]


def _kinds(sentence: str, article: list[str], *, headline: bool = False) -> set[str]:
    return {e.kind.value for e in free_text_errors(sentence, article, headline=headline)}


@pytest.fixture(scope="module")
def gaza() -> list[str]:
    return [s.text for s in Article.from_text(SEED.read_text()).sentences]


def test_a_speakers_first_person_outside_quotation_marks_is_refused() -> None:
    assert ErrorKind.FIRST_PERSON in _kinds("A bus passenger said the lorry hit us.", LORRY)
    # The TL;DR with its quotation marks stripped
    stripped = "Manuel Pellegrini promised in the future I will be better."
    assert ErrorKind.FIRST_PERSON in _kinds(stripped, PELLEGRINI)
    quoted = 'Manuel Pellegrini promised "in the future I will be better".'
    assert ErrorKind.FIRST_PERSON not in _kinds(quoted, PELLEGRINI)


@pytest.mark.parametrize(
    "sentence",
    [
        "An officer said: 'We're no heroes, just tourists'.",  # an apostrophe inside
        "'We've been here one day.",  # cut from a quotation: open to the end
        "We're no heroes, just tourists,' an officer said.",  # closed from the start
        "He posted the message:' avengers is out so I would release the inner iron man'.",
    ],
)
def test_first_person_inside_quotation_marks_is_a_speakers(sentence: str) -> None:
    """FRANK's summaries, written from quotations (the marks unpaired where a sentence
    was cut from a longer one): no first person outside them."""
    article = ["'We're no heroes, just tourists,' an officer said: 'We've been here one day."]
    assert ErrorKind.FIRST_PERSON not in _kinds(sentence, article)


def test_a_writers_own_first_person_is_a_warning_not_an_error() -> None:
    """news_dev's writers write "helping us understand": reported, not refused."""
    sentence = "The finding helps us understand the bacteria."
    article = ["The finding sheds light on how the bacteria live, scientists said."]
    assert ErrorKind.FIRST_PERSON not in _kinds(sentence, article)
    assert [e.kind for e in prose_warnings(sentence, article)] == [ErrorKind.FIRST_PERSON]


def test_text_about_the_article_rather_than_the_news_is_refused() -> None:
    assert ErrorKind.ABOUT_ARTICLE in _kinds("The article highlights the crash on the A34.", LORRY)
    # The embedded model on the BLS seed
    meta = "The story is about the U.S. Bureau of Labor Statistics, which reports the rate."
    assert ErrorKind.ABOUT_ARTICLE in _kinds(meta, ["The Bureau of Labor Statistics reported."])
    assert ErrorKind.ABOUT_ARTICLE in _kinds("This article discusses a crash on the A34.", LORRY)
    # An article the news is about is news.
    article = ["The Times published an article about the crash on the A34."]
    assert ErrorKind.ABOUT_ARTICLE not in _kinds("The article was about the A34 crash.", article)


def test_a_lesson_the_article_does_not_draw_is_refused() -> None:
    article = ["The 14-year-old told the court that she had been bullied for a year."]
    weight = "The decision on Chin Bow is a significant event in the history of China."
    assert ErrorKind.LESSON in _kinds(weight, ["Chin Bow applied for admission at Seattle."])
    moral = "The case highlights the importance of standing up for oneself."
    assert ErrorKind.LESSON in _kinds(moral, article)
    said = ["The head teacher said the case showed the importance of reporting bullying."]
    assert ErrorKind.LESSON not in _kinds("The case shows the importance of reporting it.", said)


def test_a_sentence_that_does_not_parse_as_one_is_refused(gaza: list[str]) -> None:
    broken = "Egypt is expected, with diplomats urging Hamas to disarm."
    assert ErrorKind.UNPARSED in _kinds(broken, gaza)
    assert ErrorKind.UNPARSED not in _kinds("Egypt is expected to lead the force.", gaza)
    aside = "Egypt is expected, according to the diplomats, to lead the force."
    assert ErrorKind.UNPARSED not in _kinds(aside, gaza)
    article = ["Tiger Woods is a 14-time major winner, and Lindsey Vonn has won 77 races."]
    gibberish = "Lindsey is the 14-time major winner, Woods, and Vonn is winning the 14 time."
    assert ErrorKind.UNPARSED in _kinds(gibberish, article)
    # A writer's count in a unit that has no plural, or the article's own ("20 stone")
    assert ErrorKind.UNPARSED not in _kinds("84 percent of donations came from 3 unions.", [])
    stone = ["She went from 20 stone to 12 stone in a year."]
    assert ErrorKind.UNPARSED not in _kinds("She went from weighing 20 stone to 12 stone.", stone)
    # A time of day ("3 pm" in FRANK's summaries)
    assert ErrorKind.UNPARSED not in _kinds("The toddler fell into the pit at 3 pm.", [])


def test_a_fragment_is_a_warning_and_a_headline_needs_no_verb() -> None:
    fragment = "Actions such as ziplining during the London Olympics."
    assert ErrorKind.UNPARSED not in _kinds(fragment, [])
    assert [e.kind for e in prose_warnings(fragment, [])] == [ErrorKind.UNPARSED]
    assert (
        prose_warnings("Six people hurt in an explosion at a chemical plant", [], headline=True)
        == []
    )


def test_a_title_cut_by_the_length_cap_is_refused() -> None:
    title = "Manuel Pellegrini says his first season in the Premier League has not"
    assert ErrorKind.CUT in _kinds(title, PELLEGRINI, headline=True)
    assert ErrorKind.CUT not in _kinds(
        "Pellegrini says his first season has not been good", PELLEGRINI, headline=True
    )
    # Cut inside a name's compound, or on a possessive (news_dev lines 93 and 81)
    care = ["Teenagers in foster care in Scotland are being moved too often, according to a "
            "campaign group."]  # fmt: skip
    cut = "Teenagers in foster care in Scotland are being moved too often, according to a campaign"
    assert ErrorKind.CUT in _kinds(cut, care, headline=True)
    assert ErrorKind.CUT not in _kinds(f"{cut} group", care, headline=True)
    assert ErrorKind.CUT in _kinds("China's Trial of a Cult Member's", [], headline=True)
    # A sentence may end on a pronoun or an auxiliary that stands for its verb
    assert ErrorKind.CUT not in _kinds("They showed respect for one another.", [])
    assert ErrorKind.CUT not in _kinds("He did not win, though he hoped he would.", [])


def test_a_relation_reversed_between_two_names_is_refused() -> None:
    article = ["Britain's special relationship with Washington is under strain, officials said."]
    reversed_ = "Washington's special relationship with Britain is under strain."
    assert ErrorKind.RELATION in _kinds(reversed_, article)
    kept = "Britain's special relationship with Washington is under strain."
    assert ErrorKind.RELATION not in _kinds(kept, article)
    # The wrong spouse: the article has Chris Christie as the husband
    wife = [
        "Mary Pat Christie is leaving her job, a move that could be a sign that her "
        "husband, New Jersey Governor Chris Christie, is preparing to run in 2016."
    ]
    assert ErrorKind.RELATION in _kinds("Chris Christie's husband has decided to run.", wife)
    assert ErrorKind.RELATION not in _kinds("Mary Pat Christie's husband may run.", wife)


def test_a_sentence_said_again_is_refused() -> None:
    """A summary of one sentence three times ("This move...", "The move..." twice)."""
    thrice = ["This move will cut the council's costs by a third.",
              "The move will cut costs for the council by a third.",
              "The move will cut the council's costs, officials said."]  # fmt: skip
    assert [e.kind for e in repeated_errors(thrice)] == [ErrorKind.REPEATED] * 2
    report = ground_text(" ".join(thrice), ["The move will cut the council's costs by a third."])
    kinds = [{e.kind for e in c.errors} for c in report.checks]
    assert kinds == [{ErrorKind.DANGLING}, {ErrorKind.REPEATED}, {ErrorKind.REPEATED}]
    # A summary that opens with its TL;DR says it twice: a reader reads both
    tldr = ["A lorry hit a bus on the A34."]
    found = repeated_errors(["A lorry hit a bus on the A34.", "Nobody died."], tldr)
    assert [e.found for e in found] == ["A lorry hit a bus on the A34."]
    assert repeated_errors(["Nobody died.", "The road was closed."], tldr) == []
    # The TL;DR again with more (the embedded model, news_dev line 93)
    care = ["Teenagers in Scotland are being moved too often, according to a campaign group."]
    again = ("Teenagers in Scottish foster care are being moved too often, according to a "
             "campaign group.")  # fmt: skip
    assert [e.found for e in repeated_errors([again], care)] == [again]


def test_the_gate_refuses_a_repeated_summary_sentence(gaza: list[str]) -> None:
    lead = "Egypt is expected to lead the International Stabilization Force."
    prose = {"title": "Egypt expected to lead Gaza force", "tldr": lead,
             "summary": f"{lead} Egypt is expected to lead the Stabilization Force, officials "
                        "said."}  # fmt: skip
    with (
        article_scope(gaza),
        pytest.raises(ValidationError, match="sentence 1 of the summary: repeated"),
    ):
        Overview.model_validate(prose)
    # Nor a summary one sentence of which says another again; the title is not read so
    prose["summary"] = (
        "Diplomats urge a U.N. Security Council motion. Egypt is expected to "
        "lead the Stabilization Force, officials said. " + lead
    )
    prose["tldr"] = "Egypt is expected to lead a Gaza force."
    with (
        article_scope(gaza),
        pytest.raises(ValidationError, match="summary: repeated"),
    ):
        Overview.model_validate(prose)


def test_an_article_of_two_sentences_may_have_its_tldr_in_its_summary() -> None:
    """The README's service example: a summary of two sentences has nothing else to say."""
    article = ["The unemployment rate fell to 6.3 percent in January, the bureau reported.",
               "The labor market continued to reflect the impact of the pandemic."]  # fmt: skip
    prose = {"title": "Unemployment falls to 6.3 percent", "tldr": article[0],
             "summary": " ".join(article)}  # fmt: skip
    with article_scope(article):
        Overview.model_validate(prose)
    more = [*article, "Job gains in education were offset by losses."]
    with article_scope(more), pytest.raises(ValidationError, match="summary: repeated"):
        Overview.model_validate(prose)


def test_a_tldr_or_summary_opening_on_what_came_before_is_refused(gaza: list[str]) -> None:
    """Read first, a TL;DR or summary has nothing before it: "This proposal is based on
    ..." (the embedded model, news_dev line 75), "He", "The group" stand for nothing."""
    lead = "Egypt is expected to lead the International Stabilization Force."
    prose = {"title": "Egypt expected to lead Gaza force", "tldr": f"This plan {lead[6:]}",
             "summary": "The U.S. is pushing for a U.N. mandate for the force."}  # fmt: skip
    with (
        article_scope(gaza),
        pytest.raises(ValidationError, match=r"tldr: dangling: .*'This plan'"),
    ):
        Overview.model_validate(prose)
    # A time, a quotation, a relative clause, the clause "it" stands for: each stands alone
    for sentence in ["This afternoon the Paris prosecutor said police found documents.",
                     "'He was great,' the coach said.", "Those who voted were thanked.",
                     "It is not clear what happens next."]:  # fmt: skip
        assert ErrorKind.DANGLING not in {e.kind for e in dangling_errors(sentence)}
    report = ground_text("He said the force would be led by Egypt. Egypt agreed.", gaza)
    assert not report.checks[0].supported and not report.checks[1].errors
    assert [e.kind for e in report.checks[0].errors] == [ErrorKind.DANGLING]


def test_a_cited_item_in_words_of_its_own_meets_the_prose_checks(gaza: list[str]) -> None:
    """A write-mode key point "Egypt is expected." cites S1; the article's own sentence,
    or a clause of it, is the article's prose and is not read as the model's."""
    from summarizer.checks.rules import cited_errors

    kinds = [e.kind for e in cited_errors("Egypt is expected.", [1], gaza, "key point")]
    assert kinds == [ErrorKind.UNPARSED]
    assert cited_errors(gaza[0], [1], gaza, "key point") == []


def test_words_cut_and_joined_by_an_ellipsis_are_refused() -> None:
    """The embedded model copied pydantic's shortened echo of its answer from a re-ask:
    TL;DR "The unemployment rate ha...tistics reported today." (the README's service
    example); an ellipsis between words, or the article's own, is no error."""
    from summarizer.checks.rules import free_text_errors

    article = ["The unemployment rate fell, the Bureau of Labor Statistics reported today.",
               "'We waited...and waited,' she said."]  # fmt: skip
    fused = free_text_errors("The unemployment rate ha...tistics reported today.", article)
    assert [(e.kind, e.found) for e in fused] == [(ErrorKind.WORD, "ha...tistics")]
    assert free_text_errors("The unemployment rate fell... the bureau reported.", article) == []
    assert free_text_errors("'We waited...and waited,' she said.", article) == []
