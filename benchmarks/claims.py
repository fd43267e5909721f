"""Benchmark: who said what, found by code (`summarizer.claims`), issue #24's first step.

Prints, for each seed, every claim found beside the sentence it comes from (source, its
kind, the hedging), the Gaza seed's score against the table checked by hand in
`tests/test_claims.py`, and, on the first N news_dev articles (real news the rules were
not written on), claims per article, kinds of source and time per article.
Run: python benchmarks/claims.py [N] [path/to/shared/eval]
"""

from __future__ import annotations

import collections
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    from summarizer import Article
    from summarizer.claims import find_claims
    from tests.test_claims import GAZA

    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    evaluation = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT.parent / "shared" / "eval"
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        sentences = [s.text for s in Article.from_text(path.read_text()).sentences]
        found = find_claims(sentences)
        print(f"\n{path.name}: {len(found)} claims from {len(sentences)} sentences")
        for c in found:
            print(f"  S{c.sentence:<3} {c.source_kind:<13} {c.hedging:<12} {c.attributed_to[:60]}")
        if path.name.startswith("gaza") and path.suffix == ".txt":
            by = {c.sentence: c for c in found}
            right = sum(
                1 for n, (words, kind, hedging) in GAZA.items()
                if n in by and words in by[n].attributed_to
                and (by[n].source_kind, by[n].hedging) == (kind, hedging)
            )  # fmt: skip
            print(
                f"  hand-checked attributions matched (source, kind, hedging): {right}/{len(GAZA)}"
            )
    news = evaluation / "news_dev.jsonl"
    if not news.is_file():
        print(f"\n{news} not present: news_dev skipped")
        return 0
    rows = [json.loads(line) for line in news.read_text().splitlines()[:limit]]
    kinds: collections.Counter[str] = collections.Counter()
    counts, seconds = [], []
    for row in rows:
        sentences = [s.text for s in Article.from_text(row["article"]).sentences]
        t0 = time.perf_counter()
        found = find_claims(sentences)
        seconds.append(time.perf_counter() - t0)
        counts.append(len(found))
        kinds.update(c.source_kind for c in found)
    mean = statistics.mean(counts)
    print(f"\nnews_dev, first {len(rows)} articles: {mean:.1f} claims per article")
    print(f"  (min {min(counts)}, max {max(counts)}); every one passes the gate by construction")
    print(f"  kinds: {dict(kinds.most_common())}")
    print(f"  seconds per article: median {statistics.median(seconds):.2f}, max {max(seconds):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
