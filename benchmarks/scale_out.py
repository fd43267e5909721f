"""Benchmark: scale-out (#26). Ray against one process, the shared Redis cache, single flight,
an outage of Redis, and a batch file's round trip.

Everything runs on this machine: a canned OpenAI-compatible server in a process of its
own (benchmarks/_canned.py, 200 ms per answer), a redis-server on a loopback port (Debian's),
and a local Ray cluster (`ray start --head`, 2 CPUs: two actors). Figures printed:

1. 1,000 distinct articles, one process (`batch.run`, the code of `summarize -j N`, cache
   off) at -j 16, 32, 64 and 128; then, in 9 rounds, 1,000 at the best of those -j against
   1,000 on the Ray cluster (`--ray`: two actors, -j 64 each, results back to this process
   in input order), in turns. Every run has articles of its own, and throughput is counted
   from the first article to the last once the workers are warm (spaCy loaded, the actors
   made); the actors' start-up is printed on its own. This machine's speed moves from
   one second to the next (the stage's last row: two processes of pure Python against
   one, with none of our code), so each round compares its own two runs. Target: the
   median round's Ray >= 1.5x one process. Then 1,000 through the Python API
   (`summarize_on_ray`), its actors' start-up counted.
2. The same 1,000 again on Ray with the Redis cache warm (filled by a Ray run): wall time
   and model calls. Target: <= 5 s, 0 calls.
3. 8 `summarizer summarize` processes started at the same instant on one article, one
   Redis: model calls. Target: 1.
4. 300 articles by one `summarize -j 8 -o DIR` process with Redis killed after 60 calls:
   exit code, files written, calls made, warnings. Target: all written once, 1 warning.
5. 100 articles through `batch prepare`, an output file in the documented format made of
   the server's answers, and `batch collect`: results equal to the live ones. Target: 100.

Run: python benchmarks/scale_out.py [--articles 1000] [--rounds 9]
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from subprocess import PIPE
from typing import Any

from _canned import MODEL, ROOT, SEED, print_table, variants

DELAY = 0.2
WARM = 256  # articles run first on each side, not counted: connections, memos, actors
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Services:
    """The canned server, redis-server and a Ray head, each its own process."""

    def __init__(self, folder: Path) -> None:
        self.env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "PYTHONPATH": str(ROOT)}
        self.server = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("_canned.py")), str(DELAY)],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.server.stdout is not None
        self.base_url = self.server.stdout.readline().strip()
        self.redis_port = _free_port()
        self.redis = self._redis(folder)
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        port = _free_port()
        self.ray_address = f"127.0.0.1:{port}"
        # --block: terminated, it stops what it started (`ray stop` would stop every Ray here)
        self.ray = subprocess.Popen(
            [str(BIN / "ray"), "start", "--head", "--block", "--node-ip-address", "127.0.0.1",
             "--port", str(port), "--num-cpus", "2", "--include-dashboard", "false",
             "--disable-usage-stats", "--object-store-memory", str(200 * 2**20)],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self._wait_for(port, "the Ray head")

    def _redis(self, folder: Path) -> subprocess.Popen[bytes]:
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("redis-server is not installed (apt-get install redis-server)")
        process = subprocess.Popen(
            [binary, "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(folder)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        self._wait_for(self.redis_port, "redis-server")
        return process

    @staticmethod
    def _wait_for(port: int, what: str) -> None:
        for _ in range(1200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit(f"{what} did not start")

    def posts(self) -> int:
        with urllib.request.urlopen(self.base_url.removesuffix("/v1") + "/stats") as r:
            return int(json.load(r)["posts"])

    def restart_redis(self, folder: Path) -> None:
        self.redis.kill()
        self.redis.wait()
        self.redis = self._redis(folder)

    def close(self) -> None:
        self.ray.terminate()
        self.ray.wait(60)
        self.redis.kill()
        self.server.kill()


def _items(texts: list[str]) -> list[Any]:
    from summarizer.article import Article
    from summarizer.inputs import Item

    return [Item(name=f"a{n}", stem=f"a{n}", article=Article.from_text(t))
            for n, t in enumerate(texts)]  # fmt: skip


def _run(summarizer: Any, texts: list[str], jobs: int, summarize: Any = None) -> float:
    """Seconds for `batch.run` over `texts` (rendered as JSON Lines, thrown away)."""
    from summarizer.batch import run
    from summarizer.render import to_json

    items = _items(texts)
    started = time.perf_counter()
    stats = run(summarizer, items, render=to_json, suffix=".json", jobs=jobs,
                stdout=io.StringIO(), say=lambda _: None, summarize=summarize)  # fmt: skip
    wall = time.perf_counter() - started
    if len(stats.failed) or stats.done != len(texts):
        raise SystemExit(f"{stats.done} of {len(texts)} done; failed: {stats.failed[:2]}")
    return wall


class Fresh:
    """Articles never run before in this benchmark: a run on articles another already ran
    would find their sentences in the process's memos."""

    def __init__(self) -> None:
        self.used = 0

    def take(self, n: int) -> list[str]:
        self.used += n
        return variants(n, start=self.used - n)


