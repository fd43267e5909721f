"""Evaluation on a dataset of articles with human reference summaries.

For each record (`article`, `reference_summary`: a string or a list, optional `id`) the
pipeline runs as usual (cached like any run) and the harness computes ROUGE-1, ROUGE-2 and
ROUGE-Lsum F1 against the references (google's rouge-score, stemmer on, one sentence per
line, the best over references), the grounding score, whether the first answer was valid
(one call, no corrections), attempts, tokens, latency and cache hits. The same ROUGE is
computed for baselines on the same articles: Lead-3 (the first three sentences) and any
summaries the dataset carries (`human_pairwise_judgments[*].model_summary`, e.g.
text-davinci-002's in news_dev).
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from summarizer.article import Article
from summarizer.brief import Brief, layout
from summarizer.cost import cost_line
from summarizer.errors import ConfigError, SummarizerError, SummaryValidationError, require_extra
from summarizer.pipeline import Summarizer
from summarizer.result import SummaryResult
from summarizer.schema import Claim

ScoredText = str  # FIELD[+FIELD...]: prose fields, or item lists (their texts)
_ALIASES = {"points": "key_points"}  # "tldr+points", as the benchmarks have always said
METRICS = ("rouge1", "rouge2", "rougeLsum")


@dataclass
class Record:
    id: str
    article: str
    references: list[str]
    others: dict[str, str] = field(default_factory=dict)  # name -> summary from the dataset


@dataclass
class Row:
    id: str
    rouge: dict[str, float] | None = None
    grounding: float | None = None
    claims: int | None = None  # who-said-what items in the summary
    first_valid: bool | None = None
    attempts: int = 0
    tokens: int = 0
    cost_usd: float | None = 0.0  # None: its model has no known price
    latency_s: float = 0.0
    cache_hit: bool = False
    error: str | None = None
    baselines: dict[str, dict[str, float]] = field(default_factory=dict)
    key: str | None = None  # the pipeline's cache key for this article; see `evaluate`
    resumed: bool = False  # taken from an earlier run's rows
    error_type: str | None = None  # the exception's class name
    failure: str | None = None  # why there is no summary, in a few words (see failure_kind)


def load(path: Path) -> Iterator[Record]:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        data = json.loads(line)
        refs = data.get("reference_summary")
        references = [refs] if isinstance(refs, str) else list(refs or [])
        if not isinstance(data.get("article"), str) or not references:
            raise ValueError(f"{path}:{n}: needs 'article' and 'reference_summary'")
        others: dict[str, str] = {}
        for judgment in data.get("human_pairwise_judgments") or []:
            name, text = judgment.get("model"), judgment.get("model_summary")
            if isinstance(name, str) and isinstance(text, str):
                others.setdefault(name, text)
        yield Record(str(data.get("id", n)), data["article"], references, others)


class Rouge:
    """ROUGE F1 x100 as the benchmarks quote it: stemmer on, Lsum over sentence lines."""

    def __init__(self) -> None:
        require_extra("ROUGE scoring", "eval", "rouge_score")
        from rouge_score import rouge_scorer

        self._scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)

    @staticmethod
    def _lines(text: str) -> str:
        from summarizer.schema import split_sentences

        return "\n".join(split_sentences(text))

    def best(self, candidate: str, references: list[str]) -> dict[str, float]:
        scores = [self._scorer.score(self._lines(r), self._lines(candidate)) for r in references]
        return {m: round(100 * max(s[m].fmeasure for s in scores), 2) for m in METRICS}


def scored_fields(brief: type[BaseModel], which: ScoredText) -> list[str]:
    """The fields `which` names (``summary``, ``tldr+points``, any FIELD[+FIELD] of the
    brief that is prose or a list of items), or a `ConfigError` naming the ones it can."""
    shape = layout(brief)
    names = [_ALIASES.get(n, n) for n in which.split("+")]
    textual = [*shape.prose, *shape.items]
    wrong = [n for n in names if n not in textual]
    if wrong or not names:
        raise ConfigError(
            f"--text {which}: {brief.__name__} has no text field {', '.join(wrong) or which!r}; "
            f"name one or more of {', '.join(textual)} joined by +"
        )
    return names


def scored_text(result: SummaryResult, which: ScoredText) -> str:
    """The text of the fields `which` names: prose as written, each item by its text."""
    b: Brief = result.brief
    shape = layout(type(b))
    parts: list[str] = []
    for name in scored_fields(type(b), which):
        value = getattr(b, name)
        if name in shape.prose:
            parts.append(str(value))
            continue
        items = value if name in shape.lists else [value] if value is not None else []
        parts += [shape.items[name].identity(dict(it)) for it in items]
    return " ".join(parts)


def _done_rows(path: Path | None) -> dict[str, Row]:
    """Rows already written to `path` by an earlier run, by key (a torn last line from an
    interrupted run is skipped)."""
    if path is None or not path.is_file():
        return {}
    done = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = Row(**json.loads(line))
        except (ValueError, TypeError):
            continue
        # A summary, or a model answer that failed validation, stands; a backend that could
        # not be reached is tried again.
        if row.key and row.error_type in (None, "SummaryValidationError"):
            done[row.key] = row
    return done


def evaluate(
    summarizer: Summarizer,
    records: list[Record],
    *,
    which: ScoredText = "summary",
    progress: Callable[[int, Row], None] | None = None,
    resume: Path | None = None,
) -> list[Row]:
    """Score every record. With `resume`, each row is appended to that JSON Lines file as
    soon as it is done, and rows already there for the same article, settings and scored
    text are reused: an interrupted run picks up where it stopped, answers that failed
    validation included (the result cache keeps only valid summaries, and a deterministic
    model fails again); articles whose backend could not be reached are tried again."""
    rouge = Rouge()
    done = _done_rows(resume)
    rows = []
    out = resume.open("a", encoding="utf-8") if resume is not None else None
    try:
        for n, record in enumerate(records, start=1):
            article = Article.from_text(record.article)
            key = f"{summarizer.key_of(article)}:{which}"
            if key in done:
                row = replace(done[key], resumed=True)
            else:
                row = _score(summarizer, rouge, record, article, which)
                row.key = key
                if out is not None:
                    out.write(json.dumps(asdict(row)) + "\n")
                    out.flush()
            rows.append(row)
            if progress is not None:
                progress(n, row)
    finally:
        if out is not None:
            out.close()
    return rows


def _score(
    summarizer: Summarizer, rouge: Rouge, record: Record, article: Article, which: ScoredText
) -> Row:
    row = Row(record.id)
    sentences = [s.text for s in article.sentences]
    lead3 = " ".join(sentences[:3])
    row.baselines["lead-3"] = rouge.best(lead3, record.references)
    for name, text in record.others.items():
        row.baselines[name] = rouge.best(text, record.references)
    try:
        result = summarizer.summarize(article)
    except SummarizerError as exc:
        row.error, row.error_type = str(exc), type(exc).__name__
        row.failure = failure_kind(exc)
    else:
        p = result.provenance
        row.rouge = rouge.best(scored_text(result, which), record.references)
        row.grounding = result.grounding.score if result.grounding else None
        row.claims = _claims(result.brief)
        row.first_valid = p.attempts == 1 and not result.corrections if not p.cache_hit else None
        row.attempts, row.tokens, row.cost_usd = p.attempts, p.usage.total_tokens, p.cost_usd
        row.latency_s, row.cache_hit = round(p.latency_s, 3), p.cache_hit
    return row


def _claims(brief: BaseModel) -> int:
    """Who-said-what items: the brief's claims, of whatever list holds them."""
    shape = layout(type(brief))
    return sum(
        len(getattr(brief, name) or []) for name, item in shape.items.items()
        if issubclass(item, Claim) and name in shape.lists
    )  # fmt: skip


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def _systems(rows: list[Row], ok: list[Row]) -> dict[str, dict[str, Any]]:
    """Mean ROUGE of the pipeline (over `ok`) and of each baseline over `rows`."""
    systems: dict[str, dict[str, Any]] = {
        "summarizer": {
            "articles": len(ok),
            **{m: _mean([r.rouge[m] for r in ok if r.rouge]) for m in METRICS},
        }
    }
    for name in sorted({name for r in rows for name in r.baselines}):
        have = [r.baselines[name] for r in rows if name in r.baselines]
        systems[name] = {"articles": len(have), **{m: _mean([h[m] for h in have]) for m in METRICS}}
    return systems


