"""`summarizer batch`: OpenAI Batch API files (`summarizer.batch_api`).

prepare -> (submit -> status -> fetch, with a key; or upload the file yourself) -> collect.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from summarizer.cli.common import app, fail, log_to_stderr, settings_of
from summarizer.cli.options import SUMMARIZER_FLAGS, with_settings

batch_app = typer.Typer(
    help="OpenAI Batch API files: the same requests at half the price, checked as live.",
    no_args_is_help=True,
)
app.add_typer(batch_app, name="batch")


@batch_app.command("prepare")
@with_settings(*SUMMARIZER_FLAGS)
def prepare(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders, globs, or - for stdin.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The request file to write.")],
    text_field: Annotated[str, typer.Option(help="JSON field holding the article text.")] = "text",
    id_field: Annotated[str, typer.Option(help="JSON field naming a record's output file.")] = "id",
    options: dict[str, Any] | None = None,
) -> None:
    """Write the Batch API input file (and its articles' manifest beside it)."""
    from summarizer import inputs as inputs_mod
    from summarizer import portal
    from summarizer.batch_api import files_summarizer
    from summarizer.batch_api import prepare as prepare_files
    from summarizer.errors import SummarizerError

    log_to_stderr()
    try:
        summarizer = files_summarizer(settings_of(options or {}), sending=False)
        items = inputs_mod.items(inputs, inputs_mod.Fields(text=text_field, id=id_field),
                                 stdin=sys.stdin.buffer)  # fmt: skip
        done = portal.run(prepare_files(summarizer, items, out))
    except SummarizerError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"{out}: cannot write ({exc.strerror or exc})") from None
    for name, why in done.failed:
        typer.echo(f"summarizer: {name}: {why}", err=True)
    files = ", ".join(str(f) for f in done.files)
    cost = "unknown" if done.estimated_usd is None else f"${done.estimated_usd:.4f}"
    typer.echo(
        f"wrote {done.requests} request(s) to {files} and the articles to {done.manifest}"
        f" ({done.cached} already cached); estimated cost at batch prices: {cost} (answers of "
        "up to max_tokens each)",
        err=True,
    )
    raise typer.Exit(1 if done.failed else 0)


@batch_app.command("collect")
@with_settings(*SUMMARIZER_FLAGS, "jobs", "format")
def collect(
    files: Annotated[
        list[Path], typer.Argument(help="The batch's output file, and its error file if any.")
    ],
    articles: Annotated[
        Path, typer.Option(help="The manifest `batch prepare` wrote: <requests>.articles.jsonl.")
    ],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write one file per article here.")
    ] = None,
    live: Annotated[
        bool,
        typer.Option(
            help="Ask live what the batch did not settle (a re-ask, an errored or expired "
            "line); --no-live writes those to a follow-up request file instead."
        ),
    ] = True,
    follow_up: Annotated[
        Path | None,
        typer.Option(help="The follow-up request file [<output>.followup.jsonl]."),
    ] = None,
    options: dict[str, Any] | None = None,
) -> None:
    """Check each answer as a live call's would be, fill the cache, write the results."""
    from summarizer.batch import run
    from summarizer.batch_api import Answers, Collector, FollowUps, files_summarizer, read_manifest
    from summarizer.cli.summarize import SUFFIX, _final_table, _renderers, unreachable
    from summarizer.errors import BackendUnreachable, SummarizerError

    log_to_stderr()
    try:
        settings = settings_of(options or {})
        summarizer = files_summarizer(settings, sending=live)
        answers = Answers.read(files)
        entries = read_manifest(articles)
    except SummarizerError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"{exc.filename}: {exc.strerror or exc}") from None
    later = FollowUps(follow_up or files[0].with_name(files[0].stem + ".followup.jsonl"))
    try:
        collector = Collector(summarizer, entries, answers, live, later)
    except SummarizerError as exc:
        raise fail(str(exc)) from None
    fmt, render, failure_row = _renderers(settings.format, ["a", "b"], out)
    try:
        stats = run(summarizer, collector.items(), render=render, suffix=SUFFIX[fmt],
                    jobs=settings.jobs, out_dir=out, say=lambda line: typer.echo(line, err=True),
                    render_failure=failure_row, summarize=collector.summarize)  # fmt: skip
    except BackendUnreachable as exc:  # asked live
        raise unreachable(exc) from None
    written = later.write()
    if written:
        typer.echo(f"summarizer: follow-up requests in {written[0]} (articles: {written[-1]})",
                   err=True)  # fmt: skip
    if sys.stderr.isatty():
        _final_table(stats)
    raise typer.Exit(1 if stats.failed else 0)


def _client() -> Any:
    """The SDK's client, with the key the settings name (the Files and Batches endpoints
    are OpenAI's)."""
    import openai

    from summarizer.errors import SummarizerError

    try:
        settings = settings_of({})
        key = settings.api_key_for(openai=True)
    except SummarizerError as exc:
        raise fail(str(exc)) from None
    if not key:
        raise fail("the Batch API needs an OpenAI key: set OPENAI_API_KEY")
    return openai.OpenAI(api_key=key, base_url=settings.base_url or None, max_retries=2)


@batch_app.command("submit")
def submit(
    files: Annotated[list[Path], typer.Argument(help="Request files `batch prepare` wrote.")],
) -> None:
    """Upload request files and start a batch of each; prints the batches' ids."""
    from summarizer.batch_api import submit as submit_files

    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise fail(f"no such file: {', '.join(missing)}")
    client = _client()  # (its own one line, exit 2)
    try:
        for batch_id in submit_files(client, files):
            typer.echo(batch_id)
    except Exception as exc:  # the SDK's errors: one line
        raise fail(f"cannot submit: {' '.join(str(exc).split())}", 1) from None


@batch_app.command("status")
def status(batch_id: Annotated[str, typer.Argument(help="A batch's id.")]) -> None:
    """A batch's status and request counts."""
    from summarizer.batch_api import status as batch_status

    client = _client()
    try:
        found = batch_status(client, batch_id)
    except Exception as exc:
        raise fail(f"cannot read batch {batch_id}: {' '.join(str(exc).split())}", 1) from None
    counts = found.request_counts
    done = f"{counts.completed}/{counts.total} done, {counts.failed} failed" if counts else ""
    typer.echo(f"{found.id}: {found.status}" + (f" ({done})" if done else ""))


@batch_app.command("fetch")
def fetch(
    batch_id: Annotated[str, typer.Argument(help="A finished batch's id.")],
    folder: Annotated[Path, typer.Option("--out", "-o", help="Where to write its files.")] = Path(),
) -> None:
    """Download a finished batch's output and error files."""
    from summarizer.batch_api import fetch as fetch_files

    client = _client()
    try:
        for path in fetch_files(client, batch_id, folder):
            typer.echo(str(path))
    except Exception as exc:
        raise fail(f"cannot fetch batch {batch_id}: {' '.join(str(exc).split())}", 1) from None
