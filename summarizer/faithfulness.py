"""The grounding report: how well each part of a summary is supported by its article.

It scores any text against the article's sentences, so it serves both the pipeline (every
result carries a report) and `summarizer check`, which scores summaries written by anyone.

"Supported" means: for a sentence of the summary, some article sentence shares enough of
its words. The score of a summary sentence is the best, over article sentences, of the
mean of two precisions: the share of its content words (not function words) and the share
of its word pairs (bigrams) found in that article sentence. Pairs catch swapped relations
("A beat B" vs "B beat A") that single words miss. Measured on FRANK's human judgments
(benchmarks/frank_correlation.py). Besides the score, a summary sentence is flagged for
any number, quotation or capitalized name that does not occur in the article.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field, PrivateAttr

from summarizer.grounding import STOPWORDS, cited, content_words, normalize, support

if TYPE_CHECKING:
    from summarizer.schema import ArticleSummary

SUPPORTED = 0.5  # a sentence scoring below this is unsupported
_WORD = re.compile(r"[\w'%.-]+")
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_QUOTE = re.compile(r"[\"\u201c]([^\"\u201d]{8,})[\"\u201d]")
# A capitalized word: part of a name ("Indonesia", "Erdogan"), checked word by word.
_NAME = re.compile(r"\b[A-Z][\w.-]*[\w]")


class Check(BaseModel):
    """One checked part of a summary."""

    field: str = Field(description="Which part: title, tldr, summary, key_points, ...")
    index: int = Field(description="Item number in its list, or sentence number in free text.")
    text: str
    supported: bool
    score: float = Field(description="Support in [0, 1] by the best evidence sentence.")
    evidence: list[int] = Field(description="Article sentence numbers that support it best.")
    problems: list[str] = Field(default_factory=list, description="Why it is unsupported.")
    # What `invented` found, kept apart from the wording of `problems` for the totals.
    _numbers: list[str] = PrivateAttr(default_factory=list)
    _names: list[str] = PrivateAttr(default_factory=list)


class GroundingReport(BaseModel):
    """Per-part checks and overall scores."""

    checks: list[Check]
    score: float = Field(description="Mean support of all checked parts (1 = fully supported).")
    share_supported: float
    unsupported_numbers: list[str]
    unsupported_names: list[str]

    @property
    def unsupported(self) -> list[Check]:
        return [c for c in self.checks if not c.supported]


@functools.lru_cache(maxsize=8192)
def _bigrams(text: str) -> frozenset[tuple[str, str]]:
    words = _WORD.findall(normalize(text))
    return frozenset(itertools.pairwise(words))


def score_sentence(text: str, sentences: Sequence[str]) -> tuple[float, list[int]]:
    """Support of `text` by its best article sentence, and that sentence's number."""
    words, pairs = content_words(text), _bigrams(text)
    best, where = 0.0, 0
    for i, sentence in enumerate(sentences, start=1):
        uni = len(words & content_words(sentence)) / len(words) if words else 1.0
        bi = len(pairs & _bigrams(sentence)) / len(pairs) if pairs else 1.0
        score = (uni + bi) / 2
        if score > best:
            best, where = score, i
    return best, [where] if where else []


@functools.lru_cache(maxsize=32)
def _index(article: str) -> tuple[str, frozenset[str]]:
    """The normalized article and its words (computed once per article, not per check)."""
    haystack = normalize(article)
    return haystack, frozenset(_WORD.findall(haystack))


def _missing(pattern: re.Pattern[str], text: str, article: str, group: int = 0) -> list[str]:
    """Matches of `pattern` in `text` that do not occur in `article` (normalized)."""
    haystack, words = _index(article)
    found = []
    for m in pattern.finditer(text):
        needle = normalize(m.group(group)).strip(" .,'")
        if pattern is _NAME and (needle in STOPWORDS or needle in words):
            continue
        if needle and needle not in haystack:
            found.append(m.group(group).strip())
    return list(dict.fromkeys(found))


_NAMES = r"[A-Z][\w.'-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w.'-]*){0,3}"
_SPEAKER = re.compile(
    rf"(?:(?i:according to)\s+(?:(?i:the)\s+)?(?P<a>{_NAMES}))"
    rf"|(?P<b>{_NAMES})\s+(?:has\s+|had\s+)?(?:said|says|told|added|claimed|stated|reported)\b"
)


def _misattributed(text: str, evidence: Sequence[str]) -> list[str]:
    """Speakers ("X said", "according to X") not named in the evidence sentences."""
    haystack = normalize(" ".join(evidence))
    problems = []
    for m in _SPEAKER.finditer(text):
        speaker = (m.group("a") or m.group("b") or "").strip().rstrip(".,'")
        words = [w for w in _WORD.findall(normalize(speaker)) if w.strip(".'") not in STOPWORDS]
        if words and not all(re.search(rf"(?<!\w){re.escape(w)}", haystack) for w in words):
            problems.append(f"attributed to {speaker}, who is not the source in its evidence")
    return problems


def _invented(text: str, article: str) -> tuple[list[str], list[str], list[str]]:
    """(numbers, names, quotations) in `text` that `article` does not have."""
    return (
        _missing(_NUMBER, text, article),
        _missing(_NAME, text, article),
        _missing(_QUOTE, text, article, group=1),
    )


