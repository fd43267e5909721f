"""summarizer.text.words: normalizing, whole-word containment, weighted stems,
near-duplicates, and the bounded memo under them."""

from __future__ import annotations

from summarizer.text.memo import bounded, clear_all
from summarizer.text.words import (
    contains,
    content_stems,
    cut_short,
    normalize,
    similar,
    stem_pairs,
    unknown_words,
    weight,
    words,
)


def test_normalize_forgives_case_quotes_separators_and_possessives() -> None:
    assert normalize("The \u201cU.N.\u201d\u2019s  20,000 Troops") == 'the "u.n." 20000 troops'


def test_contains_is_whole_word() -> None:
    assert contains("the un force", "un")
    assert not contains("the united force", "un")
    assert not contains("anything", "")


def test_rare_words_and_numbers_weigh_more_than_common_ones() -> None:
    assert weight("the") == 1.0
    assert weight("stabilization") > weight("force") > 1.0
    assert weight("20000") == 4.0


def test_content_stems_leave_out_function_words_and_keep_stems() -> None:
    stems = content_stems("The soldiers were reported in Gaza")
    assert set(stems) == {"soldier", "report", "gaza"}
    assert words("Smith's twenty-one \u2018quoted\u2019 words") == (
        "smith",
        "twenty-one",
        "quoted",
        "words",
    )


def test_word_pairs_keep_order() -> None:
    assert stem_pairs("Egypt beat Israel") != stem_pairs("Israel beat Egypt")


def test_near_duplicates() -> None:
    assert similar("Egypt will lead the force.", "Egypt leads the force")
    assert not similar("Egypt will lead the force.", "Indonesia offers soldiers.")
    assert similar("", "")


def test_the_memo_evicts_beyond_its_budget_and_keeps_the_latest() -> None:
    seen: list[str] = []

    @bounded(3_000)  # entries of 400 characters (key and answer): 7 fit
    def upper(text: str) -> str:
        seen.append(text)
        return text.upper()

    for i in range(10):
        upper(f"{i}" * 200)
    assert upper.cache_chars() <= 3_000  # type: ignore[attr-defined]
    upper("9" * 200)
    assert len(seen) == 10  # the latest is still held
    upper("0" * 200)
    assert len(seen) == 11  # the oldest was evicted
    upper("x" * 1_000)  # larger than a quarter of the budget: answered, not kept
    upper("x" * 1_000)
    assert seen[-2:] == ["x" * 1_000] * 2
    clear_all()  # every memo, this one included
    assert upper.cache_chars() == 0  # type: ignore[attr-defined]
    upper("9" * 200)
    assert len(seen) == 14


def test_words_run_together_are_found_unless_english_or_the_articles() -> None:
    """The embedded model wrote "Hamas alone was not mandated tomakeilateralDecisions"."""
    article = normalize("Meaderies grew. He bought an iPhone on eBay.")
    text = ("Hamas was not mandated tomakeilateralDecisions. Meaderies grew; an iPhone on "
            "eBay; the water is nonpotable; he loat.")  # fmt: skip
    assert unknown_words(text, article) == ["tomakeilateralDecisions"]
    assert unknown_words("The scheme is called fooBarQux.", normalize("fooBarQux began.")) == []


def test_a_sentence_cut_short_ends_on_a_word_no_sentence_ends_on() -> None:
    assert cut_short("Hamas alone was not mandated to.") == "to"
    assert cut_short("It sent troops to the.\u201d") == "the"
    assert cut_short("Hamas alone was not mandated to make decisions.") is None
    assert cut_short("The force is led by Egypt.") is None
    assert cut_short("Egypt is expected to lead the") == "the"  # a headline has no period
