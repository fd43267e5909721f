"""Benchmark: how well this project's support measure tracks human faithfulness judgments.

Reads the FRANK validation split (`../shared/eval/frank_valid.jsonl`, 135 articles, 615
system summaries with a human factuality score) by path at run time, scores every
summary with `summarizer.faithfulness.check_text` (the checker of `summarizer check`:
the mean over summary sentences of their support by the best article sentence), and
correlates the scores with the human ones the way FRANK does: partial correlation
controlling for the summarizing system (one-hot system, regressed out of both scores;
Pearson and Spearman on the residuals), plus plain Spearman.

Run: python benchmarks/frank_correlation.py [path/to/frank_valid.jsonl]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "eval" / "frank_valid.jsonl"
# FRANK, whole benchmark, partial correlation (Pearson / Spearman), Pagnoni et al. 2021.
PUBLISHED = {
    "FactCC": (0.20, 0.30),
    "DAE": (0.16, 0.14),
    "BERTScore-P (article)": (0.27, 0.24),
    "QAGS": (0.06, 0.08),
    "ROUGE-1": (0.14, 0.10),
    "BLEU": (0.10, 0.07),
}


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


def main() -> int:
    from summarizer import Article
    from summarizer.faithfulness import check_text

    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not path.is_file():
        print(f"no FRANK data at {path}", file=sys.stderr)
        return 2
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    scores, human, systems = [], [], []
    started = time.perf_counter()
    for row in rows:
        sentences = [s.text for s in Article.from_text(row["article"]).sentences]
        for entry in row["model_summaries"]:
            scores.append(check_text(entry["summary"], sentences).score)
            human.append(float(entry["human_factuality"]))
            systems.append(entry["model"])
    seconds = time.perf_counter() - started
    s, h = np.array(scores), np.array(human)
    rs, rh = residuals(s, systems), residuals(h, systems)
    per = seconds / len(s) * 1000
    print(f"FRANK validation split: {len(rows)} articles, {len(s)} summaries")
    print(f"time: {seconds:.1f} s in all, {per:.0f} ms a summary (segmenting its article included)")
    print(f"{'metric':<28} {'partial Pearson':>16} {'partial Spearman':>17} {'Spearman':>9}")
    print(
        f"{'this project: check':<28} {pearson(rs, rh):>16.2f} {spearman(rs, rh):>17.2f}"
        f" {spearman(s, h):>9.2f}"
    )
    for name, (p, sp) in PUBLISHED.items():
        print(f"{name + ' (published)':<28} {p:>16.2f} {sp:>17.2f} {'':>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
