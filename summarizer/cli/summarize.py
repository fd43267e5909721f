"""`summarizer summarize`: articles in, one result each out (or a brief), in parallel."""

from __future__ import annotations

import contextlib
import functools
import io
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, TextIO, cast

import typer

from summarizer.cli.common import app, fail, log_to_stderr, settings_of, summarizer_of
from summarizer.cli.options import SUMMARIZER_FLAGS, with_settings

SUFFIX = {"json": ".json", "markdown": ".md", "text": ".txt"}


@app.command()
@with_settings(*SUMMARIZER_FLAGS, "jobs", "format")
def summarize(
    inputs: Annotated[
        list[str],
        typer.Argument(help="Files, folders, globs, or - for stdin (.txt .md .html .json .jsonl)."),
    ],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write one file per article here.")
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither read nor write the cache.")
    ] = False,
    refresh: Annotated[bool, typer.Option(help="Ignore cached results, store fresh ones.")] = False,
    text_field: Annotated[str, typer.Option(help="JSON field holding the article text.")] = "text",
    id_field: Annotated[str, typer.Option(help="JSON field naming a record's output file.")] = "id",
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress or final table.")
    ] = False,
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray",
            metavar="ADDRESS",
            help="Run on a Ray cluster (auto, or host:port): one summarizer per actor, -j "
            "model calls in flight each.",
        ),
    ] = None,
    ray_actors: Annotated[
        int | None,
        typer.Option(min=1, help="Actors on the Ray cluster [one per CPU it has]."),
    ] = None,
    max_cost: Annotated[
        float | None,
        typer.Option(
            "--max-cost",
            min=0,
            metavar="USD",
            help="Start no article that could take the run past this many US dollars.",
        ),
    ] = None,
    options: dict[str, Any] | None = None,
) -> None:
    """Summarize articles: one JSON object each (JSON Lines for several), or a brief."""
    from summarizer import inputs as inputs_mod
    from summarizer.batch import run
    from summarizer.errors import BackendUnreachable, SummarizerError

    log_to_stderr()
    try:
        settings = settings_of(options or {})
        summarizer = summarizer_of(settings, cache=not no_cache, refresh=refresh)
    except SummarizerError as exc:
        raise fail(str(exc)) from None
    for spec in inputs:  # a named file that is not there is a usage error, found before any work
        if spec != "-" and not any(ch in spec for ch in "*?[") and not os.path.lexists(spec):
            raise fail(f"{spec}: no such file or folder")
    fmt, render, failure_row = _renderers(settings.format, inputs, out)
    if missing := summarizer.backend.unavailable():
        raise fail(missing)
    if max_cost is not None:
        _check_priced(summarizer)
    if not quiet and (notice := summarizer.backend.notice()):
        typer.echo(notice, err=True)
    show = sys.stderr.isatty() and not quiet
    items = inputs_mod.items(inputs, inputs_mod.Fields(text=text_field, id=id_field),
                             stdin=sys.stdin.buffer)  # fmt: skip
    pool = _ray_pool(ray, ray_actors, settings, summarizer, no_cache, refresh) if ray else None
    bar = _Progress(lambda: items.total) if show else None
    stop = bar.stop if bar else lambda: None
    try:
        stats = run(summarizer, items, render=render, suffix=SUFFIX[fmt],
                    jobs=pool.slots if pool else settings.jobs,
                    out_dir=out, say=bar.say if bar else _say,
                    progress=bar.update if bar else None, render_failure=failure_row,
                    max_cost=max_cost, summarize=pool.summarize if pool else None,
                    stdout=bar.above(sys.stdout) if bar else None)  # fmt: skip
    except KeyboardInterrupt:
        stop()
        typer.echo("summarizer: interrupted; run the same command again to finish", err=True)
        raise typer.Exit(130) from None
    except BackendUnreachable as exc:
        stop()
        raise unreachable(exc) from None
    finally:
        stop()
        if pool is not None:
            pool.close()
    if stats.total == 0:
        raise fail("no input articles")
    if show:
        _final_table(stats)
    if stats.left:
        typer.echo(
            f"summarizer: stopped at --max-cost ${max_cost:g}: spent ${stats.cost_usd:.4f}; "
            f"{stats.left} article(s) left unstarted (run again with a higher limit to "
            "go on{})".format("; -o skips those written" if out else ""),
            err=True,
        )
    raise typer.Exit(1 if stats.failed or stats.left else 0)


def unreachable(exc: BaseException) -> typer.Exit:
    """A run stopped where its backend could not be reached (`batch`): exit 2, one line."""
    return fail(f"{exc}; stopped there: run the same command again once it answers")


