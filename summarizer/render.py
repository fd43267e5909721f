"""Rendering a `SummaryResult` for people (Markdown, text) or programs (JSON)."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel

from summarizer.brief import Brief, Cited, grounds, layout, unwrapped
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


def _prose_marks(result: SummaryResult, name: str) -> str:
    """The warnings that follow prose field `name`: they all come after its paragraph, so
    in one of several sentences each says which sentence it is about (its number and its
    opening words)."""
    checks = [c for c in result.grounding.checks if c.field == name] if result.grounding else []
    several = len(checks) > 1
    return "".join(
        " **⚠ "
        + (f"sentence {c.index} (\u201c{_opening(c.text)}\u201d) " if several else "")
        + "unsupported: "
        + "; ".join(c.problems)
        + "**"
        for c in checks
        if not c.supported
    )


def _opening(text: str, words: int = 8) -> str:
    """`text`, or its first `words` words and an ellipsis."""
    split = text.split()
    return " ".join(split) if len(split) <= words else " ".join(split[:words]) + "\u2026"


def heading(model: type[BaseModel], name: str) -> str:
    """A field's heading: its title, if the schema gives one, else its name in words."""
    title = model.model_fields[name].title
    return title or name.replace("_", " ").capitalize()


def _plain(value: Any) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    return str(value)


Role = Literal["bold", "quote", "label", "text"]


@functools.cache
def roles(model: type[Cited]) -> dict[str, Role]:
    """How an item's fields show in its line (`item_line`, and the page's): names and
    figures in bold, quotations in quotation marks, fixed sets of values (enums,
    literals) and non-text values as labels, any other text as it is."""
    out: dict[str, Role] = {}
    for name, info in model.model_fields.items():
        if name == "sentences":
            continue
        g = grounds(info)
        annotation, _ = unwrapped(info.annotation)
        if g is not None and g.kind in ("name", "figure"):
            out[name] = "bold"
        elif g is not None and g.kind == "quote":
            out[name] = "quote"
        elif annotation is str or g is not None:
            out[name] = "text"
        else:  # an enum, a Literal, a number, a list of tags
            out[name] = "label"
    return out


def item_line(item: Cited, *, markup: bool = True) -> str:
    """An item in a line, as its fields' `roles` say: "**Name** (label, label): text";
    its citations are the caller's."""
    bold, labels, tail = [], [], []
    for name, role in roles(type(item)).items():
        value = getattr(item, name)
        if value is None or value == [] or value == "":
            continue
        if role == "bold":
            bold.append(f"**{value}**" if markup else str(value))
        elif role == "quote":
            tail.append(f"\u201c{value}\u201d")
        elif role == "text":
            tail.append(str(value))
        else:
            labels.append(_plain(value))
    head = " ".join(bold) + (f" ({', '.join(labels)})" if labels else "")
    head, body = head.strip(), " ".join(tail)
    return f"{head}: {body}" if head and body else head or body


def page_layout(model: type[Brief]) -> dict[str, Any]:
    """What the page needs to show a brief of `model`: its fields in order, each with its
    heading and kind (prose, items, plain), and an item's fields' `roles`."""
    shape = layout(model)
    fields = []
    for name in model.model_fields:
        if name in getattr(model, "hidden", ()):
            continue
        entry: dict[str, Any] = {"name": name, "heading": heading(model, name)}
        if name in shape.prose:
            entry["kind"] = "prose"
        elif name in shape.items:
            entry["kind"] = "items"
            entry["roles"] = roles(shape.items[name])
        else:
            entry["kind"] = "plain"
        fields.append(entry)
    return {"schema": model.__name__, "fields": fields}


def _items(value: Any, many: bool) -> list[Any]:
    if value is None:
        return []
    return list(value) if many else [value]


def to_markdown(result: SummaryResult) -> str:
    """The brief in Markdown, field by field (`brief.layout`): its first prose field as the
    headline, the rest of its prose, each list of items under its heading with their
    citations, fields that cite nothing as they are; every part the grounding report
    found unsupported marked."""
    b: Brief = result.brief
    model, shape, mark = type(b), layout(type(b)), _marks(result)
    out: list[str] = []
    for name in model.model_fields:
        value = getattr(b, name)
        if name in getattr(model, "hidden", ()) or value is None or value == []:
            continue
        if name in shape.prose and not out:
            out += [f"# {value}{_prose_marks(result, name)}", ""]
        elif name in shape.prose:
            out += [f"**{heading(model, name)}** {value}{_prose_marks(result, name)}", ""]
        elif name in shape.items:
            out += [f"## {heading(model, name)}"]
            out += [
                f"- {item_line(it)} {cites(it.sentences)}{mark.get((name, i), '')}"
                for i, it in enumerate(_items(value, name in shape.lists), start=1)
            ]
            out += [""]
        else:
            out += [f"**{heading(model, name)}** {_plain(value)}", ""]
    if result.grounding is not None:
        g = result.grounding
        out += ["## Checked against the article"]
        out += [f"Support score {g.score:.2f}; {g.share_supported:.0%} of the parts supported."]
        many = {c.field for c in g.checks if c.field in shape.prose and c.index > 1}
        out += [
            f"- {c.field} sentence {c.index}: evidence {cites(c.evidence)} ({c.score:.0%})"
            f"{mark.get((c.field, c.index), '')}"
            for c in g.checks
            if c.field in many
        ]
        out += [""]
    if result.corrections:
        out += ["## Corrections (the model's answer, as checked)"]
        out += [f"- {c.field}: {c.action}: {c.reason}" for c in result.corrections]
        out += [""]
    p = result.provenance
    origin = "cache" if p.cache_hit else f"{p.attempts} call(s), {p.usage.total_tokens} tokens"
    out += [f"_{p.backend} · {p.model} · prompt {p.prompt} v{p.prompt_version} · {origin}_"]
    return "\n".join(out) + "\n"


def to_text(result: SummaryResult) -> str:
    """The brief's prose, then the items of its first list (the built-in brief's key
    points), one a line, with their citations."""
    b: Brief = result.brief
    shape = layout(type(b))
    lines = [str(getattr(b, name)) + "\n" for name in shape.prose if getattr(b, name)]
    if result.grounding is not None:
        lines.append(f"(support {result.grounding.score:.2f})\n")
    first = next(iter(shape.items), None)
    if first is not None:
        for it in _items(getattr(b, first), first in shape.lists):
            lines.append(f"* {item_line(it, markup=False)} {cites(it.sentences)}")
    return "\n".join(lines) + "\n"


FORMATS = {"json": to_json, "markdown": to_markdown, "text": to_text}
