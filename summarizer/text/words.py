"""Words: normalizing, whole-word containment, stems weighted by rarity, near-duplicates.

The base of every other text fact in `summarizer.text`. The checks ask the same questions of
the same sentences many times per summary, so every function of a text alone is memoized,
bounded by the characters it holds (`memo`), so a stream of distinct large articles keeps
memory flat.
"""

from __future__ import annotations

import functools
import itertools
import re
from typing import TYPE_CHECKING

from summarizer.text import memo

if TYPE_CHECKING:
    from nltk.stem.porter import PorterStemmer

QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "`": "'"})
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_POSSESSIVE = re.compile(r"'s?\b")
_SPACES = re.compile(r"\s+")
WORD = re.compile(r"\w+(?:['\-]\w+)*")


# The checks of one summary look at the same article sentences hundreds of times: every
# function of a text alone is memoized, bounded by the characters it holds (`memo`), so a
# stream of distinct large articles keeps memory flat.
SENTENCE_MEMO = 2_000_000  # characters: a few hundred ordinary articles' sentences
ARTICLE_MEMO = 4_000_000  # keys that hold a whole article's sentences


@memo.bounded(SENTENCE_MEMO)
def normalize(text: str) -> str:
    """Casefolded, straight quotes, no thousands separators, no possessive 's."""
    text = text.translate(QUOTES).casefold()
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
    return tuple(w.strip("'-") for w in WORD.findall(normalize(text)))


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


def similar(a: str, b: str, threshold: float = 0.8) -> bool:
    """Near-duplicates: the content stems of `a` and `b` overlap this much (Jaccard)."""
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return normalize(a) == normalize(b)
    return len(wa & wb) / len(wa | wb) >= threshold


# Words run together by a garbling decoder: lowercase, then a capital inside
# ("tomakeilateralDecisions").
_RUN_TOGETHER = re.compile(r"(?<![\w'\-])[a-z]+[A-Z][A-Za-z]*(?![\w'\-])")


def unknown_words(text: str, haystack: str) -> list[str]:
    """Words of `text` run together ("tomakeilateralDecisions") that are neither English
    (wordfreq has never seen them) nor in `haystack` (normalized): what a small model
    writes when its decoding garbles. A rare or misspelt word alone is not flagged: the
    writers of news_dev use some ("nonpotable", "deradicalize") that wordfreq lacks."""
    from wordfreq import zipf_frequency

    return [
        w
        for w in dict.fromkeys(m.group() for m in _RUN_TOGETHER.finditer(text.translate(QUOTES)))
        if zipf_frequency(w, "en") == 0 and not contains(haystack, normalize(w))
    ]


# A sentence or headline of model-written prose that ends on one of these was cut short (a
# decoder at its word cap: "... and Hamas alone was not mandated to.", "Egypt is expected
# to lead the").
_DANGLING = re.compile(
    r"\b(a|an|the|to|of|for|by|into|than|and|or|but|with|from|that|which|whose|its|their|"
    r"his|her|our|your|my)[.!?]?['\u2019\u201d)]*$",
    re.I,
)


def cut_short(sentence: str) -> str | None:
    """The word a sentence of prose ends on where no sentence can end ("to", "the"), or
    None."""
    m = _DANGLING.search(sentence.strip())
    return m.group(1) if m else None
