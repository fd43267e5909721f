"""Rendering a `SummaryResult` for people (Markdown, text) or programs (JSON)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from summarizer.result import FailedArticle, SummaryResult


def cites(ids: Sequence[int]) -> str:
    return "[" + ", ".join(f"S{i}" for i in ids) + "]"


def to_json(result: SummaryResult | FailedArticle, *, indent: int | None = 2) -> str:
    return json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=indent)


def _marks(result: SummaryResult) -> dict[tuple[str, int], str]:
    """(field, index) -> a warning for the parts the grounding report found unsupported."""
    if result.grounding is None:
        return {}
    return {
        (c.field, c.index): " **⚠ unsupported: " + "; ".join(c.problems) + "**"
        for c in result.grounding.checks
        if not c.supported
    }


def to_markdown(result: SummaryResult) -> str:
    s = result.brief
    mark = _marks(result)
    out = [f"# {s.title}{mark.get(('title', 1), '')}", "", f"**TL;DR** {s.tldr}"]
    out += [mark.get(("tldr", 1), "").strip(), "", s.summary, "", "## Key points"]
    out += [
        f"- {p.text} {cites(p.sentences)}{mark.get(('key_points', i), '')}"
        for i, p in enumerate(s.key_points, start=1)
    ]
    out += ["", "## Who said what"]
    out += [
        f"- **{c.attributed_to}** ({c.source_kind.value}, {c.hedging.value}): {c.statement} "
        f"{cites(c.sentences)}{mark.get(('claims', i), '')}"
        for i, c in enumerate(s.claims, start=1)
    ] or ["- (none)"]
    out += ["", "## Entities"]
    out += [
        f"- **{e.name}** ({e.type.value}): {e.role} {cites(e.sentences)}"
        f"{mark.get(('entities', i), '')}"
        for i, e in enumerate(s.entities, start=1)
    ]
    if s.figures:
        out += ["", "## Figures"]
        out += [
            f"- **{f.value}**: {f.counts} {cites(f.sentences)}{mark.get(('figures', i), '')}"
            for i, f in enumerate(s.figures, start=1)
        ]
    if s.open_questions:
        out += ["", "## Open questions"]
        out += [
            f"- {q.question} {cites(q.sentences)}{mark.get(('open_questions', i), '')}"
            for i, q in enumerate(s.open_questions, start=1)
        ]
    if result.grounding is not None:
        g = result.grounding
        out += ["", "## Checked against the article"]
        out += [f"Support score {g.score:.2f}; {g.share_supported:.0%} of the parts supported."]
        out += [
            f"- summary sentence {c.index}: evidence {cites(c.evidence)} ({c.score:.0%})"
            f"{mark.get(('summary', c.index), '')}"
            for c in g.checks
            if c.field == "summary"
        ]
    if result.corrections:
        out += ["", "## Corrections (the model's answer, as checked)"]
        out += [f"- {c.field}: {c.action}: {c.reason}" for c in result.corrections]
    p = result.provenance
    origin = "cache" if p.cache_hit else f"{p.attempts} call(s), {p.usage.total_tokens} tokens"
    out += ["", f"_{p.backend} · {p.model} · prompt {p.prompt} v{p.prompt_version} · {origin}_"]
    return "\n".join(out) + "\n"


def to_text(result: SummaryResult) -> str:
    s = result.brief
    lines = [s.title, "", s.tldr, "", s.summary, ""]
    if result.grounding is not None:
        lines[-1:-1] = [f"(support {result.grounding.score:.2f})", ""]
    lines += [f"* {p.text} {cites(p.sentences)}" for p in s.key_points]
    return "\n".join(lines) + "\n"


FORMATS = {"json": to_json, "markdown": to_markdown, "text": to_text}
