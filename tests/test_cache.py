"""The result cache: hits, misses, refresh, bypass, and what the key covers."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from summarizer import Article, Summarizer, SummaryResult, SummaryValidationError, prompts
from summarizer.cache import DiskCache as ResultCache
from tests.conftest import SEED, FaultServer, RedisServer, Reply, completion, write_articles


def make(server: FaultServer, cache_dir: Path, **options: object) -> Summarizer:
    return Summarizer(
        base_url=server.base_url,
        model="test-model",
        cache_dir=str(cache_dir),
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture
def served(fault_server: FaultServer, valid_summary_json: str) -> FaultServer:
    fault_server.script = [Reply(200, completion(valid_summary_json))]
    return fault_server


def test_second_call_is_a_hit_with_no_request(
    served: FaultServer, seed_text: str, tmp_path: Path
) -> None:
    first = make(served, tmp_path).summarize(seed_text)
    second = make(served, tmp_path).summarize(seed_text)  # a new instance: the cache is on disk
    assert len(served.requests) == 1
    assert not first.cache_hit and second.cache_hit
    assert second.brief == first.brief
    assert second.provenance.cache_key == first.provenance.cache_key
    assert second.provenance.attempts == 0


def test_refresh_calls_again_and_no_cache_neither_reads_nor_writes(
    served: FaultServer, seed_text: str, tmp_path: Path
) -> None:
    make(served, tmp_path).summarize(seed_text)
    assert not make(served, tmp_path, refresh=True).summarize(seed_text).cache_hit
    assert len(served.requests) == 2
    make(served, tmp_path / "other", cache=False).summarize(seed_text)
    assert not (tmp_path / "other").exists()


@pytest.mark.parametrize(
    "change",
    [
        {"temperature": 0.7},
        {"top_p": 0.9},
        {"seed": 7},
        {"max_tokens": 900},
        {"model": "other-model"},
        {"response_format": "json_object"},
        {"max_reasks": 1},
    ],
)
def test_key_changes_with_every_parameter(
    served: FaultServer, seed_text: str, tmp_path: Path, change: dict[str, Any]
) -> None:
    base = make(served, tmp_path).summarize(seed_text)
    options: dict[str, Any] = {"model": "test-model", **change}
    other = Summarizer(base_url=served.base_url, cache_dir=str(tmp_path), **options).summarize(
        seed_text
    )
    assert other.provenance.cache_key != base.provenance.cache_key
    assert not other.cache_hit


def test_key_changes_with_base_url_article_and_metadata(
    served: FaultServer, seed_text: str, tmp_path: Path
) -> None:
    s = make(served, tmp_path)
    keys = {
        s.summarize(seed_text).provenance.cache_key,
        s.summarize(seed_text + " Extra.").provenance.cache_key,
        s.summarize(seed_text, title="A title").provenance.cache_key,
    }
    assert len(keys) == 3


def test_editing_a_prompt_template_misses_the_cache(
    served: FaultServer, seed_text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "prompts"
    shutil.copytree(prompts.prompt_dir(), copy)
    monkeypatch.setattr(prompts, "prompt_dir", lambda: copy)
    prompts._load.cache_clear()
    first = make(served, tmp_path / "cache").summarize(seed_text)
    system = copy / "news.system.j2"
    system.write_text(system.read_text() + "\nBe brief.\n")
    prompts._load.cache_clear()
    second = make(served, tmp_path / "cache").summarize(seed_text)
    prompts._load.cache_clear()
    assert not second.cache_hit
    assert first.provenance.cache_key != second.provenance.cache_key
    assert "Be brief." in served.requests[-1]["json"]["messages"][0]["content"]


def test_only_validated_results_are_stored(
    fault_server: FaultServer, seed_text: str, tmp_path: Path
) -> None:
    fault_server.script = [Reply(200, completion('{"title": ""}'))]
    with pytest.raises(SummaryValidationError):
        make(fault_server, tmp_path, max_reasks=0).summarize(seed_text)
    assert len(ResultCache(tmp_path)) == 0


def test_one_shot_summarize_reuses_its_summarizer(
    served: FaultServer, seed_text: str, tmp_path: Path
) -> None:
    from summarizer import summarize

    options = {"base_url": served.base_url, "model": "test-model", "cache_dir": str(tmp_path)}
    assert not summarize(seed_text, **options).cache_hit
    assert summarize(seed_text, **options).cache_hit
    assert len(served.requests) == 1


# -- shared: Redis, single flight, outages -------------------------------------------------


def _store(kind: str, tmp_path: Path, redis_url: str | None) -> dict[str, Any]:
    """A summarizer's cache options for the store `kind`."""
    return {"cache_url": redis_url} if kind == "redis" else {"cache_dir": str(tmp_path / "c")}


