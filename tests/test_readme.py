"""Every command block of README.md runs as written (#36): each ```sh line through bash
and each ```python block as a script, in a folder of their section's own, with the
installed `summarizer` on PATH and the files the README names (article.txt, articles/,
records.jsonl...) made from seeds/. A command that exits non-zero fails the test; a block
that cannot run here is in `SKIPPED` with the reason, so a new block is run unless
someone says why not.

The backend is a loopback OpenAI-compatible server (`Recorded`) standing in for the
embedded default (and for the Ollama the README names): its answers are the embedded
model's, recorded in cassettes/test_readme/readme.yaml, replayed by request body. A
request the cassette does not hold fails with the command that records it (a changed
prompt, schema or README block changes the requests), with the real model (from 20 s to
minutes an answer on 2 busy cores):

    .venv/bin/python -m pytest tests/test_readme.py --summarizer-record=once -p no:xdist

The Python section's first block also runs on the embedded model itself, with nothing
set up (`-m local_model`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from summarizer.local import model
from tests.conftest import FaultServer, Reply

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SEEDS = ROOT / "seeds"
CASSETTES = ROOT / "cassettes" / "test_readme"
CASSETTE = "readme.yaml"  # in cassettes/test_readme/, as the pytest plugin keeps them
BIN = Path(sys.executable).parent  # the installed `summarizer`, `python`, `pytest`
RECORD = "pytest tests/test_readme.py --summarizer-record=once -p no:xdist"

# What the README runs on that nothing here serves, by how its command starts: why each
# is not run. A command or block not listed runs.
SKIPPED = {
    "make run": "the checkout's own: it installs .venv (as make test, which runs this, "
    "has) and summarizes the seed with the embedded model, as tests/test_local_model.py does",
    "make test": "the suite this test is part of",
    "pip install": "installs from the package index, over the network",
    "export SUMMARIZER_CACHE_URL=redis://cache.internal": "a Redis on another machine "
    "(tests/test_cache.py runs the shared cache against a real redis-server)",
    "ray start --head": "a Ray head that outlives the command, and `ray stop` would end "
    "every Ray on the machine, another test worker's too (tests/test_ray_workers.py runs "
    "one of its own with --block)",
    "summarizer summarize --ray auto": "a Ray cluster (tests/test_ray_workers.py starts a "
    "local one)",
    "summarizer batch submit": "OpenAI's Batch API: a key and OpenAI's servers",
    "summarizer batch status": "OpenAI's Batch API: a key and OpenAI's servers",
    "summarizer batch collect": "the output of a batch OpenAI ran (tests/test_batch_api.py "
    "collects files of the documented format)",
}
# Commands that call no model, run as a new user runs them, without the stand-in: `batch
# prepare` writes requests for OpenAI's Batch API, with no key; asked of the stand-in, as
# the embedded backend asks (`environment`), it would refuse, since a batch line holds a
# whole brief.
NO_MODEL = ("summarizer batch prepare",)
# The addresses of servers the README names, and what stands in for each here.
OLLAMA = "http://localhost:11434/v1"
SERVICE = "localhost:8000"

# The placeholders the README names, as real files: seeds/ (public-domain texts and the
# project's seed article) and the README's own template.
ARTICLE = SEEDS / "gaza-stabilization-force-2025-10-18.txt"
RELEASE = SEEDS / "bls-employment-situation-2021-01.txt"
FILES = {
    "article.txt": ARTICLE,
    "articles/gaza.txt": ARTICLE,
    "articles/q3.txt": RELEASE,
}
SUMMARY = (  # summary.txt, for `check`: each sentence supported, so it exits 0
    "Egypt is expected to lead the force, The Guardian reported, citing diplomats.\n"
    "Indonesia publicly offered to send 20,000 soldiers to Gaza.\n"
)


@dataclass(frozen=True)
class Block:
    section: str
    lang: str
    line: int  # of README.md, where its text starts
    text: str


def blocks() -> list[Block]:
    """The README's fenced blocks, in order, with the section each is in."""
    found: list[Block] = []
    lines: list[str] = []
    section, lang, start = "top", None, 0
    for n, line in enumerate(README.read_text(encoding="utf-8").splitlines(), 1):
        if lang is None and line.startswith("## "):
            section = line[3:].strip()
        elif lang is None and line.startswith("```"):
            lang, start, lines = line[3:].strip(), n + 1, []
        elif lang is not None and line.startswith("```"):
            found.append(Block(section, lang, start, "\n".join(lines) + "\n"))
            lang = None
        elif lang is not None:
            lines.append(line)
    return found