def failure_kind(exc: SummarizerError) -> str:
    """A short label for why an article got no summary (for the report's tally), from the
    exception's structured errors."""
    if not isinstance(exc, SummaryValidationError):
        return type(exc).__name__
    if not exc.errors:
        return "cut off at max_tokens"
    first = exc.errors[0]
    if first.get("type") == "json_invalid":
        return "invalid JSON"
    loc = first.get("loc") or ()
    return f"failed validation ({loc[0] if loc else 'whole answer'})"


def summarize_rows(rows: list[Row]) -> dict[str, Any]:
    """The table: each system's mean ROUGE over the articles it has (and, for a fair
    comparison, the baselines on just the articles the pipeline summarized), plus the
    pipeline's own figures."""
    ok = [r for r in rows if r.rouge is not None]
    latencies = sorted(r.latency_s for r in ok if not r.cache_hit)
    failures: dict[str, int] = {}
    for r in rows:
        if r.error is not None:
            kind = r.failure or "unknown"
            failures[kind] = failures.get(kind, 0) + 1
    return {
        "articles": len(rows),
        "failed": len(rows) - len(ok),
        "failures": dict(sorted(failures.items(), key=lambda kv: -kv[1])),
        "systems": _systems(rows, ok),
        "systems_same_articles": _systems(ok, ok),
        "grounding_mean": _mean([r.grounding for r in ok if r.grounding is not None]),
        "claims_mean": _mean([float(r.claims) for r in ok if r.claims is not None]),
        "first_answer_valid": _mean(
            [float(r.first_valid) for r in ok if r.first_valid is not None]
        ),
        "attempts_mean": _mean([float(r.attempts) for r in ok if not r.cache_hit]),
        "tokens_total": sum(r.tokens for r in ok),
        "cost_usd_total": cost_line(
            sum(r.cost_usd or 0.0 for r in ok), sum(r.cost_usd is None for r in ok)
        ),
        "latency_median_s": round(statistics.median(latencies), 2) if latencies else None,
        "cache_hits": sum(r.cache_hit for r in ok),
    }


