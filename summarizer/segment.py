"""Sentences: the article's text cut into the units the model cites as S1..Sn.

A paragraph break always ends a sentence. Within a paragraph:

- English: Bling Fire's finite-state sentence breaker, about 1 ms per 1,000 words (spaCy's
  parser took 58 ms for a news_dev article, and bounded how many articles a batch could
  keep in flight). On news_dev, the seeds and FRANK it keeps 94% of the parser's
  sentences, and where they differ it is more often right: the parser also breaks inside
  a sentence ("VERDICT:" | "This ...", "... mud" | "but it's new"); `benchmarks/segmentation.py`
  measures both.
- Other languages: sentencex (Wikimedia), rule-based with abbreviations for each language.

Two corrections, each measured on the same texts:

- A piece that starts with a lower-case letter continues the sentence before it: a
  question quoted mid-sentence ('"What was that?" she asked'), where both breakers cut;
  so does one after a title ("Dr." | "Mehmet Oz is ..."), or a case name's "v." ("De Lima
  v. Bidwell"), which Bling Fire sometimes cuts.
- English: Bling Fire does not cut after a plain lower-case word whose period is followed
  by an initialism ("... 20-point plan. U.S. envoy Steve Witkoff ...", in the seed); such
  a period ends a sentence unless the word is an abbreviation ("vs.").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from summarizer.language import ENGLISH

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# A period (or ! ?) after a plain lower-case word, closing quotes, space, then a capital.
_MISSED_END = re.compile(
    r"(?<![\w.])([a-z]{2,})[.!?][\"'\u201d\u2019)]*(?=\s+[\"'\u201c\u2018]?[A-Z])"
)
_TITLE_END = re.compile(
    r"(?<![\w.])(?:Dr|Mr|Mrs|Ms|Mx|Prof|St|Gen|Sen|Rep|Gov|Lt|Col|Capt|Sgt|Rev|Hon|Fr|v)\.$"
)
_LOWER_ABBREVIATIONS = frozenset({"vs", "etc", "approx", "cf", "viz", "incl", "esp"})


@dataclass(frozen=True, slots=True)
class Sentence:
    """One article sentence; `id` is its 1-based number, shown to the model as S{id}."""

    id: int
    text: str
    start: int
    end: int


def _aligned(pieces: list[str], text: str) -> list[tuple[int, int]]:
    """Where each piece (the text's words in order, spaces normalized) lies in `text`.

    Bling Fire's own offsets API maps bytes to characters in a Python loop over every
    byte, which costs five times its segmentation; finding the words again is cheap."""
    spans, pos = [], 0
    for piece in pieces:
        words = piece.split()
        if not words:
            continue
        start = end = text.find(words[0], pos)
        if start < 0:  # pragma: no cover - the breaker returns the text's own words
            continue
        for word in words:
            at = text.find(word, end)
            end = at + len(word) if at >= 0 else end
        spans.append((start, end))
        pos = end
    return spans


def _spans(paragraph: str, language: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in `paragraph`."""
    if language == ENGLISH:
        import blingfire

        spans = []
        for a, b in _aligned(blingfire.text_to_sentences(paragraph).split("\n"), paragraph):
            start = a
            for m in _MISSED_END.finditer(paragraph, a, b):
                if m.group(1) not in _LOWER_ABBREVIATIONS:
                    spans.append((start, m.end()))
                    start = m.end()
            spans.append((start, b))
        return spans
    import sentencex

    return _aligned(list(sentencex.segment(language, paragraph)), paragraph)


def _continues(text: str, before: tuple[int, int], start: int) -> bool:
    """Does the piece at `start` continue the sentence `before` (see the docstring)?"""
    return text[start].islower() or _TITLE_END.search(text[before[0] : before[1]]) is not None


def segment(text: str, language: str = ENGLISH) -> tuple[Sentence, ...]:
    """`text` cut into numbered sentences (see the module's docstring). An empty tuple
    when it has no words."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for paragraph in _PARAGRAPH_BREAK.split(text):
        offset = text.index(paragraph, pos)
        pos = offset + len(paragraph)
        for a, b in _spans(paragraph, language):
            piece = paragraph[a:b]
            lead = len(piece) - len(piece.lstrip())
            start, end = offset + a + lead, offset + a + len(piece.rstrip())
            if start >= end:
                continue
            same_paragraph = bool(spans) and spans[-1][1] > offset
            if same_paragraph and _continues(text, spans[-1], start):
                spans[-1] = (spans[-1][0], end)  # continues the sentence (same paragraph)
            else:
                spans.append((start, end))
    return tuple(Sentence(i, text[a:b], a, b) for i, (a, b) in enumerate(spans, start=1))


# A sentence of model-written prose (and of text without capitals, where the breakers,
# which look for a capital, find no end) ends at . ! or ? after a lowercase letter, digit
# or closing quote or bracket (a closing quote may follow), then a space. Initialisms
# ("U.S. envoy", a capital before the period) do not end sentences; "Mr. Smith" does (rare
# in news prose, and consistent). The schema's patterns for free text use the same rule.
PROSE_END = "[a-z0-9%'\u2019\u201d)][.!?]['\u2019\u201d)]?"
_PROSE_SPLIT = re.compile(PROSE_END + " +")


def split_prose(text: str) -> list[str]:
    """Model-written prose cut into sentences, by the rule of `PROSE_END`."""
    text = text.strip()
    parts, start = [], 0
    for m in _PROSE_SPLIT.finditer(text):
        parts.append(text[start : m.end()].strip())
        start = m.end()
    parts.append(text[start:].strip())
    return [p for p in parts if p]


_BULLET = re.compile(r"^\s*(?:[-*\u2022\u2023\u25e6\u25aa\u2013]|\(?\d{1,3}[.)])\s+")
_LINE_END = re.compile(r"[.!?:;\"'\u201d\u2019)\]]\s*$")


def summary_sentences(text: str) -> list[str]:
    """A summary written by anyone, cut into the sentences to check. Summaries are often
    one sentence a line, or bullets: each line (its bullet marker dropped) is cut on its
    own, except that a line continuing a hard-wrapped sentence (the line before ends
    without punctuation, this one starts in lower case) joins it. Within a line, the prose
    rule (`split_prose`), as for model-written text: the article's breakers look for a
    capital after a sentence's end and find none in lower-cased text (FRANK's summaries);
    measured on FRANK, they cost the graded score (partial Spearman .349 -> .248)."""
    units: list[str] = []
    for raw in text.splitlines():
        bullet = _BULLET.match(raw)
        line = raw[bullet.end() :].strip() if bullet else raw.strip()
        if not line:
            continue
        if units and not bullet and line[0].islower() and not _LINE_END.search(units[-1]):
            units[-1] += " " + line
        else:
            units.append(line)
    return [sentence for unit in units for sentence in split_prose(unit)]
