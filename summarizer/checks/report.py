"""The grounding report: each part of a summary checked against its article.

It serves both the pipeline (every result carries a report) and `summarizer check`, which
scores summaries written by anyone. For each part (the title, the TL;DR, each sentence of
the summary, each item) it gives:

- the errors found, each of a named kind (`checks.rules.ErrorKind`): the same checks as the
  gate that re-asks the model, so a returned summary normally has none;
- a graded support score in [0, 1] and its evidence sentences (`text.support.support`: word
  stems weighted by rarity, over the best one to three article sentences, and word pairs
  for order). Low support is reported, not gated: paraphrase lowers it too;
- `supported`: no error and a score of at least `SUPPORTED`.

Measured on FRANK's human judgments and on news_dev's writers' summaries by
`benchmarks/faithfulness.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from summarizer.checks.rules import (
    Error,
    ErrorKind,
    cited_errors,
    figure_missing,
    free_text_errors,
    name_missing,
)
from summarizer.language import skipped_checks
from summarizer.schema import ArticleSummary, SourceKind, split_sentences
from summarizer.segment import summary_sentences
from summarizer.text.support import Support, cited, labels, support

if TYPE_CHECKING:
    from summarizer.article import Article

# A part scoring below this is unsupported. Chosen on FRANK's validation split so that
# about one error-free summary in ten has a sentence below it (benchmarks/faithfulness.py).
SUPPORTED = 0.55


class Finding(BaseModel):
    """One error in a part of a summary."""

    kind: ErrorKind
    found: str = Field(description="The offending words, as the summary writes them.")
    message: str


class Check(BaseModel):
    """One checked part of a summary."""

    field: str = Field(description="Which part: title, tldr, summary, key_points, ...")
    index: int = Field(description="Item number in its list, or sentence number in free text.")
    text: str
    supported: bool
    score: float = Field(description="Graded support in [0, 1] by its evidence.")
    evidence: list[int] = Field(description="Article sentence numbers that support it best.")
    errors: list[Finding] = Field(default_factory=list, description="Errors, by kind.")
    problems: list[str] = Field(
        default_factory=list, description="Everything found, in words: errors, low support."
    )


class GroundingReport(BaseModel):
    """Per-part checks and overall scores."""

    checks: list[Check]
    score: float = Field(description="Mean support of all checked parts (1 = fully supported).")
    share_supported: float
    unsupported_numbers: list[str]
    unsupported_names: list[str]
    skipped_checks: list[str] = Field(
        default_factory=list,
        description=(
            "Kinds of error not looked for: the checks of names, speakers, hedges and "
            "negations read English word lists, and the article is in another language."
        ),
    )

    @property
    def unsupported(self) -> list[Check]:
        return [c for c in self.checks if not c.supported]

    @property
    def errors(self) -> list[Finding]:
        return [e for c in self.checks for e in c.errors]


def _check(
    field: str,
    index: int,
    text: str,
    found: Support,
    errors: Sequence[Error],
    evidence: Sequence[int] | None = None,
) -> Check:
    findings = [Finding(kind=e.kind, found=e.found, message=e.message) for e in errors]
    problems = [e.message for e in errors]
    if found.score < SUPPORTED:
        problems.append(f"little support: {found.score:.0%} by its evidence")
    return Check(
        field=field,
        index=index,
        text=text,
        supported=not problems,
        score=round(found.score, 3),
        evidence=list(evidence if evidence is not None else sorted(found.evidence)),
        errors=findings,
        problems=problems,
    )


def ground_sentence(
    field: str, index: int, text: str, sentences: Sequence[str], skip: frozenset[str] = frozenset()
) -> Check:
    """A sentence of free text, against the whole article."""
    errors = free_text_errors(text, sentences, skip=skip)
    return _check(field, index, text, support(text, sentences), errors)


def _cited_check(
    field: str,
    index: int,
    text: str,
    ids: list[int],
    sentences: Sequence[str],
    skip: frozenset[str],
) -> Check:
    """A cited item: scored against the sentences it cites, not the best ones."""
    valid = [i for i in ids if 1 <= i <= len(sentences)]
    cited = [sentences[i - 1] for i in valid]
    errors = cited_errors(text, ids, sentences, "the sentences it cites", skip=skip)
    if len(valid) < len(ids):
        missing = labels(i for i in ids if i not in valid)
        errors.append(Error(ErrorKind.CITATION, missing, f"cites {missing}, which does not exist"))
    return _check(field, index, text, support(text, cited), errors, valid)


def _name_check(
    field: str, index: int, phrase: str, ids: list[int], sentences: Sequence[str]
) -> Check:
    """A name (an entity, a claim's source) or a figure occurs in the sentences it cites."""
    if field == "figures":  # the gate's verdicts (`checks.gate`), in the report's words
        ok, kind = not figure_missing(phrase, ids, sentences), ErrorKind.NUMBER
    else:
        ok, kind = not name_missing(phrase, ids, sentences), ErrorKind.NAME
    errors = [] if ok else [
        Error(kind, phrase, f"'{phrase}' does not occur in the sentences it cites")
    ]  # fmt: skip
    found = Support(float(ok), tuple(ids), float(ok), float(ok), float(ok))
    return _check(field, index, phrase, found, errors, ids)


def _check_role(check: Check, role: str, evidence: Sequence[str]) -> None:
    """Flag an entity whose stated role the sentences it cites do not support (a small
    model copies roles from its prompt's example: "Egypt (location): the city whose
    council voted"). Reported, not a reason to drop the entity."""
    if support(role, evidence).words < 0.5:
        check.problems.append(f"its role '{role}' is not supported by the sentences it cites")
        check.supported = False
        check.score = round(check.score / 2, 3)


_TOTALLED = (ErrorKind.NUMBER, ErrorKind.NAME)


def grounding_report(checks: list[Check], skip: Iterable[str] = ()) -> GroundingReport:
    kinds: dict[ErrorKind, set[str]] = {k: set() for k in _TOTALLED}
    for c in checks:
        for e in c.errors:
            kinds.get(e.kind, set()).add(e.found)
    return GroundingReport(
        checks=checks,
        score=round(sum(c.score for c in checks) / len(checks), 3) if checks else 1.0,
        share_supported=round(sum(c.supported for c in checks) / len(checks), 3) if checks else 1.0,
        unsupported_numbers=sorted(kinds[ErrorKind.NUMBER]),
        unsupported_names=sorted(kinds[ErrorKind.NAME]),
        skipped_checks=sorted(skip),
    )


def check(article: str | Article, summary: str) -> GroundingReport:
    """Check any summary (plain text, whoever wrote it) against its article (its text, or
    an `Article`): the one check behind the API, `summarizer check` and the service."""
    from summarizer.article import Article

    parsed = article if isinstance(article, Article) else Article.from_text(article)
    sentences = [s.text for s in parsed.sentences]
    return ground_text(summary, sentences, skip=skipped_checks(parsed.lang))


def ground_text(
    summary: str, sentences: Sequence[str], *, skip: frozenset[str] = frozenset()
) -> GroundingReport:
    """Check a plain-text summary, sentence by sentence, against the article's sentences.
    The summary is cut a line or a bullet at a time (`segment.summary_sentences`)."""
    parts = summary_sentences(summary) or [summary.strip()]
    checks = [ground_sentence("summary", i, s, sentences, skip) for i, s in enumerate(parts, 1)]
    return grounding_report(checks, skip)


def ground_summary(
    summary: ArticleSummary, sentences: Sequence[str], *, skip: frozenset[str] = frozenset()
) -> GroundingReport:
    """Check every part of a structured summary against the article's sentences; `skip`
    names the kinds of error not looked for (`language.skipped_checks`)."""
    checks = [ground_sentence("title", 1, summary.title, sentences, skip)]
    checks.append(ground_sentence("tldr", 1, summary.tldr, sentences, skip))
    for i, part in enumerate(split_sentences(summary.summary), start=1):
        checks.append(ground_sentence("summary", i, part, sentences, skip))
    for i, kp in enumerate(summary.key_points, start=1):
        checks.append(_cited_check("key_points", i, kp.text, kp.sentences, sentences, skip))
    for i, e in enumerate(summary.entities, start=1):
        entity = _name_check("entities", i, e.name, e.sentences, sentences)
        _check_role(entity, e.role, cited(e.sentences, sentences))
        checks.append(entity)
    for i, c in enumerate(summary.claims, start=1):
        claim = _cited_check("claims", i, c.statement, c.sentences, sentences, skip)
        if c.source_kind is not SourceKind.ARTICLE:
            source = _name_check("claims", i, c.attributed_to, c.sentences, sentences)
            claim.errors += source.errors
            claim.problems += source.problems
            claim.supported = claim.supported and source.supported
        checks.append(claim)
    for i, f in enumerate(summary.figures, start=1):
        checks.append(_name_check("figures", i, f.value, f.sentences, sentences))
    for i, q in enumerate(summary.open_questions, start=1):
        checks.append(_cited_check("open_questions", i, q.question, q.sentences, sentences, skip))
    return grounding_report(checks, skip)
