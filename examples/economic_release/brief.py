"""A markets desk's brief of an economic release (a jobs report, an inflation release):
its headline and what it says, its figures, and who says what of them, how surely.

Made of the public blocks: a figure (`Figure`) must occur in the sentences it cites, as
written or by value; a statement (`Claim`) must be grounded in its sentences, with its
source named there and its hedging kept; the prose is checked sentence by sentence
against the whole release. With the embedded model, code proposes the figures and
statements and the model chooses among them (`summarizer.choose`)."""

from __future__ import annotations

from pydantic import Field

from summarizer import Brief, Claim, Figure, GroundedText


class EconomicRelease(Brief):
    """An economic release in brief."""

    headline: GroundedText = Field(
        max_length=160, description="The release's main news, as a short headline."
    )
    summary: GroundedText = Field(
        max_length=600, description="What the release says, in one to three sentences."
    )
    figures: list[Figure] = Field(
        min_length=2, max_length=6, description="The main figures, each with what it counts."
    )
    statements: list[Claim] = Field(
        default_factory=list,
        max_length=4,
        description="What the release or others say of the figures, with the source and how sure.",
    )