def _describe(
    numbers: list[str], names: list[str], quotes: list[str], where: str = "the article"
) -> list[str]:
    problems = [f"number {n} is not in {where}" for n in numbers]
    problems += [f"'{n}' is not in {where}" for n in names]
    problems += [f"quotation \u201c{q}\u201d is not in {where}" for q in quotes]
    return problems


def invented(text: str, article: str) -> list[str]:
    """Numbers, capitalized names and quotations in `text` that `article` does not have."""
    return _describe(*_invented(text, article))


def check_sentence(
    field: str, index: int, text: str, sentences: Sequence[str], where: str = "the article"
) -> Check:
    """Score `text` against `sentences` (the article, or the ones an item cites: `where`
    says which, in the problems)."""
    score, evidence = score_sentence(text, sentences)
    numbers, names, quotes = _invented(text, " ".join(sentences))
    problems = _describe(numbers, names, quotes, where)
    problems += _misattributed(text, [sentences[i - 1] for i in evidence])
    if score < SUPPORTED:
        problems.append(f"little support: {score:.0%} of its words and word pairs")
    check = Check(
        field=field, index=index, text=text, supported=not problems, score=round(score, 3),
        evidence=evidence, problems=problems,
    )  # fmt: skip
    check._numbers, check._names = numbers, names
    return check


def report(checks: list[Check]) -> GroundingReport:
    return GroundingReport(
        checks=checks,
        score=round(sum(c.score for c in checks) / len(checks), 3) if checks else 1.0,
        share_supported=round(sum(c.supported for c in checks) / len(checks), 3) if checks else 1.0,
        unsupported_numbers=sorted({n for c in checks for n in c._numbers}),
        unsupported_names=sorted({n for c in checks for n in c._names}),
    )


def check(article: str, summary: str) -> GroundingReport:
    """Score any summary (plain text, whoever wrote it) against its article's text."""
    from summarizer.article import Article

    return check_text(summary, [s.text for s in Article.from_text(article).sentences])


def check_text(summary: str, sentences: Sequence[str]) -> GroundingReport:
    """Check a plain-text summary, sentence by sentence, against the article's sentences."""
    from summarizer.schema import split_sentences

    parts = split_sentences(summary) or [summary]
    return report([check_sentence("summary", i, s, sentences) for i, s in enumerate(parts, 1)])


def _cited_check(
    field: str, index: int, text: str, ids: list[int], sentences: Sequence[str]
) -> Check:
    """A cited item: scored against the sentences it cites, not the best ones."""
    valid = [i for i in ids if 1 <= i <= len(sentences)]
    cited = [sentences[i - 1] for i in valid]
    check = check_sentence(field, index, text, cited, where="the sentences it cites")
    check.evidence = valid
    if len(valid) < len(ids):
        check.problems.append("cites a sentence the article does not have")
        check.supported = False
    return check


def _occurs_check(
    field: str,
    index: int,
    phrase: str,
    ids: list[int],
    sentences: Sequence[str],
    person: bool = False,
) -> Check:
    from summarizer.grounding import occurs

    ok = occurs(phrase, cited(ids, sentences), surname_ok=person)
    problems = [] if ok else [f"'{phrase}' does not occur in the sentences it cites"]
    return Check(field=field, index=index, text=phrase, supported=ok, score=float(ok),
                 evidence=ids, problems=problems)  # fmt: skip


def _check_role(check: Check, role: str, evidence: Sequence[str]) -> None:
    """Flag an entity whose stated role the sentences it cites do not support (a small
    model copies roles from its prompt's example: "Egypt (location): the city whose
    council voted"). Reported, not a reason to drop the entity."""
    if support(role, evidence) < SUPPORTED:
        check.problems.append(f"its role '{role}' is not supported by the sentences it cites")
        check.supported = False
        check.score = round(check.score / 2, 3)


def check_summary(summary: ArticleSummary, sentences: Sequence[str]) -> GroundingReport:
    """Check every part of a structured summary against the article's sentences."""
    from summarizer.schema import EntityType, SourceKind, split_sentences

    checks = [check_sentence("title", 1, summary.title, sentences)]
    checks.append(check_sentence("tldr", 1, summary.tldr, sentences))
    for i, part in enumerate(split_sentences(summary.summary), start=1):
        checks.append(check_sentence("summary", i, part, sentences))
    for i, kp in enumerate(summary.key_points, start=1):
        checks.append(_cited_check("key_points", i, kp.text, kp.sentences, sentences))
    for i, e in enumerate(summary.entities, start=1):
        person = e.type is EntityType.PERSON
        check = _occurs_check("entities", i, e.name, e.sentences, sentences, person)
        _check_role(check, e.role, cited(e.sentences, sentences))
        checks.append(check)
    for i, c in enumerate(summary.claims, start=1):
        check = _cited_check("claims", i, c.statement, c.sentences, sentences)
        if c.source_kind is not SourceKind.ARTICLE:
            source = _occurs_check("claims", i, c.attributed_to, c.sentences, sentences, True)
            check.problems += source.problems
            check.supported = check.supported and source.supported
        checks.append(check)
    for i, f in enumerate(summary.figures, start=1):
        checks.append(_occurs_check("figures", i, f.value, f.sentences, sentences))
    for i, q in enumerate(summary.open_questions, start=1):
        checks.append(_cited_check("open_questions", i, q.question, q.sentences, sentences))
    return report(checks)
