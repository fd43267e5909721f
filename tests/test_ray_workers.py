"""summarizer.ray_workers and `summarize --ray`: a real local Ray cluster (`ray start
--head` on 127.0.0.1, 2 CPUs: two actors), a loopback server as the model."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SEED, FaultServer, Reply, completion, write_articles

if os.environ.get("CI") == "true":
    import ray  # CI installs the dev extras, Ray among them: missing, the tests fail
else:
    ray = pytest.importorskip("ray", reason="Ray is not installed (the [ray] extra)")


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A Ray head of this module's own on a free loopback port with two CPUs; its address.
    `ray start --block` stops what it started when it is terminated: `ray stop` would stop
    every Ray on the machine, another test worker's cluster among them."""
    binary = shutil.which("ray", path=str(Path(sys.executable).parent))
    assert binary is not None, "ray's command is installed with it"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    head = subprocess.Popen(
        [binary, "start", "--head", "--block", "--node-ip-address", "127.0.0.1", "--port",
         str(port), "--num-cpus", "2", "--include-dashboard", "false", "--disable-usage-stats",
         "--object-store-memory", str(150 * 1024 * 1024)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or head.poll() is not None:
                    raise RuntimeError("the Ray head did not start") from None
                time.sleep(0.2)
        yield f"127.0.0.1:{port}"
    finally:
        head.terminate()
        try:
            head.wait(60)
        except subprocess.TimeoutExpired:
            head.kill()


def test_summarize_on_a_ray_cluster_from_the_command_line(
    cluster: str, fault_server: FaultServer, valid_summary_json: str, tmp_path: Path
) -> None:
    """Twelve articles and an unreadable one, two actors: results in input order on stdout,
    the failure in its place, one model call each; then -o with resume."""
    fault_server.script = [Reply(200, completion(valid_summary_json), delay=0.1)]
    folder = write_articles(tmp_path / "in", 12, 2)
    (folder / "a05.txt").write_text("   \n")  # empty: a failure of its own
    command = [sys.executable, "-m", "summarizer.cli", "summarize", str(folder), "--ray", cluster,
               "-j", "4", "--base-url", fault_server.base_url, "--model", "m",
               "--context-window", "32768", "--no-cache"]  # fmt: skip
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    run = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 1, run.stderr  # one article failed
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert [Path(r["input"]["name"]).name for r in rows] == [f"a{n:02}.txt" for n in range(12)]
    assert "error" in rows[5] and all("summary" in r for i, r in enumerate(rows) if i != 5)
    assert len(fault_server.requests) == 11
    assert "a05.txt" in run.stderr and "Traceback" not in run.stderr
    out = tmp_path / "out"
    first = subprocess.run([*command, "-o", str(out)], capture_output=True, text=True, env=env,
                           timeout=600)  # fmt: skip
    assert first.returncode == 1
    (out / "a03.json").unlink()  # as if the run had been interrupted before it
    again = subprocess.run([*command, "-o", str(out)], capture_output=True, text=True, env=env,
                           timeout=600)  # fmt: skip
    assert again.returncode == 1, again.stderr
    assert len(fault_server.requests) == 11 + 11 + 1, again.stderr  # the missing one, made
    assert again.returncode == 1 and len(list(out.glob("*.json"))) == 11


def test_the_python_api_takes_texts_or_a_ray_dataset_and_survives_a_killed_actor(
    cluster: str, fault_server: FaultServer, valid_summary_json: str
) -> None:
    from summarizer import SummaryResult
    from summarizer.article import Article
    from summarizer.ray_workers import Pool, summarize_on_ray
    from summarizer.result import FailedArticle
    from summarizer.settings import Settings

    fault_server.script = [Reply(200, completion(valid_summary_json), delay=0.2)]
    text = SEED.read_text(encoding="utf-8")
    options: dict[str, Any] = {"base_url": fault_server.base_url, "model": "m",
                               "context_window": 32768}  # fmt: skip
    try:
        texts = [f"{text}\n\nUpdate {n}." for n in range(6)]
        # An empty text and a row with no text are failures in their places, not the end
        # of the run.
        inputs = [*texts[:3], "   ", *texts[3:], {"headline": "No text"}]
        found = list(summarize_on_ray(inputs, address=cluster, cache=False, **options))
        assert [r.input.name for r in found if r.input] == [f"[{n}]" for n in range(8)]
        failed = [(r.input.name, r.error.message) for r in found if isinstance(r, FailedArticle)]
        assert failed == [
            ("[3]", "the article text is empty"),
            ("[7]", "expected an Article, a text or a row with a \"text\" column, got a row "
             "with the columns ['headline']"),
        ]  # fmt: skip
        results = [r for r in found if isinstance(r, SummaryResult)]
        assert len(results) == 6 and len(fault_server.requests) == 6
        rows = ray.data.from_items([{"text": t, "title": f"Copy {n}"} for n, t in
                                    enumerate(texts[:3])])  # fmt: skip
        from_rows = list(summarize_on_ray(rows, address=cluster, cache=False, **options))
        titles = [r.brief.title for r in from_rows if isinstance(r, SummaryResult)]
        assert titles == [r.brief.title for r in results[:3] if isinstance(r, SummaryResult)]

        # The actors killed with articles in flight (their calls sent, their answers 0.2 s
        # away): Ray restarts them and runs those articles again.
        pool = Pool(Settings.load(**options), address=cluster, per_actor=4, cache=False)
        articles = [Article.from_text(f"{text}\n\nCopy {n}.") for n in range(24)]

        def kill_one() -> None:
            while len(fault_server.requests) < 6 + 3 + 4:
                time.sleep(0.02)
            for actor in pool.actors:
                ray.kill(actor, no_restart=False)

        killer = threading.Thread(target=kill_one)
        killer.start()

        async def all_of() -> list[SummaryResult]:
            return await asyncio.gather(*(pool.summarize(a) for a in articles))

        done = asyncio.run(all_of())
        killer.join()
        pool.close()
        assert len(done) == 24 and all(isinstance(r, SummaryResult) for r in done)
        # the articles in flight when their actors died were made again: more calls
        assert len(fault_server.requests) > 6 + 3 + 24
    finally:
        ray.shutdown()


def test_an_actor_given_one_cpu_gives_llama_cpp_one_thread(cluster: str) -> None:
    """#36: each actor started llama.cpp with a thread per core of the machine, though Ray
    gave it one CPU (two actors on two cores timed out). The driver, given no CPUs by Ray,
    goes by its affinity."""
    from summarizer.local.model import usable_cpus

    class Probe:
        def cpus(self) -> int:
            return usable_cpus()

    api: Any = ray  # (its stubs know no remote class's methods)
    api.init(address=cluster, log_to_driver=False, logging_level="ERROR")
    try:
        actor = api.remote(num_cpus=1)(Probe).remote()  # as `Pool` makes each actor
        assert api.get(actor.cpus.remote()) == 1
        assert usable_cpus() == len(os.sched_getaffinity(0))
    finally:
        api.shutdown()


def test_without_ray_the_flag_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, fault_server: FaultServer
) -> None:
    from typer.testing import CliRunner

    from summarizer.cli import app

    monkeypatch.setitem(sys.modules, "ray", None)  # as if not installed
    run = CliRunner().invoke(app, ["summarize", str(SEED), "--ray", "auto", "--base-url",
                                   fault_server.base_url, "--model", "m"])  # fmt: skip
    assert run.exit_code == 2
    assert "--ray needs Ray: pip install 'grounded-news-summarizer[ray]'" in run.output


def test_a_ray_address_where_nothing_listens_is_one_line_at_once(
    fault_server: FaultServer,
) -> None:
    from typer.testing import CliRunner

    from summarizer.cli import app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"127.0.0.1:{probe.getsockname()[1]}"
    started = time.monotonic()
    run = CliRunner().invoke(app, ["summarize", str(SEED), "--ray", dead, "--base-url",
                                   fault_server.base_url, "--model", "m"])  # fmt: skip
    assert run.exit_code == 2 and time.monotonic() - started < 30
    assert f"--ray {dead}: cannot connect (Connection refused)" in run.output


def test_ray_auto_with_a_stale_cluster_file_is_one_line_at_once(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    """#36: the address an earlier cluster left in Ray's temp folder (ray_current_cluster),
    nothing listening there any more: Ray retried "Failed to connect to GCS" for over 10
    minutes, and under -q nothing was said. (`auto` takes a cluster running here over the
    file when there is one, this module's or anyone's: the command runs as if none were.)"""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"127.0.0.1:{probe.getsockname()[1]}"
    (tmp_path / "ray").mkdir()
    (tmp_path / "ray" / "ray_current_cluster").write_text(dead)  # where Ray reads it
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    env.update(RAY_TMPDIR=str(tmp_path), RAY_USAGE_STATS_ENABLED="0")
    alone = ("import ray._private.services as found; none = lambda: []; "
             "none.cache_clear = lambda: None; found.find_gcs_addresses = none; "
             "from summarizer.cli import main; main()")  # fmt: skip
    command = [sys.executable, "-c", alone, "summarize", str(SEED), "-q", "--ray", "auto",
               "--base-url", fault_server.base_url, "--model", "m"]  # fmt: skip
    started = time.monotonic()
    run = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 2 and time.monotonic() - started < 30, run.stderr
    (line,) = run.stderr.splitlines()  # (Ray names this machine's IP for 127.0.0.1)
    assert line.startswith("summarizer: --ray auto: no Ray cluster answers at "), line
    assert line.endswith(
        f":{dead.rpartition(':')[2]} (Connection refused), the address the last `ray start` "
        "here left in Ray's temp folder: start one (ray start --head) or give the address of "
        "one (--ray HOST:PORT)"
    ), line
    assert run.stdout == "" and not fault_server.requests


class _Actor:
    """An actor handle as `Groups` uses one: `summarize.remote(articles)` gives something to
    await (here a task answering each article with its text), and counts the tasks."""

    def __init__(self) -> None:
        self.summarize = self
        self.tasks: list[int] = []

    def remote(self, articles: list[Any]) -> asyncio.Future[list[str]]:
        self.tasks.append(len(articles))

        async def answer() -> list[str]:
            return [a.text for a in articles]

        return asyncio.ensure_future(answer())


def test_articles_started_one_loop_turn_apart_still_go_to_the_actors_in_groups() -> None:
    """A run starts its next article as each result comes in, a turn of the event loop
    apart: they wait up to LINGER for each other (one Ray task each cost the actor about
    3 ms an article). A full group for every actor goes at once; an article whose caller
    gave up before it went is not sent."""
    from summarizer.article import Article
    from summarizer.ray_workers import GROUP, Groups

    actors = [_Actor(), _Actor()]
    groups = Groups(actors)

    async def staggered() -> list[str | dict[str, Any]]:
        async def one(n: int) -> str | dict[str, Any]:
            for _ in range(n):
                await asyncio.sleep(0)
            return await groups.put(Article.from_text(f"Article number {n}."))

        return list(await asyncio.gather(*(one(n) for n in range(10))))

    assert asyncio.run(staggered()) == [f"Article number {n}." for n in range(10)]
    assert [a.tasks for a in actors] == [[5], [5]]

    async def full() -> list[list[int]]:
        puts = [asyncio.ensure_future(groups.put(Article.from_text(f"Article {n}.")))
                for n in range(2 * GROUP)]  # fmt: skip
        await asyncio.sleep(0)  # each put has queued its article: the last one sent them
        sent = [list(a.tasks) for a in actors]
        await asyncio.gather(*puts)
        return sent

    assert asyncio.run(full()) == [[5, GROUP], [5, GROUP]]

    async def one_cancelled() -> list[int]:
        kept = asyncio.ensure_future(groups.put(Article.from_text("Kept.")))
        dropped = asyncio.ensure_future(groups.put(Article.from_text("Dropped.")))
        await asyncio.sleep(0)  # both queued, waiting for others
        dropped.cancel()  # its caller gave up (Ctrl-C, a budget): it is not sent
        assert await kept == "Kept."
        return [n for a in actors for n in a.tasks]

    assert sorted(asyncio.run(one_cancelled())) == [1, 5, 5, GROUP, GROUP]
