"""Benchmark: check time on the built-in brief, this checkout against an earlier commit.

Times, on the seed's hand-written answer (tests/fixtures/handwritten_seed_summary.json):
validation with every grounding check (`ArticleSummary.model_validate_json` inside the
article's scope) and the grounding report of it. Each side runs in its own process, the
two alternately (`--runs` each), so that a slower minute of a shared machine falls on
both; each run prints the median of 15 batches of 200 calls. The figure compared is the
fastest run of each side (the least disturbed), with the medians beside it.

Run: python benchmarks/check_time.py [--against bc9f776] [--runs 6]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = "seeds/gaza-stabilization-force-2025-10-18.txt"
ANSWER = "tests/fixtures/handwritten_seed_summary.json"


def measure(root: Path) -> tuple[float, float]:
    """(validation, report) in ms per call, median of 15 batches, for the code at `root`."""
    import time

    sys.path.insert(0, str(root))
    from summarizer.article import Article
    from summarizer.checks import report
    from summarizer.checks.scope import article_scope
    from summarizer.schema import ArticleSummary

    # The report's entry point before briefs were generic was `ground_summary`.
    ground = getattr(report, "ground_brief", None) or report.ground_summary  # type: ignore[attr-defined]
    text = (root / SEED).read_text(encoding="utf-8")
    sentences = [s.text for s in Article.from_text(text).sentences]
    answer = (root / ANSWER).read_text(encoding="utf-8")

    def validate() -> ArticleSummary:
        with article_scope(sentences):
            return ArticleSummary.model_validate_json(answer)

    brief = validate()
    for _ in range(200):  # warm the memos and caches, as a running service has them
        validate()
        ground(brief, sentences)
    v, r = [], []
    for _ in range(15):
        t = time.perf_counter()
        for _ in range(200):
            validate()
        v.append((time.perf_counter() - t) / 200 * 1000)
        t = time.perf_counter()
        for _ in range(200):
            ground(brief, sentences)
        r.append((time.perf_counter() - t) / 200 * 1000)
    return statistics.median(v), statistics.median(r)


def _run(root: Path) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", str(root)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[0]), float(out[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="bc9f776", help="the commit to compare with")
    parser.add_argument("--runs", type=int, default=6, help="runs of each side")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # one side's run
    args = parser.parse_args()
    if args.measure is not None:
        print(*(f"{x:.4f}" for x in measure(args.measure)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        before = Path(tmp)
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", args.against], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(before)], input=archive, check=True)
        sides: dict[str, list[tuple[float, float]]] = {args.against: [], "now": []}
        for _ in range(args.runs):
            sides[args.against].append(_run(before))
            sides["now"].append(_run(ROOT))
    print(f"check time on the seed's answer, ms per call ({args.runs} runs each, alternately)")
    print(f"{'':>10} {'validation':>22} {'report':>22}")
    fastest = {}
    for name, runs in sides.items():
        v, r = [x[0] for x in runs], [x[1] for x in runs]
        fastest[name] = (min(v), min(r))
        print(
            f"{name:>10} {min(v):>8.3f} (median {statistics.median(v):.3f})"
            f" {min(r):>8.3f} (median {statistics.median(r):.3f})"
        )
    (v0, r0), (v1, r1) = fastest[args.against], fastest["now"]
    print(f"{'change':>10} {(v1 / v0 - 1):>+8.1%} {'':>14}{(r1 / r0 - 1):>+8.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
