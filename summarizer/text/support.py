"""Graded support: how much of a sentence some evidence states, and which sentences it
cites.

By word stems weighted by rarity (a rare word counts more than a common one), over the best
one to three article sentences, so that a sentence fused from two is not penalized.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from summarizer.text import memo
from summarizer.text.names import name_occurs, names
from summarizer.text.numbers import figure_occurs, number_matches, numbers
from summarizer.text.words import ARTICLE_MEMO, content_stems, normalize, stem_pairs


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
