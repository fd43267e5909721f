"""Rendering a `SummaryResult` for people (Markdown, text) or programs (JSON)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from summarizer.result import SummaryResult


def cites(ids: Sequence[int]) -> str:
    return "[" + ", ".join(f"S{i}" for i in ids) + "]"


def to_json(result: SummaryResult, *, provenance: bool = True, indent: int | None = 2) -> str:
    data = result.model_dump(mode="json") if provenance else result.summary.model_dump(mode="json")
    return json.dumps(data, ensure_ascii=False, indent=indent)


def to_markdown(result: SummaryResult) -> str:
    s = result.summary
    out = [f"# {s.title}", "", f"**TL;DR** {s.tldr}", "", s.summary, "", "## Key points"]
    out += [f"- {p.text} {cites(p.sentences)}" for p in s.key_points]
    out += ["", "## Who said what"]
    out += [
        f"- **{c.attributed_to}** ({c.source_kind.value}, {c.hedging.value}): {c.statement} "
        f"{cites(c.sentences)}"
        for c in s.claims
    ] or ["- (none)"]
    out += ["", "## Entities"]
    out += [f"- **{e.name}** ({e.type.value}): {e.role} {cites(e.sentences)}" for e in s.entities]
    if s.figures:
        out += ["", "## Figures"]
        out += [f"- **{f.value}**: {f.counts} {cites(f.sentences)}" for f in s.figures]
    if s.open_questions:
        out += ["", "## Open questions"]
        out += [f"- {q.question} {cites(q.sentences)}" for q in s.open_questions]
    if result.corrections:
        out += ["", "## Corrections (the model's answer, as checked)"]
        out += [f"- {c.field}: {c.action}: {c.reason}" for c in result.corrections]
    p = result.provenance
    origin = "cache" if p.cache_hit else f"{p.attempts} call(s), {p.usage.total_tokens} tokens"
    out += ["", f"_{p.backend} · {p.model} · prompt {p.prompt} v{p.prompt_version} · {origin}_"]
    return "\n".join(out) + "\n"


def to_text(result: SummaryResult) -> str:
    s = result.summary
    lines = [s.title, "", s.tldr, "", s.summary, ""]
    lines += [f"* {p.text} {cites(p.sentences)}" for p in s.key_points]
    return "\n".join(lines) + "\n"


FORMATS = {"json": to_json, "markdown": to_markdown, "text": to_text}
