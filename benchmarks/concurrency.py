"""Benchmark: a batch of 64 articles at -j 1, 4, 8 and 16 against a server that takes
200 ms per request.

Runs the CLI's own command in-process (typer's runner: the same code as `summarizer
summarize -j N`, without the interpreter start), cache off, on 64 distinct articles in a
JSON Lines file. The server (benchmarks/_canned.py) answers every request after 200 ms.
Printed per level: wall time; the ideal if only the server's delay counted,
ceil(64 / j) x 200 ms, and the ratio to it (target <= 1.15); then the ideal counting the
client's own work per article too (segmentation, validation, grounding report), which
needs one core under the GIL: max(ceil(64 / j) x (200 ms + own), 64 x own), and the ratio to
that. The first ratio says how fast a batch is; the second, how well it overlaps requests.
Issue #14's target is the first ratio at -j 16: <= 1.3 (it was 3.9 with spaCy's parser).
Run: python benchmarks/concurrency.py
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
TARGET_J16 = 1.3


def main() -> int:
    from typer.testing import CliRunner

    from summarizer import Summarizer
    from summarizer.cli import app

    runner = CliRunner()
    rows: list[tuple[str, ...]] = []
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
            # Counting the client's own work too: each round of requests takes the delay
            # plus that work, and all of it together needs at least one core (the GIL).
            own = own_ms / 1000
            floor = max(math.ceil(ARTICLES / jobs) * (DELAY + own), ARTICLES * own)
            rows.append(
                (
                    f"-j {jobs}",
                    f"{wall:.2f}",
                    f"{ideal:.2f}",
                    f"{wall / ideal:.2f}",
                    f"{floor:.2f}",
                    f"{wall / floor:.2f}",
                )
            )
    print_table(
        f"Batch of {ARTICLES} articles, server delay {DELAY * 1000:.0f} ms, cache off; "
        f"client's own work {own_ms:.0f} ms per article (segmentation included)",
        rows,
        columns=(
            "jobs",
            "wall (s)",
            "ideal: delay only (s)",
            "ratio",
            "ideal with own work (s)",
            "ratio",
        ),
    )
    j16 = float(rows[-1][3])
    verdict = "met" if j16 <= TARGET_J16 else "NOT met"
    print(f"batch at -j 16: {j16:.2f} x the ideal; target <= {TARGET_J16:g}: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
