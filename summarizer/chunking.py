"""Long articles: cut into chunks that fit the context window, summarized, merged.

`plan_request` decides whether an article's prompt fits its model's context window (with
room for the answer and its re-asks) or must be cut; `summarize_chunks` runs the calls.

`plan` cuts the article at sentence boundaries into runs of sentences that fit the
prompt's room; every chunk keeps the article's own sentence numbers, so what a chunk's
findings (`brief.findings_of`: the cited items of a brief) cite is a sentence of the
whole article, and they are checked against the whole article (`checks.scope.article_scope`
with all its sentences). `merge` joins the chunks' lists: the same item in two chunks (as
its kind says, `brief.Cited.same`: an entity by its name) is kept once, citing both places;
each list is held to the schema's maximum, taking from every chunk in turn so that the end
of an article is not crowded out by its beginning. The brief's prose and other fields
(`brief.overview_of`: in the built-in brief, the title, TL;DR and summary) are then written
from the merged items and the sentences they cite (`overview_values`), and the whole is
validated against the whole article.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import instructor
from pydantic import BaseModel

from summarizer.brief import Brief, Cited, Layout, findings_of, layout, overview_of, visible
from summarizer.budget import UNKNOWN_WINDOW, Budget, Windows, estimate_tokens, sizes
from summarizer.call import ModelRequest, Sampling, sum_usage, wrapped
from summarizer.errors import ChunkError, ConfigError, SummarizerError, SummaryValidationError
from summarizer.keys import chunk_key
from summarizer.language import name_of
from summarizer.prompts import Prompt, fence, fields_of
from summarizer.result import Usage
from summarizer.retry import deadline_header
from summarizer.salvage import Correction, salvage
from summarizer.segment import Sentence

if TYPE_CHECKING:
    from summarizer.article import Article
    from summarizer.backends import Backend
    from summarizer.cache import ResultCache
    from summarizer.settings import Settings


Found = TypeVar("Found", bound=BaseModel)

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


def _merge_list(
    model: type[Cited], per_chunk: Sequence[Sequence[dict[str, Any]]], cap: int
) -> list[Any]:
    """One list from the chunks' lists: duplicates merged (their citations joined), then
    at most `cap`, taken from each chunk in turn, in the order of the article."""
    merged: list[dict[str, Any]] = []
    rank: list[int] = []  # each merged item's turn: its place in its own chunk's list
    for turn, items in enumerate(itertools.zip_longest(*per_chunk)):
        for item in items:
            if item is None:
                continue
            twin = next((m for m in merged if model.same(m, item)), None)
            if twin is not None:
                cites = sorted({*twin.get("sentences", []), *item.get("sentences", [])})
                twin["sentences"] = cites[:MAX_CITES]
                continue
            merged.append(dict(item))
            rank.append(turn)
    kept = sorted(range(len(merged)), key=lambda i: rank[i])[:cap]
    chosen = [merged[i] for i in sorted(kept)]
    return sorted(chosen, key=lambda m: min(m.get("sentences") or [0]))


def merge(parts: Sequence[dict[str, Any]], shape: Layout) -> dict[str, Any]:
    """The chunks' findings (`brief.findings_of`, as JSON), merged (see the docstring): a
    field of one item takes the first chunk's."""
    out: dict[str, Any] = {}
    for field, model in shape.items.items():
        found = [p.get(field) for p in parts]
        if field in shape.lists:
            out[field] = _merge_list(model, [f or [] for f in found], shape.caps[field])
        else:
            out[field] = next((f for f in found if f is not None), None)
    return out


def _texts(merged: dict[str, Any], shape: Layout) -> list[tuple[str, dict[str, Any]]]:
    """The merged items that say something in words (a text or a quotation), by field."""
    out = []
    for field, model in shape.items.items():
        value = merged.get(field)
        for item in value if isinstance(value, list) else [value] if value else []:
            main = model.main(item)
            if main is not None and main.kind in ("text", "quote"):
                out.append((field, item))
    return out


def overview_values(
    merged: dict[str, Any], sentences: Sequence[Sentence], shape: Layout
) -> dict[str, Any]:
    """What the overview prompt shows: the texts of the merged items of the first list
    that has any (the built-in brief's key points), and the article sentences that every
    item with a text cites, under their own numbers."""
    texts = _texts(merged, shape)
    first = texts[0][0] if texts else None
    cited = sorted(
        {i for _, item in texts for i in item.get("sentences", []) if 1 <= i <= len(sentences)}
    )
    return {
        "points": [shape.items[f].identity(item) for f, item in texts if f == first],
        "sentences": [sentences[i - 1] for i in cited],
    }


# -- the strategy: when to cut, and the calls for the chunks and the overview ----------


class Steps(Protocol):
    """What the long-article strategy asks of the summarizer that runs it."""

    settings: Settings
    backend: Backend
    schema: type[Brief]
    prompt: Prompt
    overview_prompt: Prompt
    choose_prompt: Prompt
    max_reasks: int
    choosing_reasks: int  # re-asks of the small-model way's answer (`choose`)
    sampling: Sampling
    windows: Windows
    cache: ResultCache | None
    refresh: bool

    def request_identity(self) -> dict[str, Any]: ...

    def client(self) -> instructor.AsyncInstructor: ...

    async def ask(
        self, request: ModelRequest, model: type[Found]
    ) -> tuple[Found, list[Correction], Usage]: ...


