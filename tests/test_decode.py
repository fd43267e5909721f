"""The embedded decoder's loop guards, without the model (token ids stand for tokens)."""

from __future__ import annotations

from summarizer.local.guards import MAX_DIGITS, Openings, cycle_continuation
from summarizer.local.words import WordGuard, guard_for


def test_a_short_cycle_may_not_go_on() -> None:
    assert cycle_continuation([5] * 11) == {5}  # the 12th "0" in a row is refused
    assert cycle_continuation([5] * 10) == set()
    assert cycle_continuation([1, 2, 3, 4] * 2 + [1, 2, 3]) == {4}  # a third "1 2 3 4"
    assert cycle_continuation([1, 2, 3, 4] * 2) == set()  # twice is allowed
    assert cycle_continuation(list(range(40))) == set()  # ordinary text


def feed(tracker: Openings, text: str) -> None:
    for ch in text:
        tracker.add(ord(ch), ch)  # one token a character, its id the code point


def test_the_tracker_counts_words_and_digits_inside_strings() -> None:
    tracker = Openings(4)
    feed(tracker, '{"title":"Egypt to lead')
    assert tracker.in_string and tracker.word == len("lead")
    feed(tracker, " " + "x" * 45)
    assert tracker.word == 45
    feed(tracker, '","sentences":[' + "1" * MAX_DIGITS)
    assert not tracker.in_string and tracker.digits == MAX_DIGITS


def test_a_value_of_the_worked_example_may_not_be_opened_again() -> None:
    tracker = Openings(2)
    prompt = 'Example: {"role":"the mayor"} Article: the mayor spoke.'
    tracker.prime([ord(c) for c in prompt], list(prompt))
    assert not tracker.in_string and tracker.word == 0
    feed(tracker, '{"role":"t')
    assert tracker.banned() == {ord("h")}  # "th..." opened the example's value
    feed(tracker, 'o","name":"')
    assert tracker.banned() == set()  # a value's opening is checked at its k-th token


# -- the word guard: names and numbers from the article being summarized -------------------

ARTICLE = [
    "Egypt is expected to lead the force laid out in U.S. President Donald Trump's plan.",
    "Indonesia offered 20,000 soldiers for the U.N.-led operation.",
]


def guard() -> WordGuard:
    found = guard_for("\n".join(ARTICLE))
    assert found is not None
    return found


def test_the_article_is_given_with_the_request_not_scraped_from_the_prompt() -> None:
    from summarizer.backends import resolve
    from summarizer.local.transport import ARTICLE_FIELD, _article_of

    backend = resolve(backend="embedded")
    body = backend.extra_body({"type": "object"}, ARTICLE)
    assert body is not None and body[ARTICLE_FIELD]["attributed"] == 0
    article, attributed = _article_of(body)
    # Whatever the template says around the article: the guard reads what is given.
    assert article.startswith("Egypt is expected") and "Northbridge" not in article
    assert attributed == 0
    assert _article_of({}) == ("", 0)  # a request without it: no guard, no claims bound
    said = [*ARTICLE, "Hamas said it would disarm, according to two sources."]
    assert _article_of(backend.extra_body({}, said) or {})[1] == 1


def test_names_and_numbers_must_be_the_articles() -> None:
    g = guard()
    assert g.continues("Egypt to lead the ", "force")  # lowercase: free
    assert g.continues("Egypt to lead ", "Indonesia's")  # an article name, possessive
    assert not g.continues("The council of ", "Northbridge")  # the worked example's name
    assert not g.continues("Egypt to lead ", "Elm ")  # a common word, not at an opening
    assert g.continues("Indonesia offered ", "20,0")  # the beginning of 20,000
    assert not g.continues("Indonesia offered ", "2 ")  # a complete number it does not have
    assert g.continues("Indonesia offered ", '20,000"')  # the string ends on a whole number
    assert g.continues("The ", "U.N. ")  # the start of "U.N.-led"
    assert not g.continues("Trump and ", "L. ")  # an initial the article does not have


def test_a_sentence_may_open_with_a_common_word() -> None:
    g = guard()
    assert g.continues("", "Blast ")
    assert g.continues("Egypt leads. ", "Soldiers ")
    assert not g.continues("", "Northbridge")
    assert not g.continues("Egypt leads ", "\t")  # no control characters in JSON text


def test_the_tracker_knows_the_string_value_being_written() -> None:
    tracker = Openings(0)
    feed(tracker, '{"title":"Egypt to')
    assert tracker.value == "Egypt to"
    assert tracker.value_text(" lead") == " lead"
    feed(tracker, '","tldr":')
    assert tracker.value_text('"Egypt') == "Egypt"  # the opening quote and a word at once
    assert tracker.value_text("{") is None


def test_no_script_the_article_does_not_use() -> None:
    g = guard()
    assert not g.continues("Egypt to lead the ", "帮助")  # a small model drifting into Chinese
    assert g.continues("Egypt to lead the ", "\u201cforce\u201d")  # curly quotes are text


def test_the_tracker_knows_which_key_a_value_belongs_to() -> None:
    tracker = Openings(0)
    feed(tracker, '{"title":"Egypt to lead","key_points":[{"sentences":[1],"text":"Eg')
    assert tracker.key == "text" and tracker.current is not None


def test_string_limits_come_from_the_schema() -> None:
    from summarizer.local.grammar import compact, string_limits
    from summarizer.schema import ArticleSummary

    limits = string_limits(ArticleSummary.model_json_schema())
    assert limits["title"] == 120 and limits["value"] == 40 and limits["summary"] == 1200
    schema = ArticleSummary.model_json_schema()
    claims = compact(schema, attributions=0)["properties"]["claims"]
    assert claims["maxItems"] == 1  # minItems 0 plus one spare
    assert compact(schema, attributions=4)["properties"]["claims"]["maxItems"] == 4
    assert compact(schema, attributions=40)["properties"]["claims"]["maxItems"] == 6
    assert compact(schema, attributions=40)["properties"]["figures"]["maxItems"] == 1
