"""The entities of an article found by code: who and what the story is about, main actors first.

spaCy's small English model labels spans; an editor's list needs more than its labels:
- **One entity, many mentions.** News names a person in full once and then by surname
  ("Bernard Cazeneuve" ... "Mr Cazeneuve" ... "Cazeneuve"): the mentions are joined to
  the full name, where the small model often gives a surname alone another label.
- **Names, not words.** A span with no proper noun ("Respect was given"), a job title
  ("Myer Chief Merchandise & Marketing Officer") or a lower-case word ("lorry") is no
  entity; a name the parse cut in two ("Islamic" + "State") is joined.
- **Types from evidence.** A person by a full name, a title before a name ("Mr", "King")
  or an apposition that is a person ("Abir, a 47-year-old woman"); a country by
  pycountry's list of countries (and the short forms English news uses for them); other
  places, organizations and groups by the parse's label.
- **Main actors first.** Ranked by how often the article mentions them, how early, and
  whether they speak in its claims (`claims.find_claims`).
- **Roles from a noun phrase about the entity**: an apposition, a title before the name,
  what it is the subject of, else the noun phrase it sits in, cut where a phrase ends and
  never with an unbalanced bracket.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from summarizer.claims import PERSON_NOUNS, TITLES, FoundClaim
from summarizer.text.support import occurrences
from summarizer.text.words import normalize

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = ["FoundEntity", "find_entities"]

_LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"}
# Words of a job title: a span holding one is a title ("Chief Marketing Officer"), not a
# name, unless it is a person's ("President Obama" is a person by its other words).
_JOBS = frozenset(
    {
        "officer", "chief", "executive", "director", "manager", "minister", "secretary",
        "president", "spokesman", "spokeswoman", "spokesperson", "chairman", "chairwoman",
        "editor", "correspondent", "reporter", "head", "commissioner", "adviser", "advisor",
        "coach", "captain", "boss", "leader", "governor", "senator", "mayor", "deputy",
    }
)  # fmt: skip
# Nouns that make an apposition a person's: "Abir, a 47-year-old woman", "Amjad, 16, a boy".
_PEOPLE = PERSON_NOUNS | {
    "man", "woman", "boy", "girl", "child", "mother", "father", "grandmother", "grandfather",
    "widow", "schoolboy", "schoolgirl", "teenager", "pensioner", "resident", "refugee",
}  # fmt: skip
# English news's short forms of countries that pycountry names otherwise.
_COUNTRY_FORMS = frozenset(
    {
        "uk", "britain", "great britain", "united kingdom", "us", "usa", "america",
        "united states of america", "russia", "turkey", "ivory coast", "holland",
        "netherlands", "palestine", "north korea", "laos", "burma", "macedonia",
        "swaziland", "cape verde", "east timor", "vatican", "iran", "syria", "vietnam",
        "south korea", "bolivia", "venezuela", "tanzania", "moldova", "czech republic",
    }
)  # fmt: skip
_ROLE_WORDS = 12
MAX_ENTITIES = 12


@dataclass
class FoundEntity:
    """One entity: its name as the article first writes it in full, its type, the
    sentences (1-based) that mention it, and its role in the article's words."""

    name: str
    type: str
    mentions: list[int] = field(default_factory=list)
    role: str | None = None
    tokens: frozenset[str] = frozenset()  # a person's name words, for joining mentions
    labels: list[str] = field(default_factory=list)
    person: bool = False
    spans: list[Span] = field(default_factory=list)

    def salience(self, speakers: Sequence[str]) -> float:
        """How central the entity is: mentions (at most 6 count), a bonus for the first
        three sentences, more for being the subject of the first (the lede's actor), a
        little for each sentence it is the subject of, and for each claim it makes."""
        early = 2.0 if min(self.mentions) <= 3 else 0.0
        speaks = sum(1 for s in speakers if _names(self, s))
        acts = [s for s in self.spans if s.root.dep_ in ("nsubj", "nsubjpass")]
        lede = 2.0 if any(self.mentions[self.spans.index(s)] == 1 for s in acts) else 0.0
        return (
            min(len(self.mentions), 6) + early + lede + 0.5 * min(len(acts), 4)
            + 1.5 * min(speaks, 3)
        )  # fmt: skip


