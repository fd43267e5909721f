"""The built-in brief (`ArticleSummary`, schema version 1), made of the public blocks of
`summarizer.brief` and nothing else: whatever checks, salvages, chunks or renders it reads
those blocks, so a user's own brief gets the same.

The article checks are the gate: they fail only on what a reader would call an error
(`checks.rules.ErrorKind`: a number, name or quotation the evidence does not have, a
speaker who is not the source, a hedge made stronger, a negation flipped, a sentence that
does not exist). Each failure goes back to the model on a re-ask, named by its kind and
saying exactly what to fix. How well the wording is supported is graded by the grounding
report (`checks.report`), not gated: a good paraphrase shares few words with its source.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, Field

from summarizer.brief import (
    Brief,
    Cited,
    DescribedText,
    FigureText,
    GroundedText,
    Grounds,
    NameText,
    QuoteText,
    Text,
    split_sentences,
)
from summarizer.shapes import (
    ONE_SENTENCE,
    TWO_TO_FOUR_SENTENCES,
    count_sentences,
    count_words,
    most_sentences,
    sentence_pattern,
    shaped,
    words_pattern,
)
from summarizer.text.words import normalize, similar

__all__ = [
    "CHECKS_VERSION",
    "SCHEMA_VERSION",
    "ArticleSummary",
    "Claim",
    "Entity",
    "EntityType",
    "Figure",
    "Hedging",
    "KeyPoint",
    "OpenQuestion",
    "Overview",
    "Quotation",
    "SourceKind",
    "split_sentences",
]

SCHEMA_VERSION = "1"
# Bump when the checks change what passes: it is part of the cache key, so results
# validated under older rules are not served.
CHECKS_VERSION = "11"


class KeyPoint(Cited):
    """One key point of the story, in the article's words."""

    text: GroundedText = Field(
        max_length=300,
        description="One key point of the story, one sentence.",
        json_schema_extra=ONE_SENTENCE,
    )


