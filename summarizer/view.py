"""The page that shows each claim beside its evidence (`summarizer/page/index.html`).

The service serves it at ``GET /``, where it asks for a summary; `static_page` writes the
same page with one result and its article's sentences inside it, for `summarizer view`:
one HTML file that needs no server and no network."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from summarizer.render import page_layout
from summarizer.result import SummaryResult
from summarizer.segment import Sentence

_SLOT = '<script id="data" type="application/json">null</script>'


@cache
def page() -> str:
    """The page as the service serves it."""
    return files("summarizer").joinpath("page/index.html").read_text(encoding="utf-8")


def sentences_json(sentences: tuple[Sentence, ...]) -> list[dict[str, Any]]:
    return [{"id": s.id, "text": s.text, "start": s.start, "end": s.end} for s in sentences]


def static_page(result: SummaryResult, sentences: tuple[Sentence, ...] | None) -> str:
    """The page with `result` (and its article's `sentences`, if known) inside it."""
    data = {
        "result": result.model_dump(mode="json", by_alias=True),
        "sentences": sentences_json(sentences) if sentences is not None else None,
        "layout": page_layout(type(result.brief)),
    }
    # Inside a script element, "</script" ends it and "<!--" opens an escaped state that
    # swallows the page's own script: no "<" at all is written ("\\u003c" in JSON is the
    # same character to JSON.parse); ">" and "&" likewise, for good measure.
    text = (
        json.dumps(data, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )
    return page().replace(_SLOT, f'<script id="data" type="application/json">{text}</script>')