def test_a_redis_cache_is_shared_by_every_summarizer_that_names_it(
    served: FaultServer, seed_text: str, redis_server: RedisServer
) -> None:
    options: dict[str, Any] = {
        "base_url": served.base_url,
        "model": "m",
        "cache_url": redis_server.url,
    }
    with Summarizer(**options) as one, Summarizer(**options) as other:
        first, second = one.summarize(seed_text), other.summarize(seed_text)
    assert len(served.requests) == 1 and second.cache_hit and second.brief == first.brief
    keys = redis_server.client().keys("summarizer:*")
    assert keys == [f"summarizer:result:{first.provenance.cache_key}".encode()]  # no claim left
    assert redis_server.client().pttl(keys[0]) == -1  # kept: no time to live was set


def test_a_time_to_live_expires_results(
    served: FaultServer, seed_text: str, redis_server: RedisServer, tmp_path: Path
) -> None:
    with Summarizer(base_url=served.base_url, model="m", cache_url=redis_server.url,
                    cache_ttl=60) as summarizer:  # fmt: skip
        key = summarizer.summarize(seed_text).provenance.cache_key
    assert 0 < redis_server.client().pttl(f"summarizer:result:{key}") <= 60_000
    with Summarizer(base_url=served.base_url, model="m", cache_dir=str(tmp_path / "c"),
                    cache_ttl=0.2) as summarizer:  # fmt: skip
        summarizer.summarize(seed_text)
        time.sleep(0.3)
        assert not summarizer.summarize(seed_text).cache_hit


@pytest.mark.parametrize("kind", ["disk", "redis"])
def test_eight_workers_asking_for_one_article_at_once_make_one_call(
    fault_server: FaultServer,
    valid_summary_json: str,
    seed_text: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    kind: str,
) -> None:
    """Eight summarizers (each its own clients and cache handle, as separate workers would
    have) ask at the same instant; the model answers after 0.5 s. One call is made; the
    other seven wait for its result and return it as a hit."""
    url = request.getfixturevalue("redis_server").url if kind == "redis" else None
    fault_server.script = [Reply(200, completion(valid_summary_json), delay=0.5)]
    workers = [
        Summarizer(base_url=fault_server.base_url, model="m", **_store(kind, tmp_path, url))
        for _ in range(8)
    ]
    start = threading.Barrier(8)

    def work(summarizer: Summarizer) -> SummaryResult:
        start.wait()
        with summarizer:
            return summarizer.summarize(seed_text)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, workers))
    assert len(fault_server.requests) == 1
    assert sorted(r.cache_hit for r in results) == [False] + [True] * 7
    assert all(r.brief == results[0].brief for r in results)


