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

import functools
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from summarizer.brief import Cited, Kind, Part, layout, main_of, part_specs, split_sentences
from summarizer.checks.rules import (
    Error,
    ErrorKind,
    cited_errors,
    dangling_errors,
    figure_missing,
    free_text_errors,
    name_missing,
    prose_warnings,
    quote_missing,
    repeated_errors,
)
from summarizer.language import skipped_checks
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
    field: str,
    index: int,
    text: str,
    sentences: Sequence[str],
    skip: frozenset[str] = frozenset(),
    alone: bool = True,
    headline: bool = False,
) -> Check:
    """A sentence of free text, against the whole article (`alone`: its text's only one;
    `headline`: a title's)."""
    errors = free_text_errors(text, sentences, skip=skip, alone=alone, headline=headline)
    check = _check(field, index, text, support(text, sentences), errors)
    # What is too noisy to gate on is said, not held against the part.
    warned = prose_warnings(text, sentences, headline=headline, skip=skip)
    check.problems += [f"warning: {e.kind}: {e.message}" for e in warned]
    return check


def _mark_dangling(check: Check, skip: frozenset[str]) -> None:
    """Mark the opening sentence of a TL;DR or summary that opens on words standing for
    something before it: the gate's `dangling`."""
    for error in dangling_errors(check.text, skip):
        check.errors.append(Finding(kind=error.kind, found=error.found, message=error.message))
        check.problems.append(error.message)
        check.supported = False


def _mark_repeats(checks: list[Check], earlier: Sequence[str], skip: frozenset[str]) -> None:
    """Mark each of a text's sentence checks that repeats one before it or an `earlier`
    field's: the gate's `repeated`."""
    if ErrorKind.REPEATED.value in skip:
        return
    parts = [c.text for c in checks]
    for error in repeated_errors(parts, earlier):
        check = checks[parts.index(error.found)]
        check.errors.append(Finding(kind=error.kind, found=error.found, message=error.message))
        check.problems.append(error.message)
        check.supported = False


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


def _missing(kind: Kind, phrase: str, ids: list[int], sentences: Sequence[str]) -> Error | None:
    """A name (an entity, a source), a figure or a quotation that does not occur in the
    sentences it cites: the gate's verdicts (`checks.gate`), in the report's words."""
    if kind == "figure":
        ok, error = not figure_missing(phrase, ids, sentences), ErrorKind.NUMBER
    elif kind == "quote":
        ok, error = not quote_missing(phrase, ids, sentences), ErrorKind.QUOTATION
    else:
        ok, error = not name_missing(phrase, ids, sentences), ErrorKind.NAME
    return (
        None if ok else Error(error, phrase, f"'{phrase}' does not occur in the sentences it cites")
    )


def _name_check(
    field: str, index: int, phrase: str, ids: list[int], sentences: Sequence[str], kind: Kind
) -> Check:
    """A name, figure or quotation as a check of its own: found (1) or not (0)."""
    error = _missing(kind, phrase, ids, sentences)
    ok = float(error is None)
    found = Support(ok, tuple(ids), ok, ok, ok)
    return _check(field, index, phrase, found, [error] if error else [], ids)


def _check_description(check: Check, field: str, text: str, evidence: Sequence[str]) -> None:
    """Flag an item whose description (an entity's role) the sentences it cites do not
    support (a small model copies roles from its prompt's example: "Egypt (location): the
    city whose council voted"). Reported, not a reason to drop the item."""
    if support(text, evidence).words < 0.5:
        what = field.replace("_", " ")
        check.problems.append(f"its {what} '{text}' is not supported by the sentences it cites")
        check.supported = False
        check.score = round(check.score / 2, 3)


@functools.cache
def _plan(model: type[Cited]) -> tuple[Part | None, tuple[Part, ...], tuple[str, ...]]:
    """How an item of `model` is reported, once per class: its main part (`main_of`; the
    parts' texts are left empty here), its other gated parts, its descriptions."""
    specs = [Part(name, kind, "", what) for name, kind, what in part_specs(model)]
    main = main_of(specs)
    others = tuple(p for p in specs if p != main and p.kind != "described")
    return main, others, tuple(p.field for p in specs if p.kind == "described")


def ground_item(
    field: str, index: int, item: Cited, sentences: Sequence[str], skip: frozenset[str]
) -> Check:
    """One cited item: its main part scored against the sentences it cites, with the
    errors of every other part; a description that those sentences do not support is
    marked, not an error (`_plan`)."""
    model, data = type(item), item.__dict__  # the fields' values, by name
    main, others, described = _plan(model)
    skipped = model.unchecked(data)
    ids = list(item.sentences)
    text = data[main.field] if main is not None else None
    if main is None or not isinstance(text, str) or main.field in skipped:
        # nothing checked but its citations: how well they support it
        text = model.identity(data)
        return _check(field, index, text, support(text, cited(ids, sentences)), [], ids)
    if main.kind == "text":
        check = _cited_check(field, index, text, ids, sentences, skip)
    else:
        check = _name_check(field, index, text, ids, sentences, main.kind)
    for name, kind, _, _ in others:
        value = data[name]
        if not isinstance(value, str) or name in skipped:
            continue
        if kind == "text":
            errors = cited_errors(value, ids, sentences, "the sentences it cites", skip=skip)
        else:
            errors = [e for e in [_missing(kind, value, ids, sentences)] if e]
        if errors:
            check.errors += [Finding(kind=e.kind, found=e.found, message=e.message) for e in errors]
            check.problems += [e.message for e in errors]
            check.supported = False
    for name in described:
        value = data[name]
        if isinstance(value, str):
            _check_description(check, name, value, cited(ids, sentences))
    return check


_INSIDE_END = re.compile(r"[.!?][\"'\u2019\u201d)]*\s+\S")  # where a sentence may end, inside

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
    _mark_dangling(checks[0], skip)
    _mark_repeats(checks, (), skip)
    return grounding_report(checks, skip)


def ground_brief(
    brief: BaseModel, sentences: Sequence[str], *, skip: frozenset[str] = frozenset()
) -> GroundingReport:
    """Check every part of a brief against the article's sentences, field by field
    (`brief.layout`): each sentence of its prose, each cited item; `skip` names the kinds
    of error not looked for (`language.skipped_checks`)."""
    shape = layout(type(brief))
    checks: list[Check] = []
    earlier: list[str] = []  # the prose fields' sentences so far but the headline's
    for name in type(brief).model_fields:
        value = getattr(brief, name)
        if name in shape.prose and isinstance(value, str):
            # Split where a sentence may end inside it (a title or TL;DR is one sentence).
            headline = len(shape.prose) > 1 and name == shape.prose[0]
            inside = _INSIDE_END.search(value) and not headline  # a headline is one
            parts = (split_sentences(value) or [value]) if inside else [value]
            if len(parts) == 1:
                parts = [value]
            alone = len(parts) == 1
            mine = [
                ground_sentence(name, i, p, sentences, skip, alone, headline)
                for i, p in enumerate(parts, 1)
            ]
            if not headline:  # read first, with nothing before it
                _mark_dangling(mine[0], skip)
            _mark_repeats(mine, earlier, skip)
            checks += mine
            earlier += parts if not headline else []
        elif name in shape.items and value is not None:
            items = value if name in shape.lists else [value]
            checks += [ground_item(name, i, it, sentences, skip) for i, it in enumerate(items, 1)]
    return grounding_report(checks, skip)
