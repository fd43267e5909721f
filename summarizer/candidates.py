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
from summarizer.claims import (
    DATELINE,
    PERSON_NOUNS,
    RENAMING,
    RENAMING_BODIES,
    RENAMING_PAIRS,
    SPEECH,
    FoundClaim,
    expletive,
    find_claims,
    parser,
    statement_of,
)
from summarizer.entities import find_entities
from summarizer.figures import find_figures
from summarizer.schema import Entity, Figure, KeyPoint, OpenQuestion, Quotation
from summarizer.text.attribution import quotations as quoted
from summarizer.text.furniture import proposable, rule_of
from summarizer.text.words import content_stems

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

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
    own = _own_words(sentences)
    # A wire dateline parses as the first sentence's subject ("Hong Kong (CNN)Six people
    # were hurt": Hong Kong "were hurt"): the parse reads the sentence without it.
    parsed = [DATELINE.sub("", s) if i == 0 else s for i, s in enumerate(own)]
    docs = list(parser().pipe(parsed))
    for i, doc in enumerate(docs):
        # A photo note cut out of a sentence that parses as two: a caption run into the
        # sentence after it ("... (pictured) said that Greece will ... on time Germany's
        # Spiegel Online quoted ..."), where the page had no paragraph break.
        noted = parsed[i] != sentences[i] and rule_of(sentences[i]) == "note"
        if noted and len(list(doc.sents)) > 1:
            parsed[i], docs[i] = NOTHING, parser()(NOTHING)
    claims = find_claims(parsed, docs)
    alone = standing_alone(parsed, docs)
    found = Candidates(
        key_points=_key_points(parsed, alone),
        claims=[c.as_item() for c in claims],
        entities=find_entities(docs, sentences, claims),
        figures=find_figures(docs),
        open_questions=_open_questions(docs, alone),
        quotations=_quotations(claims, parsed),
    )
    with article_scope(sentences):
        found.key_points = _passing(KeyPoint, found.key_points)
        found.entities = _passing(Entity, found.entities)
        found.figures = _passing(Figure, found.figures)
        found.open_questions = _passing(OpenQuestion, found.open_questions)
        found.quotations = _passing(Quotation, found.quotations)
    return found


# What a sentence that is page furniture or a caption (`text.furniture`) leaves to propose
# from: a sentence of no words, which the parse reads and no rule proposes anything from,
# so the article's sentences keep their numbers.
NOTHING = "."


def _own_words(sentences: Sequence[str]) -> list[str]:
    """The article's sentences as items may be proposed from them: without photo notes,
    and `NOTHING` for a caption, a byline, a link (`text.furniture.proposable`)."""
    return [proposable(s) or NOTHING for s in sentences]


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


def _key_points(sentences: Sequence[str], alone: Sequence[Alone | None]) -> list[dict[str, Any]]:
    """Sentences that stand alone (`standing_alone`), ranked by how much of the rest of the
    article they share (weighted content words), with a little weight for coming early, as
    news puts the most important first; the best MAX_KEY_POINTS, in the article's order."""
    stems = [content_stems(s) for s in sentences]
    scored = []
    for i, mine in enumerate(stems):
        item = alone[i]
        if item is None or len(item.text.split()) < 6 or _quoted(sentences[i]):
            continue
        if 0 in _quoted_chars(sentences[i]):  # a quotation going on from the sentence before
            continue
        shared = sum(
            sum(w for s, w in mine.items() if s in other) / (sum(mine.values()) or 1.0)
            for j, other in enumerate(stems)
            if j != i
        )
        lead = 1.0 / (1 + i * 0.25)
        scored.append((shared + lead, i, item))
    best = sorted(scored, reverse=True)[:MAX_KEY_POINTS]
    return [
        {"sentences": list(item.sentences), "text": item.text}
        for _, _, item in sorted(best, key=lambda x: x[1])
    ]


# A quotation, or a speaker's words going on from one ("I've been training hard"): a key
# point in the writer's voice would give them to no one.
_QUOTED = re.compile(r"""^\s*(?:["'\u201c\u2018]|(?:I|We|My|Our)\b)""")


