"""Which language an article is written in, and what that changes downstream.

Detected by lingua (offline, its models ship in the wheel) in low-accuracy mode, from the
article's first 600 characters: about 0.3 s and 110 MB on first use, then 2.5 ms an
article (all 100 of news_dev, the French and the German test texts right even from 400
characters; from 4,000 it took 10 ms, half a batch article's own work). The high-accuracy
mode needs 7 s and 1.3 GB to load and is meant for short texts, not articles. A language
can always be given instead (`Article(language="fr")`, `--language` for the summary).

What a language changes: how sentences are found (`segment`), the language the summary
is asked in (the prompt), and which checks run. The checks of speakers, hedges,
negations and names read English word lists and English capitalization (German
capitalizes every noun), so in another language they are skipped, and the grounding
report says which were.
"""

from __future__ import annotations

import functools
import re
import threading
from typing import TYPE_CHECKING

from summarizer.errors import LanguageError

if TYPE_CHECKING:
    from lingua import LanguageDetector

ENGLISH = "en"
# Detection reads the start of the article (see above).
_SAMPLE_CHARS = 600
# Checks that need English word lists (checks.rules.ErrorKind values).
# The prose checks read the English parse (`checks.prose`).
ENGLISH_ONLY_CHECKS = ("name", "speaker", "hedge", "negation", "first_person", "about_article",
                       "lesson", "unparsed", "cut", "relation", "dangling")  # fmt: skip


_lock = threading.Lock()


@functools.cache
def _detector() -> LanguageDetector:
    from lingua import LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()


# English news is a third function words ("the", "of", "said"...): the share among the
# first 600 characters is at least 0.17 in all 235 articles of news_dev and FRANK and under
# 0.05 in the French and German test texts. Above this share lingua is not asked, which
# saves a batch article 2.5 ms of its 10 ms of own work.
_ENGLISH_WORDS = frozenset(
    {"the", "and", "of", "to", "a", "in", "is", "that", "for", "on", "was", "with", "said",
     "it", "as", "at", "by", "he", "his", "have", "from", "has", "be", "are", "were"}
)  # fmt: skip
_ENGLISH_SHARE = 0.15
_WORD = re.compile(r"[a-z']+")


def detect(text: str) -> str:
    """The ISO 639-1 code of the language `text` is written in; English when unsure."""
    sample = text[:_SAMPLE_CHARS]
    words = _WORD.findall(sample.lower())
    if words and sum(w in _ENGLISH_WORDS for w in words) / len(words) >= _ENGLISH_SHARE:
        return ENGLISH
    with _lock:  # building the detector once, not once per thread
        detector = _detector()
    found = detector.detect_language_of(sample)
    return found.iso_code_639_1.name.lower() if found is not None else ENGLISH


def code_of(language: str) -> str:
    """An ISO 639-1 code from a code or an English language name ("fr", "French")."""
    from lingua import IsoCode639_1, Language

    value = language.strip()
    try:
        return IsoCode639_1.from_str(value.lower()).name.lower()
    except ValueError:
        pass
    try:
        return Language.from_str(value.upper()).iso_code_639_1.name.lower()
    except ValueError:
        raise LanguageError(
            f"unknown language {language!r}: give an ISO 639-1 code (fr) or a name (French)"
        ) from None


def name_of(code: str) -> str:
    """The English name of a language code ("fr" -> "French"), for prompts and reports."""
    from lingua import IsoCode639_1, Language

    iso = IsoCode639_1.from_str(code)
    return Language.from_iso_code_639_1(iso).name.title()


def skipped_checks(code: str) -> frozenset[str]:
    """The kinds of error not looked for in an article in language `code`."""
    return frozenset() if code == ENGLISH else frozenset(ENGLISH_ONLY_CHECKS)
