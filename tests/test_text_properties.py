"""Property tests (hypothesis) for the text facts the checks rest on (#22): numbers in
digits and in words, rounding and "about", names and their other forms, and how a
summary is cut into sentences, prose or bullets."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from summarizer.segment import summary_sentences
from summarizer.text.names import name_occurs
from summarizer.text.numbers import Number, number_matches, numbers
from summarizer.text.words import normalize

UNITS = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
         "seventeen", "eighteen", "nineteen"]  # fmt: skip
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def in_words(n: int) -> str:
    """English words for 2 <= n < 1,000,000 (the test's own spelling, not text2num's)."""
    if n >= 1000:
        rest = n % 1000
        return f"{in_words(n // 1000)} thousand" + (f" {in_words(rest)}" if rest else "")
    if n >= 100:
        rest = n % 100
        return f"{UNITS[n // 100]} hundred" + (f" {in_words(rest)}" if rest else "")
    if n >= 20:
        return TENS[n // 10] + (f"-{UNITS[n % 10]}" if n % 10 else "")
    return TEENS[n - 10] if n >= 10 else UNITS[n]


@settings(max_examples=150, deadline=None)
@given(st.integers(3, 999_999))
def test_a_number_reads_the_same_in_digits_and_in_words(n: int) -> None:
    # From three up: text2num leaves "one" and "two" as words (mostly not figures).
    digits = numbers(f"The council counted {n:,} votes.")
    words = numbers(f"The council counted {in_words(n)} votes.")
    assert [x.value for x in digits] == [float(n)]
    assert [x.value for x in words] == [float(n)], in_words(n)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 10**7), st.floats(0.0, 3.0))
def test_a_different_number_is_never_the_same_one(value: int, factor: float) -> None:
    other = round(value * factor)
    assume(other != value)
    relative = abs(other - value) / max(value, other)
    found = numbers(f"The agency reported {other} cases.")[0]
    matched = number_matches(found, numbers(f"There were {value} cases."))
    if relative > 0.15:  # beyond rounding and beyond "about": always an error
        assert not matched, (other, value)


@settings(max_examples=200, deadline=None)
@given(st.integers(1000, 10**7), st.sampled_from([-1, 1]), st.floats(0.0, 0.3))
def test_about_allows_15_percent_and_no_more(value: int, sign: int, off: float) -> None:
    other = round(value * (1 + sign * off))
    assume(other > 0)
    relative = abs(other - value) / max(value, other)
    assume(abs(relative - 0.15) > 0.005)  # away from the edge, where rounding decides
    approximate = Number(f"{other}", float(other), approximate=True)
    exact = Number(f"{other}", float(other), approximate=False)
    written = numbers(f"It had {value} members.")
    assert number_matches(approximate, written) == (relative <= 0.15)
    if relative > 0.1:  # the exact figure: only its own rounding, at most 10%
        assert not number_matches(exact, written)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 99), st.sampled_from([1_000, 10_000, 1_000_000]))
def test_a_round_figure_matches_what_it_rounds(lead: int, unit: int) -> None:
    """20,000 in a summary states the article's 19,800 (written to the nearest 1,000)."""
    rounded = lead * unit
    precise = rounded - unit // 20  # 5% under a figure of one significant digit, or less
    assume(precise > 0)
    assert number_matches(numbers(f"about {rounded:,}")[0], numbers(f"{precise:,} people"))
    assert number_matches(numbers(f"{rounded:,} people")[0], numbers(f"{precise:,} people"))


NAME = st.text(alphabet=st.characters(min_codepoint=97, max_codepoint=122), min_size=5,
               max_size=9).map(str.capitalize)  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(NAME, NAME)
def test_a_person_is_found_by_full_name_surname_and_possessive(first: str, last: str) -> None:
    assume(first.lower() != last.lower())
    evidence = normalize(f"{first} {last}, the mayor, said the plan would go ahead.")
    assert name_occurs(f"{first} {last}", evidence)
    assert name_occurs(last, evidence)
    assert name_occurs(f"{last}'s", evidence)
    assert name_occurs(f"the {first} {last}", evidence)


@settings(max_examples=100, deadline=None)
@given(NAME, NAME)
def test_a_name_the_evidence_lacks_is_not_found(present: str, absent: str) -> None:
    assume(present[:3].lower() != absent[:3].lower())  # not one misspelling of the other
    evidence = normalize(f"{present} said the plan would go ahead on Monday.")
    assert not name_occurs(absent, evidence)


SENTENCE = st.builds(
    lambda subject, verb, obj: f"{subject} {verb} the {obj}.",
    NAME, st.sampled_from(["leads", "funds", "opened", "closed", "visited"]),
    st.sampled_from(["force", "school", "bridge", "museum", "council"]),
)  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(st.lists(SENTENCE, min_size=1, max_size=6),
       st.sampled_from(["{} ", "{}\n", "- {}\n", "* {}\n", "\u2022 {}\n", "1. {}\n"]))  # fmt: skip
def test_a_summary_has_the_same_sentences_in_prose_lines_or_bullets(
    sentences: list[str], layout: str
) -> None:
    text = "".join(layout.format(s) for s in sentences)
    assert summary_sentences(text) == sentences
