"""A canned OpenAI-compatible server on 127.0.0.1 for the speed benchmarks.

Real HTTP on a real socket, answering every chat completion with the same valid summary of
the seed article (after an optional fixed delay), so that what is measured is this
project's own work: the network and the model are taken out. `variants(n)` gives n
distinct articles (distinct cache keys) that this one summary is still valid for: the seed
article plus one sentence that names its copy.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "gaza-stabilization-force-2025-10-18.txt"
CANNED = ROOT / "tests" / "fixtures" / "handwritten_seed_summary.json"
MODEL = "canned"


def completion_body(content: str | None = None) -> bytes:
    """A chat completion answering `content` (default: the canned summary)."""
    return json.dumps(
        {
            "id": "chatcmpl-canned",
            "object": "chat.completion",
            "created": 0,
            "model": MODEL,
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {
                        "role": "assistant",
                        "content": CANNED.read_text() if content is None else content,
                    },
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
    ).encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # 16 concurrent clients must not be refused


@contextmanager
def canned_server(delay: float = 0.0) -> Iterator[str]:
    """Serve on a free port; yields the base URL (``http://127.0.0.1:PORT/v1``)."""
    body = completion_body()
    # A long article's chunks ask for the lists alone, its overview for the title, TL;DR and
    # summary alone (`chunking`).
    canned = json.loads(CANNED.read_text())
    free = ("title", "tldr", "summary")
    overview = completion_body(json.dumps({k: canned[k] for k in free}))
    findings = completion_body(json.dumps({k: v for k, v in canned.items() if k not in free}))

    posts, lock = [0], threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like a real server
        # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm
        # and the client's delayed ACK add 40 ms to every response.
        disable_nagle_algorithm = True

        def log_message(self, *_: object) -> None:
            pass

        def do_GET(self) -> None:  # how many completions it has answered: GET /stats
            answer = json.dumps({"posts": posts[0]}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def do_POST(self) -> None:
            with lock:
                posts[0] += 1
            request = self.rfile.read(int(self.headers["content-length"]))
            if delay:
                time.sleep(delay)
            compact = request.replace(b" ", b"")
            answer = (
                overview if b'"name":"Overview"' in compact
                else findings if b'"name":"Findings"' in compact
                else body
            )  # fmt: skip
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    httpd = _Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    finally:
        httpd.shutdown()
        httpd.server_close()


def variants(n: int, start: int = 0) -> list[str]:
    """`n` distinct articles the canned summary is valid for (copies `start` + 1 on)."""
    seed = SEED.read_text(encoding="utf-8").rstrip()
    return [f"{seed}\n\nThis is copy {i + 1} of the article." for i in range(start, start + n)]


def print_table(
    title: str, rows: list[tuple[str, ...]], columns: tuple[str, ...] = ("measure", "value")
) -> None:
    """The figures as a table (rich), like every benchmark here."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for i, column in enumerate(columns):
        table.add_column(column, justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*row)
    Console(width=120).print(table)


if __name__ == "__main__":  # a server in a process of its own: python _canned.py DELAY
    import sys

    with canned_server(float(sys.argv[1]) if len(sys.argv) > 1 else 0.0) as url:
        print(url, flush=True)
        threading.Event().wait()
