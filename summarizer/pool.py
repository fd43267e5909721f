"""Summarizers kept for reuse, by their options: the most recently used, up to a number.

One pool serves the one-shot functions (`summarize`, `asummarize`: a `Summarizer` per
distinct set of options, so repeated calls reuse the HTTP client, the open cache and the
loaded model) and the service (a `variant` of its summarizer per set of request options).
An evicted summarizer is handed back to the caller to close in its own way, awaited on
an event loop or run to the end off one: closing it from inside a coroutine with the
blocking `close` would wait on the very loop it blocks.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import threading
from collections.abc import Callable
from typing import Any

from summarizer.pipeline import ArticleInput, Summarizer
from summarizer.result import SummaryResult

METADATA_KEYS = ("title", "source", "url", "published")


class Pool:
    """The `most` most recently used summarizers, each made by `make` from its options."""

    def __init__(self, make: Callable[[dict[str, Any]], Summarizer], most: int) -> None:
        self.make, self.most = make, most
        self._made: dict[str, Summarizer] = {}  # oldest first
        self._lock = threading.Lock()

    def get(self, options: dict[str, Any]) -> tuple[Summarizer, list[Summarizer]]:
        """The summarizer for `options`, and those evicted to make room (to be closed)."""
        key = json.dumps(options, sort_keys=True, default=repr)  # values need not hash
        with self._lock:
            found = self._made.pop(key, None)
            if found is None:
                found = self.make(options)
            self._made[key] = found
            extra = max(0, len(self._made) - self.most)
            evicted = [self._made.pop(k) for k in list(self._made)[:extra]]
        return found, evicted

    def close(self) -> None:
        with self._lock:
            kept = list(self._made.values())
            self._made.clear()
        for summarizer in kept:
            with contextlib.suppress(Exception):
                summarizer.close()


_SHARED = Pool(lambda options: Summarizer(**options), most=8)
# The one-shot functions' summarizers hold HTTP connections and the cache's files until
# the process ends: closed then, not left to the garbage collector (a ResourceWarning each).
atexit.register(_SHARED.close)


def _shared(options: dict[str, Any]) -> tuple[Summarizer, dict[str, Any], list[Summarizer]]:
    """The shared summarizer for `options` (`Summarizer`'s keyword arguments and article
    metadata), the metadata, and the summarizers evicted to make room."""
    meta = {k: options.pop(k) for k in METADATA_KEYS if k in options}
    summarizer, evicted = _SHARED.get(options)
    return summarizer, meta, evicted


def summarize(article: ArticleInput, **options: Any) -> SummaryResult:
    """Summarize one article. `options` are `Summarizer`'s keyword arguments, plus article
    metadata (title, source, url, published) when `article` is text."""
    summarizer, meta, evicted = _shared(options)
    for old in evicted:
        old.close()
    return summarizer.summarize(article, **meta)


async def asummarize(article: ArticleInput, **options: Any) -> SummaryResult:
    """The async form of `summarize`."""
    summarizer, meta, evicted = _shared(options)
    for old in evicted:
        await old.aclose()
    return await summarizer.asummarize(article, **meta)
