"""Running many articles: concurrency, output in input order, files under --out, resume.

With ``--out DIR`` each article's output is written to its own file, atomically (a
temporary file renamed into place), and an article whose file already exists is skipped:
running an interrupted command again finishes the rest, and no output is ever partial or
written twice. Without ``--out``, results go to stdout in input order, and the cache makes
a re-run cheap.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from summarizer.errors import SummarizerError
from summarizer.inputs import Item
from summarizer.pipeline import Summarizer
from summarizer.result import SummaryResult

Render = Callable[[SummaryResult], str]


@dataclass
class Stats:
    total: int = 0
    done: int = 0
    cache_hits: int = 0
    skipped: int = 0  # already written under --out by an earlier run
    failed: list[tuple[str, str]] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    started: float = field(default_factory=time.perf_counter)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` so that `path` is either absent or complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def output_path(out_dir: Path, item: Item, suffix: str) -> Path:
    return out_dir / f"{item.stem}{suffix}"


def run(
    summarizer: Summarizer,
    items: Iterable[Item],
    *,
    render: Render,
    suffix: str,
    jobs: int = 1,
    out_dir: Path | None = None,
    stdout: TextIO | None = None,
    report: Callable[[str], None] = print,
    progress: Callable[[Stats], None] | None = None,
) -> Stats:
    """Summarize `items` with up to `jobs` requests at once; see the module docstring."""
    stats = Stats()
    stdout = stdout or sys.stdout
    pending: list[tuple[Item, Future[SummaryResult] | None]] = []
    seen_paths: set[Path] = set()

    def emit(item: Item, future: Future[SummaryResult] | None) -> None:
        if future is None:
            return
        try:
            result = future.result()
        except SummarizerError as exc:
            stats.failed.append((item.name, str(exc)))
            report(f"summarizer: {item.name}: {exc}")
        else:
            stats.done += 1
            stats.cache_hits += result.cache_hit
            stats.prompt_tokens += result.provenance.usage.prompt_tokens
            stats.completion_tokens += result.provenance.usage.completion_tokens
            text = render(result)
            if out_dir is not None:
                write_atomically(output_path(out_dir, item, suffix), text)
            else:
                stdout.write(text if text.endswith("\n") else text + "\n")
                stdout.flush()
        if progress is not None:
            progress(stats)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        try:
            for item in items:
                stats.total += 1
                if item.error is not None or item.article is None:
                    stats.failed.append((item.name, item.error or "unreadable"))
                    report(f"summarizer: {item.name}: {item.error}")
                    continue
                if out_dir is not None:
                    path = output_path(out_dir, item, suffix)
                    if path in seen_paths:
                        stats.failed.append((item.name, f"a second input writes {path.name}"))
                        report(f"summarizer: {item.name}: another input also writes {path}")
                        continue
                    seen_paths.add(path)
                    if path.exists():
                        stats.skipped += 1
                        continue
                pending.append((item, pool.submit(summarizer.summarize, item.article)))
                # Emit finished results in input order, keeping at most `jobs` in flight.
                while pending and (
                    pending[0][1] is None or pending[0][1].done() or len(pending) > jobs
                ):
                    emit(*pending.pop(0))
            while pending:
                emit(*pending.pop(0))
        except KeyboardInterrupt:
            for _, future in pending:
                if future is not None:
                    future.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return stats
