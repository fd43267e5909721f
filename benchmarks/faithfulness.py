"""Benchmark: the faithfulness checks against human judgments (issue 10's targets).

Reads, by path at run time (research-use data, never committed):
- `../shared/eval/news_dev.jsonl`: freelance writers' reference summaries (faithful,
  abstractive): the gate should accept them;
- `../shared/eval/frank_valid.jsonl`: FRANK's validation split, 615 system summaries with
  human factuality labels and error categories;
- `../shared/eval/frank_valid_baselines.jsonl`: FRANK's own metric outputs for the same
  summaries (FactCC, BERTScore-P, DAE, ...), compared on the same footing.

The gate is what re-asks the model (`checks.rules.free_text_errors`, any error of any kind); the
report is `checks.report.ground_text` (a summary is flagged when any sentence has an error
or scores below `checks.report.SUPPORTED`); the graded score is the report's mean support.
Correlations are FRANK's: partial correlation controlling for the system (one-hot system
regressed out of both scores; Pearson and Spearman on the residuals). ROC AUC: summaries
judged fully faithful (human_factuality = 1) against the rest. The measures were tuned on
this same split, so the figures are optimistic; FRANK's test split is not available here.

Run: python benchmarks/faithfulness.py [path/to/shared/eval]
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "eval"
CATEGORIES = ("OutE", "EntE", "CircE", "RelE", "CorefE", "LinkE", "GramE")
BASELINES = {"FactCC": "FactCC", "BERTScore-P (article)": "BertScore P Art", "DAE": "Dep Entail",
             "QAGS": "QAGS", "ROUGE-1": "Rouge 1"}  # fmt: skip


def ranks(x: np.ndarray) -> np.ndarray:
    """Ranks with ties averaged (as scipy.stats.rankdata)."""
    order = np.argsort(x, kind="mergesort")
    r = np.empty(len(x))
    r[order] = np.arange(1, len(x) + 1)
    for value in np.unique(x):
        tied = x == value
        if tied.sum() > 1:
            r[tied] = r[tied].mean()
    return r


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a, b)[0, 1])


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    return pearson(ranks(a), ranks(b))


def residuals(y: np.ndarray, systems: list[str]) -> np.ndarray:
    names = sorted(set(systems))
    x = np.array([[1.0] + [float(s == n) for n in names[1:]] for s in systems])
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    return np.asarray(y - x @ coef)


def auc(scores: np.ndarray, positive: np.ndarray) -> float:
    pos, neg = scores[positive], scores[~positive]
    greater = (pos[:, None] > neg[None, :]).mean()
    return float(greater + 0.5 * (pos[:, None] == neg[None, :]).mean())


def row(name: str, values: list[str]) -> str:
    return f"{name:<46}" + "".join(f"{v:>12}" for v in values)


def main() -> int:
    from summarizer import Article
    from summarizer.checks.report import ground_text
    from summarizer.checks.rules import free_text_errors
    from summarizer.schema import split_sentences

    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    paths = [folder / n for n in ("news_dev.jsonl", "frank_valid.jsonl",
                                  "frank_valid_baselines.jsonl")]  # fmt: skip
    if missing := [p for p in paths if not p.is_file()]:
        print(f"no evaluation data at {missing[0]}", file=sys.stderr)
        return 2
    news, frank, base_rows = (
        [json.loads(line) for line in p.open(encoding="utf-8")] for p in paths
    )

    def gate(summary: str, sentences: list[str]) -> list[str]:
        parts = split_sentences(summary) or [summary]
        return [str(e.kind) for p in parts for e in free_text_errors(p, sentences)]

    # news_dev: the writers' summaries, through the gate.
    accepted = total = 0
    refused: Counter[str] = Counter()
    for r in news:
        sentences = [s.text for s in Article.from_text(r["article"]).sentences]
        for ref in r["reference_summary"]:
            total += 1
            kinds = gate(ref, sentences)
            accepted += not kinds
            refused.update(set(kinds))

    # FRANK: gate, report and graded score per summary, timed with segmentation.
    scores, flagged, gated, human, systems, keys, cats = [], [], [], [], [], [], []
    started = time.perf_counter()
    for r in frank:
        sentences = [s.text for s in Article.from_text(r["article"]).sentences]
        for entry in r["model_summaries"]:
            report = ground_text(entry["summary"], sentences)
            scores.append(report.score)
            flagged.append(bool(report.unsupported))
            gated.append(any(c.errors for c in report.checks))
            human.append(float(entry["human_factuality"]))
            systems.append(entry["model"])
            keys.append((r["id"], entry["model"]))
            cats.append(entry["error_free_fraction"])
    seconds = time.perf_counter() - started
    s, h = np.array(scores), np.array(human)
    f, g = np.array(flagged), np.array(gated)
    good = h == 1
    n_summaries = len(s)

    print(f"news_dev: {len(news)} articles, {total} writer summaries; FRANK validation: "
          f"{len(frank)} articles, {n_summaries} summaries ({good.sum()} error-free)")  # fmt: skip
    print(row("measure", ["now", "target"]))
    print(row("news_dev writer summaries accepted by the gate",
              [f"{accepted / total:.1%}", ">= 90%"]))  # fmt: skip
    print(row("FRANK error-free accepted by the gate", [f"{(~g[good]).mean():.1%}", ">= 97%"]))
    print(row("FRANK gate rejections with a real error",
              [f"{(~good[g]).mean():.1%}" if g.any() else "-", ">= 95%"]))  # fmt: skip
    print(row("FRANK erroneous flagged by the report", [f"{f[~good].mean():.1%}", ">= 80%"]))
    print(row("  ... while error-free flagged", [f"{f[good].mean():.1%}", "<= 10%"]))
    print(row("graded score: ROC AUC (fully faithful or not)", [f"{auc(s, good):.3f}", ">= .92"]))
    rs, rh = residuals(s, systems), residuals(h, systems)
    print(row("graded score: partial Spearman", [f"{spearman(rs, rh):.3f}", ">= .45"]))
    per = seconds / n_summaries * 1000
    print(row("time per summary, segmentation included (ms)", [f"{per:.1f}", "<= 30"]))
    print(f"writer summaries refused, by kind: {dict(refused.most_common())}")

    # Side by side with FRANK's own metrics on the same summaries.
    by_key = {(b["article_id"], b["model"]): b for b in base_rows}
    print()
    print(row("metric (same summaries)", ["summaries", "partial P", "partial S", "ROC AUC"]))
    ours = [str(n_summaries), f"{pearson(rs, rh):.3f}", f"{spearman(rs, rh):.3f}",
            f"{auc(s, good):.3f}"]  # fmt: skip
    print(row("this project: graded score", ours))
    for name, column in BASELINES.items():
        idx = [i for i, k in enumerate(keys) if by_key.get(k, {}).get(column) is not None]
        m = np.array([by_key[keys[i]][column] for i in idx], dtype=float)
        hs, sy = h[idx], [systems[i] for i in idx]
        rm, rhs = residuals(m, sy), residuals(hs, sy)
        print(row(name, [str(len(idx)), f"{pearson(rm, rhs):.3f}", f"{spearman(rm, rhs):.3f}",
                         f"{auc(m, hs == 1):.3f}"]))  # fmt: skip

    # Catch rate per FRANK error category: summaries with that error, caught.
    print()
    print(row("FRANK error category", ["summaries", "gate", "report"]))
    for cat in CATEGORIES:
        has = np.array([c.get(cat, 1.0) < 1.0 for c in cats])
        if has.any():
            print(row(cat, [str(has.sum()), f"{g[has].mean():.1%}", f"{f[has].mean():.1%}"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
