"""Benchmark: cache hits, per article from Python and for a warm batch through the CLI.

1. `Summarizer.summarize` on articles already in the cache: median and p95 per article
   (target: median < 5 ms), over 1,000 calls across 200 distinct articles.
2. `summarizer summarize` (a real process, interpreter start included) on a JSON Lines
   file of 1,000 distinct articles whose results are all cached (target: < 3 s). The
   cache is filled first by the same command, cold, whose time is printed too.

The one server (benchmarks/_canned.py) answers the cache misses at once, so the cold
figures are the pipeline's own work. Run: python benchmarks/cache_hit.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _canned import MODEL, canned_server, print_table, variants

API_ARTICLES = 200
API_CALLS = 1000
CLI_ARTICLES = 1000


def cli(args: list[str], env: dict[str, str], out: Path) -> float:
    """Run the installed `summarizer` command; seconds of wall time."""
    exe = Path(sys.executable).with_name("summarizer")
    t0 = time.perf_counter()
    with out.open("w") as f:
        subprocess.run([str(exe), *args], env=env, stdout=f, check=True)
    return time.perf_counter() - t0


def main() -> int:
    from summarizer import Summarizer

    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp, canned_server() as base_url:
        # 1. From Python.
        summarizer = Summarizer(base_url=base_url, model=MODEL, cache_dir=f"{tmp}/api")
        texts = variants(API_ARTICLES)
        t0 = time.perf_counter()
        firsts = [summarizer.summarize(text) for text in texts]
        miss_ms = (time.perf_counter() - t0) / len(texts) * 1000
        times = []
        for i in range(API_CALLS):
            t0 = time.perf_counter()
            result = summarizer.summarize(texts[i % API_ARTICLES])
            times.append((time.perf_counter() - t0) * 1000)
            assert result.cache_hit and result.brief == firsts[i % API_ARTICLES].brief
        times.sort()
        rows += [
            ("Python: miss, segmentation and checks included, mean (ms)", f"{miss_ms:.1f}"),
            (
                f"Python: hit, median of {API_CALLS} (ms)  [target < 5]",
                f"{statistics.median(times):.2f}",
            ),
            ("Python: hit, p95 (ms)", f"{times[int(len(times) * 0.95)]:.2f}"),
        ]

        # 2. Through the CLI.
        data = Path(tmp) / "articles.jsonl"
        with data.open("w", encoding="utf-8") as f:
            for i, text in enumerate(variants(CLI_ARTICLES)):
                f.write(json.dumps({"id": f"a{i}", "text": text}) + "\n")
        env = {**os.environ, "SUMMARIZER_CACHE_DIR": f"{tmp}/cli"}
        args = ["summarize", "--base-url", base_url, "--model", MODEL, "-j", "2", str(data)]
        out = Path(tmp) / "out.jsonl"
        cold = cli(args, env, out)
        warm = cli(args, env, out)
        results = [json.loads(line) for line in out.read_text().splitlines()]
        hits = sum(r["provenance"]["cache_hit"] for r in results)
        if len(results) != CLI_ARTICLES or hits != CLI_ARTICLES:
            print(f"warm run: {len(results)} results, {hits} cache hits", file=sys.stderr)
            return 1
        rows += [
            (f"CLI: {CLI_ARTICLES} articles, cold (s)", f"{cold:.1f}"),
            (f"CLI: {CLI_ARTICLES} articles, warm, all hits (s)  [target < 3]", f"{warm:.2f}"),
        ]
    print_table("Cache hits (seed-sized articles, instant server)", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