def write_reports(rows: list[Row], summary: dict[str, Any], directory: Path) -> list[Path]:
    """report.json (every row), report.md (the table) and scores.png (distributions)."""
    directory.mkdir(parents=True, exist_ok=True)
    report_json = directory / "report.json"
    report_json.write_text(
        json.dumps({"summary": summary, "rows": [asdict(r) for r in rows]}, indent=2) + "\n"
    )
    plot = directory / "scores.png"
    _plot(rows, plot)
    lines = ["# Evaluation", "", *_table(summary["systems"])]
    if summary["failed"]:
        lines += [
            "",
            f"On the {summary['systems']['summarizer']['articles']} articles the pipeline "
            "summarized:",
            "",
            *_table(summary["systems_same_articles"]),
            "",
            "Articles without a summary: "
            + ", ".join(f"{kind} {n}" for kind, n in summary["failures"].items())
            + ".",
        ]
    lines += ["", f"Articles: {summary['articles']}, failed: {summary['failed']}, "
              f"grounding score (mean): {summary['grounding_mean']}, first answer valid: "
              f"{summary['first_answer_valid']}, median latency: {summary['latency_median_s']} s, "
              f"tokens: {summary['tokens_total']}, cost: {summary['cost_usd_total']}, "
              f"cache hits: {summary['cache_hits']}.",
              "", f"![ROUGE-1 and latency]({plot.name})", ""]  # fmt: skip
    report_md = directory / "report.md"
    report_md.write_text("\n".join(lines))
    return [report_json, report_md, plot]


def _table(systems: dict[str, dict[str, Any]]) -> list[str]:
    lines = ["| system | articles | ROUGE-1 | ROUGE-2 | ROUGE-Lsum |", "|---|---|---|---|---|"]
    for name, s in systems.items():
        lines.append(
            f"| {name} | {s['articles']} | {s['rouge1']} | {s['rouge2']} | {s['rougeLsum']} |"
        )
    return lines


def _plot(rows: list[Row], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    ours = [r.rouge["rouge1"] for r in rows if r.rouge]
    lead = [r.baselines["lead-3"]["rouge1"] for r in rows if "lead-3" in r.baselines]
    left.hist([ours, lead], bins=20, label=["summarizer", "lead-3"])
    left.set_xlabel("ROUGE-1 F1")
    left.set_ylabel("articles")
    left.legend()
    right.hist([r.latency_s for r in rows if r.rouge and not r.cache_hit] or [0], bins=20)
    right.set_xlabel("latency per article (s), cache misses")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
