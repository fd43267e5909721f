"""Long articles: cut into chunks that fit the context window, summarized, merged.

`plan` cuts the article at sentence boundaries into runs of sentences that fit the
prompt's room; every chunk keeps the article's own sentence numbers, so what a chunk's
findings (`schema.Findings`: the lists of a summary) cite is a sentence of the whole
article, and they are checked against the whole article (`schema.article_scope` with all
its sentences). `merge` joins the chunks' lists: the same entity in two chunks is one
entity citing both; a key point, claim, figure or open question said twice is kept once,
citing both places; each list is held to the schema's maximum, taking from every chunk in
turn so that the end of an article is not crowded out by its beginning. The title, TL;DR
and summary are then written from the merged key points and the sentences they cite
(`overview_values`), and the whole is validated against the whole article.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

from summarizer import matching
from summarizer.errors import ChunkError
from summarizer.schema import ArticleSummary
from summarizer.segment import Sentence

# The list fields of a summary, with the text that says whether two items are the same.
_ITEM_TEXT: dict[str, Callable[[dict[str, Any]], str]] = {
    "key_points": lambda item: str(item.get("text", "")),
    "entities": lambda item: str(item.get("name", "")),
    "claims": lambda item: str(item.get("statement", "")),
    "figures": lambda item: f"{item.get('value', '')} {item.get('counts', '')}",
    "open_questions": lambda item: str(item.get("question", "")),
}
MAX_CITES = 8  # what the schema allows an item to cite


def plan(sizes: Sequence[int], room: int) -> list[range]:
    """Runs of consecutive sentences (0-based indices) whose `sizes` (tokens) sum to at
    most `room` each. Greedy from the start: a change at the end of an article leaves
    the chunks before it, and so their cache entries, as they were. Only the last two
    are evened out: a last chunk of two sentences could not give three key points."""
    chunks: list[range] = []
    start, used = 0, 0
    for i, size in enumerate(sizes):
        if size > room:
            raise ChunkError(
                f"sentence S{i + 1} alone has about {size} tokens, more than the "
                f"{room} the model's context window leaves for the article: "
                "raise context_window, or split that sentence"
            )
        if used + size > room:
            chunks.append(range(start, i))
            start, used = i, 0
        used += size
    chunks.append(range(start, len(sizes)))
    if len(chunks) > 1:
        chunks[-2:] = _even(sizes, chunks[-2].start, len(sizes), room)
    return chunks


def _even(sizes: Sequence[int], start: int, stop: int, room: int) -> list[range]:
    """Two runs covering start..stop, as equal in tokens as `room` allows."""
    total = sum(sizes[start:stop])
    best, best_gap = stop - 1, total
    used = 0
    for cut in range(start + 1, stop):
        used += sizes[cut - 1]
        if used <= room and total - used <= room and abs(total - 2 * used) < best_gap:
            best, best_gap = cut, abs(total - 2 * used)
    return [range(start, best), range(best, stop)]


def _same(field: str, a: dict[str, Any], b: dict[str, Any]) -> bool:
    text = _ITEM_TEXT[field]
    if field == "entities":
        return matching.normalize(text(a)) == matching.normalize(text(b))
    if field == "figures":
        same_value = matching.normalize(str(a.get("value"))) == matching.normalize(
            str(b.get("value"))
        )
        return same_value and matching.similar(str(a.get("counts")), str(b.get("counts")), 0.5)
    return matching.similar(text(a), text(b))


def _merge_list(field: str, per_chunk: Sequence[Sequence[dict[str, Any]]], cap: int) -> list[Any]:
    """One list from the chunks' lists: duplicates merged (their citations joined), then
    at most `cap`, taken from each chunk in turn, in the order of the article."""
    merged: list[dict[str, Any]] = []
    rank: list[int] = []  # each merged item's turn: its place in its own chunk's list
    for turn, items in enumerate(itertools.zip_longest(*per_chunk)):
        for item in items:
            if item is None:
                continue
            twin = next((m for m in merged if _same(field, m, item)), None)
            if twin is not None:
                cites = sorted({*twin.get("sentences", []), *item.get("sentences", [])})
                twin["sentences"] = cites[:MAX_CITES]
                continue
            merged.append(dict(item))
            rank.append(turn)
    kept = sorted(range(len(merged)), key=lambda i: rank[i])[:cap]
    chosen = [merged[i] for i in sorted(kept)]
    return sorted(chosen, key=lambda m: min(m.get("sentences") or [0]))


def merge(parts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The chunks' findings (`schema.Findings`, as JSON), merged (see the docstring)."""
    out: dict[str, Any] = {}
    for field in _ITEM_TEXT:
        info = ArticleSummary.model_fields[field]
        cap = next((m.max_length for m in info.metadata if hasattr(m, "max_length")), 12)
        out[field] = _merge_list(field, [p.get(field) or [] for p in parts], int(cap or 12))
    return out


def overview_values(merged: dict[str, Any], sentences: Sequence[Sentence]) -> dict[str, Any]:
    """What the overview prompt shows: the merged key points, and the article sentences
    they (and the claims) cite, under their own numbers."""
    cited = sorted(
        {i for field in ("key_points", "claims") for item in merged[field]
         for i in item.get("sentences", []) if 1 <= i <= len(sentences)}
    )  # fmt: skip
    return {
        "points": [p["text"] for p in merged["key_points"]],
        "sentences": [sentences[i - 1] for i in cited],
    }
