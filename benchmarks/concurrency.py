"""Benchmark: a batch of 64 articles at -j 1, 4, 8 and 16 against a server that takes
200 ms per request.

Runs the CLI's own command in-process (typer's runner: the same code as `summarizer
summarize -j N`, without the interpreter start), cache off, on 64 distinct articles in a
JSON Lines file. The server (benchmarks/_canned.py) answers every request after 200 ms.
Printed per level: wall time; the ideal if only the server's delay counted,
ceil(64 / j) x 200 ms; the ratio (target <= 1.15); and requests in flight at most.

The pipeline's own work per article (spaCy segmentation, validation, grounding report)
runs on the client's cores, so it is printed too: it is what separates the two at high
concurrency. Run: python benchmarks/concurrency.py
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
import time
from pathlib import Path

from _canned import MODEL, canned_server, print_table, variants

ARTICLES = 64
DELAY = 0.2
LEVELS = (1, 4, 8, 16)


def main() -> int:
    from typer.testing import CliRunner

    from summarizer import Summarizer
    from summarizer.cli import app

    runner = CliRunner()
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp, canned_server(DELAY) as base_url:
        data = Path(tmp) / "articles.jsonl"
        with data.open("w", encoding="utf-8") as f:
            for i, text in enumerate(variants(ARTICLES)):
                f.write(json.dumps({"id": f"a{i}", "text": text}) + "\n")
        base = ["summarize", "--no-cache", "--base-url", base_url, "--model", MODEL]

        # The client's own work per article, with no server delay counted: one article,
        # segmentation included, minus the 200 ms the server sleeps.
        local = Summarizer(base_url=base_url, model=MODEL, cache=False)
        local.summarize(variants(1)[0])  # warm up: spaCy and the client load once
        t0 = time.perf_counter()
        for text in variants(8):
            local.summarize(text)
        own_ms = ((time.perf_counter() - t0) / 8 - DELAY) * 1000

        runner.invoke(app, [*base, "-j", "1", str(data)], catch_exceptions=False)  # warm
        for jobs in LEVELS:
            t0 = time.perf_counter()
            result = runner.invoke(app, [*base, "-j", str(jobs), str(data)])
            wall = time.perf_counter() - t0
            lines = [line for line in result.output.splitlines() if line.startswith("{")]
            if result.exit_code != 0 or len(lines) != ARTICLES:
                print(
                    f"-j {jobs}: exit {result.exit_code}, {len(lines)} summaries", file=sys.stderr
                )
                return 1
            ideal = math.ceil(ARTICLES / jobs) * DELAY
            rows.append(
                (
                    f"-j {jobs}: wall (s) / ideal (s) / ratio",
                    f"{wall:.2f} / {ideal:.2f} / {wall / ideal:.2f}",
                )
            )
    rows.append(("client's own work per article, segmentation included (ms)", f"{own_ms:.0f}"))
    rows.append(
        (f"client's own work for {ARTICLES} articles (s)", f"{own_ms * ARTICLES / 1000:.1f}")
    )
    print_table(
        f"Batch of {ARTICLES} articles, server delay {DELAY * 1000:.0f} ms, cache off "
        "[target: ratio <= 1.15]",
        rows,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
