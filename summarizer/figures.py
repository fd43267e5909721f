"""The figures of an article found by code: each number that tells something, with what it
counts, the ones that tell most first.

What a number counts is grammar, read from the parse: the noun it modifies ("11,000
staff"), what a share is of ("70% of voters"), what a sum is for
("20,000 yuan as compensation"), else the subject it is a value of ("The unemployment rate
fell to 6.3 percent"). Not figures: a score ("a 2-1 win"), a time ("a minute or 2 later"),
a bare "one", a conversion in brackets ("($260,900)") of the sum before it. The value is
kept as written, with its currency sign and unit ("£1.6m"). The figures that tell most:
early in the article (news puts the most important first), sums and shares, and numbers
the article repeats.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from summarizer.text.words import normalize

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = ["find_figures"]

MAX_FIGURES = 8
_NUMERIC = ("CARDINAL", "MONEY", "PERCENT", "QUANTITY")
_TIME_NOUNS = frozenset(
    {"second", "minute", "hour", "day", "week", "month", "year", "time", "later", "ago", "o'clock"}
)
_SCORE = re.compile(r"^\d+\s*[-\u2013]\s*\d+$")
_CURRENCY = "£$€¥"
_UNIT = re.compile(r"^(?:m|bn|k|million|billion|trillion|per cent|percent|%)\b", re.IGNORECASE)
_BARE = frozenset({"one", "1"})
_MOST_COUNT_WORDS = 8


def find_figures(docs: Sequence[Doc]) -> list[dict[str, Any]]:
    """The article's figures as a brief's items (at most `MAX_FIGURES`), in the article's
    order, each citing its sentence."""
    found: list[tuple[float, int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for n, doc in enumerate(docs, start=1):
        for ent in doc.ents:
            age = _age(ent)
            if age is not None:
                value, counts = age
            elif ent.label_ == "DATE":
                if not _a_duration(ent):
                    continue
                value, counts = ent.text.strip(" ,.;:()"), _counted(ent) or _unit(ent)
            elif ent.label_ not in _NUMERIC or not _a_figure(ent):
                continue
            else:
                value, counts = _value(ent), None
            if _SCORE.match(value):
                continue  # "a 2-1 win": a score, no count
            key = normalize(value)
            if key in seen:
                seen[key] += 1
                continue
            counts = counts or _counted(ent) or _share_of(ent) or _purpose(ent) or _subject_of(ent)
            if counts is None:
                continue
            seen[key] = 1
            item = {"sentences": [n], "value": value, "counts": counts}
            weight = 3.0 / (1 + 0.15 * (n - 1)) + _WEIGHT.get(ent.label_, 0.0) - (age is not None)
            found.append((weight, len(found), item))
    for i, (weight, order, item) in enumerate(found):  # repeated: a figure the story is about
        found[i] = (weight + (seen[normalize(str(item["value"]))] > 1), order, item)
    best = sorted(found, key=lambda f: (-f[0], f[1]))[:MAX_FIGURES]
    return [item for _, _, item in sorted(best, key=lambda f: f[1])]


_WEIGHT = {"MONEY": 1.0, "PERCENT": 1.0}
_DURATION = re.compile(
    r"^(?:about |almost |nearly |more than |over |some |up to |at least )?"
    r"(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
    r"twenty|thirty|forty|fifty|hundred)[ -](?:years?|months?|weeks?|days?|hours?|decades?)"
    r"(?:-long)?$",
    re.IGNORECASE,
)
_AGE = re.compile(r"^(?:a |an )?(\d{1,3})-year-old$", re.IGNORECASE)


def _age(ent: Span) -> tuple[str, str] | None:
    """A person's age: "a 33-year-old mother" (value "33-year-old"), "Carla, 23," (a
    number in apposition to a name, between commas)."""
    doc = ent.doc
    text = ent.text.strip(" ,")
    whose: Token | None = None
    if ent.label_ == "DATE" and _AGE.match(text):
        whose = ent.root.head if ent.root.head.pos_ in ("NOUN", "PROPN") else None
    elif ent.label_ == "CARDINAL" and text.isdigit() and 0 < int(text) < 110:
        before = doc[ent.start - 1] if ent.start > 0 else None
        after = doc[ent.end] if ent.end < len(doc) else None
        name = doc[ent.start - 2] if ent.start > 1 else None
        if before is None or after is None or name is None:
            return None
        if before.text != "," or after.text != "," or name.ent_type_ != "PERSON":
            return None
        whose = name
    else:
        return None
    counts = "age in years"
    if whose is not None:
        counts = f"age in years of {_words(whose.text if whose.pos_ == 'PROPN' else _np(whose))}"
    return text, counts


def _np(noun: Token) -> str:
    doc = noun.doc
    start = min([noun.i, *(t.left_edge.i for t in noun.lefts if t.dep_ in ("amod", "compound"))])
    words = [t for t in doc[start : noun.i + 1] if not re.search(r"\d", t.text)]
    return " ".join(t.text for t in words if t.text not in ("-", "year", "old")) or noun.text


def _a_duration(ent: Span) -> bool:
    """A span of time that a story counts ("32 years", "a six-year jail term"), not a
    date ("April 5", "2014", "last year")."""
    return _DURATION.match(ent.text.strip(" ,.;:()").removeprefix("a ")) is not None


def _unit(ent: Span) -> str:
    """What a duration counts when it modifies no noun: its unit ("years")."""
    for token in ent:
        if token.lemma_.lower() in _TIME_NOUNS:
            return token.lemma_.lower() + "s"
    return "time"


def _a_figure(ent: Span) -> bool:
    """Whether the number tells a reader something: not a score, a time, a bare "one", a
    conversion in brackets of the sum before it, nor a number that is part of a name."""
    text = ent.text.strip()
    if _SCORE.match(text) or normalize(text) in _BARE:
        return False
    if not any(ch.isdigit() for ch in text) and not any(t.like_num for t in ent):
        return False
    doc = ent.doc
    near = {t.lower_ for t in doc[max(ent.start - 2, 0) : min(ent.end + 2, len(doc))]}
    if near & _TIME_NOUNS and ent.label_ == "CARDINAL":
        head = ent.root.head
        if head.lemma_.lower() in _TIME_NOUNS or (near & {"later", "ago"}):
            return False  # "a minute or 2 later", "2 hours"
    if ent.label_ == "MONEY":
        opened = doc[max(ent.start - 2, 0) : ent.start].text
        if "(" in opened or ";" in opened:
            return False  # "1.7 million yuan ($260,900; £183,900)": the same sum again
    return True


def _value(ent: Span) -> str:
    """The number as written, with a currency sign just before it and a unit just after
    ("£" + "1.6" + "m")."""
    doc = ent.doc
    start, end = ent.start_char, ent.end_char
    text = doc.text
    if start > 0 and text[start - 1] in _CURRENCY and ent.text[:1] not in _CURRENCY:
        start -= 1
    after = ent.end
    if after + 1 < len(doc) and doc[after].text == "-" and not doc[after - 1].whitespace_:
        end = doc[after + 1].idx + len(doc[after + 1].text)  # "20-point", "a 164-store chain"
    unit = _UNIT.match(text[end:])
    if unit is not None and not text[end - 1].isspace():
        end += unit.end()
    return text[start:end].strip(" ,.;:()")


def _counted(ent: Span) -> str | None:
    """What the number counts: the noun it modifies ("20,000 soldiers"), with that noun's
    own modifiers; joined by a hyphen to a unit, the noun after the unit ("20-point plan");
    a time is none."""
    doc = ent.doc
    head = ent.root.head if ent.root.dep_ in ("nummod", "quantmod", "compound") else ent.root
    if head.pos_ not in ("NOUN", "PROPN") or head.i in range(ent.start, ent.end):
        return None
    if head.lemma_.lower() in _TIME_NOUNS:
        return None
    after = ent.end  # the noun's modifiers after the number are what is counted
    hyphened = head.i == ent.end + 1 and doc[ent.end].text == "-"
    if hyphened and head.dep_ in ("compound", "amod") and head.head.i > head.i:
        after, head = head.i + 1, head.head
    mods = [t for t in head.lefts if t.dep_ in ("amod", "compound") and t.i >= after]
    start = min([head.i, *(max(t.left_edge.i, after) for t in mods)])  # "loss-making shops"
    return _words(doc[start : head.i + 1].text)


def _share_of(ent: Span) -> str | None:
    """What a share or a number is of: "70% of voters", "80% of its stock"."""
    for token in (ent.root, *ent.root.children):
        of = next((c for c in token.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        if of is not None:
            obj = next((c for c in of.children if c.dep_ == "pobj"), None)
            if obj is not None and obj.pos_ in ("NOUN", "PROPN"):
                return _phrase(obj)
    return None


def _purpose(ent: Span) -> str | None:
    """What a sum is for or given as: "20,000 yuan as compensation", "sued ... for 1.7
    million yuan in damages" (a prepositional noun next to the number, or of the verb
    it belongs to)."""
    if ent.label_ not in ("MONEY", "PERCENT"):
        return None
    places: list[Token] = [ent.root]
    if ent.root.head.i != ent.root.i:
        places.append(ent.root.head)
    for place in places:
        for prep in place.children:
            wanted = prep.dep_ == "prep" and prep.lower_ in ("as", "in", "for", "on")
            if not wanted or prep.i < ent.start:
                continue
            obj = next((c for c in prep.children if c.dep_ == "pobj"), None)
            if obj is not None and obj.pos_ == "NOUN" and not obj.like_num:
                return _phrase(obj)
    return None


def _subject_of(ent: Span) -> str | None:
    """A number that counts no noun of its own is a value of its clause's subject: "The
    unemployment rate fell ... to 6.3 percent". The subject, up to an aside, and its verb
    ("Conservative donations totalled"), is what it counts."""
    verb = ent.root
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head
    subject = next((t for t in verb.children if t.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None or subject.pos_ == "PRON" or subject.i in range(ent.start, ent.end):
        return None
    words = _until_aside([t for t in subject.subtree if not ent.start <= t.i < ent.end], ",;")
    while words and (words[-1].is_stop or words[-1].is_punct):  # "... employment for"
        words.pop()
    if not words:
        return None
    doc = ent.doc
    return _words(doc[words[0].i : words[-1].i + 1].text)


def _phrase(head: Token) -> str | None:
    """A noun with its modifiers before it and an "of" phrase after ("the Fostering
    Network's survey of children")."""
    doc = head.doc
    start = min([head.i, *(t.left_edge.i for t in head.lefts if t.dep_ != "det")])
    end = head.i + 1
    of = next((c for c in head.rights if c.dep_ == "prep" and c.lower_ == "of"), None)
    if of is not None:
        end = of.right_edge.i + 1
    return _words(doc[start:end].text)


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


def _words(text: str) -> str | None:
    """What is counted, in at most a few words of the article, with balanced quotation
    marks and brackets; None where no word is left."""
    words = " ".join(text.split()).strip(' ,;:."\u201c\u201d\u2018\u2019').split()
    if not words or len(words) > _MOST_COUNT_WORDS:
        words = words[-_MOST_COUNT_WORDS:]
    joined = " ".join(words)
    if sum(joined.count(q) for q in '"\u201c\u201d') % 2:
        joined = joined.translate({ord(q): None for q in '"\u201c\u201d'})
    if joined.count("(") != joined.count(")"):
        joined = joined.replace("(", "").replace(")", "")
    joined = " ".join(joined.split())
    if not joined or not any(ch.isalpha() for ch in joined):
        return None
    return joined
