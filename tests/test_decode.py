"""The embedded decoder's loop guards, without the model (token ids stand for tokens)."""

from __future__ import annotations

from summarizer.local.decode import MAX_DIGITS, _cycle_continuation, _Openings


def test_a_short_cycle_may_not_go_on() -> None:
    assert _cycle_continuation([5] * 11) == {5}  # the 12th "0" in a row is refused
    assert _cycle_continuation([5] * 10) == set()
    assert _cycle_continuation([1, 2, 3, 4] * 2 + [1, 2, 3]) == {4}  # a third "1 2 3 4"
    assert _cycle_continuation([1, 2, 3, 4] * 2) == set()  # twice is allowed
    assert _cycle_continuation(list(range(40))) == set()  # ordinary text


def feed(tracker: _Openings, text: str) -> None:
    for ch in text:
        tracker.add(ord(ch), ch)  # one token a character, its id the code point


def test_the_tracker_counts_words_and_digits_inside_strings() -> None:
    tracker = _Openings(4)
    feed(tracker, '{"title":"Egypt to lead')
    assert tracker.in_string and tracker.word == len("lead")
    feed(tracker, " " + "x" * 45)
    assert tracker.word == 45
    feed(tracker, '","sentences":[' + "1" * MAX_DIGITS)
    assert not tracker.in_string and tracker.digits == MAX_DIGITS


def test_a_value_of_the_worked_example_may_not_be_opened_again() -> None:
    tracker = _Openings(2)
    prompt = 'Example: {"role":"the mayor"} Article: the mayor spoke.'
    tracker.prime([ord(c) for c in prompt], list(prompt))
    assert not tracker.in_string and tracker.word == 0
    feed(tracker, '{"role":"t')
    assert tracker.banned() == {ord("h")}  # "th..." opened the example's value
    feed(tracker, 'o","name":"')
    assert tracker.banned() == set()  # a value's opening is checked at its k-th token
