"""Figures found by code (`summarizer.figures`), on the texts issue #37 quotes: what a
number counts from the parse; a score or a time is no count; units and shares kept."""

from __future__ import annotations

from summarizer.candidates import propose


def _figures(*sentences: str) -> list[tuple[str, str]]:
    return [(f["value"], f["counts"]) for f in propose(list(sentences)).figures]


def test_a_score_and_a_time_count_nothing() -> None:
    found = _figures(
        "City won the match in a 2-1 win over Chelsea on Sunday afternoon.",
        "A minute or 2 later the ball was in the net again, the referee said.",
    )
    assert found == []


def test_a_number_word_counts_its_noun() -> None:
    assert _figures("Fifty people were evacuated from the building on Monday.") == [
        ("Fifty", "people")
    ]


def test_a_share_counts_what_it_is_of() -> None:
    found = _figures(
        "Some 5,500 of the fostered young people are living with their third family.",
        "Some 70% of voters backed the plan in the referendum, a poll found.",
    )
    assert ("Some 5,500", "fostered young people") in found
    assert ("Some 70%", "voters") in found


def test_a_sum_keeps_its_currency_and_unit_and_what_it_is_for() -> None:
    found = _figures(
        "Ed Miliband received £1.6m from union barons in the first week of the campaign.",
        "After mediation the woman agreed to accept 20,000 yuan ($3,100, £2,200) as "
        "compensation, said the report.",
    )
    assert found[0][0] == "£1.6m"
    assert ("20,000 yuan", "compensation") in found
    assert not any(value.startswith(("3,100", "$3,100", "£2,200")) for value, _ in found)


def test_a_unit_joined_by_a_hyphen_is_part_of_the_value() -> None:
    assert _figures(
        "The 164-store chain includes about 40 loss-making shops, the administrators said."
    ) == [("164-store", "chain"), ("about 40", "loss-making shops")]
