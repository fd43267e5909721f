"""summarizer.text.numbers: numbers in digits and in words, rounding and "about"
(property tests with hypothesis, and cases)."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from summarizer.text.numbers import Number, figure_occurs, has_number, number_matches, numbers

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


def test_scales_currencies_and_compounds_are_read_as_values() -> None:
    assert [n.value for n in numbers("a £2.5bn deal")] == [2.5e9]
    assert [n.value for n in numbers("1.5 million people")] == [1.5e6]
    assert [n.value for n in numbers("a mother-of-six")] == [6.0]
    assert [n.value for n in numbers("3.7 miles")] == [3.7]


def test_ranks_and_a_bare_one_are_not_figures() -> None:
    assert numbers("the fourth time, on the 18th") == ()
    assert numbers("one of them said") == ()


def test_approximate_numbers_know_their_hedge() -> None:
    (about,) = numbers("about 20,000 soldiers")
    (exact,) = numbers("20,000 soldiers")
    assert about.approximate and not exact.approximate


def test_a_figure_occurs_as_written_or_by_value() -> None:
    evidence = ["Indonesia offered 20,000 soldiers."]
    assert figure_occurs("20,000", evidence)
    assert figure_occurs("twenty thousand", evidence)
    assert not figure_occurs("30,000", evidence)
    assert has_number("a dozen") and has_number("12") and not has_number("many")


def _one(text: str) -> Number:
    (number,) = numbers(text)
    return number


def test_rounding_goes_to_the_last_digit_written_and_no_further() -> None:
    """A figure matches what it rounds at the precision it is written with (half its last
    significant digit's unit), in decimals, round thousands and scaled figures alike."""
    cases = [
        ("3.7 miles", 3.74, True), ("3.7 miles", 3.748, True), ("3.7 miles", 3.76, False),
        ("20,500 people", 20_550, True),  # half its last digit's unit: still the same
        ("1,000 people", 900, True),  # 10% exactly: still the same
        ("20,500 people", 20_540, True), ("20,500 people", 20_555, False),
        ("20,000 people", 21_500, True), ("20,000 people", 22_500, False),  # 10%: the cap
        ("3.7 million people", 3_740_000, True), ("3.7 million people", 3_760_000, False),
    ]  # fmt: skip
    for text, actual, same in cases:
        assert number_matches(_one(text), [Number(str(actual), actual, False)]) is same, text


def test_about_reaches_15_percent_and_small_numbers_are_relative_to_themselves() -> None:
    assert number_matches(_one("about 100 people"), [Number("85", 85, False)])
    assert not number_matches(_one("about 0.5 points"), [Number("0.6", 0.6, False)])


def test_a_figure_occurs_as_written_even_where_it_is_no_number() -> None:
    assert figure_occurs("first", ["He came first", "Then he left."])


def test_a_vague_quantity_states_a_range() -> None:
    """The chemical plant's recorded brief said "thousands of people injured" where the
    article has "five out of six people": an invented figure."""
    (thousands,) = numbers("with thousands of people injured")
    assert not number_matches(thousands, numbers("Five out of six people were injured."))
    assert number_matches(thousands, numbers("Some 5,000 people fled."))
    assert not number_matches(thousands, numbers("Some 500,000 people fled."))
    assert number_matches(thousands, numbers("Thousands of people fled."))  # the same words
    (many,) = numbers("hundreds of thousands fled")  # one quantity, not two
    assert number_matches(many, numbers("300,000 fled")) and not number_matches(
        many, numbers("30,000 fled")
    )
    # A precise figure is not stated by a vague one.
    assert not number_matches(numbers("5,000 fled")[0], numbers("thousands fled"))
    assert [n.below for n in numbers("dozens, hundreds, millions, billions")] == [
        200.0, 1e3, 1e9, 1e12,
    ]  # fmt: skip
    assert not number_matches(thousands, numbers("The plant was hit in July 2013."))  # a year
