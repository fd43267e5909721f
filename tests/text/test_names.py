"""summarizer.text.names: names found in text, and found in evidence in any of their
forms (property tests with hypothesis, and cases)."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from summarizer.text.names import name_occurs, names
from summarizer.text.words import normalize

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


def test_names_are_runs_of_capitalized_words_not_sentence_openers() -> None:
    text = "Facing pressure from his party, Gary Locke met the U.N. envoy in New York today."
    assert [n.text for n in names(text)] == ["Gary Locke", "U.N.", "New York"]


def test_a_possessive_ends_the_name_it_is_on() -> None:
    assert next(n.text for n in names("Obama's Supreme Court pick")) == "Obama's"


def test_other_forms_of_a_name_are_found() -> None:
    evidence = normalize("The United States and Britain asked the European Central Bank.")
    assert name_occurs("U.S.", evidence)
    assert name_occurs("British", evidence)
    assert name_occurs("ECB", evidence)  # an acronym of a name spelt out
    assert name_occurs("Britian", evidence)  # misspelt by a letter
    assert not name_occurs("France", evidence)
    assert not name_occurs("European Council", normalize("the Security Council met"))
