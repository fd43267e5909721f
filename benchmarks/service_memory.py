"""Benchmark: the service's memory and time under a stream of distinct inputs (#21).

The service runs as its own process (`summarizer serve`) in front of the canned
OpenAI-compatible server (`_canned.py`); its resident memory (VmRSS) is read from /proc.

- distinct large articles to `POST /v1/check`: RSS after a warm-up, then after N more
  (target: < +50 MiB, flat: the checks' memos are bounded by the text they hold);
- distinct per-request option sets (`options.seed`) to `POST /v1/summaries`: RSS and time
  per request against requests without options (targets: < +50 MiB, <= 1.5x the time).

Run: python benchmarks/service_memory.py [--articles 500] [--article-kb 1000] [--options 3000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx2
from _canned import MODEL, SEED, canned_server, print_table, variants
from service import start

MIB = 1024 * 1024


def rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def article_of(n: int, kb: int) -> str:
    """A distinct article of about `kb` kB: the seed's sentences, each numbered with `n`."""
    sentences = [s for s in SEED.read_text().split(". ") if s.strip()]
    out, size, i = [], 0, 0
    while size < kb * 1000:
        line = f"Report {n}-{i} says {sentences[i % len(sentences)].strip()}."
        out.append(line)
        size += len(line) + 1
        i += 1
    return "\n\n".join(" ".join(out[j : j + 5]) for j in range(0, len(out), 5))


def checks(url: str, pid: int, count: int, kb: int) -> list[tuple[str, str]]:
    summary = "Egypt is expected to lead the force. Indonesia offered troops."
    client = httpx2.Client(timeout=300)
    for n in range(5):  # warm-up: models loaded, memos in use
        client.post(f"{url}/v1/check", json={"article": {"text": article_of(-n - 1, kb)},
                                              "summary": summary}).raise_for_status()  # fmt: skip
    before = rss(pid)
    marks = []
    started = time.perf_counter()
    for n in range(count):
        body = {"article": {"text": article_of(n, kb)}, "summary": summary}
        client.post(f"{url}/v1/check", json=body).raise_for_status()
        if (n + 1) % max(1, count // 5) == 0:
            marks.append(f"{(rss(pid) - before) / MIB:+.0f}")
    took = time.perf_counter() - started
    grown = (rss(pid) - before) / MIB
    return [
        (f"{count} distinct {kb} kB articles to /v1/check: RSS growth", f"{grown:+.1f} MiB"),
        ("  along the way (each fifth)", " ".join(marks) + " MiB"),
        ("  time per check", f"{1000 * took / count:.0f} ms"),
        ("  target", "< +50 MiB, flat: " + ("met" if grown < 50 else "NOT met")),
    ]


def options(url: str, pid: int, count: int) -> list[tuple[str, str]]:
    client = httpx2.Client(timeout=60)
    text = SEED.read_text()
    # Both kinds are cache misses, each a model call: distinct articles without options,
    # and one article with distinct options.
    for article in variants(220)[:20]:  # warm-up
        client.post(f"{url}/v1/summaries", json={"text": article}).raise_for_status()
    plain = []
    for article in variants(220)[20:]:
        t = time.perf_counter()
        client.post(f"{url}/v1/summaries", json={"text": article}).raise_for_status()
        plain.append(time.perf_counter() - t)
    before = rss(pid)
    timed = []
    for seed in range(count):
        t = time.perf_counter()
        body = {"text": text, "options": {"seed": seed}}
        client.post(f"{url}/v1/summaries", json=body).raise_for_status()
        timed.append(time.perf_counter() - t)
    grown = (rss(pid) - before) / MIB
    ratio = statistics.median(timed) / statistics.median(plain)
    times = f"{1000 * statistics.median(timed):.1f} / {1000 * statistics.median(plain):.1f} ms"
    verdict = "met" if grown < 50 and ratio <= 1.5 else "NOT met"
    return [
        (f"{count} distinct option sets to /v1/summaries: RSS growth", f"{grown:+.1f} MiB"),
        ("  median time, new options / new article", f"{times} = {ratio:.2f}x"),
        ("  target", f"< +50 MiB and <= 1.5x: {verdict}"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--article-kb", type=int, default=1000)
    parser.add_argument("--options", type=int, default=3000)
    args = parser.parse_args()
    rows: list[tuple[str, str]] = []
    with canned_server() as base_url, tempfile.TemporaryDirectory() as cache_dir:
        os.environ["SUMMARIZER_MAX_REQUEST_BYTES"] = str(4 * args.article_kb * 1000)
        process, url = start(base_url, cache_dir, jobs=1)
        try:
            rows += checks(url, process.pid, args.articles, args.article_kb)
            rows += options(url, process.pid, args.options)
        finally:
            process.terminate()
            process.wait(timeout=30)
    print_table(f"service memory (model {MODEL}, {os.cpu_count()} cores)", rows)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
