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

_MONTHS = {m: n for n, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul",
                                        "aug", "sep", "oct", "nov", "dec"), start=1)}  # fmt: skip
# The parts' groups are numbered by form ({0}): a group's name may appear once a pattern.
_MONTH = (
    r"(?P<m{0}>January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_ONE_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
# One day or several ("4 and 5 June", "June 4-5", "1, 2 or 3 May").
_DAY = rf"(?P<d{{0}}>{_ONE_DAY}(?:\s*(?:,|and|or|to|-|\u2013)\s*{_ONE_DAY})*)"
_YEAR = r"(?P<y{0}>1[89]\d\d|20\d\d)"
_FORMS = (
    rf"{_MONTH}\s+{_DAY}(?![\d:])(?:,?\s+{_YEAR})?",  # "April 19, 2012", "April 19"
    rf"{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?",  # "19 April 2012", "19th of April"
    rf"{_MONTH},?\s+{_YEAR}",  # "April 2012"
)
# A constant, not a function: mutmut's mutants of code run at import never take effect.
_DATES = re.compile(
    r"\b(?:" + "|".join(f.replace("{0}", str(n)) for n, f in enumerate(_FORMS)) + r")\b"
)
_YEARS = re.compile(rf"\b{_YEAR.format('')}\b")  # a year anywhere in a sentence


@dataclass(frozen=True, slots=True)
class Date:
    text: str  # as written
    month: int
    days: tuple[int, ...]  # as written ("4 and 5 June": 4, 5); empty: no day given
    year: int | None


@memo.bounded(SENTENCE_MEMO)
def dates(text: str) -> tuple[Date, ...]:
    """The dates of `text` that name a month with a day or a year."""
    out = []
    for m in _DATES.finditer(text.translate(QUOTES)):
        parts = {k[0]: v for k, v in m.groupdict().items() if v is not None}
        month = _MONTHS[parts["m"].lower()[:3]]
        days = tuple(int(d) for d in re.findall(r"\d+", parts.get("d", "")))
        year = int(parts["y"]) if "y" in parts else None
        out.append(Date(m.group(), month, days, year))
    return tuple(out)


def date_occurs(date: Date, evidence: Sequence[str]) -> bool:
    """Some sentence of `evidence` has `date`'s month with its (first) day and its year
    (each where `date` gives one)."""
    for sentence in evidence:
        years = {int(y) for y in _YEARS.findall(sentence)}
        for there in dates(sentence):
            if there.month != date.month:
                continue
            # The first day: the others may be a count that follows ("June 4 and 5 ...").
            if date.days and date.days[0] not in there.days:
                continue
            if date.year is not None and there.year != date.year and date.year not in years:
                continue
            return True
    return False