def find_entities(
    docs: Sequence[Doc], sentences: Sequence[str], claims: Sequence[FoundClaim] = ()
) -> list[dict[str, object]]:
    """The article's entities as a brief's items, main actors first (at most
    `MAX_ENTITIES`), each citing up to three sentences that name it as written."""
    found: list[FoundEntity] = []
    for number, doc in enumerate(docs, start=1):
        for span in _spans(doc):
            _add(found, span, number)
    speakers = [c.attributed_to for c in claims if c.source_kind != "article"]
    ranked = sorted(
        (e for e in found if _kept(e)),
        key=lambda e: (-e.salience(speakers), min(e.mentions)),
    )
    out: list[dict[str, object]] = []
    for entity in ranked:
        role = entity.role or _any_role(entity)
        if role is None:
            continue
        cites = list(occurrences(entity.name, sentences)[:3]) or sorted(set(entity.mentions))[:1]
        out.append({"sentences": cites, "name": entity.name, "type": entity.type, "role": role})
        if len(out) >= MAX_ENTITIES:
            break
    return out


def _spans(doc: Doc) -> list[Span]:
    """The named spans of one sentence, a name the parse cut in two joined ("Islamic" and
    "State": proper nouns that are compounds of the next span's word), with its label."""
    from spacy.tokens import Span

    out: list[Span] = []
    for ent in doc.ents:
        if ent.label_ not in _LABELS:
            continue
        if (
            out
            and out[-1].end == ent.start
            and all(
                t.pos_ == "PROPN" and t.dep_ == "compound" and ent.start <= t.head.i < ent.end
                for t in out[-1]
            )
        ):
            out[-1] = Span(doc, out[-1].start, ent.end, label=ent.label_)
            continue
        out.append(ent)
    return out + _unlabelled_speakers(doc)


def _unlabelled_speakers(doc: Doc) -> list[Span]:
    """Names the small model left unlabelled that speak: two or three capitalized proper
    nouns, the subject of a speech verb ("with Pep Guardiola saying ..."): a person."""
    from spacy.tokens import Span

    from summarizer.claims import SPEECH

    labelled = {t.i for e in doc.ents for t in e}
    out = []
    for token in doc:
        if token.dep_ != "nsubj" or token.head.lemma_.lower() not in SPEECH or token.i in labelled:
            continue
        start = token.i
        while start > 0 and doc[start - 1].pos_ == "PROPN" and doc[start - 1].dep_ == "compound":
            start -= 1
        words = doc[start : token.i + 1]
        if 2 <= len(words) <= 3 and all(
            t.pos_ == "PROPN" and t.text[:1].isupper() and t.lower_ not in TITLES | _JOBS
            for t in words
        ):
            out.append(Span(doc, start, token.i + 1, label="PERSON"))
    return out


def _clean(span: Span) -> tuple[str, list[Token]] | None:
    """The name as written (no quotes, leading "the", trailing dash or possessive) and its
    tokens; None where the span is no name (no proper noun, a title, lower case)."""
    tokens = [t for t in span if not t.is_punct or t.text in ("&", ".")]
    while tokens and tokens[0].lower_ in ("the", "a", "an"):
        tokens = tokens[1:]
    while tokens and tokens[-1].is_punct:
        tokens = tokens[:-1]
    named = bool(tokens) and any(t.pos_ == "PROPN" for t in tokens)
    if not named and not (span.label_ == "NORP" and tokens and tokens[-1].tag_ == "NNPS"):
        return None
    if not tokens[0].text[:1].isupper():
        return None
    if span.label_ == "NORP" and span.root.dep_ in ("amod", "compound", "nmod"):
        return None  # a demonym or a brand as a modifier ("Islamic State terrorist", "a
        # Kalashnikov rifle"), not a group the story is about
    words = {t.lower_ for t in tokens}
    nxt = span.doc[span.end] if span.end < len(span.doc) else None
    title_after = nxt is not None and nxt.text[:1].isupper() and nxt.lower_ in _JOBS
    if span.label_ != "PERSON" and (words & _JOBS or title_after):
        return None  # "Myer Chief Merchandise & Marketing (Officer)": a job, not a body
    doc = span.doc
    name = doc[tokens[0].i : tokens[-1].i + 1].text
    if len(name) > 80:
        return None
    return name, tokens


