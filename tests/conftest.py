"""Shared fixtures: the seed article, an isolated cache, and a scripted OpenAI-protocol
HTTP server on 127.0.0.1 that injects faults (status codes, delays, dropped connections)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "gaza-stabilization-force-2025-10-18.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's keys, server or cache."""
    import os

    for var in list(os.environ):
        if var.startswith(("OPENAI_", "SUMMARIZER_")):
            monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # no config file
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def completion(
    content: str, *, prompt_tokens: int = 100, completion_tokens: int = 50
) -> dict[str, Any]:
    """A chat-completion response body in the OpenAI format."""
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "test-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


@dataclass
class Reply:
    """One scripted answer: a status and JSON body, after `delay` seconds, or a dropped
    connection (`drop=True`)."""

    status: int = 200
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False


class FaultServer:
    """Answers POSTs with scripted `Reply`s in order; the last one repeats."""

    def __init__(self) -> None:
        self.script: list[Reply] = []
        self.requests: list[dict[str, Any]] = []
        self.models: dict[str, Any] | None = None  # what GET /v1/models answers (else 404)
        # Answers chosen by the request (its JSON body) instead of the script, when set.
        self.respond: Callable[[dict[str, Any]], Reply] | None = None
        self.times: list[float] = []
        self.gets: list[str] = []  # paths of the GET requests (the window probe's /models)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:
                pass

            def do_GET(self) -> None:
                server.gets.append(self.path)
                found = self.path.rstrip("/").endswith("/models") and server.models is not None
                payload = json.dumps(server.models if found else {"error": "not found"}).encode()
                self.send_response(200 if found else 404)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                server.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "json": json.loads(body)}
                )
                server.times.append(time.monotonic())
                if server.respond is not None:
                    reply = server.respond(server.requests[-1]["json"])
                else:
                    reply = server.script.pop(0) if len(server.script) > 1 else server.script[0]
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.drop:
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                payload = json.dumps(
                    reply.body or {"error": {"message": "scripted error"}}
                ).encode()
                self.send_response(reply.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def __enter__(self) -> FaultServer:
        self.thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def write_articles(folder: Path, count: int, width: int = 3) -> Path:
    """`count` distinct articles in `folder` (a{n}.txt, n `width` digits wide): the seed,
    each with a sentence of its own, so each has its own cache key and summary."""
    folder.mkdir(parents=True, exist_ok=True)
    text = SEED.read_text(encoding="utf-8")
    for n in range(count):
        (folder / f"a{n:0{width}}.txt").write_text(f"{text}\n\nUpdate {n}: the talks go on.\n")
    return folder


@pytest.fixture
def fault_server() -> Iterator[FaultServer]:
    with FaultServer() as server:
        yield server


@pytest.fixture
def valid_summary_json() -> str:
    """A hand-written valid summary of the seed article, served by the fault server (it is
    test input for the HTTP layer, not a recording)."""
    return (FIXTURES / "handwritten_seed_summary.json").read_text(encoding="utf-8")


class RedisServer:
    """A real redis-server (Debian's), on a free loopback port, in a folder of its own,
    with nothing saved to disk. `stop()` kills it, as an outage would."""

    def __init__(self, folder: Path) -> None:
        import os
        import shutil

        binary = shutil.which("redis-server")
        if binary is None:
            if os.environ.get("CI") == "true":
                pytest.fail("redis-server is missing: .ci/run installs it")
            pytest.skip("redis-server is not installed (apt-get install redis-server)")
        with socket.socket() as probe:  # a free port (the server binds it a moment later)
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        folder.mkdir(parents=True, exist_ok=True)
        self.binary, self.folder = binary, folder
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.start()

    def start(self) -> None:
        """Start it on its port (again, after `stop`: an outage that ends), and wait until
        it answers."""
        import subprocess

        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def client(self) -> Any:
        import redis

        return redis.Redis.from_url(self.url)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis")
    try:
        yield server
    finally:
        server.stop()
