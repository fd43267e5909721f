"""Benchmark: time the grounding report adds to one article (the seed and its hand-written
summary), and the time of `summarizer check` on a plain summary. The article's sentences
are segmented once, as the pipeline does for its prompt anyway. The checks memoize what
they compute about each sentence (`summarizer.text.memo`); every memo is cleared before
each run, so each run costs what a new article costs.
Run: python benchmarks/grounding_overhead.py
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    from summarizer import Article, ArticleSummary
    from summarizer.checks.report import ground_brief as ground_summary
    from summarizer.checks.report import ground_text
    from summarizer.text import memo

    article = Article.from_text(
        (ROOT / "seeds" / "gaza-stabilization-force-2025-10-18.txt").read_text()
    )
    sentences = [s.text for s in article.sentences]
    fixture = json.loads(
        (ROOT / "tests" / "fixtures" / "handwritten_seed_summary.json").read_text()
    )
    summary = ArticleSummary.model_validate(fixture)
    plain = " ".join([summary.tldr, summary.summary])
    for name, run in (
        ("grounding report of a structured summary", lambda: ground_summary(summary, sentences)),
        ("check of a plain-text summary", lambda: ground_text(plain, sentences)),
    ):
        times = []
        for _ in range(50):
            memo.clear_all()
            t0 = time.perf_counter()
            run()
            times.append((time.perf_counter() - t0) * 1000)
        print(f"{name:<45} median {statistics.median(times):6.2f} ms, max {max(times):6.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
