"""Entities found by code (`summarizer.entities`), on the texts issue #37 quotes: the main
actors kept and first, surnames joined to names, titles and common nouns no entities,
types from evidence, roles from a noun phrase about the entity."""

from __future__ import annotations

from typing import Any

import pytest

from summarizer.candidates import propose

MATCH = [
    "Manchester City beat Chelsea in a 2-1 win on Sunday, with Pep Guardiola saying the "
    "title race was open.",
    "Guardiola said his players had been brilliant.",
    "Myer Chief Merchandise & Marketing Officer Adrian Stevens said sales rose in Britain "
    "and Russia.",
    "Respect was shown to the coach by the fans.",
    "A minute or 2 later the lorry hit the barrier, witnesses said.",
]


@pytest.fixture(scope="module")
def found() -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in propose(MATCH).entities}


def test_a_surname_is_joined_to_the_name_it_belongs_to(found: dict[str, dict[str, Any]]) -> None:
    """ "Pep Guardiola" (unlabelled by the small model, but speaking) and then "Guardiola"
    (labelled an organization): one person, citing both sentences."""
    assert found["Pep Guardiola"]["type"] == "person"
    assert found["Pep Guardiola"]["sentences"] == [1, 2]
    assert "Guardiola" not in found


def test_the_teams_an_article_is_about_are_kept(found: dict[str, dict[str, Any]]) -> None:
    """An entity that is no sentence's subject and has no apposition still gets a role:
    the clause it is part of."""
    assert found["Chelsea"]["type"] == "organization"
    assert found["Chelsea"]["role"] == "Manchester City beat Chelsea in a 2-1 win on Sunday"


def test_titles_and_common_nouns_are_no_entities(found: dict[str, dict[str, Any]]) -> None:
    names = " ".join(found)
    assert "Officer" not in names and "Chief" not in names  # a job title, not a body
    assert "Respect" not in found and "lorry" not in names.lower()
    assert found["Adrian Stevens"]["type"] == "person"


def test_countries_are_typed_from_a_list_of_countries(found: dict[str, dict[str, Any]]) -> None:
    assert found["Britain"]["type"] == found["Russia"]["type"] == "country"
    places = {e["name"]: e["type"] for e in propose(
        ["Flooding hit Paris and the U.S. state of Texas, officials in France said."]
    ).entities}  # fmt: skip
    assert places["France"] == places["U.S."] == "country"
    assert places["Paris"] == places["Texas"] == "location"


def test_a_person_by_a_title_or_an_apposition() -> None:
    """ "Abir, a 47-year-old woman" is a person though the small model labels her an
    organization; "Mr Cazeneuve" is Bernard Cazeneuve."""
    entities = {e["name"]: e for e in propose([
        "French Interior Minister Bernard Cazeneuve said an attack had been foiled.",
        "Mr Cazeneuve said the suspect was found on a street in Paris.",
        "Abir, a 47-year-old woman who was born and raised in Yarmouk, said she left.",
    ]).entities}  # fmt: skip
    assert entities["Bernard Cazeneuve"]["role"] == "French Interior Minister"
    assert "Cazeneuve" not in entities and "Mr Cazeneuve" not in entities
    assert entities["Abir"]["type"] == "person"
    assert entities["Abir"]["role"].startswith("a 47-year-old woman")


def test_a_name_cut_in_two_by_the_parse_is_joined() -> None:
    entities = {e["name"]: e["type"] for e in propose(
        ["A young Syrian boy has revealed how he saw depraved Islamic State militants "
         "playing football with a severed head."]
    ).entities}  # fmt: skip
    assert entities.get("Islamic State") == "organization"
    assert "State" not in entities and "Islamic" not in entities and "Syrian" not in entities


def test_a_role_is_never_a_cut_fragment() -> None:
    """No role with an unbalanced bracket ("(MCS"), nor a title alone ("Mr"), nor a number."""
    entities = propose([
        "The Marine Conservation Society (MCS) said the 125 areas would now be looked at.",
        "Sidi Mohammed, a Western Sahara official, told the BBC it was a good chance.",
        "Mr Mohammed said Morocco had to respect the AU's rules.",
        "Amjad Yaaqub, 16, said he saw the militants.",
    ]).entities  # fmt: skip
    for entity in entities:
        role = entity["role"]
        assert role.count("(") == role.count(")"), entity
        assert role not in ("Mr", "16"), entity
