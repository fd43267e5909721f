"""Benchmark: `summarizer serve` (issue #15's targets).

The service runs as its own process (`summarizer serve`, one uvicorn worker), in front of
the canned OpenAI-compatible server (`_canned.py`); this process is the client.

- overhead on a cache hit: one request at a time, the service's answer time minus
  `Summarizer.asummarize`'s own time for the same cached article (measured in this
  process), p50 and p99 of 1,000 (targets <= 2 ms / <= 10 ms);
- cached requests per second: 32 clients at once for 5 s (target >= 1,000);
- 50 requests at once, distinct articles (no cache), the backend taking 200 ms, 16 at once
  (`-j 16`): wall time against the ideal ceil(50 / 16) x 200 ms (target ratio <= 1.3).

The page's time from paste to brief with a cached article is measured in a real browser by
tests/test_page.py (it prints it; target <= 300 ms).

Run: python benchmarks/service.py
"""

from __future__ import annotations

import asyncio
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _canned import MODEL, canned_server, print_table, variants

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(base_url: str, cache_dir: str, jobs: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "SUMMARIZER_CACHE_DIR": cache_dir, "SUMMARIZER_CONTEXT_WINDOW": "32768",
           "SUMMARIZER_QUEUE": "1000"}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "summarizer.cli", "serve", "--port", str(port),
         "--base-url", base_url, "--model", MODEL, "-j", str(jobs)],
        env=env, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    import httpx2

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx2.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the service did not start")


async def overhead(url: str, base_url: str, cache_dir: str, text: str) -> tuple[float, float]:
    import httpx2

    from summarizer import Summarizer

    direct = Summarizer(base_url=base_url, model=MODEL, cache_dir=cache_dir, context_window=32768)
    await direct.asummarize(text)  # cached by the service's first request, same cache
    own, http = [], []
    async with httpx2.AsyncClient(timeout=30) as client:
        for _ in range(1000):
            t0 = time.perf_counter()
            await direct.asummarize(text)
            own.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            answer = await client.post(f"{url}/v1/summaries", json={"text": text})
            http.append(time.perf_counter() - t0)
            assert answer.status_code == 200
    await direct.aclose()
    added = sorted(h - o for h, o in zip(http, own, strict=True))
    return statistics.median(added) * 1000, added[int(len(added) * 0.99)] * 1000


async def throughput(url: str, text: str, seconds: float = 5.0, clients: int = 32) -> float:
    import httpx2

    done = 0
    stop = time.perf_counter() + seconds
    limits = httpx2.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx2.AsyncClient(timeout=30, limits=limits) as client:

        async def loop() -> None:
            nonlocal done
            while time.perf_counter() < stop:
                answer = await client.post(f"{url}/v1/summaries", json={"text": text})
                assert answer.status_code == 200
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(loop() for _ in range(clients)))
        return done / (time.perf_counter() - started)


async def burst(url: str, texts: list[str]) -> float:
    import httpx2

    limits = httpx2.Limits(max_connections=len(texts))
    async with httpx2.AsyncClient(timeout=60, limits=limits) as client:
        started = time.perf_counter()
        answers = await asyncio.gather(
            *(client.post(f"{url}/v1/summaries", json={"text": t}) for t in texts)
        )
        wall = time.perf_counter() - started
    assert [a.status_code for a in answers] == [200] * len(texts)
    return wall


def main() -> int:
    text = variants(1)[0]
    rows: list[tuple[str, ...]] = []
    with tempfile.TemporaryDirectory() as cache_dir, canned_server() as base_url:
        process, url = start(base_url, cache_dir, jobs=16)
        try:
            import httpx2

            assert httpx2.post(f"{url}/v1/summaries", json={"text": text}, timeout=60).is_success
            p50, p99 = asyncio.run(overhead(url, base_url, cache_dir, text))
            rate = asyncio.run(throughput(url, text))
        finally:
            process.terminate()
            process.wait(timeout=10)
    rows.append(("overhead on a cache hit, p50 / p99 (ms)", f"{p50:.2f} / {p99:.2f}",
                 "<= 2 / <= 10"))  # fmt: skip
    rows.append(("cached requests per second, one worker", f"{rate:,.0f}", ">= 1,000"))
    with tempfile.TemporaryDirectory() as cache_dir, canned_server(0.2) as base_url:
        process, url = start(base_url, cache_dir, jobs=16)
        try:
            texts = variants(52)
            asyncio.run(burst(url, texts[:1]))  # warm: the first article loads what it needs
            wall = asyncio.run(burst(url, texts[2:]))
        finally:
            process.terminate()
            process.wait(timeout=10)
    ideal = math.ceil(50 / 16) * 0.2
    rows.append(("50 at once, backend 200 ms, -j 16: wall / ideal (s)",
                 f"{wall:.2f} / {ideal:.2f} = {wall / ideal:.2f}", "<= 1.3"))  # fmt: skip
    print_table("summarizer serve (one worker, 2 cores)", rows,
                columns=("measure", "figure", "target"))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
