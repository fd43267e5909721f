"""Dates: a calendar date's parts must be found together.

The number check finds each number anywhere in the article, and the name check each month
name: "April 19, 2012" passes against "since Gray's death on 19 April" and "police chief
since October 2012", two sentences apart. A date with two parts or more (month and day,
month and year) states them of one day, so one sentence must hold them all: the same month,
the same day where it gives one, and the year where it gives one (as part of a date or as a
number of that sentence: "in 2015 ... on 19 April").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from summarizer.text import memo
from summarizer.text.words import QUOTES, SENTENCE_MEMO

_ABBREVIATIONS = [
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
]
_MONTHS = {m: n for n, m in enumerate(_ABBREVIATIONS, start=1)}
_MONTH = (
    r"(?P<m>January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_DAY = r"(?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?P<y>1[89]\d\d|20\d\d)"


def _pattern() -> re.Pattern[str]:
    """ "April 19, 2012", "19 April 2012", "19th of April", "April 2012", "April 19": their
    groups numbered by form (a group's name may appear only once in a pattern)."""
    forms = [
        rf"{_MONTH}\s+{_DAY}(?![\d:])(?:,?\s+{_YEAR})?",
        rf"{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?",
        rf"{_MONTH},?\s+{_YEAR}",
    ]
    numbered = [
        f.replace("(?P<m>", f"(?P<m{i}>")
        .replace("(?P<d>", f"(?P<d{i}>")
        .replace("(?P<y>", f"(?P<y{i}>")
        for i, f in enumerate(forms)
    ]
    return re.compile(r"\b(?:" + "|".join(numbered) + r")\b")


_DATES = _pattern()
_YEARS = re.compile(rf"\b{_YEAR}\b")


@dataclass(frozen=True, slots=True)
class Date:
    text: str  # as written
    month: int
    day: int | None
    year: int | None


@memo.bounded(SENTENCE_MEMO)
def dates(text: str) -> tuple[Date, ...]:
    """The dates of `text` that name a month with a day or a year."""
    out = []
    for m in _DATES.finditer(text.translate(QUOTES)):
        parts = {k[0]: v for k, v in m.groupdict().items() if v is not None}
        month = _MONTHS[parts["m"].lower()[:3]]
        day = int(parts["d"]) if "d" in parts else None
        year = int(parts["y"]) if "y" in parts else None
        out.append(Date(m.group(), month, day, year))
    return tuple(out)


def date_occurs(date: Date, evidence: Sequence[str]) -> bool:
    """Some sentence of `evidence` has `date`'s month with its day and its year (each
    where `date` gives one)."""
    for sentence in evidence:
        years = {int(y) for y in _YEARS.findall(sentence)}
        for there in dates(sentence):
            if there.month != date.month:
                continue
            if date.day is not None and there.day != date.day:
                continue
            if date.year is not None and there.year != date.year and date.year not in years:
                continue
            return True
    return False
