"""Names and numbers the embedded model may write: those of the article it summarizes.

A small base model copies the names and figures of its prompt's worked example into its
answer ("Northbridge", "Elm Street", "2.5 million dollars") and invents others. So, inside
a JSON string, a word that starts with a capital letter or a digit must, as it is being
written, be the beginning of a word of the article (its sentences as the request gives them, in
any case: `transport.ARTICLE_FIELD`), or, where a sentence opens, of a common English word ("Blast
hits plant"). Validation still checks every name and number; this keeps the model from
writing most of the ones it would fail on.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

_LEADING = "([{'\"\u2018\u201c\u2014-"
_TRAILING = ".,;:!?)]}'\"\u2019\u201d"
_POSSESSIVE = re.compile(r"['\u2019]s?$")
COMMON_WORDS = 30_000  # wordfreq's commonest English words that may start a capitalized word


def _core(word: str) -> str:
    """A word without the punctuation around it or a possessive ending."""
    word = word.lstrip(_LEADING)
    word = _POSSESSIVE.sub("", word.rstrip(_TRAILING)) or word
    return word.rstrip(_TRAILING)


def _prefixes(words: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for word in words:
        for i in range(1, len(word) + 1):
            out.add(word[:i])
    return out


@functools.cache
def _common_prefixes() -> frozenset[str]:
    from wordfreq import top_n_list

    return frozenset(_prefixes(top_n_list("en", COMMON_WORDS)))


@functools.cache
def _common_words() -> frozenset[str]:
    from wordfreq import top_n_list

    return frozenset(top_n_list("en", COMMON_WORDS))


# Curly quotes, dashes, the ellipsis, pound, euro and degree signs.
_PUNCTUATION = "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00a3\u20ac\u00b0"
# ASCII that prose does not use: a small model lost in a string writes "}.}.}." until
# max_tokens (the string, and the answer, never close). Allowed where the article has it.
_STRUCTURAL = frozenset("{}[]<>|\\^~`_=")
_INITIAL = re.compile(r"(^|\s)[A-Z]\.$")
_ELLIPSES = re.compile(r"(\.\.\.|\u2026)\W{0,3}(\.\.\.|\u2026)")  # "'They...'...'...'"
_OPENS = frozenset(".!?:;\"'\u2018\u201c(")


class WordGuard:
    """Says whether a string value may go on with a given piece of text.

    The rule is the validator's, applied while writing: a capitalized word or a number is
    one the article has (in any case). A common word may be capitalized where a sentence
    or a quotation opens ("Blast hits plant"), as validation also allows."""

    def __init__(self, article: str) -> None:
        words = [_core(w).lower() for w in article.split()]
        self.words = frozenset(w for w in words if w)
        self.prefixes = frozenset(_prefixes(self.words))
        # Characters beyond ASCII only where the article has them: a small model that
        # loses its way drifts into another script ("帮助,带动,带动").
        self.chars = frozenset(c for c in article if ord(c) > 0x7E or c in _STRUCTURAL) | frozenset(
            _PUNCTUATION
        )

    def allows(self, word: str, *, opens: bool = False, complete: bool = False) -> bool:
        """May a string hold `word` (`complete`, or the beginning of a word)?"""
        core = _core(word)
        if not core or not (core[0].isupper() or core[0].isdigit()):
            return True
        low = core.lower()
        common = _common_words() if complete else _common_prefixes()
        if opens and (len(low) > 2 or not complete) and low in common:
            return True
        if not complete:
            return low in self.prefixes
        # A complete word is one of the article's, or the start of a hyphenated one
        # ("U.N." of "U.N.-led").
        # or an initialism's first letters, which a model may space ("U. S." for "U.S.").
        return low in self.words or any(low + end in self.prefixes for end in ("-", ".-", "."))

    def continues(self, value: str, piece: str) -> bool:
        """May the string value written so far (`value`) go on with `piece`? Every word
        that `piece` completes or starts must be allowed."""
        inside = piece.split('"', 1)[0]  # a quote ends the string
        if any(ord(c) < 0x20 for c in inside):
            return False  # control characters are not JSON string text
        if any((ord(c) > 0x7E or c in _STRUCTURAL) and c not in self.chars for c in inside):
            return False  # a script or symbol the article does not use
        text = value + inside
        if "...." in text or ",," in text or _ELLIPSES.search(text):
            return False  # runs of dots or commas, ellipses back to back: a loop, not prose
        start = value.rfind(" ") + 1  # the word being written, then the piece's words
        closed = '"' in piece  # the string ends: its last word is complete
        found = list(re.finditer(r"\S+", text[start:]))
        for i, m in enumerate(found):
            before = text[: start + m.start()].rstrip()
            complete = closed or i < len(found) - 1 or text.endswith(" ")
            # A sentence opens after . ! ? : or a quote, but not after an initial ("L.").
            opens = not before or (before[-1] in _OPENS and not _INITIAL.search(before))
            if not self.allows(m.group(), opens=opens, complete=complete):
                return False
            if _repeats(before, m.group()):
                return False
        return True


def _repeats(before: str, word: str) -> bool:
    """Does capitalized `word` repeat the word just before it ("Gaza Gaza Strip")? A
    small model stutters so on names; "Gaza. Gaza" is two sentences, not a repeat."""
    core = _core(word)
    if not core[:1].isupper():
        return False
    previous = before.rsplit(None, 1)[-1] if before else ""
    return previous.lower() == core.lower()


@functools.lru_cache(maxsize=8)
def guard_for(article: str) -> WordGuard | None:
    return WordGuard(article) if article.strip() else None