def _quoted(sentence: str) -> bool:
    return _QUOTED.match(sentence) is not None


@dataclass(frozen=True)
class Alone:
    """A sentence as an item that stands alone: its text, and the sentences it cites (its
    own, and the one that names whom its pronoun stands for)."""

    sentences: tuple[int, ...]
    text: str


@dataclass(frozen=True)
class _Referent:
    """What a sentence's subject names, for a pronoun in the next: its words, the sentence
    that has them, what a pronoun must agree with, and whether it is the only one of its
    kind there (the only person, the only thing, the only plural), so that the pronoun
    cannot stand for another."""

    words: str
    sentence: int
    person: bool
    plural: bool
    gender: str | None  # "m", "f", or None where the article does not say
    name: bool  # a name ("Mr Cameron"), which takes a possessive ("Mr Cameron's")
    alone: bool


_THIRD = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f", "it": None, "its": None,
          "they": None, "them": None, "their": None}  # fmt: skip
_DEMONSTRATIVES = frozenset({"this", "that", "these", "those", "such"})
# "This year's festival" stands alone: a time the brief's date fixes, not something before.
_TIMES = frozenset({"year", "week", "month", "weekend", "morning", "afternoon", "evening",
                    "summer", "spring", "autumn", "winter", "season", "decade"})  # fmt: skip
# Verbs whose "it" is the event told before, not the thing ("It comes after ...").
_EVENT_VERBS = frozenset({"come", "follow", "happen", "lead", "coincide", "mean", "cause",
                          "result", "mark", "prompt", "spark", "trigger", "continue"})  # fmt: skip
_FEMININE = frozenset({"mrs", "ms", "miss", "lady", "dame", "queen", "princess", "duchess",
                       "wife", "mother", "daughter", "sister", "woman", "girl", "actress",
                       "chairwoman", "spokeswoman", "grandmother", "girlfriend"})  # fmt: skip
_MASCULINE = frozenset({"mr", "sir", "lord", "king", "prince", "duke", "husband", "father",
                        "son", "brother", "man", "boy", "actor", "chairman", "spokesman",
                        "grandfather", "widower", "boyfriend"})  # fmt: skip
_ASIDES = frozenset({"relcl", "appos", "acl", "punct", "advcl", "cc", "prep"})
_REFERENT_WORDS = 8


def standing_alone(sentences: Sequence[str], docs: Sequence[Doc]) -> list[Alone | None]:
    """Each sentence as an item that stands alone (issue #37), or None where it cannot: a
    pronoun or a demonstrative at its head whose referent is outside it gets the referent
    written in where the parse makes it certain (the subject of the sentence before,
    agreeing in number, person and gender: "It had been due to reopen" -> "The museum had
    been due to reopen"), else the sentence is passed over ("This move ..."); so is one in
    the first person outside quotation marks ("the lorry hit us"). `docs`: the sentences
    parsed."""
    out: list[Alone | None] = []
    previous: _Referent | None = None
    for n, (sentence, doc) in enumerate(zip(sentences, docs, strict=True), start=1):
        if sentence == NOTHING:  # a caption between: the pronoun after it goes on from before
            out.append(None)
            continue
        word = _referring(doc)
        cites: tuple[int, ...] = (n,)
        text = sentence
        referent = None
        if word is not None:
            referent = _resolved(word, previous)
            if referent is not None:
                text = _written_in(sentence, word, referent)
                cites = tuple(sorted({referent.sentence, n}))
        statement = statement_of(text)
        dangling = word is not None and referent is None
        if statement is None or dangling or _in_first_person(statement, doc):
            out.append(None)
        else:
            out.append(Alone(cites, statement))
        if dangling and word == _subject(doc):
            previous = None  # "The group" of no name before: nor is it one for the next
        else:
            previous = _subject_of_sentence(doc, n, referent if word == _subject(doc) else None)
    return out


def _subject(doc: Doc) -> Token | None:
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None:
        return None
    return next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)