def commands(block: Block) -> list[tuple[int, str]]:
    """A shell block's commands (a line, its continuation lines and its here-document)
    with their README line numbers; not its blank and comment lines."""
    lines, found, i = block.text.splitlines(), [], 0
    while i < len(lines):
        n, text = block.line + i, lines[i]
        i += 1
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        while text.endswith("\\") and i < len(lines):
            text, i = f"{text}\n{lines[i]}", i + 1
        if heredoc := re.search(r"<<-?\s*'?(\w+)'?", text):
            while i < len(lines):
                text, i = f"{text}\n{lines[i]}", i + 1
                if lines[i - 1].strip() == heredoc.group(1):
                    break
        found.append((n, text))
    return found


def skipped(command: str) -> str | None:
    return next((why for start, why in SKIPPED.items() if command.startswith(start)), None)


def sections() -> list[str]:
    return list(dict.fromkeys(b.section for b in blocks() if b.lang in ("sh", "python")))


# -- the stand-in server ------------------------------------------------------------------


class Recorded:
    """An OpenAI-compatible server on loopback whose answers are the embedded model's:
    replayed from its cassette by request body, or (recording) made by the model
    and added to it. Whatever model a request names (the README's `llama3.1` too), the
    default embedded model answers. A request with no recording gets a 400 that says how
    to record it, and is kept in `missed`."""

    def __init__(self, record: bool) -> None:
        from summarizer.testing import make_vcr

        self.missed: list[dict[str, Any]] = []
        self.vcr = make_vcr(CASSETTES, "new_episodes" if record else "none")
        self.server = FaultServer()
        self.server.respond = self.answer
        self.server.models = {"object": "list", "data": [{"id": model.DEFAULT}]}
        self.lock = threading.Lock()  # one at a time: the model decodes one at a time

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def answer(self, body: dict[str, Any]) -> Reply:
        import httpx2
        from vcr.errors import CannotOverwriteExistingCassetteException as NotRecorded

        from summarizer.local.transport import EmbeddedTransport

        asked = {**body, "model": model.DEFAULT}
        with self.lock, httpx2.Client(transport=EmbeddedTransport(), timeout=None) as client:
            try:
                reply = client.post("http://embedded/v1/chat/completions", json=asked)
            except NotRecorded:
                self.missed.append(asked)
                message = f"{CASSETTES / CASSETTE} has no answer to this request: {RECORD}"
                return Reply(400, {"error": {"message": message, "type": "not_recorded"}})
        return Reply(reply.status_code, reply.json())

    def __enter__(self) -> Recorded:
        self.cassette = self.vcr.use_cassette(CASSETTE, allow_playback_repeats=True)
        self.cassette.__enter__()
        self.server.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.__exit__(*exc)
        self.cassette.__exit__(*exc)


# -- running a section --------------------------------------------------------------------


def _write_files(folder: Path) -> None:
    for name, source in FILES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, folder / name)
    (folder / "summary.txt").write_text(SUMMARY, encoding="utf-8")
    rows = [(p.stem, p.read_text(encoding="utf-8")) for p in (ARTICLE, RELEASE)]
    with (folder / "records.jsonl").open("w", encoding="utf-8") as out:
        for slug, text in rows:
            out.write(json.dumps({"slug": slug, "body": text}) + "\n")
    with (folder / "archive.jsonl").open("w", encoding="utf-8") as out:
        for slug, text in rows:
            out.write(json.dumps({"id": slug, "text": text}) + "\n")
    (template,) = [b.text for b in blocks() if b.lang == "jinja"]  # the README's own
    (folder / "briefs").mkdir()
    for name in ("earnings.j2", "earnings.user.j2"):
        (folder / "briefs" / name).write_text(template, encoding="utf-8")