def _add(found: list[FoundEntity], span: Span, number: int) -> None:
    cleaned = _clean(span)
    if cleaned is None:
        return
    name, tokens = cleaned
    titled = tokens[0].lower_ in TITLES or _title_before(span)
    words = frozenset(t.text for t in tokens if t.lower_ not in TITLES and t.pos_ == "PROPN")
    key = normalize(name)
    full = span.label_ == "PERSON" and len(words) >= 2
    same = next((e for e in found if normalize(e.name) == key), None)
    if same is None and re.fullmatch(r"[A-Z]{2,6}", name):
        same = next((e for e in found if _initials(e.name) == name), None)  # AU, African Union
    if same is None and span.label_ != "PERSON":  # "Green" of "Green party", "Gaza Strip"
        same = _place_or_body_of(found, name, span.label_)
    if same is None and words and (titled or span.label_ == "PERSON" or len(words) == 1):
        same = _person_of(found, words, tokens[-1].text)
    if same is None:
        display = name
        if titled and tokens[0].lower_ in TITLES and len(tokens) > 1:
            display = span.doc[tokens[1].i : tokens[-1].i + 1].text  # "Mr Jacques": Jacques
        same = FoundEntity(name=display, type="", tokens=words if full or titled else frozenset())
        found.append(same)
    elif full and len(words) > len(same.tokens) and not same.person:
        same.name, same.tokens = name, words
    elif not same.person and span.label_ != "PERSON" and same.name == name.split()[0]:
        same.name = name  # "Green", then "Green party": the name in full
    same.mentions.append(number)
    same.labels.append(span.label_)
    same.spans.append(span)
    same.person = same.person or full or titled or _person_apposition(span) or _gendered(span)
    if same.role is None:
        same.role = _role(span)


def _place_or_body_of(found: Sequence[FoundEntity], name: str, label: str) -> FoundEntity | None:
    """The organization or place one of whose names is this name's first word alone, or
    the reverse ("Gaza" and "Gaza Strip", "Green party" and "Green"), of the same label."""
    first = name.split()[0]
    for entity in found:
        if entity.person or label not in entity.labels:
            continue
        theirs = entity.name.split()
        if (len(theirs) > 1 and name == theirs[0]) or (
            len(name.split()) > 1 and entity.name == first
        ):
            return entity
    return None


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[:1].isupper())


def _person_of(
    found: Sequence[FoundEntity], words: frozenset[str], last: str
) -> FoundEntity | None:
    """The person whose full name holds these words ("Cazeneuve" of "Bernard Cazeneuve"):
    one whose surname is the last of them first, else the one named most recently."""
    fits = [e for e in found if e.tokens and words <= e.tokens]
    if not fits:
        return None
    ending = [e for e in fits if e.name.split()[-1] == last]
    return (ending or fits)[-1]


def _title_before(span: Span) -> bool:
    doc = span.doc
    return (
        span.start > 0
        and doc[span.start - 1].lower_.strip(".") in TITLES
        and doc[span.start - 1].text[:1].isupper()
    )


def _person_apposition(span: Span) -> bool:
    """ "Abir, a 47-year-old woman", "19-year-old Nadia": the name is a person's."""
    root = span.root
    for child in root.children:
        if child.dep_ == "appos" and child.lemma_.lower() in _PEOPLE:
            return True
        if child.dep_ in ("amod", "compound") and re.fullmatch(r"\d+-year-old", child.text):
            return True
    left = span.doc[max(span.start - 5, 0) : span.start].text
    return re.search(r"\d+\s*-\s*year\s*-\s*old\s*$", left) is not None


