"""A legal desk's brief of a court ruling: what it is about, what the courts held, the
parties and others named, and who said what.

A holding (`Holding`, an item of one grounded text) must be grounded in the sentences it
cites; a party (`Entity`) must be named in them; a statement (`Claim`) must be grounded,
with its source named and its hedging kept. With the embedded model, code proposes the
items (for a holding, the ruling's own sentences) and the model chooses among them."""

from __future__ import annotations

from pydantic import Field

from summarizer import Brief, Cited, Claim, Entity, GroundedText


class Holding(Cited):
    """What a court held or decided."""

    holding: GroundedText = Field(
        max_length=400, description="What the court held or decided, in one sentence of the ruling."
    )


class CourtRuling(Brief):
    """A court ruling in brief."""

    headline: GroundedText = Field(
        max_length=160, description="What the ruling is about, as a short headline."
    )
    holdings: list[Holding] = Field(min_length=1, max_length=3, description="What the courts held.")
    parties: list[Entity] = Field(
        min_length=1, max_length=6, description="The parties, courts and officials named."
    )
    statements: list[Claim] = Field(
        default_factory=list, max_length=4, description="Who said what, and how sure it is."
    )
