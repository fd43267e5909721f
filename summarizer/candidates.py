"""Every item a summary's lists could hold, proposed by code from the article itself.

For a small model (issue #24): it cannot keep count, attribute, or write a thousand tokens of
JSON quickly, but it can choose among numbered options. So code proposes, from the
article's own words and parse: key points (whole sentences, the most central first),
claims (`claims.find_claims`: who said what), entities (spaCy's, each with a role taken
from the article: an apposition or a title, else what the sentence says it does), figures
(each number with what it counts) and open questions (what the article says is unclear).
Every candidate is checked by the same gate as a model's item (the schema's validators,
against the article): what a model then chooses is valid by construction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from summarizer.checks.scope import article_scope
from summarizer.claims import DATELINE, FoundClaim, find_claims, parser, statement_of
from summarizer.entities import find_entities
from summarizer.figures import find_figures
from summarizer.schema import Entity, Figure, KeyPoint, OpenQuestion, Quotation
from summarizer.text.attribution import quotations as quoted
from summarizer.text.words import content_stems

if TYPE_CHECKING:
    pass

MAX_KEY_POINTS = 10  # candidates offered; the summary keeps 3 to 7
MAX_QUOTATIONS = 6
_UNKNOWN = re.compile(
    r"\b(unclear|unknown|not (?:yet )?(?:known|clear)|remains? to be seen|under investigation|"
    r"(?:is|are|was|were) (?:being )?investigat\w+)\b",
    re.IGNORECASE,
)


@dataclass
class Candidates:
    """The items offered for each list of a summary (as JSON), in the article's order."""

    key_points: list[dict[str, Any]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)
    figures: list[dict[str, Any]] = field(default_factory=list)
    open_questions: list[dict[str, Any]] = field(default_factory=list)
    quotations: list[dict[str, Any]] = field(default_factory=list)

    def lists(self) -> dict[str, list[dict[str, Any]]]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def propose(sentences: Sequence[str]) -> Candidates:
    """The candidates of an English article, given as its numbered sentences (S1 first)."""
    # A wire dateline parses as the first sentence's subject ("Hong Kong (CNN)Six people
    # were hurt": Hong Kong "were hurt"): the parse reads the sentence without it.
    parsed = [DATELINE.sub("", s) if i == 0 else s for i, s in enumerate(sentences)]
    docs = list(parser().pipe(parsed))
    claims = find_claims(parsed, docs)
    found = Candidates(
        key_points=_key_points(sentences),
        claims=[c.as_item() for c in claims],
        entities=find_entities(docs, sentences, claims),
        figures=find_figures(docs),
        open_questions=_open_questions(sentences),
        quotations=_quotations(claims, sentences),
    )
    with article_scope(sentences):
        found.key_points = _passing(KeyPoint, found.key_points)
        found.entities = _passing(Entity, found.entities)
        found.figures = _passing(Figure, found.figures)
        found.open_questions = _passing(OpenQuestion, found.open_questions)
        found.quotations = _passing(Quotation, found.quotations)
    return found


def _passing(model: type[BaseModel], items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items the gate passes (inside the article's scope)."""
    kept = []
    for item in items:
        try:
            model.model_validate(item)
        except ValidationError:
            continue
        kept.append(item)
    return kept


def _key_points(sentences: Sequence[str]) -> list[dict[str, Any]]:
    """Whole sentences, ranked by how much of the rest of the article they share (weighted
    content words), with a little weight for coming early, as news puts the most
    important first; the best MAX_KEY_POINTS, in the article's order."""
    stems = [content_stems(s) for s in sentences]
    scored = []
    for i, mine in enumerate(stems):
        text = statement_of(sentences[i])
        if text is None or len(text.split()) < 6 or _quoted(sentences[i]):
            continue
        shared = sum(
            sum(w for s, w in mine.items() if s in other) / (sum(mine.values()) or 1.0)
            for j, other in enumerate(stems)
            if j != i
        )
        lead = 1.0 / (1 + i * 0.25)
        scored.append((shared + lead, i, text))
    best = sorted(scored, reverse=True)[:MAX_KEY_POINTS]
    return [{"sentences": [i + 1], "text": text} for _, i, text in sorted(best, key=lambda x: x[1])]


# A quotation, or a speaker's words going on from one ("I've been training hard"): a key
# point in the writer's voice would give them to no one.
_QUOTED = re.compile(r"""^\s*(?:["'\u201c\u2018]|(?:I|We|My|Our)\b)""")


def _quoted(sentence: str) -> bool:
    return _QUOTED.match(sentence) is not None


def _quotations(claims: Sequence[FoundClaim], sentences: Sequence[str]) -> list[dict[str, Any]]:
    """Words in quotation marks, three or more and not a name, each given to the speaker
    of its sentence's claim (a speaker code found, not the writer), citing where both
    are."""
    out = []
    for c in claims:
        if c.source_kind == "article":
            continue
        for found in quoted(sentences[c.sentence - 1]):
            words = found.strip(" ,;:")
            # A name in quotation marks ("International Stabilization Force") is no speech.
            if len(words.split()) >= 3 and not all(w[:1].isupper() for w in words.split()):
                cites = sorted({c.sentence, c.named_in or c.sentence})
                out.append({"sentences": cites, "quote": words, "speaker": c.attributed_to})
    return out[:MAX_QUOTATIONS]


def _open_questions(sentences: Sequence[str]) -> list[dict[str, Any]]:
    """Sentences that say something is unclear or unknown, as the article says it."""
    out = []
    for n, sentence in enumerate(sentences, start=1):
        if _UNKNOWN.search(sentence):
            text = statement_of(sentence)
            if text is not None:
                out.append({"sentences": [n], "question": text})
    return out[:4]
