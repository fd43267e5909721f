"""Running many articles: concurrency, output in input order, files under --out, resume.

With ``--out DIR`` each article's output is written to its own file, atomically (a
temporary file renamed into place), and an article whose file already exists is skipped:
running an interrupted command again finishes the rest, and no output is ever partial or
written twice. Without ``--out``, results go to stdout in input order, and the cache makes
a re-run cheap.

One article's failure, whatever it is (a file that cannot be read, an answer no parser
takes, an output that cannot be written), is reported on one line naming the article, and
the others go on. A backend no connection can be made to (`BackendUnreachable`) is not one
article's failure: the run stops there, whether or not it answered earlier in the run (its
connection was retried already, `retry`: the server is gone, and each article after it
would fail the same way, each after its own retries). That article and those after it get
no row and no file, as after Ctrl-C: the same command again finishes them. Articles run as
tasks on the portal's event loop (see `portal`), so Ctrl-C cancels every request in
flight at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from summarizer import portal
from summarizer.article import Article
from summarizer.client import one_line
from summarizer.cost import RunBudget, cost_of, estimate
from summarizer.errors import BackendUnreachable, InputError, SummarizerError
from summarizer.inputs import Item
from summarizer.pipeline import Summarizer
from summarizer.result import ErrorInfo, FailedArticle, SummaryResult

Render = Callable[[SummaryResult], str]
Summarize = Callable[[Article], Awaitable[SummaryResult]]
RenderFailure = Callable[[FailedArticle], str]
# Finished results wait for the ones before them (output is in input order); this many
# per job may wait, so a slow article does not stall the others.
WINDOW_PER_JOB = 4


@dataclass
class Stats:
    total: int = 0
    done: int = 0
    cache_hits: int = 0
    skipped: int = 0  # already written under --out by an earlier run
    failed: list[tuple[str, str]] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0  # of the results whose cost is known, failures' tokens included
    cost_unknown: int = 0  # results whose model has no known price
    left: int = 0  # not started: the first of them would have passed --max-cost
    started: float = field(default_factory=time.perf_counter)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started


def _umask() -> int:
    mask = os.umask(0o022)  # read by setting it: there is no other portable way
    os.umask(mask)
    return mask


# Read once, at import (before any thread of ours runs: setting it is not thread-safe).
_FILE_MODE = 0o666 & ~_umask()


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` so that `path` is either absent or complete, with the mode
    an ordinary new file gets (the umask honoured; `mkstemp` alone would make it 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            os.fchmod(f.fileno(), _FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def output_path(out_dir: Path, item: Item, suffix: str) -> Path:
    return out_dir / f"{item.stem}{suffix}"


def error_type(exc: BaseException) -> str:
    """The kind of an error, as a failure row names it."""
    return type(exc).__name__


def describe_error(exc: BaseException) -> str:
    """One line for any error: ours as they are, others with their type."""
    if isinstance(exc, SummarizerError):
        return one_line(str(exc))
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {one_line(str(exc.filename))}" if exc.filename else ""
        return f"{exc.strerror}{where}"
    return one_line(f"unexpected {type(exc).__name__}: {exc}")


def run(
    summarizer: Summarizer,
    items: Iterable[Item],
    *,
    render: Render,
    suffix: str,
    jobs: int = 1,
    out_dir: Path | None = None,
    stdout: TextIO | None = None,
    say: Callable[[str], None] = print,
    progress: Callable[[Stats], None] | None = None,
    render_failure: RenderFailure | None = None,
    max_cost: float | None = None,
    summarize: Summarize | None = None,
) -> Stats:
    """Summarize `items` with up to `jobs` requests at once; see the module docstring.
    Each result carries its input's identity (`SummaryResult.input`); with
    `render_failure`, an article that fails also gets a row on stdout, in its place, so
    that the rows match the inputs one to one. With `max_cost` (US dollars), no article
    starts that could take the run past it (`cost.RunBudget`), nor any after it: those left
    are counted in `Stats.left`, each with a row of its own (a "NotStarted" error) when
    failures get one. `summarize`: how an article is summarized, if not by the summarizer's
    `asummarize` (the Batch API's answers, `batch_api`). KeyboardInterrupt and
    `BackendUnreachable` cancel what is in flight and propagate."""
    stats = Stats()
    budget = RunBudget(max_cost) if max_cost is not None else None
    batch = _Batch(summarizer, stats, render, suffix, max(1, jobs), out_dir,
                   stdout or sys.stdout, say, progress, render_failure, budget,
                   summarize or summarizer.asummarize)  # fmt: skip
    portal.run(batch.run(items))
    return stats


@dataclass
class _Batch:
    """One run of `run`: what it was given, and the paths it has written to."""

    summarizer: Summarizer
    stats: Stats
    render: Render
    suffix: str
    jobs: int
    out_dir: Path | None
    stdout: TextIO
    say: Callable[[str], None]
    progress: Callable[[Stats], None] | None
    render_failure: RenderFailure | None
    budget: RunBudget | None = None
    summarize: Summarize | None = None
    seen_paths: set[Path] = field(default_factory=set)

    async def run(self, items: Iterable[Item]) -> None:
        """Start each item's summary as a slot frees, and emit the results in input order,
        bounding how many wait to be emitted."""
        slots = asyncio.Semaphore(self.jobs)
        pending: deque[tuple[Item, asyncio.Task[SummaryResult]]] = deque()

        summarize = self.summarize or self.summarizer.asummarize

        async def one(article: Article) -> SummaryResult:
            async with slots:
                return await summarize(article)

        over_budget = False
        try:
            for item in items:
                self.stats.total += 1
                if item.error is not None or item.article is None:
                    failed = _unusable(item.error or "unreadable")
                    pending.append((item, asyncio.create_task(failed)))
                    continue
                if not self._to_write(item):
                    continue
                allowed = not over_budget and self._affordable(item)
                while not allowed and pending:  # what is in flight may cost less than foreseen
                    await self._emit(*pending.popleft())
                    allowed = not over_budget and self._affordable(item)
                if not allowed:  # this one and every one after it: rows in their places
                    over_budget = True
                    self._unstarted(item)
                    continue
                pending.append((item, asyncio.create_task(one(item.article))))
                bound = self.jobs * WINDOW_PER_JOB
                while pending and (pending[0][1].done() or len(pending) >= bound):
                    await self._emit(*pending.popleft())
                await asyncio.sleep(0)  # let the new task start
            while pending:
                await self._emit(*pending.popleft())
        finally:
            for _, task in pending:  # cancelled or failed: abandon what is in flight
                task.cancel()

    def _affordable(self, item: Item) -> bool:
        """Whether the budget, if any, lets `item` start (see `cost.RunBudget`)."""
        article = item.article
        if self.budget is None or article is None:
            return True
        foreseen = self.budget.foreseen(lambda: estimate(self.summarizer, article))
        return self.budget.start(id(item), foreseen)

    def _spent(self, item: Item, cost: float | None, made: bool) -> None:
        if cost is None:
            self.stats.cost_unknown += made
        else:
            self.stats.cost_usd += cost
        if self.budget is not None:
            self.budget.finish(id(item), cost, made)

    def _to_write(self, item: Item) -> bool:
        """Whether the item is to be summarized: not when its file (under --out) is
        written already, or another input writes the same file."""
        if self.out_dir is None:
            return True
        path = output_path(self.out_dir, item, self.suffix)
        if path in self.seen_paths:
            self._fail(item, f"another input also writes {one_line(str(path))}", "InputError")
            return False
        self.seen_paths.add(path)
        if path.exists():
            self.stats.skipped += 1
            return False
        return True

    async def _emit(self, item: Item, task: asyncio.Task[SummaryResult]) -> None:
        try:
            result = await task
        except BackendUnreachable:
            raise  # no server there: the run stops (see the module docstring)
        except Exception as exc:  # one article's failure, whatever it is, is its own
            usage = getattr(exc, "usage", None)  # what a failed article spent all the same
            caller = self.summarizer.caller
            spent = cost_of(usage, caller.backend, caller.price) if usage is not None else 0.0
            self._spent(item, spent, made=usage is not None)
            self._fail(item, describe_error(exc), error_type(exc))
            return
        self._spent(item, result.provenance.cost_usd, made=not result.cache_hit)
        try:
            text = self.render(result.model_copy(update={"input": item.ref()}))
            if self.out_dir is not None:
                write_atomically(output_path(self.out_dir, item, self.suffix), text)
            else:
                self._write_line(text)
        except Exception as exc:
            self._fail(item, f"cannot write the result: {describe_error(exc)}", error_type(exc))
            return
        stats = self.stats
        stats.done += 1
        stats.cache_hits += result.cache_hit
        stats.prompt_tokens += result.provenance.usage.prompt_tokens
        stats.completion_tokens += result.provenance.usage.completion_tokens
        if self.progress is not None:
            self.progress(stats)

    def _write_line(self, text: str) -> None:
        self.stdout.write(text if text.endswith("\n") else text + "\n")
        self.stdout.flush()

    def _fail(self, item: Item, reason: str, kind: str) -> None:
        self.stats.failed.append((item.name, reason))
        self.say(f"summarizer: {one_line(item.name)}: {reason}")
        self._error_row(item, reason, kind)
        if self.progress is not None:
            self.progress(self.stats)

    def _unstarted(self, item: Item) -> None:
        """An article the budget leaves unstarted: a row of its own on stdout, as a failure
        has (one row per input), but no line on stderr (the run's last line counts them);
        under --out no file, as for a failure, so a run with a higher limit starts it."""
        assert self.budget is not None  # only a budget leaves an article unstarted
        self.stats.left += 1
        why = f"not started: it could take the run past --max-cost ${self.budget.limit:g}"
        self._error_row(item, why, "NotStarted")

    def _error_row(self, item: Item, reason: str, kind: str) -> None:
        """The row of an article with no result, on stdout in its place (JSON only)."""
        if self.render_failure is not None and self.out_dir is None:
            row = FailedArticle(input=item.ref(), error=ErrorInfo(type=kind, message=reason))
            with contextlib.suppress(OSError, ValueError):  # stdout itself is gone: said above
                self._write_line(self.render_failure(row))


async def _unusable(reason: str) -> SummaryResult:
    raise InputError(reason)  # reported in its turn, so rows keep the input order