def environment(home: Path, base_url: str | None) -> dict[str, str]:
    """A new user's: no key, no setting, no config file, the installed commands first on
    PATH; with `base_url`, the stand-in server as the backend, asked as the embedded
    backend asks, priced as it is (nothing), with its context window, and time enough to
    record. Without it, the embedded model from the user cache it is assembled in
    (results go elsewhere).

    As the embedded backend asks: its lists chosen by number (`lists = "extract"`, which
    any backend may be told). The answers are a 0.5B model's: asked for the whole brief,
    as a server is by default, it gave no valid summary of the seed (17 errors after 3
    attempts) nor of articles/q3.txt with the README's own prompt."""
    drop = ("OPENAI_", "SUMMARIZER_", "PYTHON", "PYTEST_", "VIRTUAL_ENV", "XDG_CONFIG")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        XDG_CONFIG_HOME=str(home / "config"),
        SUMMARIZER_CACHE_DIR=str(home / "results"),
    )
    if base_url is not None:
        env.pop("SUMMARIZER_CACHE_DIR")
        env.update(
            HOME=str(home),
            XDG_CACHE_HOME=str(home / "cache"),
            SUMMARIZER_BASE_URL=base_url,
            SUMMARIZER_MODEL=model.DEFAULT,
            SUMMARIZER_LISTS="extract",
            SUMMARIZER_PRICE=json.dumps({"input": 0, "output": 0}),
            SUMMARIZER_CONTEXT_WINDOW=str(model.N_CTX),
            SUMMARIZER_TIMEOUT="3600",
            SUMMARIZER_DEADLINE="7200",
        )
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Section:
    """One README section's blocks, run in order in a folder of its own."""

    def __init__(
        self, folder: Path, env: dict[str, str], stand_in: str, plain: dict[str, str]
    ) -> None:
        self.folder, self.env, self.stand_in, self.plain = folder, env, stand_in, plain
        self.port = _free_port()
        self.background: list[subprocess.Popen[bytes]] = []

    def substitute(self, text: str) -> str:
        """The README's servers' addresses, as the stand-ins here listen."""
        text = text.replace(OLLAMA, self.stand_in)
        return text.replace(SERVICE, f"127.0.0.1:{self.port}")

    def shell(self, line: int, command: str) -> None:
        command = self.substitute(command)
        if command.startswith("summarizer serve"):
            self.serve(line, command)
            return
        # curl exits 0 on an HTTP error; here, an error status fails the command
        script = f'curl() {{ command curl --fail-with-body "$@"; }}\n{command}\n'
        run = subprocess.run(
            ["bash", "-o", "pipefail", "-c", script],
            cwd=self.folder, env=self.plain if command.startswith(NO_MODEL) else self.env,
            capture_output=True, text=True, timeout=3600,
        )  # fmt: skip
        assert run.returncode == 0, (
            f"README.md:{line}: `{command}` exited {run.returncode}\n"
            f"stderr: {run.stderr[-3000:]}\nstdout: {run.stdout[-2000:]}"
        )

    def serve(self, line: int, command: str) -> None:
        """A server the README starts: in the background, until the section ends."""
        command = command.split("#")[0].strip()
        log = self.folder.parent / f"serve-{self.port}.log"
        with log.open("wb") as out:
            started = ["bash", "-c", f"exec {command} --port {self.port}"]
            proc = subprocess.Popen(started, cwd=self.folder, env=self.env, stdout=out, stderr=out)
        self.background.append(proc)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                said = log.read_text(errors="replace")
                assert proc.poll() is None, f"README.md:{line}: `{command}` ended: {said}"
                time.sleep(0.1)
        raise AssertionError(f"README.md:{line}: `{command}` did not listen within 60 s")

    def python(self, block: Block) -> None:
        """A Python block as a script; one that opens with `# path.py` is that file
        (written there, then run); one that defines tests is a test file, for the
        `pytest` of the block after it."""
        text = self.substitute(block.text)
        first = text.splitlines()[0]
        name = f"readme_{block.line}.py"
        if re.fullmatch(r"# [\w/]+\.py", first):
            name = first[2:]
        elif re.search(r"^def test_", text, re.M):
            name = f"test_readme_{block.line}.py"
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        run = subprocess.run([str(BIN / "python"), name], cwd=self.folder, env=self.env,
                             capture_output=True, text=True, timeout=3600)  # fmt: skip
        assert run.returncode == 0, (
            f"README.md:{block.line}: the python block exited {run.returncode}\n"
            f"{run.stderr[-3000:]}"
        )

    def close(self) -> None:
        for proc in self.background:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def recorded(request: pytest.FixtureRequest) -> Iterator[Recorded]:
    mode = str(request.config.getoption("--summarizer-record"))
    if mode == "all":  # each section would write the cassette anew, without the others
        pytest.fail(f"to record anew, delete {CASSETTES / CASSETTE} and: {RECORD}")
    if mode == "once" and os.environ.get("PYTEST_XDIST_WORKER"):
        pytest.fail(f"record on one worker, as the cassette is one file: {RECORD}")
    with Recorded(record=mode == "once") as server:
        yield server


