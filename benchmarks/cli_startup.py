"""Benchmark: how long `summarizer --help` (and a command's or a group's help) takes to
start, this checkout against an earlier commit.

Each run is a new process, as a shell starts it: `summarizer.cli.main` with the given
arguments, the code of one side first on its path (the other side's tree is `git archive`d
into a temporary folder). The two sides run alternately, so that a busier moment of a
shared machine falls on both; the figure judged is the fastest run (the least disturbed),
with the median beside it. Target: `summarizer --help` <= 0.15 s (#36).

Run: python benchmarks/cli_startup.py [--against db6156d] [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _canned import print_table

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 0.15
COMMANDS = (["--help"], ["batch", "--help"], ["summarize", "--help"])
MAIN = "import sys; sys.argv[0] = 'summarizer'; from summarizer.cli import main; main()"


def started(root: Path, args: list[str], folder: Path) -> float:
    """Seconds from start to exit of `summarizer ARGS` run from the code at `root`."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", MAIN, *args], env=env, cwd=folder, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - t


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="db6156d", help="the commit to compare with")
    parser.add_argument("--runs", type=int, default=20, help="runs of each side and command")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        before, empty = Path(tmp) / "before", Path(tmp) / "cwd"
        before.mkdir()
        empty.mkdir()  # the working folder: not on either side's path
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", args.against], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(before)], input=archive, check=True)
        sides = {args.against: before, "now": ROOT}
        times: dict[tuple[str, str], list[float]] = {}
        for command in COMMANDS:
            for root in sides.values():  # bytecode written, files in the page cache
                started(root, command, empty)
            for _ in range(args.runs):
                for name, root in sides.items():
                    key = (name, " ".join(command))
                    times.setdefault(key, []).append(started(root, command, empty))
    rows = []
    for command in COMMANDS:
        shown = " ".join(command)
        row = [f"summarizer {shown}"]
        for name in sides:
            runs = times[(name, shown)]
            row.append(f"{min(runs):.3f} s (median {statistics.median(runs):.3f})")
        rows.append(tuple(row))
    print_table(
        f"start-up, fastest of {args.runs} runs each, alternately ({os.cpu_count()} cores)",
        rows,
        ("command", args.against, "now"),
    )
    fastest = min(times[("now", "--help")])
    verdict = "met" if fastest <= TARGET_S else "NOT met"
    print(f"summarizer --help: {fastest:.3f} s, target <= {TARGET_S} s: {verdict}")
    return 0 if fastest <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
