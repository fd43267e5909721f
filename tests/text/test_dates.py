"""summarizer.text.dates: a date's parts are found together, in one sentence."""

from __future__ import annotations

import pytest

from summarizer import Article
from summarizer.checks.rules import free_text_errors
from summarizer.text.dates import Date, date_occurs, dates


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("on April 19, 2012.", [("April 19, 2012", 4, (19,), 2012)]),
        ("on 19 April, with 155", [("19 April", 4, (19,), None)]),
        ("the 3rd of May 2019 and Sept. 4",
         [("3rd of May 2019", 5, (3,), 2019), ("Sept. 4", 9, (4,), None)]),
        ("in October 2012", [("October 2012", 10, (), 2012)]),
        ("at 10:30 on March 3", [("March 3", 3, (3,), None)]),
        ("on the 4 and 5 June", [("4 and 5 June", 6, (4, 5), None)]),
        ("June 4th and 5th", [("June 4th and 5th", 6, (4, 5), None)]),
        ("It may rain in May.", []),  # a month alone is a name, checked as one
    ],
)  # fmt: skip
def test_dates_are_read_with_their_parts(text: str, found: list[tuple[object, ...]]) -> None:
    assert [(d.text, d.month, d.days, d.year) for d in dates(text)] == found


EVIDENCE = [
    "The city has seen a sharp increase in violence since Gray's death on 19 April.",
    "Mr Batts had been police chief since October 2012.",
    "In 2015, on 1 May, six officers were charged.",
    "The fountain will be working on the 4 and 5 June.",
    "Talks ran from 3 March to 21 April, and again on 2 May and 23 May.",
]


@pytest.mark.parametrize(
    ("date", "occurs"),
    [
        (Date("April 19", 4, (19,), None), True),
        (Date("April 19, 2012", 4, (19,), 2012), False),  # a month here, a year there
        (Date("April 2012", 4, (), 2012), False),
        (Date("October 2012", 10, (), 2012), True),
        (Date("October 9, 2012", 10, (9,), 2012), False),  # a day the article does not give
        (Date("May 1, 2015", 5, (1,), 2015), True),  # the year elsewhere in its sentence
        (Date("April 20", 4, (20,), None), False),
        (Date("June 4th and 5th", 6, (4, 5), None), True),  # one of the days listed
        (Date("June 5", 6, (5,), None), True),
        (Date("June 6", 6, (6,), None), False),
        (Date("April 21", 4, (21,), None), True),  # the second date of its sentence
        (Date("May 23", 5, (23,), None), True),
    ],
)
def test_a_date_occurs_where_one_sentence_has_all_its_parts(date: Date, occurs: bool) -> None:
    assert date_occurs(date, EVIDENCE) is occurs


def test_a_date_made_of_two_sentences_is_an_error_in_free_text() -> None:
    """The embedded model wrote "Freddie Gray's death on April 19, 2012" of an article
    that gives 19 April in one sentence and October 2012 in another."""
    article = [s.text for s in Article.from_text("\n\n".join(EVIDENCE)).sentences]
    made = "Violence has risen since Gray's death on April 19, 2012."
    assert [(e.kind, e.found) for e in free_text_errors(made, article)] == [
        ("name", "April 19, 2012")
    ]
    assert free_text_errors("Violence has risen since Gray's death on April 19.", article) == []
