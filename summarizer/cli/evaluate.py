"""`summarizer eval`: the pipeline scored on a dataset, beside its baselines."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from summarizer.cli.common import app, fail, settings_of, summarizer_of
from summarizer.cli.options import SUMMARIZER_FLAGS, with_settings


@app.command("eval")
@with_settings(*SUMMARIZER_FLAGS)
def eval_command(
    dataset: Annotated[Path, typer.Argument(help="JSON Lines: article, reference_summary.")],
    limit: Annotated[int | None, typer.Option(help="Only the first N articles.")] = None,
    text: Annotated[
        str,
        typer.Option(
            help="What is scored: FIELD[+FIELD] of the brief's prose or item lists "
            "(summary, tldr+points, ...)."
        ),
    ] = "summary",
    report_dir: Annotated[Path, typer.Option(help="Where the reports go.")] = Path("eval-report"),
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither read nor write the cache.")
    ] = False,
    options: dict[str, Any] | None = None,
) -> None:
    """Score the pipeline on a dataset with ROUGE and grounding, beside Lead-3 and any
    summaries the dataset carries; write report.json, report.md and a plot."""
    import logging

    from rich.console import Console

    from summarizer import evaluate
    from summarizer.errors import SummarizerError, require_extra

    logging.getLogger("instructor").setLevel(logging.CRITICAL)
    try:
        require_extra("summarizer eval", "eval", "rouge_score", "matplotlib")
        settings = settings_of(options or {})
        summarizer = summarizer_of(settings, cache=not no_cache, refresh=False)
        evaluate.scored_fields(summarizer.schema, text)
        records = list(evaluate.load(dataset))[:limit]
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
        which=text,
        progress=progress,
        resume=resume,
    )
    summary = evaluate.summarize_rows(rows)
    _show(summary, f"{dataset.name}: {summary['articles']} articles ({text} scored)")
    for path in evaluate.write_reports(rows, summary, report_dir):
        typer.echo(f"wrote {path}", err=True)
    if summary["failed"]:  # scored, but not every article: as `summarize` does, exit 1
        raise typer.Exit(1)


def _show(summary: dict[str, Any], title: str) -> None:
    """The ROUGE tables (and, when some articles failed, the same on those that did not),
    then the other figures."""
    from rich.console import Console
    from rich.table import Table

    from summarizer import evaluate

    def table(title: str, systems: dict[str, dict[str, Any]]) -> None:
        shown = Table(title=title)
        for column in ("system", "articles", "ROUGE-1", "ROUGE-2", "ROUGE-Lsum"):
            shown.add_column(column)
        for name, s in systems.items():
            shown.add_row(name, str(s["articles"]), *(str(s[m]) for m in evaluate.METRICS))
        Console().print(shown)

    table(title, summary["systems"])
    if summary["failed"]:
        done = summary["systems"]["summarizer"]["articles"]
        table(f"the same, on the {done} articles summarized", summary["systems_same_articles"])
    for key in ("failed", "failures", "grounding_mean", "claims_mean", "first_answer_valid",
                "attempts_mean", "tokens_total", "cost_usd_total", "latency_median_s",
                "cache_hits"):  # fmt: skip
        typer.echo(f"{key}: {summary[key]}")