class EntityType(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"
    COUNTRY = "country"
    LOCATION = "location"
    GROUP = "group"
    OTHER = "other"


class Entity(Cited):
    """A person, organization or place, named as the article names it."""

    @classmethod
    def same(cls, a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
        """The same name, however its role is put."""
        return normalize(str(a.get("name", ""))) == normalize(str(b.get("name", "")))

    name: NameText = Field(max_length=80, description="The name exactly as the article writes it.")
    type: EntityType = Field(description="What kind of entity this is.")
    role: DescribedText = Field(
        max_length=160, description="Its role in this story, in a few words."
    )


class SourceKind(StrEnum):
    NAMED_PERSON = "named_person"
    ORGANIZATION = "organization"
    PUBLICATION = "publication"
    ANONYMOUS = "anonymous"
    ARTICLE = "article"


class Hedging(StrEnum):
    STATED = "stated"
    REPORTED = "reported"
    UNCONFIRMED = "unconfirmed"
    SPECULATIVE = "speculative"


_NO_SOURCE = frozenset({"attributed_to"})


class Claim(Cited):
    """A statement attributed to its source, with how sure the article is of it."""

    @classmethod
    def unchecked(cls, data: Mapping[str, Any]) -> frozenset[str]:
        """A claim in the writer's own voice names no source to look for."""
        return _NO_SOURCE if data.get("source_kind") == SourceKind.ARTICLE else frozenset()

    @classmethod
    def same(cls, a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
        """The same statement from the same source: one statement from two sources is two
        claims (who said what is the point of the list)."""
        same_source = normalize(str(a.get("attributed_to"))) == normalize(
            str(b.get("attributed_to"))
        )
        return same_source and similar(str(a.get("statement")), str(b.get("statement")))

    statement: GroundedText = Field(
        max_length=300,
        description="What is claimed, in one sentence.",
        json_schema_extra=ONE_SENTENCE,
    )
    attributed_to: Annotated[NameText, Grounds("name", "source")] = Field(
        max_length=120,
        description=(
            "Who makes the claim, as written in the article (e.g. 'The Guardian', "
            "'three government officials'); 'the article' when it is the writer's own."
        ),
    )
    source_kind: SourceKind = Field(
        description=(
            "named_person, organization, publication (a newspaper or outlet), anonymous "
            "(unnamed officials, diplomats or sources), or article (the writer's own voice)."
        )
    )
    hedging: Hedging = Field(
        description=(
            "stated (said as fact), reported (attributed: 'reportedly', 'according to'), "
            "unconfirmed (the article says it is not confirmed), speculative (expected, may)."
        )
    )


class Figure(Cited):
    """A number the article gives, with what it counts."""

    @classmethod
    def same(cls, a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
        """The same number, counting about the same thing."""
        same_value = normalize(str(a.get("value"))) == normalize(str(b.get("value")))
        return same_value and similar(str(a.get("counts")), str(b.get("counts")), 0.5)

    value: FigureText = Field(
        max_length=40, description="The number exactly as written, e.g. '20,000'."
    )
    counts: Text = Field(max_length=160, description="What the number counts or measures.")


class OpenQuestion(Cited):
    """Something the article says is not known."""

    question: GroundedText = Field(
        max_length=300,
        description="Something the article says is unknown, unclear or disputed.",
        json_schema_extra=ONE_SENTENCE,
    )


class Quotation(Cited):
    """Words a speaker said, as the article quotes them. Not in `ArticleSummary` (its
    claims carry who said what); a block for briefs where the exact words matter."""

    quote: QuoteText = Field(
        max_length=400,
        description="The quoted words exactly as the article prints them, without quotation marks.",
    )
    speaker: Annotated[NameText, Grounds("name", "speaker")] = Field(
        max_length=120, description="Who said them, as the article names them."
    )


def _short_title(v: str) -> str:
    if count_words(v) > 15:
        raise ValueError(f"the title has {count_words(v)} words; use at most 15")
    return v


def _one_sentence(v: str) -> str:
    if count_words(v) > 40:
        raise ValueError(f"the tldr has {count_words(v)} words; use at most 40")
    if count_sentences(v) > 1:
        raise ValueError("the tldr must be a single sentence")
    return v


def _two_to_four_sentences(v: str) -> str:
    n = count_sentences(v)
    if n > 4 or most_sentences(v) < 2:
        raise ValueError(f"the summary has {n} sentence(s); write 2 to 4")
    return v


class Overview(Brief):
    """The prose of a news brief: title, TL;DR and summary. An `ArticleSummary` begins
    with it; the small-model way asks for it with its items' numbers (`choose`). Each
    field's shape is checked in its type, before its words are checked against the
    article: a re-ask says first what is cheapest to fix."""

    title: Annotated[GroundedText, AfterValidator(_short_title)] = Field(
        max_length=120,
        description="A headline of at most 15 words.",
        json_schema_extra=shaped(words_pattern(15), "at most 15 words"),
    )
    tldr: Annotated[GroundedText, AfterValidator(_one_sentence)] = Field(
        max_length=300,
        title="TL;DR",
        description="The story in one sentence of at most 40 words.",
        json_schema_extra=shaped(f"^{sentence_pattern(40)}$", "one sentence of at most 40 words"),
    )
    summary: Annotated[GroundedText, AfterValidator(_two_to_four_sentences)] = Field(
        max_length=1200,
        description="A summary of 2 to 4 sentences, faithful to the article.",
        json_schema_extra=TWO_TO_FOUR_SENTENCES,
    )


class ArticleSummary(Overview):
    """A structured summary of one news article; every item cites its sentences."""

    choose_prompt: ClassVar[str] = "news-choose"  # its lists, by name, in a news desk's words

    key_points: list[KeyPoint] = Field(
        min_length=3, max_length=7, title="Key points", description="3 to 7 key points."
    )
    entities: list[Entity] = Field(
        min_length=1, max_length=20, description="The people, organizations and places involved."
    )
    claims: list[Claim] = Field(
        default_factory=list,
        max_length=12,
        title="Who said what",
        description="Who said what: each claim with its source and how sure the article is.",
        # A hint for decoders that bound lists: about one claim per sentence that
        # attributes what it says (see text.attribution.attributions).
        json_schema_extra={"x-one-per": "attribution"},
    )
    figures: list[Figure] = Field(
        default_factory=list, max_length=12, description="Numbers the article gives."
    )
    open_questions: list[OpenQuestion] = Field(
        default_factory=list,
        max_length=6,
        title="Open questions",
        description="What the article says is unknown, unclear or disputed.",
    )
