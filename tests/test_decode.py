"""The embedded decoder's loop guards, without the model (token ids stand for tokens)."""

from __future__ import annotations

import itertools
import json
import re

import pytest

from summarizer.local.grammar import grammar_for, rising
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


def test_a_name_may_not_be_written_twice_in_a_row() -> None:
    g = WordGuard("The Gaza Strip is in Gaza. Gaza had had it. Gazans said so.")
    assert not g.continues("Egypt's post-war Gaza", " Gaza")  # "Gaza Gaza Strip"
    assert g.continues("Egypt's post-war Gaza.", " Gaza")  # a new sentence
    assert g.continues("Egypt's post-war Gaza", " Strip")
    assert g.continues("Egypt's post-war Gaza", " Gazans")  # another word
    assert g.continues("Gaza had", " had")  # only names: "had had" is English


def language(gbnf: str, start: str) -> set[str]:
    """Every string a GBNF without recursion or repetition generates from `start`
    (literals, rule references, groups and alternatives; ``space`` read as nothing)."""
    rules = dict(line.split(" ::= ", 1) for line in gbnf.splitlines() if " ::= " in line)

    def alternatives(tokens: list[str]) -> set[str]:  # alt ('|' alt)*, up to ')'
        out, sequence = set(), {""}
        while tokens and tokens[0] != ")":
            token = tokens.pop(0)
            if token == "|":
                out |= sequence
                sequence = {""}
                continue
            if token == "(":
                part = alternatives(tokens)
                assert tokens.pop(0) == ")"
            elif token.startswith('"'):
                part = {json.loads(token)}
            else:
                part = {""} if token == "space" else alternatives(lex(rules[token]))
            sequence = {a + b for a in sequence for b in part}
        return out | sequence

    def lex(body: str) -> list[str]:
        tokens = re.findall(r'"(?:[^"\\]|\\.)*"|[\w-]+|[()|]|\S', body)
        assert not set(tokens) & {"*", "+", "?"}, body
        return tokens

    return alternatives(lex(start))


@pytest.mark.parametrize(("n", "least", "most"), [(4, 2, 3), (5, 0, 2), (3, 3, 3), (1, 0, 1)])
def test_a_choice_list_holds_each_number_once(n: int, least: int, most: int) -> None:
    values = [str(v) for v in range(1, n + 1)]
    written = language("\n".join(rising("c", values, least, most)), "c")
    expected = {
        json.dumps([int(v) for v in chosen], separators=(",", ""))
        for size in range(least, most + 1)
        for chosen in itertools.combinations(values, size)
    }
    assert written == expected


def test_the_grammar_writes_unique_choices_as_rising_lists() -> None:
    schema = {
        "type": "object",
        "properties": {
            "figures": {"type": "array", "items": {"enum": [1, 2, 3]}, "maxItems": 2,
                        "uniqueItems": True},
            "tags": {"type": "array", "items": {"enum": [1, 2]}, "maxItems": 2},
        },
        "required": ["figures", "tags"],
    }  # fmt: skip
    gbnf = grammar_for(json.dumps(schema))
    figures = re.search(r"^figures ::= (\S+)$", gbnf, re.M)
    assert figures is not None
    assert language(gbnf, figures.group(1)) >= {"[1,3]", "[]", "[2]"}
    assert "[2,2]" not in language(gbnf, figures.group(1))
    assert "@choice" not in gbnf
    assert "uniqueItems" not in gbnf and 'tags-item ("," space tags-item)' in gbnf  # as before
