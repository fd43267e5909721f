"""Numbers: in digits or in words, with their values, and whether one states another
(the same value, rounded within its own precision, or "about" it).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from summarizer.text import memo
from summarizer.text.words import QUOTES, SENTENCE_MEMO, contains, normalize

_SCALE = {
    "hundred": 1e2,
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
_NUMBER = re.compile(
    r"(?<![\w.])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:\s*(?P<scale>hundred|thousand|million|billion|"
    r"trillion|bn|tn|mn|m|k|b)\b)?",
    re.I,
)
_APPROX = re.compile(
    r"\b(about|around|approximately|roughly|nearly|almost|some|over|more than|less than|"
    r"fewer than|under|up to|at least|at most|just over|just under|close to|an estimated|"
    r"estimated|upwards of|almost|dozens|hundreds|thousands|millions)\s*$",
    re.I,
)
_NUMBER_WORDS = re.compile(
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred|thousand|million|billion|trillion|dozen)\b",
    re.I,
)


_ORDINAL = re.compile(r"(st|nd|rd|th)\b", re.I)


@dataclass(frozen=True, slots=True)
class Number:
    text: str  # as written (after number words became digits)
    value: float
    approximate: bool  # "about 20,000", "more than 300"
    below: float | None = None  # a vague quantity's range: "thousands" is value to below


# Vague quantities state a range: "thousands of people injured" where the article has five
# is an invented figure; where it has 5,000, a fair one. Each, its range [from, below).
_VAGUE = re.compile(
    r"\b(?:(?:tens|hundreds) of )?(?:dozens|hundreds|thousands|millions|billions)\b",
    re.I,
)
_VAGUE_RANGES = {
    "dozens": (24.0, 200.0),
    "hundreds": (200.0, 1e3),
    "thousands": (2e3, 1e5),
    "tens of thousands": (2e4, 1e5),
    "hundreds of thousands": (2e5, 1e6),
    "millions": (2e6, 1e9),
    "tens of millions": (2e7, 1e8),
    "hundreds of millions": (2e8, 1e9),
    "billions": (2e9, 1e12),
}


def _digits(text: str) -> str:
    """Number words as digits ("twenty thousand" -> "20000"), by text2num."""
    if not _NUMBER_WORDS.search(text):
        return text
    from text_to_num import alpha2digit

    # "1.5 million" is already a number: keep text2num from making it "1.5 1000000".
    glued = re.sub(r"(\d)\s+(hundred|thousand|million|billion|trillion)\b", r"\1\2", text)
    # "mother-of-six", "eight-episode": number words inside a compound count too.
    glued = re.sub(r"(?<=\w)-(?=\w)", " ", glued)
    return str(alpha2digit(glued, "en"))


@memo.bounded(SENTENCE_MEMO)
def numbers(text: str) -> tuple[Number, ...]:
    """The numbers in `text` with their values: '20,000', 'twenty thousand', '£2.5bn',
    '3.7 miles', '39-year-old'. Bare 'one' is not a number (it is mostly a pronoun)."""
    plain = _digits(text.translate(QUOTES))
    plain = re.sub(r"(\d)(hundred|thousand|million|billion|trillion)\b", r"\1 \2", plain)
    out = []
    for m in _NUMBER.finditer(plain):
        if _ORDINAL.match(plain, m.end()):
            continue  # "fourth", "18th": a rank, not a figure
        value = float(m.group("num").replace(",", ""))
        if scale := m.group("scale"):
            value *= _SCALE[scale.lower()]
        approximate = _APPROX.search(plain[: m.start()]) is not None
        out.append(Number(m.group().strip(), value, approximate))
    for m in _VAGUE.finditer(plain):
        if (found := _VAGUE_RANGES.get(re.sub(r"\s+", " ", m.group()).lower())) is None:
            continue  # "hundreds of dozens": no such phrase
        out.append(Number(m.group(), found[0], True, below=found[1]))
    return tuple(out)


def _precision(number: Number) -> float:
    """The unit of the last significant digit as written: 20,000 -> 10,000; 3.7 -> 0.1."""
    digits = re.sub(r"[^\d.]", "", number.text.split()[0]) or "0"
    if "." in digits:
        unit = 10.0 ** -len(digits.split(".")[1])
    else:
        stripped = digits.rstrip("0")
        unit = 10.0 ** (len(digits) - len(stripped)) if stripped else 1.0
    scale = number.value / float(digits) if float(digits) else 1.0
    return unit * scale


def number_matches(number: Number, candidates: Iterable[Number]) -> bool:
    """`number` states one of `candidates`: the same value, or that value rounded to the
    precision `number` is written with (within 10%), or within 15% when it says "about";
    a vague quantity ("thousands") states a value in its range, or the same quantity."""
    for c in candidates:
        if number.below is not None or c.below is not None:
            if number.below is not None and (
                (number.value, number.below) == (c.value, c.below)
                or (c.below is None and number.value <= c.value < number.below and not _year(c))
            ):
                return True
            continue  # a precise figure is not stated by a vague one
        if math.isclose(number.value, c.value, rel_tol=1e-9, abs_tol=1e-9):
            return True
        gap = abs(number.value - c.value)
        relative = gap / max(abs(number.value), abs(c.value), 1e-9)
        if gap <= _precision(number) / 2 and relative <= 0.1:
            return True
        if number.approximate and relative <= 0.15:
            return True
    return False


def _year(number: Number) -> bool:
    """Written as a year ("in July 2013"): no count of thousands."""
    return len(number.text) == 4 and number.text.isdigit() and 1500 <= number.value <= 2100


def figure_occurs(value: str, evidence: Sequence[str]) -> bool:
    """A figure ('20,000', 'twenty thousand', 'about 3.7 miles') is in `evidence`: as
    written, or every number in it by value."""
    if contains(normalize(" ".join(evidence)), normalize(value)):
        return True
    known = [n for s in evidence for n in numbers(s)]
    mine = numbers(value)
    return bool(mine) and all(number_matches(n, known) for n in mine)


def has_number(text: str) -> bool:
    return bool(numbers(text)) or _NUMBER_WORDS.search(text) is not None