async def plan_request(steps: Steps, article: Article, request: ModelRequest) -> list[range] | None:
    """None when the article's prompt fits the context window with room for its answer
    (and as many re-asks as fit: `request.max_reasks` is set to those); else the chunks of
    sentences to summarize one by one."""
    backend, setting = steps.backend, steps.settings.context_window
    answer = steps.sampling.max_tokens or backend.default_max_tokens
    # The JSON Schema travels with an OpenAI request and counts; a local server turns it
    # into a grammar instead.
    extra = json.dumps(steps.schema.model_json_schema()) if backend.sends_schema else ""
    window = steps.windows.known(setting, backend)
    budget = Budget(window or UNKNOWN_WINDOW, answer, estimate_tokens)
    prompt = budget.tokens(request.messages, extra)
    roomy = budget.fits(prompt) and budget.reasks(prompt, steps.max_reasks) == steps.max_reasks
    if window is None and not roomy:  # more than the smallest window holds: ask
        sdk = steps.client().client
        until = deadline_header(request.until)
        window = await steps.windows.get(setting, backend, sdk, until) if sdk else UNKNOWN_WINDOW
        budget = Budget(window, answer, estimate_tokens)
    window = window or UNKNOWN_WINDOW
    if not budget.fits(prompt):  # a high estimate does not fit: count exactly
        count = await asyncio.to_thread(backend.token_counter)
        budget = Budget(window, answer, count)
        prompt = budget.tokens(request.messages, extra) if count is not estimate_tokens else prompt
    if budget.fits(prompt):
        request.max_reasks = budget.reasks(prompt, steps.max_reasks)
        return None
    empty = steps.prompt.render(article, steps.settings.language, sentences=(), brief=steps.schema)
    room = budget.chunk_room(budget.tokens(empty, extra))
    if room == 0:
        raise ConfigError(
            f"a context window of {window} tokens leaves no room for an article after "
            f"the prompt and {answer} tokens for the answer: raise context_window"
        )
    texts = [fence(s.text) for s in article.sentences]
    return plan(await asyncio.to_thread(sizes, texts, budget.count), room)


async def summarize_chunks(
    steps: Steps, article: Article, request: ModelRequest, chunks: list[range]
) -> tuple[Brief, list[Correction], Usage]:
    """Summarize each chunk's findings (cached one by one), merge them, write the overview,
    check the whole against the whole article. A chunk is not re-asked: its items stand
    alone, so the policy drops an invalid one, where a re-ask would resend the whole chunk
    (a minute of reading for the embedded model)."""
    parts: list[dict[str, Any]] = []
    corrections: list[Correction] = []
    usages: list[Usage] = []
    findings = wrapped(findings_of(steps.schema))
    for n, run in enumerate(chunks, start=1):
        sentences = article.sentences[run.start : run.stop]
        messages = steps.prompt.render(
            article, steps.settings.language, sentences=sentences, brief=steps.schema
        )
        shown = [fence(s.text) for s in sentences]
        part = request.again(messages, findings, shown, steps.prompt.wording)
        part.max_reasks = 0
        key = chunk_key(article, steps.request_identity(), [(s.id, s.text) for s in sentences])
        try:
            found, fixed, usage = await _findings(steps, key, part)
        except SummarizerError as exc:  # say which part of the article failed
            where = f"S{sentences[0].id}-S{sentences[-1].id}"
            exc.args = (f"chunk {n} of {len(chunks)} ({where}): {exc}",)
            raise
        finally:
            request.attempts.count += part.attempts.count
        parts.append(found)
        corrections += fixed
        usages.append(usage)
    merged = merge(parts, layout(steps.schema))
    overview, fixed, usage = await _overview(steps, article, request, merged)
    raw = json.dumps({**visible(overview), **merged})
    salvaged = salvage(raw, request.sentences, skip=request.skip, model=steps.schema)
    if salvaged is None:
        raise SummaryValidationError(
            f"{steps.backend.describe()}: the merged summary of {len(chunks)} chunks is not "
            "valid against the article",
            attempts=request.attempts.count, errors=[], last_output=raw,
        )  # fmt: skip
    summary, dropped = salvaged
    return summary, corrections + fixed + dropped, sum_usage([*usages, usage])


async def _findings(
    steps: Steps, key: str, request: ModelRequest
) -> tuple[dict[str, Any], list[Correction], Usage]:
    """One chunk's findings: from the cache (keyed by the chunk's sentences), or from the
    model, with what the policy can save of an invalid answer."""
    if steps.cache is not None and not steps.refresh:
        stored = steps.cache.get(key)
        if stored is not None:
            fixed = [Correction.model_validate(c) for c in stored.get("corrections", [])]
            return stored["findings"], fixed, Usage()
    found, corrections, usage = await steps.ask(request, request.response_model)
    data = visible(found)
    if steps.cache is not None:
        stored = {"findings": data, "corrections": [c.model_dump(mode="json") for c in corrections]}
        steps.cache.set(key, stored)
    return data, corrections, usage


async def _overview(
    steps: Steps, article: Article, request: ModelRequest, merged: dict[str, Any]
) -> tuple[BaseModel, list[Correction], Usage]:
    """The prose (and other fields) of the whole, written from the merged items and the
    sentences they cite, checked against the whole article."""
    model = overview_of(steps.schema)
    values = overview_values(merged, article.sentences, layout(steps.schema))
    values["language"] = name_of(steps.settings.language or article.lang)
    values["sentences"] = [replace(s, text=fence(s.text)) for s in values["sentences"]]
    values["fields"] = fields_of(model)
    shown = [s.text for s in values["sentences"]]
    messages = steps.overview_prompt.messages(values)
    part = request.again(messages, wrapped(model), shown, steps.overview_prompt.wording)
    try:
        return await steps.ask(part, part.response_model)
    except SummarizerError as exc:
        exc.args = (f"the overview of the chunks: {exc}",)
        raise
    finally:
        request.attempts.count += part.attempts.count
