"""Checking that what a summary names occurs in the sentences it cites.

These checks run as schema validators, so a failure goes back to the model through the
re-ask with a message that says what to fix. Matching forgives what writing varies:
case, curly vs straight quotes, a leading "the", possessives ("Trump's"), thousands
separators ("20,000" = "20000"), and a person's surname alone for the full name.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_POSSESSIVE = re.compile(r"'s\b")
_LEADING_THE = re.compile(r"^the\s+")
_SPACES = re.compile(r"\s+")


# The checks of one summary look at the same article sentences hundreds of times: their
# normalized forms and content words are memoized (bounded; pure functions of the text).
@functools.lru_cache(maxsize=8192)
def normalize(text: str) -> str:
    text = text.translate(_QUOTES).casefold()
    text = _THOUSANDS.sub("", text)
    text = _POSSESSIVE.sub("", text)
    return _SPACES.sub(" ", text).strip()


def _contains(haystack: str, needle: str) -> bool:
    """Whole-word containment of normalized `needle` in normalized `haystack`."""
    if not needle:
        return False
    pattern = r"(?<!\w)" + re.escape(needle) + r"(?!\w)"
    return re.search(pattern, haystack) is not None


def occurs(phrase: str, sentences: Sequence[str], *, surname_ok: bool = False) -> bool:
    """Does `phrase` occur in any of `sentences` (forgiving the variations above)?"""
    needle = _LEADING_THE.sub("", normalize(phrase))
    texts = [normalize(s) for s in sentences]
    if any(_contains(t, needle) for t in texts):
        return True
    if surname_ok and " " in needle:
        return any(_contains(t, needle.rsplit(" ", 1)[1]) for t in texts)
    return False


# Function words carry no claim: a statement is supported by its content words.
_STOPWORD_TEXT = """
a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each few
for from further had has have having he her here hers herself him himself his how i if
in into is it its itself just me more most my myself no nor not now of off on once only
or other our ours ourselves out over own same she should so some such than that the
their theirs them themselves then there these they this those through to too under until
up very was we were what when where which while who whom why will with would you your
yours yourself yourselves said says say told according however meanwhile although though
despite yet still instead thus therefore moreover furthermore since unless whether
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_WORDS = re.compile(r"[\w'%.-]+")


@functools.lru_cache(maxsize=8192)
def content_words(text: str) -> frozenset[str]:
    words = (w.strip("'.-") for w in _WORDS.findall(normalize(text)))
    return frozenset(w for w in words if len(w) > 2 and w not in STOPWORDS)


def support(text: str, sentences: Sequence[str]) -> float:
    """Share of `text`'s content words that occur in `sentences` (1.0 when it has none)."""
    words = content_words(text)
    if not words:
        return 1.0
    evidence = frozenset().union(*(content_words(s) for s in sentences))
    return len(words & evidence) / len(words)


def best_support(text: str, sentences: Sequence[str], *, top: int = 2) -> tuple[float, list[int]]:
    """Support of `text` by the `top` sentences that support it most, and their numbers."""
    ranked = sorted(
        range(1, len(sentences) + 1), key=lambda i: support(text, [sentences[i - 1]]), reverse=True
    )[:top]
    return support(text, [sentences[i - 1] for i in ranked]), sorted(ranked)


_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|thousand|million|billion|trillion|dozen|half|quarter)\b",
    re.I,
)


def has_number(text: str) -> bool:
    return _NUMBER.search(text) is not None


def similar(a: str, b: str, threshold: float = 0.8) -> bool:
    """Near-duplicates: the content words of `a` and `b` overlap this much (Jaccard)."""
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return normalize(a) == normalize(b)
    return len(wa & wb) / len(wa | wb) >= threshold


def cited(ids: Sequence[int], sentences: Sequence[str]) -> list[str]:
    """The texts of the cited sentences that exist."""
    return [sentences[i - 1] for i in ids if 1 <= i <= len(sentences)]


def labels(ids: Sequence[int]) -> str:
    return ", ".join(f"S{i}" for i in ids)
