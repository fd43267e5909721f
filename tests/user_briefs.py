"""Briefs of a user's own, as a user would write them, for the tests of `brief`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from summarizer import Brief, Cited, GroundedText, NameText, QuoteText


class CheckedClaim(Cited):
    """A claim a fact-checker would look into, with who made it."""

    claim: GroundedText = Field(description="The claim, in one sentence from the article.")
    claimant: NameText = Field(description="Who made it, as the article names them.")
    status: Literal["supported", "disputed", "unverified"] = Field(
        description="What the article says of it."
    )


class Quote(Cited):
    quote: QuoteText = Field(description="The words, exactly as the article prints them.")
    speaker: NameText = Field(description="Who said them.")


class FactCheck(Brief):
    """A fact-checking desk's brief: the story, its checkable claims, its quotations."""

    headline: GroundedText = Field(description="A headline of at most 12 words.")
    claims: list[CheckedClaim] = Field(min_length=1, max_length=5)
    quotes: list[Quote] = Field(default_factory=list, max_length=4)
    topic: Literal["politics", "business", "science", "other"] = "other"
    tags: list[str] = Field(default_factory=list, max_length=5)


class QuoteDesk(Brief):
    """Quotations only: items code can propose, so the embedded model chooses them."""

    headline: GroundedText = Field(description="A headline of at most 12 words.")
    quotes: list[Quote] = Field(min_length=1, max_length=4)


class NotABrief(BaseModel):
    headline: str


class NothingChecked(Brief):
    topic: str


class NoSentences(Cited):
    sentences: str = "S1"  # type: ignore[assignment]
    text: GroundedText


class ItemsWithoutSentences(Brief):
    items: list[NoSentences]


class Unexpressible(Brief):
    headline: GroundedText
    when: type = int  # no JSON Schema can say what a type is


not_a_class = 42