def test_workers_in_separate_processes_share_one_call(
    fault_server: FaultServer, valid_summary_json: str, redis_server: RedisServer,
    tmp_path: Path,
) -> None:  # fmt: skip
    """Four `summarizer summarize` processes, one Redis: one model call between them."""
    fault_server.script = [Reply(200, completion(valid_summary_json), delay=1.0)]
    env = {**os.environ, "SUMMARIZER_CACHE_URL": redis_server.url}
    command = [sys.executable, "-m", "summarizer.cli", "summarize", str(SEED), "--base-url",
               fault_server.base_url, "--model", "m", "-o"]  # fmt: skip
    runs = [
        subprocess.Popen(
            [*command, str(tmp_path / f"out{n}")],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    errors = [run.communicate(timeout=120)[1] for run in runs]
    assert [run.returncode for run in runs] == [0] * 4, errors
    assert len(fault_server.requests) == 1
    assert all(len(list((tmp_path / f"out{n}").glob("*.json"))) == 1 for n in range(4))


@pytest.mark.parametrize("kind", ["disk", "redis"])
def test_a_worker_that_died_holding_an_article_holds_it_one_lease_at_most(
    served: FaultServer, seed_text: str, tmp_path: Path, request: pytest.FixtureRequest,
    kind: str,
) -> None:  # fmt: skip
    url = request.getfixturevalue("redis_server").url if kind == "redis" else None
    with Summarizer(base_url=served.base_url, model="m", **_store(kind, tmp_path, url)) as s:
        key = s.key_of(Article.of(seed_text))
        assert s.cache is not None and s.cache._claim(key, "a dead worker", lease=0.5)
        began = time.monotonic()
        result = s.summarize(seed_text)
    assert not result.cache_hit and len(served.requests) == 1
    assert 0.4 < time.monotonic() - began < 10


def test_a_redis_that_cannot_be_reached_costs_one_warning_not_an_answer(
    served: FaultServer, seed_text: str, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    with Summarizer(base_url=served.base_url, model="m", cache_url=dead) as summarizer:
        results = [summarizer.summarize(seed_text) for _ in range(2)]
    assert [r.cache_hit for r in results] == [False, False] and len(served.requests) == 2
    warned = [r.getMessage() for r in caplog.records if "the cache" in r.getMessage()]
    assert len(warned) == 1 and "going on without it" in warned[0]
    assert warned[0].startswith(f"the cache at {dead} cannot be ")


def test_redis_killed_in_the_middle_of_a_run(
    fault_server: FaultServer, valid_summary_json: str, redis_server: RedisServer,
    tmp_path: Path,
) -> None:  # fmt: skip
    """Twelve articles, two at a time, 0.2 s a call; Redis is killed after the third call.
    The run completes, every article written once, and the outage is one warning line."""
    fault_server.script = [Reply(200, completion(valid_summary_json), delay=0.2)]
    folder = write_articles(tmp_path / "articles", 12, 2)

    def kill_after_three_calls() -> None:
        while len(fault_server.requests) < 3:
            time.sleep(0.02)
        redis_server.stop()

    killer = threading.Thread(target=kill_after_three_calls)
    killer.start()
    run = subprocess.run(
        [sys.executable, "-m", "summarizer.cli", "summarize", str(folder), "--base-url",
         fault_server.base_url, "--model", "m", "-j", "2", "-o", str(tmp_path / "out")],
        env={**os.environ, "SUMMARIZER_CACHE_URL": redis_server.url},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    killer.join()
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in (tmp_path / "out").glob("*.json")) == [
        f"a{n:02}.json" for n in range(12)
    ]
    assert len(fault_server.requests) == 12  # each article made once
    warnings = [line for line in run.stderr.splitlines() if "going on without it" in line]
    assert len(warnings) == 1, run.stderr


def test_a_redis_that_comes_back_is_used_again(
    served: FaultServer, seed_text: str, redis_server: RedisServer,
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Redis stops (a restart, a failover): one warning, the work goes on uncached; once
    it answers again (tried every RETRY_AFTER seconds) results are read and written there."""
    from summarizer.cache import RedisCache

    monkeypatch.setattr(RedisCache, "RETRY_AFTER", 0.3)
    texts = [f"{seed_text}\n\nUpdate {n}." for n in range(4)]
    with Summarizer(base_url=served.base_url, model="m", cache_url=redis_server.url) as s:
        s.summarize(texts[0])
        redis_server.stop()
        s.summarize(texts[1])  # Redis gone: made, not stored
        s.summarize(texts[2])  # still gone, and not yet time to try again: no second warning
        redis_server.start()  # empty: it saved nothing
        time.sleep(0.4)
        made = s.summarize(texts[3])  # tried again: it answers
        again = s.summarize(texts[3])
    assert again.cache_hit and not made.cache_hit and len(served.requests) == 4
    stored = redis_server.client().keys("summarizer:result:*")
    assert stored == [f"summarizer:result:{made.provenance.cache_key}".encode()]
    said = [r.getMessage() for r in caplog.records if "the cache at" in r.getMessage()]
    assert len(said) == 2 and "going on without it" in said[0]
    assert said[1] == f"the cache at {redis_server.url} answers again; using it"


def test_cache_info_and_clear_work_on_redis(
    served: FaultServer, seed_text: str, redis_server: RedisServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from typer.testing import CliRunner

    from summarizer.cli import app

    redis_server.client().set("someone-elses-key", "kept")  # the database may be shared
    with Summarizer(base_url=served.base_url, model="m", cache_url=redis_server.url) as s:
        s.summarize(seed_text)
    monkeypatch.setenv("SUMMARIZER_CACHE_URL", redis_server.url)
    info = CliRunner().invoke(app, ["cache", "info"])
    assert info.exit_code == 0
    assert f"location: {redis_server.url}\nentries: 1\n" in info.output
    cleared = CliRunner().invoke(app, ["cache", "clear"])
    assert cleared.exit_code == 0 and "removed 1 entries" in cleared.output
    assert redis_server.client().get("someone-elses-key") == b"kept"
    redis_server.stop()
    down = CliRunner().invoke(app, ["cache", "info"])
    assert down.exit_code == 1 and f"cannot read the cache at {redis_server.url}" in down.output
    assert "Traceback" not in down.output


def test_a_redis_password_is_never_shown(redis_server: RedisServer) -> None:
    from summarizer.cache import RedisCache

    cache = RedisCache(f"redis://:s3cret@127.0.0.1:{redis_server.port}/2")
    assert cache.location == f"redis://127.0.0.1:{redis_server.port}/2"
    assert "s3cret" not in cache.location


def test_a_cache_url_that_is_not_redis_is_refused() -> None:
    from summarizer import ConfigError

    with pytest.raises(ConfigError, match="cache_url"):
        Summarizer(cache_url="http://127.0.0.1:6379")
