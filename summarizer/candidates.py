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
from summarizer.schema import Entity, Figure, KeyPoint, OpenQuestion, Quotation
from summarizer.text.attribution import quotations as quoted
from summarizer.text.support import occurrences
from summarizer.text.words import content_stems, normalize

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

MAX_KEY_POINTS = 10  # candidates offered; the summary keeps 3 to 7
MAX_ENTITIES = 12
MAX_FIGURES = 8
MAX_QUOTATIONS = 6
_ENTITY_TYPES = {
    "PERSON": "person",
    "ORG": "organization",
    "GPE": "location",
    "LOC": "location",
    "FAC": "location",
    "NORP": "group",
}
_NUMERIC = ("CARDINAL", "MONEY", "PERCENT", "QUANTITY")
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
        entities=_entities(docs, sentences),
        figures=_figures(docs),
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


def _entities(docs: Sequence[Doc], sentences: Sequence[str]) -> list[dict[str, Any]]:
    """Each named entity once (its first mention's role), citing up to three sentences."""
    seen: set[str] = set()
    out = []
    for doc in docs:
        for ent in doc.ents:
            kind = _ENTITY_TYPES.get(ent.label_)
            name = ent.text.strip(" \"'\u201c\u201d,").removeprefix("the ").removeprefix("The ")
            if name.endswith(".") and "." not in name[:-1]:
                name = name[:-1]  # a sentence's period, not an initialism's
            key = normalize(name)
            if kind is None or not name or key in seen or len(name) > 80:
                continue
            seen.add(key)
            role = _role(ent)
            if role is None:
                continue
            cites = list(occurrences(name, sentences)[:3]) or [_number_of(doc, docs)]
            out.append({"sentences": cites, "name": name, "type": kind, "role": role})
            if len(out) >= MAX_ENTITIES:
                return out
    return out


def _number_of(doc: Doc, docs: Sequence[Doc]) -> int:
    return next(i for i, d in enumerate(docs, start=1) if d is doc)


def _role(ent: Span) -> str | None:
    """The entity's role in the article's words: an apposition ("Rob Dobson, senior
    economist at Markit"), a title before it ("Turkish President"), else what the sentence
    says it does (the predicate of which it is the subject, not under "whether" or "if"),
    at most 12 words, ending after a noun phrase where it is cut."""
    root = ent.root
    doc = ent.doc
    appos = next((c for c in root.children if c.dep_ == "appos"), None)
    if appos is not None:
        words = list(appos.subtree)
        return _trimmed(doc[words[0].i : words[-1].i + 1].text)
    before = [t for t in root.lefts if t.dep_ in ("compound", "amod") and t.i < ent.start]
    if before:
        start = min(t.left_edge.i for t in before)
        return _trimmed(doc[start : ent.start].text)
    verb = root.head
    # Not a predicate under "whether" or "if": the article's question or condition ("It's
    # unclear whether Israel will allow ..."), not what the entity does.
    open_ = any(c.dep_ == "mark" and c.lower_ in ("whether", "if") for c in verb.children)
    if root.dep_ in ("nsubj", "nsubjpass") and verb.i > ent.end - 1 and not open_:
        helpers = [c.i for c in verb.children if c.dep_ in ("aux", "auxpass", "neg")]
        start = min([verb.i, *(i for i in helpers if i >= ent.end)])
        end = verb.right_edge.i + 1
        if len(doc[start:end].text.split()) > _ROLE_WORDS:  # cut after a noun phrase
            ends = [
                c.end
                for c in doc.noun_chunks
                if start < c.start and c.end <= end and c.root.pos_ != "PRON"
                and len(doc[start : c.end].text.split()) <= _ROLE_WORDS
            ]  # fmt: skip
            end = max(ends, default=end)
        return _trimmed(doc[start:end].text)
    return None


_ROLE_WORDS = 12