def _kept(entity: FoundEntity) -> bool:
    """Whether the mentions make an entity, and its type from their evidence."""
    labels = entity.labels
    if entity.person:
        entity.type = "person"
        return True
    if all(label == "PERSON" for label in labels) and len(entity.tokens) < 2:
        # One word labelled a person, with no title, full name or apposition to say so:
        # the small model labels teams and places so ("Chelsea said"). A speaker still is.
        if not any(_speaks(s) for s in entity.spans):
            return False
        entity.type = "person"
        return True
    label = max(set(labels) - {"PERSON"} or {"PERSON"}, key=labels.count)
    if label == "PERSON":
        entity.type = "person"
    elif label == "ORG":
        entity.type = "organization"
    elif label == "NORP":
        entity.type = "group"
    elif label == "GPE" and _is_country(entity.name):
        entity.type = "country"
    else:
        entity.type = "location"
    return True


def _gendered(span: Span) -> bool:
    """A one-word name that speaks and is then "he" or "she" in its sentence ("Guardiola
    said his players ..."): a person, whatever the small model's label (a team "said its")."""
    if len(span) != 1 or not _speaks(span):
        return False
    after = span.doc[span.end :]
    if any(e.label_ == "PERSON" for e in span.doc.ents if e.start >= span.end):
        return False
    return any(t.lower_ in ("he", "his", "him", "she", "her") for t in after)


def _speaks(span: Span) -> bool:
    from summarizer.claims import SPEECH

    return span.root.dep_ == "nsubj" and span.root.head.lemma_.lower() in SPEECH


@functools.cache
def _countries() -> frozenset[str]:
    import pycountry

    names: set[str] = set(_COUNTRY_FORMS)
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                names.add(normalize(value))
    return frozenset(names)


def _is_country(name: str) -> bool:
    key = normalize(name.removeprefix("the ").removeprefix("The ")).replace(".", "")
    return key in _countries()


def _names(entity: FoundEntity, source: str) -> bool:
    said = f" {normalize(source)} "
    return f" {normalize(entity.name)} " in said or any(
        f" {normalize(w)} " in said for w in entity.tokens
    )


def _role(span: Span) -> str | None:
    """A noun phrase about the entity where this mention has one: an apposition ("Rob
    Dobson, senior economist at Markit"), a title before it ("French Interior Minister"),
    or "X is the Y"."""
    root = span.root
    doc = span.doc
    appos = next((c for c in root.children if c.dep_ == "appos"), None)
    if appos is not None and appos.pos_ == "NOUN":  # a description, not another name
        words = list(appos.subtree)
        return _trimmed(doc[words[0].i : words[-1].i + 1].text)
    before = [t for t in root.lefts if t.dep_ in ("compound", "amod") and t.i < span.start]
    if before:
        start = min(t.left_edge.i for t in before)
        role = doc[start : span.start]
        if any(t.pos_ == "NOUN" or t.lower_ in _JOBS for t in role) or re.search(
            r"\d+-year-old", role.text
        ):
            return _trimmed(role.text)
    verb = root.head
    if root.dep_ == "nsubj" and verb.lemma_ == "be":
        attr = next((c for c in verb.children if c.dep_ == "attr"), None)
        if attr is not None and attr.pos_ == "NOUN":
            words = list(attr.subtree)
            return _trimmed(doc[words[0].i : words[-1].i + 1].text)
    return None


def _any_role(entity: FoundEntity) -> str | None:
    """What the first mention that says one says the entity does (the predicate of which
    it is the subject), else the noun phrase it is part of ("Morocco's readmission to the
    African Union")."""
    for span in entity.spans:
        role = _predicate(span)
        if role is not None:
            return role
    for span in entity.spans:
        role = _phrase_around(span) or _clause_of(span)
        if role is not None:
            return role
    return None


