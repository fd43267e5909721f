"""The service under abuse (#21), on real sockets: prompts that are paths, options past
the operator's caps, a queued client that hangs up, idle connections under a descriptor
limit, settings that cannot be parsed, CORS with tokens, redirects and proxy headers,
and what the service tells a caller. Each test failed before its fix."""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from summarizer import prompts
from summarizer.errors import PromptError
from summarizer.text.memo import bounded
from tests.conftest import FaultServer, Reply, completion
from tests.test_service import serve

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def seed_body(seed_text: str) -> dict[str, Any]:
    from summarizer import Article

    return {"text": Article.from_text(seed_text).text, "published": "2025-10-18"}


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "/etc/passwd", "news-overview", "nope", "news.user.j2"]
)
def test_a_request_names_only_a_prompt_the_service_serves(
    fault_server: FaultServer, tmp_path: Path, seed_body: dict[str, Any], name: str
) -> None:
    with serve(fault_server, tmp_path) as app:
        answer = httpx2.post(f"{app.url}/v1/summaries", timeout=30,
                             json={**seed_body, "options": {"prompt": name}})  # fmt: skip
    assert answer.status_code == 422
    message = answer.json()["error"]["message"]
    assert f"the service serves: {', '.join(prompts.available())}" in message
    assert fault_server.requests == []


def test_prompt_names_are_never_paths() -> None:
    for name in ("../news", "/tmp/x", "a/b", ""):
        with pytest.raises(PromptError):
            prompts.load(name)


def test_options_beyond_the_operators_caps_are_refused(
    fault_server: FaultServer, tmp_path: Path, seed_body: dict[str, Any]
) -> None:
    with serve(fault_server, tmp_path, request_max_reasks=1) as app:
        url = f"{app.url}/v1/summaries"
        reasks = httpx2.post(url, json={**seed_body, "options": {"max_reasks": 10}}, timeout=30)
        deadline = httpx2.post(url, json={**seed_body, "options": {"deadline": 5000}}, timeout=30)
    assert reasks.status_code == 422
    assert reasks.json()["error"]["message"] == (
        "options.max_reasks: at most 1 on this service (asked 10)"
    )
    assert deadline.status_code == 422 and "options.deadline: at most 600" in deadline.text
    assert fault_server.requests == []


def test_new_option_sets_reuse_the_one_client(
    fault_server: FaultServer, tmp_path: Path, seed_body: dict[str, Any], valid_summary_json: str
) -> None:
    """Distinct seeds: no new SDK client, no new window probe for each (#21)."""
    fault_server.script = [Reply(200, completion(valid_summary_json))]
    long_text = "\n\n".join([seed_body["text"]] * 3)  # past 4,096 tokens: the window is asked
    fault_server.models = {"data": [{"id": "m", "max_model_len": 32768}]}
    from summarizer import Summarizer
    from tests.test_service import FAST, Running

    base = Summarizer(base_url=fault_server.base_url, model="m", cache_dir=tmp_path, retry=FAST)
    with Running(base) as app:
        for seed in range(12):
            body = {"text": long_text, "options": {"seed": seed, "max_reasks": 0}}
            answer = httpx2.post(f"{app.url}/v1/summaries", json=body, timeout=30)
            assert answer.status_code == 200, answer.text
    assert len(fault_server.requests) == 12
    assert [p for p in fault_server.gets if p.endswith("/models")] == ["/v1/models"]
    assert len(base.clients._made) == 1  # one loop, one client, shared by every variant


def test_a_queued_request_whose_client_left_never_reaches_the_backend(
    fault_server: FaultServer, tmp_path: Path, seed_body: dict[str, Any], valid_summary_json: str
) -> None:
    fault_server.script = [Reply(200, completion(valid_summary_json), delay=2.0)]
    with serve(fault_server, tmp_path, jobs=1, queue=4) as app:
        first = threading.Thread(
            target=lambda: httpx2.post(f"{app.url}/v1/summaries", json=seed_body, timeout=30)
        )
        first.start()
        time.sleep(0.5)  # the first holds the only job slot
        other = {**seed_body, "title": "Another article, so another cache key"}
        raw = json.dumps(other).encode()
        with socket.create_connection(("127.0.0.1", app.port)) as leaving:
            leaving.sendall(
                b"POST /v1/summaries HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                + f"content-length: {len(raw)}\r\n\r\n".encode()
                + raw
            )
            time.sleep(0.3)  # it is queued
        first.join()
        time.sleep(1.0)  # time for the slot to pass to the queued request, were it run
    assert len(fault_server.requests) == 1


