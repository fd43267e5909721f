"""Benchmark: latency of a cache hit for the seed article (the same call again).

Prints the median and p95 over repeated calls of `summarize(text, ...)` once the result
is cached. Uses a canned OpenAI-protocol server on 127.0.0.1 for the single miss.
Run: python benchmarks/cache_hit.py
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "gaza-stabilization-force-2025-10-18.txt"
CANNED = ROOT / "tests" / "fixtures" / "handwritten_seed_summary.json"


def serve() -> ThreadingHTTPServer:
    body = json.dumps(
        {
            "id": "x",
            "object": "chat.completion",
            "created": 0,
            "model": "canned",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": CANNED.read_text()},
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: object) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["content-length"]))
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def main() -> int:
    from summarizer import summarize

    httpd = serve()
    base_url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    text = SEED.read_text()
    with tempfile.TemporaryDirectory() as cache_dir:
        options = {"base_url": base_url, "model": "canned", "cache_dir": cache_dir}
        t0 = time.perf_counter()
        first = summarize(text, **options)
        miss_ms = (time.perf_counter() - t0) * 1000
        times = []
        for _ in range(200):
            t0 = time.perf_counter()
            result = summarize(text, **options)
            times.append((time.perf_counter() - t0) * 1000)
            assert result.cache_hit and result.summary == first.summary
    times.sort()
    rows = [
        ("first call: miss, with spaCy load and segmentation (ms)", f"{miss_ms:.1f}"),
        (f"cache hit, median of {len(times)} calls (ms)", f"{statistics.median(times):.2f}"),
        ("cache hit, p95 (ms)", f"{times[int(len(times) * 0.95)]:.2f}"),
    ]
    for label, value in rows:
        print(f"{label:<58} {value:>8}")
    httpd.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