def _referring(doc: Doc) -> Token | None:
    """The word at the head of the sentence that refers outside it: its subject (before its
    verb) when that is a third-person pronoun, the possessive of its subject ("His
    retirement"), or a demonstrative ("This move", "These included"); else its first word
    when that is one of those. Not a word a quotation holds (the speaker's, not to be
    rewritten), nor the "it" of "It is not clear what ..." / "It is estimated ..." / "It
    emerged that ...", which stands for the clause after it."""
    subject = _subject(doc)
    candidates = []
    if subject is not None and subject.i < subject.head.i:
        candidates.append(subject)
        candidates += [c for c in subject.children if c.dep_ in ("poss", "det")]
    first = next((t for t in doc if t.is_alpha and t.pos_ not in ("CCONJ", "ADV", "INTJ")), None)
    if first is not None:
        candidates.append(first)
    held = _quoted_chars(doc.text)
    for word in candidates:
        lower = word.lower_
        if word.idx in held:
            continue
        if lower in _DEMONSTRATIVES and word.pos_ in ("DET", "PRON") and word is first:
            if word.dep_ == "det" and word.head.lemma_.lower() in _TIMES:
                continue
            return word
        if lower in _THIRD and word.pos_ == "PRON":
            if lower == "it" and expletive(word):
                continue
            return word
    if subject is not None and _renaming(subject):
        return subject
    return None


def _renaming(subject: Token) -> bool:
    """A subject that is "the" and one of those nouns alone, opening the sentence."""
    lemma = subject.lemma_.lower()
    if lemma not in RENAMING:
        return False
    mods = [c for c in subject.children if c.i < subject.i]
    return len(mods) == 1 and mods[0].lower_ == "the" and mods[0].i == _first_word(subject.doc)


def _first_word(doc: Doc) -> int:
    return next((t.i for t in doc if t.is_alpha), -1)


_CLITICS = frozenset({"'s", "'ll", "'re", "'ve", "'d", "\u2019s", "\u2019ll", "\u2019re",
                     "\u2019ve", "\u2019d"})  # fmt: skip


def _resolved(word: Token, previous: _Referent | None) -> _Referent | None:
    """The referent of a pronoun: the subject of the sentence before, where it is the only
    one there the pronoun could stand for and they agree; None for a demonstrative, an
    "it" that stands for an event or a cleft ("It was Downton who ...", "It comes after
    ..."), a pronoun with a clitic ("She'll"), or no agreement."""
    lower = word.lower_
    if previous is None or lower in _DEMONSTRATIVES or not previous.alone:
        return None
    if word.pos_ != "PRON":  # "The group", "The couple": a body or a pair named before
        lemma = word.lemma_.lower()
        if lemma in RENAMING_BODIES:
            body = previous.name and not previous.person and not previous.plural
            return previous if body else None  # a named body, not "Research"
        if lemma in RENAMING_PAIRS:
            return previous if previous.plural else None
        return None
    if previous.person and any(t.ent_type_ == "PERSON" for t in word.doc[: word.i]):
        return None  # a person named before it in its own sentence ("Like ... Jack Wilshere he")
    after = word.nbor() if word.i + 1 < len(word.doc) else None
    if after is not None and after.lower_ in _CLITICS:
        return None
    if lower in ("his", "her", "its", "their") and not previous.name:
        return None
    if lower in ("it", "its"):
        verb = word.head
        # "It was a good opportunity", "It was Downton who ...", "It is only after two
        # minutes that ...": a copula with a noun or a clause tells of an event or is a
        # cleft, not of the thing before ("It had been due to reopen" is).
        copula = verb.lemma_ == "be" and any(
            c.dep_ in ("attr", "ccomp", "advcl", "relcl") for c in verb.children
        )
        if lower == "it" and (copula or verb.lemma_.lower() in _EVENT_VERBS):
            return None
        agrees = not previous.person and not previous.plural
    elif lower in ("they", "them", "their"):
        agrees = previous.plural
    else:
        gender = _THIRD[lower]
        agrees = previous.person and not previous.plural and previous.gender in (None, gender)
    return previous if agrees else None