# Pure-Python work (dicts and strings, like the pipeline's) for one second once a line
# comes in: the loops done. A process of its own, started from scratch (not a fork of this
# one, which holds Ray's threads).
SPIN = """
import sys, time
words = ("the quick brown fox jumps over the lazy dog " * 50).split()
print("ready", flush=True)
sys.stdin.readline()
done, until = 0, time.perf_counter() + 1.0
while time.perf_counter() < until:
    seen = {}
    for w in words:
        seen[w] = seen.get(w, 0) + 1
    " ".join(sorted(seen)).upper().split()
    done += 1
print(done, flush=True)
"""


def _loops(processes: int) -> int:
    """Loops `processes` processes do in one second, started at the same instant."""
    runs = [
        subprocess.Popen([sys.executable, "-c", SPIN], stdin=PIPE, stdout=PIPE, text=True)
        for _ in range(processes)
    ]
    for r in runs:
        assert r.stdout is not None and r.stdout.readline() == "ready\n"
    for r in runs:
        assert r.stdin is not None
        r.stdin.write("go\n")
        r.stdin.flush()
    return sum(int(r.communicate(timeout=60)[0]) for r in runs)


def machine_scaling(rounds: int = 12) -> list[float]:
    """What two processes do against one on this machine, with none of our code: the
    ceiling of the Ray figure, and how much it moves from second to second."""
    return [_loops(2) / _loops(1) for _ in range(rounds)]


def one_process_vs_ray(svc: Services, n: int, rounds: int) -> list[tuple[str, ...]]:
    """The -j that does best in one process, then rounds of that against Ray, in turns
    (one process first in odd rounds, Ray first in even ones): the machine's speed drifts
    over seconds, so each round's two runs are compared, and the verdict is their median."""
    from summarizer import Summarizer
    from summarizer.ray_workers import Pool
    from summarizer.settings import Settings

    rows: list[tuple[str, ...]] = []
    options = {"base_url": svc.base_url, "model": MODEL, "context_window": 32768}
    fresh = Fresh()
    best, best_jobs = 0.0, 0
    ratios: list[float] = []
    with Summarizer(cache=False, **options) as one, Summarizer(cache=False, **options) as driver:
        _run(one, fresh.take(WARM), 64)  # spaCy, the client, its connections
        for jobs in (16, 32, 64, 128):
            rate = n / _run(one, fresh.take(n), jobs)
            best, best_jobs = max((best, best_jobs), (rate, jobs))
            rows.append((f"one process, -j {jobs}", f"{n / rate:.1f}", f"{rate:.1f}", ""))
        started = time.perf_counter()
        pool = Pool(Settings.load(**options), address=svc.ray_address, per_actor=64,
                    cache=False)  # fmt: skip
        _run(driver, fresh.take(WARM), pool.slots, pool.summarize)
        rows.append(("Ray: its actors' start-up, warm-up included",
                     f"{time.perf_counter() - started:.1f}", "", ""))  # fmt: skip
        for r in range(rounds):
            sides = [
                ("one", lambda: _run(one, fresh.take(n), best_jobs)),
                ("ray", lambda: _run(driver, fresh.take(n), pool.slots, pool.summarize)),
            ]
            rate = {side: n / run() for side, run in (sides if r % 2 == 0 else sides[::-1])}
            ratios.append(rate["ray"] / rate["one"])
            rows.append((f"round {r + 1}: one process -j {best_jobs} / Ray, "
                         f"{len(pool.actors)} actors x -j 64", "",
                         f"{rate['one']:.1f} / {rate['ray']:.1f}",
                         f"{ratios[-1]:.2f}x"))  # fmt: skip
        pool.close()
    from summarizer import SummaryResult
    from summarizer.ray_workers import summarize_on_ray

    started = time.perf_counter()
    results = list(summarize_on_ray(fresh.take(n), address=svc.ray_address, per_actor=64,
                                    cache=False, **options))  # fmt: skip
    wall = time.perf_counter() - started
    made = sum(isinstance(r, SummaryResult) for r in results)
    rows.append(("Ray through the Python API (summarize_on_ray), actors' start-up included",
                 f"{wall:.1f}", f"{n / wall:.1f}", f"{made} of {n} summarized"))  # fmt: skip
    middle = statistics.median(ratios)
    verdict = "met" if middle >= 1.5 else "NOT met"
    rows.append(("Ray / one process, median of the rounds", "", f"{min(ratios):.2f}x to "
                 f"{max(ratios):.2f}x", f"{middle:.2f}x; >= 1.5x: {verdict}"))  # fmt: skip
    probe = machine_scaling()
    rows.append(("this machine: two processes / one, pure Python (12 rounds of 1 s)", "",
                 f"{min(probe):.2f}x to {max(probe):.2f}x",
                 f"median {statistics.median(probe):.2f}x"))  # fmt: skip
    return rows