def _ray_pool(address: str, actors: int | None, settings: Any, summarizer: Any,
              no_cache: bool, refresh: bool) -> Any:  # fmt: skip
    """The actors of a Ray run (`ray_workers.Pool`), each with the run's settings."""
    from summarizer.errors import SummarizerError
    from summarizer.ray_workers import Pool

    try:
        return Pool(settings, address=address, actors=actors, per_actor=settings.jobs,
                    schema=summarizer.schema, cache=not no_cache, refresh=refresh)  # fmt: skip
    except SummarizerError as exc:
        raise fail(str(exc)) from None


def _check_priced(summarizer: Any) -> None:
    """A budget needs prices: say so before any work, if the model's are not known."""
    from summarizer.cost import known

    if not known(summarizer.backend, summarizer.caller.price):
        raise fail(
            f"--max-cost: no price is known for {summarizer.backend.describe()}; set one "
            """in US dollars per million tokens, e.g. SUMMARIZER_PRICE='{"input": 0.15, """
            """"output": 0.6}'"""
        )


def _renderers(chosen: str | None, inputs: list[str], out: Path | None) -> tuple[str, Any, Any]:
    """The output format (markdown on a terminal, else JSON), how a result is rendered in
    it, and how a failure's row is (JSON only)."""
    from summarizer.render import FORMATS, to_json

    interactive = sys.stdout.isatty() and out is None
    fmt = chosen or ("markdown" if interactive else "json")
    if fmt != "json":
        return fmt, FORMATS[fmt], None
    # One object per line (JSON Lines) on stdout; pretty in files and on a terminal. A
    # failed article gets a row of its own ({"input": ..., "error": ...}).
    several = len(inputs) > 1 or any(not Path(i).is_file() for i in inputs if i != "-")
    pretty = out is not None or (interactive and not several)
    render = functools.partial(to_json, indent=2 if pretty else None)
    return fmt, render, render


def _say(line: str) -> None:
    typer.echo(line, err=True)


class _Progress:
    """The progress bar on stderr (a terminal): articles done, of how many (the inputs'
    count, once known), cached and failed among them. What reaches that terminal while it shows, a
    result on stdout or a failure's line, is written with the bar cleared and drawn again
    below it: written at the cursor, it began on the bar's line."""

    def __init__(self, total: Callable[[], int | None]) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._total = total
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),  # "2/3", or "2/?" while the total is not known
            TextColumn("· {task.fields[hits]} cached · {task.fields[failed]} failed"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
            # Rich would capture stdout while the bar runs and print it on the terminal: the
            # results of `summarize ... > out.jsonl` must reach the file.
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._task = self._bar.add_task("summarizing", total=total(), hits=0, failed=0)
        self._shown = True
        self._lock = threading.Lock()  # results are written from the portal's thread
        self._bar.start()

    def update(self, stats: Any) -> None:
        """Articles skipped (written by an earlier run) count towards the total as done."""
        self._bar.update(
            self._task, completed=stats.done + len(stats.failed) + stats.skipped,
            total=self._total(), hits=stats.cache_hits, failed=len(stats.failed),
        )  # fmt: skip

    def say(self, line: str) -> None:
        with self._cleared():
            _say(line)

    def above(self, out: TextIO) -> TextIO:
        """`out`, written above the bar when it is this terminal too."""
        return cast(TextIO, _Above(out, self._cleared)) if out.isatty() else out

    @contextlib.contextmanager
    def _cleared(self) -> Iterator[None]:
        """The bar off the screen (transient: its lines erased, the cursor where it
        began), then drawn again where the writing ended."""
        with self._lock:
            live = self._bar.live
            live.stop()
            try:
                yield
            finally:
                if self._shown:
                    live.start(refresh=True)

    def stop(self) -> None:
        with self._lock:
            self._shown = False
            self._bar.stop()


class _Above(io.TextIOBase):
    """A terminal's stdout on which each write happens with the progress bar cleared."""

    def __init__(
        self, out: TextIO, cleared: Callable[[], contextlib.AbstractContextManager[None]]
    ) -> None:
        self._out, self._cleared = out, cleared

    def write(self, text: str) -> int:
        with self._cleared():
            self._out.write(text)
            self._out.flush()
        return len(text)

    def flush(self) -> None:
        self._out.flush()


def _final_table(stats: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    from summarizer.cost import cost_line

    table = Table(title="summarizer", show_header=False)
    for label, value in (
        ("articles", stats.total),
        ("summarized", stats.done),
        ("from cache", stats.cache_hits),
        ("already written (skipped)", stats.skipped),
        ("failed", len(stats.failed)),
        *([("not started (--max-cost)", stats.left)] if stats.left else []),
        ("prompt tokens", stats.prompt_tokens),
        ("output tokens", stats.completion_tokens),
        ("cost (USD)", cost_line(stats.cost_usd, stats.cost_unknown)),
        ("seconds", f"{stats.elapsed:.1f}"),
    ):
        table.add_row(label, str(value))
    Console(stderr=True).print(table)