@pytest.mark.parametrize("section", sections())
def test_every_readme_command_runs_as_written(
    section: str, recorded: Recorded, tmp_path: Path
) -> None:
    folder = tmp_path / "work"
    folder.mkdir()
    _write_files(folder)
    home = tmp_path / "home"
    env, plain = environment(home, recorded.base_url), environment(home, None)
    running = Section(folder, env, recorded.base_url, plain)
    try:
        for block in (b for b in blocks() if b.section == section):
            if block.lang == "python":
                running.python(block)
            elif block.lang == "sh":
                for line, command in commands(block):
                    if skipped(command) is None:
                        running.shell(line, command)
    finally:
        running.close()
    assert not recorded.missed, f"requests with no recording: {RECORD}"


def test_every_block_is_run_or_skipped_for_a_reason_that_still_applies() -> None:
    """A block in another language than sh and python is data (the template one is a
    file here); every skip names a command the README still has."""
    found = blocks()
    assert {b.lang for b in found} <= {"sh", "python", "jinja"}
    every = [c for b in found if b.lang == "sh" for _, c in commands(b)]
    for start in SKIPPED:
        assert any(c.startswith(start) for c in every), f"SKIPPED[{start!r}] names nothing"
    ran = [c for c in every if skipped(c) is None]
    assert any("summarizer serve" in c for c in ran) and any("curl" in c for c in ran)
    assert any(c.startswith("summarizer summarize") for c in ran)


@pytest.mark.local_model
def test_the_python_section_runs_on_the_embedded_model_with_nothing_set_up(
    tmp_path: Path,
) -> None:
    """#36: its first block was Ollama's, which a new machine does not run (a traceback
    after 9 s). Here it runs on the embedded model itself, on a seed whose first answer
    is valid (one model call: the Gaza seed takes three)."""
    pytest.importorskip("llama_cpp", reason="install summarizer[local]")
    first = next(b for b in blocks() if b.section == "Python" and b.lang == "python")
    assert "Summarizer()" in first.text
    folder = tmp_path / "work"
    folder.mkdir()
    _write_files(folder)
    shutil.copy(SEEDS / "bls-employment-situation-2000-09.txt", folder / "article.txt")
    env = environment(tmp_path / "home", None)
    Section(folder, env, "", env).python(first)