def warm_redis(svc: Services, texts: list[str]) -> list[tuple[str, ...]]:
    from summarizer import Summarizer
    from summarizer.ray_workers import Pool
    from summarizer.settings import Settings

    options = {"base_url": svc.base_url, "model": MODEL, "context_window": 32768,
               "cache_url": svc.redis_url}  # fmt: skip
    pool = Pool(Settings.load(**options), address=svc.ray_address, per_actor=64)
    with Summarizer(**options) as driver:
        cold = _run(driver, texts, pool.slots, pool.summarize)
        before = svc.posts()
        wall = _run(driver, texts, pool.slots, pool.summarize)
        calls = svc.posts() - before
    pool.close()
    pool.ray.shutdown()  # this process leaves the cluster: the stages after it use none
    verdict = "met" if wall <= 5 and calls == 0 else "NOT met"
    return [("Ray, cold Redis (fills it)", f"{cold:.1f}", "", ""),
            ("Ray, warm Redis", f"{wall:.1f}", f"{calls} model calls",
             f"<= 5 s, 0 calls: {verdict}")]  # fmt: skip


def single_flight(svc: Services, folder: Path) -> list[tuple[str, ...]]:
    article = folder / "one.txt"
    article.write_text(SEED.read_text(encoding="utf-8") + "\n\nSingle flight.\n")
    env = {**svc.env, "SUMMARIZER_CACHE_URL": svc.redis_url}
    command = [sys.executable, "-m", "summarizer.cli", "summarize", str(article), "--base-url",
               svc.base_url, "--model", MODEL, "--context-window", "32768"]  # fmt: skip
    before = svc.posts()
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL) for _ in range(8)]  # fmt: skip
    codes = [r.wait() for r in runs]
    calls = svc.posts() - before
    verdict = "met" if calls == 1 and codes == [0] * 8 else "NOT met"
    return [("8 processes, one article, one Redis", "", f"{calls} model call(s)",
             f"exit codes {set(codes)}; 1 call: {verdict}")]  # fmt: skip