def test_the_checks_memory_is_bounded_by_text_not_entries() -> None:
    calls = []

    @bounded(10_000)
    def measured(text: str) -> str:
        calls.append(text)
        return text.upper()

    for i in range(200):
        measured(f"{i:04d}" + "x" * 996)  # distinct 1,000-character texts
        assert measured.cache_chars() <= 10_000  # type: ignore[attr-defined]
    measured("0199" + "x" * 996)
    assert len(calls) == 200  # the latest is still held
    measured("y" * 5_000)  # larger than a quarter of the budget: answered, not kept
    assert measured.cache_chars() <= 10_000  # type: ignore[attr-defined]


def _serve_process(tmp_path: Path, env: dict[str, str], nofile: int | None = None,
                   args: tuple[str, ...] = ()) -> tuple[subprocess.Popen[bytes], int]:  # fmt: skip
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    base.update(XDG_CONFIG_HOME=str(tmp_path / "config"),
                SUMMARIZER_CACHE_DIR=str(tmp_path / "cache"), **env)  # fmt: skip

    def limit() -> None:
        if nofile is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

    proc = subprocess.Popen(
        [sys.executable, "-m", "summarizer.cli", "serve", "--port", str(port), *args],
        env=base, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "stderr", "wb"),  # noqa: SIM115
        preexec_fn=limit,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx2.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc, port
        except httpx2.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError((tmp_path / "stderr").read_text())


@pytest.fixture
def backend_env(fault_server: FaultServer) -> dict[str, str]:
    return {"OPENAI_BASE_URL": fault_server.base_url, "SUMMARIZER_MODEL": "m",
            "SUMMARIZER_CONTEXT_WINDOW": "32768"}  # fmt: skip


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def idle_sockets() -> Iterator[list[socket.socket]]:
    opened: list[socket.socket] = []
    yield opened
    for s in opened:
        s.close()