def _trimmed(text: str, most: int = _ROLE_WORDS) -> str | None:
    words = " ".join(text.split()).strip(' ,;:."\u201c\u201d').split()
    if sum(" ".join(words).count(q) for q in '"\u201c\u201d') % 2:
        words = " ".join(words).translate({ord(q): None for q in '"\u201c\u201d'}).split()
    if not words:
        return None
    if len(words) <= most and re.fullmatch(r"(?:[A-Z]\.)+[A-Z]", words[-1]):
        words[-1] += "."  # an initialism's period ("the U.S."), not the sentence's
    return " ".join(words[:most])


def _figures(docs: Sequence[Doc]) -> list[dict[str, Any]]:
    """Each number spaCy sees (counts, money, shares, quantities) with the noun it counts,
    citing its sentence."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, doc in enumerate(docs, start=1):
        for ent in doc.ents:
            if ent.label_ not in _NUMERIC or not any(ch.isdigit() for ch in ent.text):
                continue
            found = _counted(ent) or _subject_of(ent)
            if found is None:
                continue
            value, counts = found
            if normalize(value) in seen:
                continue
            seen.add(normalize(value))
            out.append({"sentences": [n], "value": value, "counts": counts})
            if len(out) >= MAX_FIGURES:
                return out
    return out


def _counted(ent: Span) -> tuple[str, str] | None:
    """A number's value and what it counts: the noun it modifies ("20,000 soldiers"), with
    that noun's own modifiers; joined by a hyphen to a unit, the unit is part of the value
    and the noun after it is what is counted ("20-point" plan); for money and shares, what
    they are of."""
    doc = ent.doc
    value = ent.text.strip(" ,.")
    head = ent.root.head if ent.root.dep_ in ("nummod", "quantmod", "compound") else ent.root
    if head.pos_ not in ("NOUN", "PROPN") or head.i in range(ent.start, ent.end):
        head = ent.root
        if ent.label_ in ("MONEY", "PERCENT") and head.head.pos_ in ("NOUN", "VERB"):
            words = _until_aside([t for t in head.head.subtree if not ent.start <= t.i < ent.end])
            counts = _trimmed(" ".join(t.text for t in words), 8) if words else None
            return (value, counts) if counts else None
        return None
    after = ent.end  # the noun's modifiers after the number are what is counted
    hyphened = head.i == ent.end + 1 and doc[ent.end].text == "-"
    if hyphened and head.dep_ in ("compound", "amod") and head.head.i > head.i:
        value, after, head = doc[ent.start : head.i + 1].text, head.i + 1, head.head
    mods = [t for t in head.lefts if t.dep_ in ("amod", "compound") and t.i >= after]
    start = min([head.i, *(t.i for t in mods)])
    counts = _trimmed(doc[start : head.i + 1].text, 8)
    return (value, counts) if counts else None


def _subject_of(ent: Span) -> tuple[str, str] | None:
    """A number that counts no noun of its own is a value of its clause's subject: "The
    unemployment rate fell ... to 6.3 percent", "The change in ... payroll employment for
    November was revised down by 72,000". The subject, up to an aside, is what it counts."""
    verb = ent.root
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head
    subject = next((t for t in verb.children if t.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None or subject.pos_ == "PRON" or subject.i in range(ent.start, ent.end):
        return None
    words = _until_aside([t for t in subject.subtree if not ent.start <= t.i < ent.end], ",;")
    words = words[:8]
    while words and (words[-1].is_stop or words[-1].is_punct):  # "... employment for"
        words.pop()
    counts = _trimmed(" ".join(t.text for t in words), 8) if words else None
    return (ent.text.strip(" ,.()"), counts) if counts else None


def _until_aside(tokens: list[Any], also: str = "") -> list[Any]:
    """What a share or sum is of, up to an aside: a bracket, or another number ("the rates
    for adult women (3.5 percent) and blacks (7.0 percent)" give 3.5 percent to "the
    rates for adult women", not to "adult women ( ) and blacks ( 7.0")."""
    out = []
    for t in tokens:
        if t.text in ("(", ")", "[", "]", *also) or t.like_num:
            break
        out.append(t)
    return out


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