def redis_outage(svc: Services, folder: Path) -> list[tuple[str, ...]]:
    articles = folder / "outage.jsonl"
    with articles.open("w") as f:
        for n, text in enumerate(variants(300)):
            f.write(json.dumps({"id": f"o{n}", "text": text + " Outage."}) + "\n")
    out = folder / "outage"
    env = {**svc.env, "SUMMARIZER_CACHE_URL": svc.redis_url}
    before = svc.posts()
    run = subprocess.Popen(
        [sys.executable, "-m", "summarizer.cli", "summarize", str(articles), "-j", "8",
         "--base-url", svc.base_url, "--model", MODEL, "--context-window", "32768",
         "-o", str(out)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    while svc.posts() - before < 60 and run.poll() is None:
        time.sleep(0.05)
    svc.redis.kill()
    _, stderr = run.communicate()
    written = len(list(out.glob("*.json")))
    calls = svc.posts() - before
    warnings = sum("going on without it" in line for line in stderr.splitlines())
    ok = run.returncode == 0 and written == 300 and calls == 300 and warnings == 1
    svc.restart_redis(folder)
    said = f"exit {run.returncode}, {warnings} warning(s): {'met' if ok else 'NOT met'}"
    return [("Redis killed after 60 of 300 calls", "", f"{written} written, {calls} calls", said)]


def batch_round_trip(svc: Services, folder: Path) -> list[tuple[str, ...]]:
    from summarizer import Summarizer, batch_api, portal
    from summarizer.batch import run
    from summarizer.render import to_json
    from summarizer.testing import comparable

    os.environ["OPENAI_API_KEY"] = "sk-benchmark"
    options: dict[str, Any] = {"backend": "openai", "base_url": svc.base_url,
                               "model": "gpt-4o-mini", "context_window": 32768}  # fmt: skip
    texts = [t + " Batch." for t in variants(100)]
    requests = folder / "requests.jsonl"
    with Summarizer(cache_dir=str(folder / "c1"), **options) as s:
        portal.run(batch_api.prepare(s, _items(texts), requests))
    lines = [json.loads(line) for line in requests.read_text().splitlines()]
    output = folder / "output.jsonl"
    with output.open("w") as f:  # the server's answer to each request, as the API returns it
        for n, line in enumerate(lines):
            body = json.dumps(line["body"]).encode()
            ask = urllib.request.Request(svc.base_url + "/chat/completions", body,
                                         {"content-type": "application/json"})  # fmt: skip
            with urllib.request.urlopen(ask) as answer:
                f.write(json.dumps({"id": f"batch_req_{n}", "custom_id": line["custom_id"],
                                    "response": {"status_code": 200, "request_id": str(n),
                                                 "body": json.load(answer)},
                                    "error": None}) + "\n")  # fmt: skip
    collected: list[dict[str, Any]] = []
    with Summarizer(cache_dir=str(folder / "c2"), **options) as s:
        entries = batch_api.read_manifest(batch_api.manifest_path(requests))
        collector = batch_api.Collector(
            s, entries, batch_api.Answers.read([output]), True,
            batch_api.FollowUps(folder / "later.jsonl"),
        )  # fmt: skip
        sink = io.StringIO()
        render = functools.partial(to_json, indent=None)  # JSON Lines
        run(s, collector.items(), render=render, suffix=".json", jobs=8, stdout=sink,
            say=lambda _: None, summarize=collector.summarize)  # fmt: skip
        collected = [json.loads(line) for line in sink.getvalue().splitlines()]
    equal = 0
    with Summarizer(cache=False, **options) as live:
        for text, got in zip(texts, collected, strict=True):
            want = comparable(live.summarize(text))
            equal += all(got[k] == want[k] for k in ("summary", "grounding", "corrections"))
    verdict = "met" if equal == 100 else "NOT met"
    return [("batch prepare -> collect, 100 articles", "", f"{equal} equal to live",
             f"100: {verdict}")]  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=9, help="one process against Ray")
    args = parser.parse_args()
    texts = variants(args.articles)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        svc = Services(folder)
        rows: list[tuple[str, ...]] = []
        try:
            for stage in (lambda: one_process_vs_ray(svc, args.articles, args.rounds),
                          lambda: warm_redis(svc, texts), lambda: single_flight(svc, folder),
                          lambda: redis_outage(svc, folder),
                          lambda: batch_round_trip(svc, folder)):  # fmt: skip
                rows += stage()
                print(*rows[-1], sep=" | ", file=sys.stderr, flush=True)
        finally:
            svc.close()
    print_table(
        f"Scale-out on {os.cpu_count()} cores: {args.articles} articles, server "
        f"{DELAY * 1000:.0f} ms",
        rows,
        columns=("run", "seconds", "articles/s or count", "target"),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