def test_idle_connections_under_a_descriptor_limit_leave_the_service_answering(
    tmp_path: Path, backend_env: dict[str, str], idle_sockets: list[socket.socket]
) -> None:
    proc, port = _serve_process(tmp_path, {**backend_env, "SUMMARIZER_HEAD_TIMEOUT": "2"},
                                nofile=256)  # fmt: skip
    try:
        for _ in range(300):  # never send a byte
            idle_sockets.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        time.sleep(0.5)
        started = time.perf_counter()
        health = httpx2.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
        took = time.perf_counter() - started
        said = (tmp_path / "stderr").read_text()[-3000:]
        # Answered while the idle connections still hold their descriptors: well before
        # the 2 s head timeout frees them (0.5 s of it gone already). Not a speed target
        # (0.01 s on a quiet machine, 0.5 s once with CI's tests and a model beside it).
        assert health.status_code == 200 and took < 1.0, (took, said)
        time.sleep(2.5)  # past the head timeout: every idle connection was closed
        open_still = 0
        for s in idle_sockets:
            s.settimeout(0.05)
            try:
                open_still += s.recv(1) != b""
            except ConnectionResetError:
                pass
            except TimeoutError:  # no end of stream: still open
                open_still += 1
        assert open_still == 0
    finally:
        _stop(proc)
    assert (tmp_path / "stderr").stat().st_size < 10_000  # no flood of accept errors


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        ("not json", "tokens: not valid JSON (from SUMMARIZER_TOKENS)"),
        ('[""]', "tokens: each token must be at least 16 characters"),
        ('["short"]', "tokens: each token must be at least 16 characters"),
    ],
)
def test_settings_that_cannot_be_used_fail_at_start_with_one_line(
    tmp_path: Path, tokens: str, expected: str
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    env.update(SUMMARIZER_TOKENS=tokens, XDG_CONFIG_HOME=str(tmp_path))
    run = subprocess.run(
        [sys.executable, "-m", "summarizer.cli", "serve", "--host", "0.0.0.0", "--port", "9"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 2
    (line,) = run.stderr.splitlines()
    assert expected in line
    cors = subprocess.run(
        [sys.executable, "-m", "summarizer.cli", "backends"],
        env={**env, "SUMMARIZER_TOKENS": "[]", "SUMMARIZER_CORS_ORIGINS": "http://x"},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert cors.returncode == 2
    assert cors.stderr.splitlines() == [
        "summarizer: cors_origins: not valid JSON (from SUMMARIZER_CORS_ORIGINS); give a JSON "
        "value, e.g. SUMMARIZER_CORS_ORIGINS='[\"...\"]'"
    ]


def test_cors_preflight_and_errors_reach_an_allowed_origin_with_tokens(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    origin = "https://newsroom.example"
    token = "a-long-secret-token-1234"
    with serve(fault_server, tmp_path, tokens=[token], cors_origins=[origin]) as app:
        preflight = httpx2.options(f"{app.url}/v1/summaries", headers={
            "origin": origin, "access-control-request-method": "POST",
            "access-control-request-headers": "authorization,content-type"})  # fmt: skip
        refused = httpx2.get(f"{app.url}/healthz", headers={"origin": origin})
        allowed = httpx2.get(f"{app.url}/healthz", headers={
            "origin": origin, "authorization": f"Bearer {token}"})  # fmt: skip
        stranger = httpx2.options(f"{app.url}/v1/summaries", headers={
            "origin": "https://evil.example", "access-control-request-method": "POST"})  # fmt: skip
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == origin
    assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == origin
    assert allowed.status_code == 200
    assert "access-control-allow-origin" not in stranger.headers


def test_no_redirect_is_built_from_request_headers(
    tmp_path: Path, backend_env: dict[str, str]
) -> None:
    proc, port = _serve_process(tmp_path, backend_env)
    try:
        answer = httpx2.get(f"http://127.0.0.1:{port}/v1/schema/", follow_redirects=False,
                            headers={"host": "evil.example", "x-forwarded-proto": "https",
                                     "x-forwarded-host": "evil.example"})  # fmt: skip
    finally:
        _stop(proc)
    assert answer.status_code == 404 and "location" not in answer.headers


def test_healthz_and_errors_do_not_tell_a_caller_where_the_backend_is(
    fault_server: FaultServer, tmp_path: Path, seed_body: dict[str, Any]
) -> None:
    fault_server.script = [Reply(503)]
    with serve(fault_server, tmp_path) as app:
        health = httpx2.get(f"{app.url}/healthz")
        failed = httpx2.post(f"{app.url}/v1/summaries", json=seed_body, timeout=60)
    host, port = fault_server.httpd.server_address[:2]
    assert health.json() == {"status": "ok"}
    assert failed.status_code == 502
    message = failed.json()["error"]["message"]
    assert message.startswith("the backend answered HTTP 503"), message
    assert str(port) not in message and str(host) not in message


def test_a_damaged_cache_is_made_anew_by_cache_clear(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from summarizer.cache import DiskCache as ResultCache
    from summarizer.cli import app

    folder = tmp_path / "cache"  # the conftest points SUMMARIZER_CACHE_DIR here
    cache = ResultCache(folder)
    cache.set("k", {"v": 1})
    cache.close()
    (folder / "cache.db").write_bytes(b"this is not a database" * 100)
    info = CliRunner().invoke(app, ["cache", "info"])
    assert "summarizer cache clear" in info.stderr  # the warning says how to fix it
    cleared = CliRunner().invoke(app, ["cache", "clear"])
    assert cleared.exit_code == 0
    assert "could not be read; made a new one" in cleared.stderr
    again = ResultCache(folder)
    assert again.failure is None and len(again) == 0
    again.set("k", {"v": 2})
    assert again.get("k") == {"v": 2}
    again.close()


def test_the_memo_counts_what_it_holds() -> None:
    @bounded(1_000)
    def upper(text: str, *more: str) -> str:
        return text.upper()

    upper("abc")  # key ("abc",): 3 characters and 1 for the tuple; answer 3; 64 overhead
    assert upper.cache_chars() == 71  # type: ignore[attr-defined]
    upper("abc", "de")  # ("abc", "de"): 5 + 2; answer 3; 64
    assert upper.cache_chars() == 71 + 74  # type: ignore[attr-defined]
    upper("abc")  # a hit adds nothing
    assert upper.cache_chars() == 145  # type: ignore[attr-defined]
    upper.cache_clear()  # type: ignore[attr-defined]
    assert upper.cache_chars() == 0  # type: ignore[attr-defined]


def test_the_memo_counts_text_inside_tuples_sets_and_dicts() -> None:
    @bounded(10_000)
    def parts(key: tuple[Any, ...]) -> dict[str, frozenset[Any]]:
        return {"k": frozenset(key)}

    parts(("ab", "cd"))
    # key (("ab", "cd"),): 2 + 2 + 2 for the inner tuple, 1 for the outer; the answer
    # {"k": {"ab", "cd"}}: 1 + (2 + 2 + 2); 64 overhead.
    assert parts.cache_chars() == 7 + 7 + 64  # type: ignore[attr-defined]
    parts((("a" * 10, 3),))
    # key ((("a" * 10, 3),),): 10 + 8 (a number) + 2, + 1, + 1 = 22; the answer, 1 for "k"
    # and 20 + 1 for the set of that tuple = 22; 64 overhead.
    assert parts.cache_chars() == 78 + 22 + 22 + 64  # type: ignore[attr-defined]