def _written_in(sentence: str, word: Token, referent: _Referent) -> str:
    """`sentence` with the referent's words in place of its pronoun `word`."""
    words = referent.words
    if word.pos_ != "PRON":  # "The group": the determiner goes with the noun
        start = word.doc[word.i - 1].idx
        if start == 0:
            words = words[:1].upper() + words[1:]
        return sentence[:start] + words + sentence[word.idx + len(word.text) :]
    if word.lower_ in ("his", "her", "its", "their") and word.dep_ == "poss":
        words += "'" if words.endswith("s") else "'s"
    return sentence[: word.idx] + words + sentence[word.idx + len(word.text) :]


_TITLE_WORDS = frozenset({"mr", "mrs", "ms", "miss", "dr", "sir", "lord", "lady", "dame"})


def _subject_of_sentence(doc: Doc, n: int, resolved: _Referent | None) -> _Referent | None:
    """What this sentence's subject names, for a pronoun in the next: a person's name as
    the parse finds it ("Dr Chand Nagpaul"), else the noun with its determiner and
    modifiers ("the fountain", "Hainan gibbons"), at most a few words; or the referent its
    own pronoun was resolved to."""
    subject = _subject(doc)
    if subject is None:
        return None
    if subject.pos_ == "PRON":
        return resolved if resolved is not None and subject.lower_ in _THIRD else None
    if subject.pos_ not in ("NOUN", "PROPN"):
        return None
    ent = next((e for e in doc.ents if e.start <= subject.i < e.end), None)
    if ent is not None and ent.root.i == subject.i:  # a name: the whole of it, and its title
        start = ent.start
        if start and doc[start - 1].lower_.rstrip(".") in _TITLE_WORDS | {"the"}:
            start -= 1
        span = doc[start : ent.end]
    else:
        keep = [subject] + [
            c for c in subject.children
            if c.dep_ in ("det", "amod", "compound", "nummod")
            or (c.dep_ == "poss" and c.pos_ == "PROPN" and not list(c.children)[1:])
        ]  # fmt: skip
        ids = sorted(t.i for t in keep)
        span = doc[ids[0] : ids[-1] + 1]
        if any(t.i not in ids and not (t.dep_ == "case" or t.head.i in ids) for t in span):
            return None  # not one phrase
    if len(span) > _REFERENT_WORDS or any(t.is_punct and t.text not in "-.'\u2019" for t in span):
        return None
    words = span.text
    if span[0].dep_ == "det" and span[0].lower_ in ("the", "a", "an"):
        words = span[0].lower_ + words[len(span[0].text) :]
    lowered = {t.lower_.rstrip(".") for t in span}
    person = _is_person(subject, lowered)
    if subject.pos_ == "PROPN" and not subject.ent_type_ and not person:
        return None  # a name the parse cannot type: a person's or a thing's?
    plural = any(c.dep_ == "conj" for c in subject.children) or subject.tag_ in ("NNS", "NNPS")
    gender = "f" if lowered & _FEMININE else "m" if lowered & _MASCULINE else None
    name = subject.pos_ == "PROPN"
    # Two main clauses, two subjects ("The Secretary affirmed ..., and the deportation of
    # the respondent was ordered"): which the next sentence's "he" is, is not certain.
    clauses = [c for c in subject.head.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")]
    rivals = any(d.dep_ in ("nsubj", "nsubjpass") for c in clauses for d in c.children) or _rivals(
        doc, subject, person, plural
    )
    return _Referent(words, n, person, plural, gender, name, alone=not rivals)


def _is_person(token: Token, words: set[str]) -> bool:
    return (
        token.ent_type_ == "PERSON"
        or token.lemma_.lower() in PERSON_NOUNS
        or bool(words & (_FEMININE | _MASCULINE))
    )


def _rivals(doc: Doc, subject: Token, person: bool, plural: bool) -> bool:
    """Does the sentence name another that the next sentence's pronoun could stand for:
    another person (anywhere in it), or another thing of the same number as a subject or
    an object? Words of the subject's own phrase are not others."""
    for token in doc:
        own = token.i == subject.i or token.head.i == subject.i
        noun = token.pos_ in ("NOUN", "PROPN") or token.lower_ in _THIRD
        if own or not noun:
            continue
        if person:
            if _is_person(token, {token.lower_}) or token.lower_ in ("he", "she", "him", "her"):
                return True
            continue
        if token.dep_ not in ("nsubj", "nsubjpass", "dobj", "attr") or _is_person(token, set()):
            continue
        if (token.tag_ in ("NNS", "NNPS")) == plural and token.lemma_.lower() not in _TIMES:
            return True
    return False


def _in_first_person(text: str, doc: Doc) -> bool:
    """Does `text` (an item made from the sentence parsed as `doc`) speak in the first
    person outside quotation marks? The parse must see a first-person pronoun ("I", "us";
    not the "I" of "World War I", nor the "US")."""
    if not any(t.pos_ == "PRON" and t.morph.get("Person", []) == ["1"] for t in doc):
        return False
    return _FIRST_PERSON.search(_outside_quotes(text)) is not None


_FIRST_PERSON = re.compile(r"\b(?:I|[Mm]e|[Mm]y|[Mm]ine|[Mm]yself|[Ww]e|us|[Oo]ur|[Oo]urs|"
                           r"[Oo]urselves)\b")  # fmt: skip
_OPENING = "\"\u201c\u2018'"
_CLOSING = {"\u201c": "\u201d", "\u2018": "\u2019", '"': '"', "'": "'"}


def _quoted_chars(text: str) -> set[int]:
    """The positions of `text` that quotation marks hold: a quotation left open runs to the
    end, one closed that was never opened (a quotation going on from the sentence before)
    from the start; an apostrophe within a word ("didn't") opens and closes nothing."""
    inside: set[int] = set()
    closing, opened_at = None, 0
    for i, ch in enumerate(text):
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        if closing is None:
            if ch in _OPENING and not (ch == "'" and before.isalnum()) and not after.isspace():
                closing, opened_at = _CLOSING[ch], i
            elif ch in "\u201d\u2019'" and not after.isalnum() and not before.isspace():
                plural_possessive = ch in "'\u2019" and before == "s" and after == " "
                if not plural_possessive:  # "the players' union" quotes nothing
                    inside.update(range(0, i + 1))  # a quotation going on from before
        elif ch == closing or (closing == "'" and ch == "\u2019"):
            if ch in "'\u2019" and after.isalnum():
                continue  # an apostrophe in a word
            inside.update(range(opened_at, i + 1))
            closing = None
    if closing is not None:
        inside.update(range(opened_at, len(text)))
    return inside


def _outside_quotes(text: str) -> str:
    """`text` without what its quotation marks hold (`_quoted_chars`)."""
    held = _quoted_chars(text)
    return "".join(ch for i, ch in enumerate(text) if i not in held)


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


def _open_questions(docs: Sequence[Doc], alone: Sequence[Alone | None]) -> list[dict[str, Any]]:
    """Sentences that say, in their main clause, that something is unclear or unknown, as
    the article says it (and standing alone): "It is not clear how extensive the practice
    is", "Police said it was unclear why ...", not a sentence that mentions an
    investigation in passing ("He said initial reports ... were being investigated")."""
    out = []
    for doc, item in zip(docs, alone, strict=True):
        if item is not None and any(_says_unknown(doc, m) for m in _UNKNOWN.finditer(doc.text)):
            out.append({"sentences": list(item.sentences), "question": item.text})
    return out[:4]


def _says_unknown(doc: Doc, found: re.Match[str]) -> bool:
    """Is the phrase `found` ("unclear", "not known", "under investigation") the predicate
    of the sentence's main clause, or of the clause a speech verb at its root reports?"""
    words = doc.char_span(found.start(), found.end(), alignment_mode="expand")
    if words is None:
        return False
    head = words.root
    # Up from the phrase to the verb of its clause: "unclear" of "is", "investigation" of
    # "under" of "is", "seen" of "to be seen" of "remains".
    while head.dep_ in ("acomp", "attr", "pobj", "prep", "xcomp", "oprd", "auxpass", "neg"):
        head = head.head
    if head.dep_ == "ROOT":
        return True
    return head.dep_ == "ccomp" and head.head.dep_ == "ROOT" and head.head.lemma_ in SPEECH
