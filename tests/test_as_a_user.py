"""The CLI, the API and the service as a user meets them (#20): a real terminal on stderr
with stdout redirected, rows that match their inputs, summaries written one sentence a
line or as bullets, and the small things a first hour runs into. Each test failed before
its fix."""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import pty
import re
import select
import stat
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from summarizer import Summarizer, check
from summarizer.errors import BackendError, BackendTimeout
from summarizer.segment import summary_sentences
from summarizer.settings import RetryPolicy
from tests.conftest import SEED, FaultServer, Reply, completion

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "summarizer.cli"]
FAST = RetryPolicy(max_attempts=2, max_total_s=10, backoff_s=0.01, max_backoff_s=0.02)


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    env["SUMMARIZER_CACHE_DIR"] = str(tmp_path / "cache")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["PYTHONPATH"] = str(ROOT)
    return env


COLUMNS, ROWS = 100, 300  # the terminal's size: tall enough that nothing scrolls away


def _in_terminal(args: list[str], stdout: Path | None, tmp_path: Path) -> tuple[int, str]:
    """Run the CLI with stderr on a pseudo-terminal (so the progress bar shows) and stdout
    redirected to a file, as `summarizer summarize ... > out.jsonl` in a shell does, or on
    the terminal too (`stdout` None). The exit code and what was sent to the terminal."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    with contextlib.ExitStack() as files:
        out = files.enter_context(stdout.open("wb")) if stdout is not None else follower
        proc = subprocess.Popen(
            [*CLI, *args], stdin=subprocess.DEVNULL, stdout=out, stderr=follower,
            env=_env(tmp_path), cwd=tmp_path,
        )  # fmt: skip
    os.close(follower)
    shown = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        elif proc.poll() is not None:
            break
    os.close(leader)
    return proc.wait(timeout=30), shown.decode(errors="replace")


def _screen(shown: str) -> list[str]:
    """What a terminal shows after receiving `shown` (its escape codes carried out): its
    lines, trailing blanks dropped."""
    import pyte

    screen = pyte.Screen(COLUMNS, ROWS)
    stream = pyte.Stream(screen)
    stream.feed(shown.replace("\n", "\r\n"))  # the pty's own output processing (onlcr)
    lines = [line.rstrip() for line in screen.display]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def test_redirected_json_reaches_the_file_when_stderr_is_a_terminal(
    fault_server: FaultServer, valid_summary_json: str, tmp_path: Path
) -> None:
    fault_server.script = [Reply(200, completion(valid_summary_json))]
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text(SEED.read_text())
    out = tmp_path / "summaries.jsonl"
    args = ["summarize", "--base-url", fault_server.base_url, "--model", "m",
            "--context-window", "32768", str(folder)]  # fmt: skip
    code, shown = _in_terminal(args, out, tmp_path)
    assert code == 0, shown
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [Path(r["input"]["name"]).name for r in rows] == ["a.txt", "b.txt"]
    assert '"summary"' not in shown  # the JSON went to the file, not to the screen
    assert "summarized" in shown  # the final table is on the terminal

    one = tmp_path / "result.json"
    code, shown = _in_terminal([*args[:-1], "-f", "json", str(folder / "a.txt")], one, tmp_path)
    assert code == 0, shown
    view = subprocess.run(
        [*CLI, "view", str(one)], env=_env(tmp_path), capture_output=True, text=True, timeout=60
    )
    assert view.returncode == 0, view.stderr
    page = one.with_suffix(".html")
    assert page.stat().st_size > 1000
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(page.stat().st_mode) == 0o666 & ~mask  # not mkstemp's 0600


# The seed's summary with a second sentence the article does not support.
UNSUPPORTED = ("A U.N. Security Council motion is being drafted to give the force robust powers.",
               "Brazil pledged 75,000 troops to the force.")  # fmt: skip


def test_a_brief_on_the_terminal_with_the_progress_bar(
    fault_server: FaultServer, valid_summary_json: str, tmp_path: Path
) -> None:
    """Both stdout and stderr on the terminal: the Markdown began on the progress bar's
    line (and the bar's next refresh erased one of its lines); the warning after a
    paragraph did not say which of its sentences it was about."""
    fault_server.script = [Reply(200, completion(valid_summary_json.replace(*UNSUPPORTED)),
                                 delay=0.5)]  # fmt: skip
    args = ["summarize", "--base-url", fault_server.base_url, "--model", "m", "--policy",
            "flag", "--max-reasks", "0", "--context-window", "32768", "--no-cache",
            str(SEED)]  # fmt: skip
    redirected = tmp_path / "brief.md"
    code, _ = _in_terminal([*args, "-f", "markdown"], redirected, tmp_path)
    assert code == 0
    brief = redirected.read_text().splitlines()
    code, shown = _in_terminal(args, None, tmp_path)  # markdown: stdout is a terminal
    assert code == 0, shown
    screen = _screen(shown)
    first = next(i for i, line in enumerate(screen) if "# Egypt expected to lead" in line)
    assert screen[first] == brief[0]  # on a line of its own
    assert "summarizing" not in "\n".join(screen)  # the bar went, leaving nothing behind
    flat = " ".join("".join(line.ljust(COLUMNS) for line in screen).split())
    for line in brief:  # every line of the brief, none erased or overwritten
        assert " ".join(line.split()) in flat, line
    assert "summarized" in flat  # the final table, after the brief
    summary = next(line for line in brief if line.startswith("**Summary**"))
    assert "**⚠ sentence 2 (\u201cBrazil pledged 75,000 troops to the force.\u201d) unsupported: " \
        "number 75,000 is not in the article" in summary  # fmt: skip


@pytest.mark.parametrize("given", ["folder", "files", "records"])
def test_the_progress_bar_has_the_number_of_articles(
    fault_server: FaultServer, valid_summary_json: str, tmp_path: Path, given: str
) -> None:
    """A folder's or a list of files' count is known before any is read; a file of
    records', once it is read. The bar had no total (it showed the articles seen so far)."""
    fault_server.script = [Reply(200, completion(valid_summary_json), delay=0.4)]
    folder = tmp_path / "articles"
    folder.mkdir()
    text = SEED.read_text()
    for name in ("a.txt", "b.txt", "c.txt"):  # three articles, not one cached for another
        (folder / name).write_text(text.replace("Gaza", f"Gaza ({name})", 1))
    records = tmp_path / "news.jsonl"
    records.write_text("".join(json.dumps({"id": p.stem, "text": p.read_text()}) + "\n\n"
                               for p in sorted(folder.iterdir())))  # fmt: skip
    inputs = {"folder": [str(folder)], "files": [str(p) for p in sorted(folder.iterdir())],
              "records": [str(records)]}[given]  # fmt: skip
    args = ["summarize", "--base-url", fault_server.base_url, "--model", "m",
            "--context-window", "32768", *inputs]  # fmt: skip
    code, shown = _in_terminal(args, tmp_path / "out.jsonl", tmp_path)
    assert code == 0, shown
    plain = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", shown)  # the frames drawn, colours aside
    totals = {total for total in re.findall(r"summarizing\S*\s[^\d]*\d+/(\d+|\?)", plain)}
    # A file of records is counted when read: the first frame may be drawn before.
    assert totals == {"3"} or (given == "records" and totals == {"?", "3"}), shown[-500:]


def test_every_input_has_a_row_with_its_identity_failures_included(
    fault_server: FaultServer, valid_summary_json: str, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from summarizer.cli import app

    fault_server.script = [Reply(200, completion(valid_summary_json))]
    records = tmp_path / "news.jsonl"
    text = SEED.read_text()
    records.write_text(
        json.dumps({"id": "g-1", "text": text, "url": "https://example.org/g"}) + "\n"
        + json.dumps({"id": "g-2", "text": ""}) + "\n"
        + "{not json\n"
    )  # fmt: skip
    args = ["summarize", "--base-url", fault_server.base_url, "--model", "m",
            "--context-window", "32768", str(records)]  # fmt: skip
    result = CliRunner().invoke(app, args)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 3
    assert rows[0]["input"] == {
        "name": f"{records}:1",
        "id": "g-1",
        "title": None,
        "url": "https://example.org/g",
    }
    assert "summary" in rows[0]
    assert rows[1]["input"]["id"] == "g-2" and "empty" in rows[1]["error"]["message"]
    assert rows[2]["input"]["name"] == f"{records}:3" and rows[2]["error"]["type"] == "InputError"
    assert result.exit_code == 1


def test_out_files_honour_the_umask(
    fault_server: FaultServer, valid_summary_json: str, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from summarizer.cli import app

    fault_server.script = [Reply(200, completion(valid_summary_json))]
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["summarize", "--base-url", fault_server.base_url,
                                      "--model", "m", "--context-window", "32768",
                                      "-o", str(out), str(SEED)])  # fmt: skip
    assert result.exit_code == 0, result.output
    (written,) = out.iterdir()
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(written.stat().st_mode) == 0o666 & ~mask


GAZA_HEDGED = "Egypt will lead the force. Indonesia has offered up to 20,000 troops for the force."


@pytest.mark.parametrize(
    "layout",
    [
        GAZA_HEDGED,
        GAZA_HEDGED.replace(". ", ".\n"),
        "- " + GAZA_HEDGED.replace(". ", ".\n- "),
        "* " + GAZA_HEDGED.replace(". ", ".\n* "),
        "1. " + GAZA_HEDGED.replace(". ", ".\n2. "),
    ],
    ids=["one-line", "a-sentence-a-line", "dashes", "stars", "numbered"],
)
def test_check_flags_the_same_sentence_however_the_summary_is_laid_out(layout: str) -> None:
    report = check(SEED.read_text(), layout)
    assert [c.text for c in report.checks] == [
        "Egypt will lead the force.",
        "Indonesia has offered up to 20,000 troops for the force.",
    ]
    first = report.checks[0]
    assert not first.supported and any(e.kind.value == "hedge" for e in first.errors)


def test_a_hard_wrapped_sentence_stays_one_sentence() -> None:
    wrapped = "Egypt is expected to lead the\nforce, diplomats said.\n\n- Indonesia offered troops."
    assert summary_sentences(wrapped) == [
        "Egypt is expected to lead the force, diplomats said.",
        "Indonesia offered troops.",
    ]


def test_check_cli_takes_bullets_and_refuses_markdown(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from summarizer.cli import app

    summary = tmp_path / "s.txt"
    summary.write_text("- " + GAZA_HEDGED.replace(". ", ".\n- "))
    result = CliRunner().invoke(app, ["check", "-a", str(SEED), "-s", str(summary)])
    assert result.exit_code == 1
    assert "NOT" in result.stdout.splitlines()[1] and "Egypt will lead" in result.stdout
    refused = CliRunner().invoke(app, ["check", "-a", str(SEED), "-s", str(summary),
                                       "-f", "markdown"])  # fmt: skip
    assert refused.exit_code == 2


def test_a_missing_input_is_a_usage_error_before_any_work(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from summarizer.cli import app

    args = ["summarize", "--base-url", fault_server.base_url, "--model", "m",
            str(SEED), str(tmp_path / "nope.txt")]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert result.stdout == "" and "nope.txt: no such file" in result.stderr
    assert fault_server.requests == []


def test_top_p_and_seed_reach_the_model(
    fault_server: FaultServer, valid_summary_json: str, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from summarizer.cli import app

    fault_server.script = [Reply(200, completion(valid_summary_json))]
    result = CliRunner().invoke(app, ["summarize", "--base-url", fault_server.base_url,
                                      "--model", "m", "--context-window", "32768",
                                      "--top-p", "0.5", "--seed", "7", str(SEED)])  # fmt: skip
    assert result.exit_code == 0, result.output
    sent = fault_server.requests[0]["json"]
    assert sent["top_p"] == 0.5 and sent["seed"] == 7


def test_a_401_says_what_the_server_said_not_the_sdks_repr(
    fault_server: FaultServer, seed_text: str, tmp_path: Path
) -> None:
    body = {"error": {"message": "Incorrect API key provided: sk-abc.", "type": "auth"}}
    fault_server.script = [Reply(401, body)]
    summarizer = Summarizer(base_url=fault_server.base_url, model="m", retry=FAST,
                            context_window=32768, cache=False)  # fmt: skip
    with summarizer, pytest.raises(BackendError) as caught:
        summarizer.summarize(seed_text)
    message = str(caught.value)
    assert "HTTP 401: Incorrect API key provided: sk-abc. (check the API key)" in message
    assert "Error code" not in message and "{" not in message


def test_the_retry_budget_does_not_cut_the_attempt_timeout(
    fault_server: FaultServer, valid_summary_json: str, seed_text: str
) -> None:
    fault_server.script = [Reply(200, completion(valid_summary_json), delay=1.5)]
    short_budget = RetryPolicy(max_attempts=2, max_total_s=0.5, backoff_s=0.01)
    summarizer = Summarizer(base_url=fault_server.base_url, model="m", retry=short_budget,
                            timeout=5, context_window=32768, cache=False)  # fmt: skip
    with summarizer:
        result = summarizer.summarize(seed_text)
    assert result.provenance.attempts == 1


def test_a_timeout_names_the_bound_that_ended_it(
    fault_server: FaultServer, valid_summary_json: str, seed_text: str
) -> None:
    fault_server.script = [Reply(200, completion(valid_summary_json), delay=3)]
    summarizer = Summarizer(base_url=fault_server.base_url, model="m", timeout=1,
                            deadline=30, cache=False, context_window=32768,
                            retry=RetryPolicy(max_attempts=1))  # fmt: skip
    with summarizer, pytest.raises(BackendTimeout) as caught:
        summarizer.summarize(seed_text)
    assert "no complete answer within 1 s (the request timeout)" in str(caught.value)


def test_the_embedded_backend_does_not_retry_a_timed_out_decode() -> None:
    """A timed-out attempt of the in-process model would only be decoded again, whole."""
    from summarizer.backends import resolve
    from summarizer.client import make_client

    backend = resolve(backend="embedded")
    assert not backend.retries
    client = make_client(backend, RetryPolicy(max_attempts=4), 300)
    transport = client.client._client._transport  # type: ignore[union-attr]
    assert transport.policy.max_attempts == 1
    remote = make_client(resolve(base_url="http://127.0.0.1:9/v1", model="m"), FAST, 5)
    assert remote.client._client._transport.policy.max_attempts == 2  # type: ignore[union-attr]


def test_an_unknown_window_is_warned_of_once_and_not_for_an_unreachable_server(
    fault_server: FaultServer, valid_summary_json: str, caplog: pytest.LogCaptureFixture
) -> None:
    import asyncio

    fault_server.script = [Reply(200, completion(valid_summary_json))]
    long_article = "\n\n".join([SEED.read_text()] * 3)  # more than 4,096 tokens: asks /models

    async def several() -> None:
        made = [Summarizer(base_url=fault_server.base_url, model="m-once", retry=FAST,
                           cache=False) for _ in range(2)]  # fmt: skip
        await asyncio.gather(*(s.asummarize(long_article) for s in made for _ in range(2)),
                             return_exceptions=True)  # fmt: skip
        for s in made:
            await s.aclose()

    with caplog.at_level(logging.WARNING, logger="summarizer"):
        asyncio.run(several())
    warned = [r for r in caplog.records if "context window" in r.getMessage()]
    assert len(warned) == 1
    assert "chunks" in warned[0].getMessage()  # says what it costs

    caplog.clear()
    gone = Summarizer(base_url="http://127.0.0.1:9/v1", model="m-gone", retry=FAST, cache=False)
    with (
        caplog.at_level(logging.WARNING, logger="summarizer"),
        gone,
        pytest.raises(BackendError, match="cannot connect"),
    ):
        gone.summarize(long_article)
    assert not [r for r in caplog.records if "context window" in r.getMessage()]


def test_an_openai_model_name_behind_another_server_gets_its_published_window() -> None:
    from summarizer.budget import openai_window

    assert openai_window("gpt-4o-mini") == 128_000
    assert openai_window(["openai", "gpt-4o"][-1]) == 128_000


def test_an_empty_cache_is_still_a_cache(tmp_path: Path) -> None:
    from summarizer.cache import DiskCache as ResultCache

    cache = ResultCache(tmp_path / "c")
    assert len(cache) == 0 and bool(cache)
    cache.close()