def _clause_of(span: Span) -> str | None:
    """The clause the mention is part of, from its subject, without the clauses hung on
    it ("Manchester City beat Chelsea in a 2-1 win", "sales rose in Britain and Russia")."""
    doc = span.doc
    verb = span.root
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head
    if verb.pos_ not in ("VERB", "AUX") or _open(verb):
        return None
    hung = ("advcl", "ccomp", "conj", "relcl", "parataxis", "punct", "cc", "mark")
    kept = [verb]
    for child in verb.children:
        if child.dep_ not in hung or span.start <= child.i < span.end:
            kept += list(child.subtree)
    ids = sorted(t.i for t in kept)
    start, end = ids[0], ids[-1] + 1
    if not (start <= span.start and span.end <= end):
        return None
    end = _phrase_end(doc, start, end)
    if end < span.end:
        return None
    return _trimmed(doc[start:end].text)


def _predicate(span: Span) -> str | None:
    root = span.root
    doc = span.doc
    verb = root.head
    if root.dep_ not in ("nsubj", "nsubjpass") or verb.i < span.end or _open(verb):
        return None
    helpers = [c.i for c in verb.children if c.dep_ in ("aux", "auxpass", "neg")]
    start = min([verb.i, *(i for i in helpers if i >= span.end)])
    end = _phrase_end(doc, start, verb.right_edge.i + 1)
    return _trimmed(doc[start:end].text)


def _open(verb: Token) -> bool:
    """A clause under "whether" or "if": the article's question or condition ("It's unclear
    whether Israel will allow ..."), not what the entity does."""
    return any(c.dep_ == "mark" and c.lower_ in ("whether", "if") for c in verb.children)


def _phrase_around(span: Span) -> str | None:
    """The noun phrase the mention modifies or sits in: its head noun's subtree."""
    doc = span.doc
    head = span.root.head
    while head.dep_ in ("prep", "pobj", "poss", "compound") and head.head.i != head.i:
        if head.pos_ == "NOUN":
            break
        head = head.head
    if head.pos_ != "NOUN":
        return None
    words = list(head.subtree)
    start, end = words[0].i, words[-1].i + 1
    end = _phrase_end(doc, start, end)
    text = doc[start:end].text
    return _trimmed(text) if normalize(text) != normalize(span.text) else None


def _phrase_end(doc: Doc, start: int, end: int) -> int:
    """`end`, or where a noun phrase ends before it when the words run past the cap."""
    if len(doc[start:end].text.split()) <= _ROLE_WORDS:
        return end
    ends = [
        c.end
        for c in doc.noun_chunks
        if start < c.start and c.end <= end and c.root.pos_ != "PRON"
        and len(doc[start : c.end].text.split()) <= _ROLE_WORDS
    ]  # fmt: skip
    return max(ends, default=end)


def _trimmed(text: str, most: int = _ROLE_WORDS) -> str | None:
    """A role of at most `most` words, with balanced brackets and quotation marks, not a
    title alone ("Mr") nor a number ("16"); None where none is left."""
    words = " ".join(text.split()).strip(' ,;:."\u201c\u201d-\u2013\u2014').split()
    if len(words) > most:
        return None
    joined = " ".join(words)
    if sum(joined.count(q) for q in '"\u201c\u201d') % 2:
        joined = joined.translate({ord(q): None for q in '"\u201c\u201d'})
    if joined.count("(") != joined.count(")") or joined.count("[") != joined.count("]"):
        return None
    words = joined.split()
    if not words or all(w.lower().strip(".") in TITLES for w in words):
        return None
    if all(re.fullmatch(r"[\d.,]+", w) for w in words):
        return None
    if re.fullmatch(r"(?:[A-Z]\.)+[A-Z]", words[-1]):
        words[-1] += "."  # an initialism's period ("the U.S."), not the sentence's
    return " ".join(words)
