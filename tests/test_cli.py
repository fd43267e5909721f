"""The command line, through its real entry point (typer's runner, in-process so the
recorded cassettes replay): inputs of every kind, formats, batches, resume, bad input."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from summarizer.cli import app
from tests.conftest import SEED
from tests.recording import CASSETTES, FIXTURES, load_cases, make_vcr

ROOT = Path(__file__).resolve().parent.parent
EMBEDDED = ["--backend", "embedded", "--no-cache"]
# A recorded case whose answer passes validation (not every recorded answer does: see
# tests/fixtures/).
OK = "embedded-bls-employment-2000-09"
OK_ARTICLE = ROOT / "seeds" / "bls-employment-situation-2000-09.txt"
TXT_CASES = [
    "embedded-gaza",
    "embedded-bls-employment-2000-09",
    "embedded-bls-employment-2021-01",
    "embedded-nasa-holdren-statement",
    "embedded-heinszen-syllabus",
    "embedded-weedin-v-chin-bow",
]


EXPECT = {case["name"]: case["expect"] for case in load_cases()}


def runner() -> CliRunner:
    return CliRunner()


@contextmanager
def replay(*names: str, repeats: bool = False, tmp: Path | None = None) -> Iterator[None]:
    """Replay one cassette, or several merged into one (their recorded interactions)."""
    if len(names) == 1:
        with make_vcr("none").use_cassette(f"{names[0]}.yaml", allow_playback_repeats=repeats):
            yield
        return
    assert tmp is not None
    merged: dict[str, Any] = {"version": 1, "interactions": []}
    for name in names:
        merged["interactions"] += yaml.safe_load((CASSETTES / f"{name}.yaml").read_text())[
            "interactions"
        ]
    path = tmp / "merged.yaml"
    path.write_text(yaml.safe_dump(merged))
    with make_vcr("none").use_cassette(str(path), allow_playback_repeats=repeats):
        yield


def fixture_summary(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text())["summary"]  # type: ignore[no-any-return]


def test_help_and_version() -> None:
    result = runner().invoke(app, ["--help"])
    assert result.exit_code == 0 and "summarize" in result.output
    assert runner().invoke(app, ["--version"]).output.startswith("summarizer ")


HEAVY = ("openai", "instructor", "spacy", "llama_cpp", "pydantic_settings")
LOADED = """
import sys
from summarizer.cli import main
if sys.argv[1:]:
    sys.argv[0] = "summarizer"
    try:
        main()
    except SystemExit:
        pass
print("loaded:", sorted(m for m in {heavy} if m in sys.modules))
"""


@pytest.mark.parametrize(
    ("args", "heavy"),
    [
        ([], HEAVY),  # import summarizer.cli
        (["--help"], HEAVY),
        (["batch", "--help"], HEAVY),
        (["cache", "--help"], HEAVY),
        # Its flags are the settings' (pydantic-settings), but no model is asked.
        (["summarize", "--help"], HEAVY[:-1]),
        (["batch", "prepare", "--help"], HEAVY[:-1]),
    ],
)
def test_help_starts_without_heavy_imports(args: list[str], heavy: tuple[str, ...]) -> None:
    """`summarizer --help` once took 0.07 s; the settings (pydantic-settings, 0.1 s), the
    SDK, instructor or spaCy loaded by a command module at start-up made it 0.3 s."""
    code = LOADED.format(heavy=heavy)
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         check=True, cwd=ROOT)  # fmt: skip
    assert out.stdout.splitlines()[-1] == "loaded: []", out.stdout[-300:]
    if args:
        assert "Usage: summarizer" in out.stdout


def test_one_file_to_json_matches_the_recording() -> None:
    import jsonschema

    with replay(OK):
        result = runner().invoke(app, ["summarize", *EMBEDDED, str(OK_ARTICLE)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    schema = json.loads((ROOT / "schemas" / "SummaryResult.v1.json").read_text())
    jsonschema.validate(data, schema)  # the output is valid against the published schema
    assert data["summary"] == fixture_summary(OK)
    assert data["provenance"]["backend"] == "embedded"
    assert "using the embedded model" in result.stderr


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("markdown", "## Key points"), ("text", "* "), ("json", '"key_points"')],
)
def test_every_output_format(fmt: str, expected: str) -> None:
    with replay(OK):
        result = runner().invoke(app, ["summarize", *EMBEDDED, "-f", fmt, str(OK_ARTICLE)])
    assert result.exit_code == 0
    assert expected in result.stdout
    if fmt == "markdown":
        corrections = json.loads((FIXTURES / f"{OK}.json").read_text())["corrections"]
        assert re.search(r"\[S\d+\]", result.stdout)
        assert ("## Corrections" in result.stdout) is bool(corrections)


def test_stdin() -> None:
    with replay(OK):
        result = runner().invoke(app, ["summarize", *EMBEDDED, "-"], input=OK_ARTICLE.read_text())
    assert result.exit_code == 0
    assert json.loads(result.stdout)["summary"] == fixture_summary(OK)


def test_jsonl_records_with_metadata(tmp_path: Path) -> None:
    source, body = OK_ARTICLE.read_text().split("\n", 1)
    record = {"id": "gaza", "text": body.strip(), "source": source.split(":", 1)[1].strip()}
    records = tmp_path / "articles.jsonl"
    records.write_text(json.dumps(record) + "\n")
    with replay(OK):
        result = runner().invoke(
            app, ["summarize", *EMBEDDED, "-o", str(tmp_path / "out"), str(records)]
        )
    assert result.exit_code == 0, result.output
    written = json.loads((tmp_path / "out" / "gaza.json").read_text())
    assert written["summary"] == fixture_summary(OK)


def test_html_page() -> None:
    page = ROOT / "seeds" / "gaza-stabilization-force-2025-10-18.html"
    with replay("embedded-gaza-html"):
        result = runner().invoke(app, ["summarize", *EMBEDDED, str(page)])
    fixture = json.loads((FIXTURES / "embedded-gaza-html.json").read_text())
    if EXPECT["embedded-gaza-html"] == "error":
        assert result.exit_code == 1 and fixture["error"]["message"] in result.stderr
    else:
        assert result.exit_code == 0
        assert json.loads(result.stdout)["summary"] == fixture["summary"]


def test_folder_batch_to_json_lines(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for seed in (ROOT / "seeds").glob("*.txt"):
        shutil.copy(seed, folder / seed.name)
    with replay(*TXT_CASES, tmp=tmp_path):
        result = runner().invoke(app, ["summarize", *EMBEDDED, "-j", "2", str(folder)])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    outcomes = {n: json.loads((FIXTURES / f"{n}.json").read_text()) for n in TXT_CASES}
    # Which cases end in an error is stated by hand in cases.json, not read off a fixture.
    ok = [outcomes[n] for n in TXT_CASES if EXPECT[n] == "summary"]
    failed = [outcomes[n] for n in TXT_CASES if EXPECT[n] == "error"]

    def key(summary: dict[str, Any]) -> str:
        return json.dumps(summary, sort_keys=True)

    # One row per input, in the folder's (sorted) order, each naming its input; a failed
    # article has a row of its own with the error.
    files = sorted(folder.glob("*.txt"))
    assert [line["input"]["name"] for line in lines] == [str(f) for f in files]
    done = [line for line in lines if "summary" in line]
    assert sorted(key(line["summary"]) for line in done) == sorted(key(o["summary"]) for o in ok)
    errors = [line["error"] for line in lines if "error" in line]
    assert sorted(e["message"] for e in errors) == sorted(o["error"]["message"] for o in failed)
    assert result.exit_code == (1 if failed else 0)
    for outcome in failed:
        assert outcome["error"]["message"] in result.stderr


def test_glob_input(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    shutil.copy(OK_ARTICLE, tmp_path / "sub" / "gaza.txt")
    (tmp_path / "sub" / "notes.csv").write_text("not an article")
    with replay(OK):
        result = runner().invoke(app, ["summarize", *EMBEDDED, str(tmp_path / "**" / "*.txt")])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"] == fixture_summary(OK)


def test_resume_after_interrupt_writes_each_article_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in "abcde":
        shutil.copy(OK_ARTICLE, folder / f"{name}.txt")
    out = tmp_path / "out"
    from summarizer.pipeline import Summarizer

    real = Summarizer.asummarize
    calls = {"n": 0}
    # As in a terminal, even when the tests run in the background with SIGINT ignored.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    request.addfinalizer(lambda: signal.signal(signal.SIGINT, previous))

    async def interrupted(self: Summarizer, article: Any, **kw: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:  # Ctrl-C while the third article is in flight
            await asyncio.sleep(0.3)  # (the second is written meanwhile)
            os.kill(os.getpid(), signal.SIGINT)
            await asyncio.sleep(30)
        return await real(self, article, **kw)

    monkeypatch.setattr(Summarizer, "asummarize", interrupted)
    with replay(OK, repeats=True):
        first = runner().invoke(app, ["summarize", *EMBEDDED, "-o", str(out), str(folder)])
    assert first.exit_code == 130
    assert "run the same command again" in first.stderr
    done_first = sorted(p.name for p in out.iterdir())
    assert done_first == ["a.json", "b.json"]
    assert not list(out.glob(".*tmp"))  # no partial files
    first_written = (out / "a.json").stat().st_mtime_ns

    redone: list[Any] = []

    async def counted(self: Summarizer, article: Any, **kw: Any) -> Any:
        redone.append(article)
        return await real(self, article, **kw)

    monkeypatch.setattr(Summarizer, "asummarize", counted)
    with replay(OK, repeats=True):
        second = runner().invoke(app, ["summarize", *EMBEDDED, "-o", str(out), str(folder)])
    assert second.exit_code == 0, second.output
    assert sorted(p.name for p in out.iterdir()) == [f"{n}.json" for n in "abcde"]
    for path in out.iterdir():
        assert json.loads(path.read_text())["summary"] == fixture_summary(OK)
    assert (out / "a.json").stat().st_mtime_ns == first_written  # not redone
    assert len(redone) == 3  # only c, d and e: a and b were not summarized again


def test_bad_inputs_get_one_line_each_and_exit_1(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02 data")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 au lait. More words here.".encode("latin-1"))
    (tmp_path / "huge.txt").write_text("word " * 1_100_000)
    (tmp_path / "nav.html").write_text("<html><body><nav>Home</nav></body></html>")
    (tmp_path / "report.docx").write_bytes(b"PK\x03\x04 a word document")
    names = ["empty.txt", "binary.txt", "latin1.txt", "huge.txt", "nav.html", "report.docx"]
    result = runner().invoke(app, ["summarize", *EMBEDDED, *[str(tmp_path / n) for n in names]])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if "using the embedded" not in line]
    expected = ["empty", "binary", "not UTF-8", "too long", "no article text", "cannot read .docx"]
    assert len(errors) == len(expected)
    for line, name, reason in zip(errors, names, expected, strict=True):
        assert name in line and reason in line
    assert "Traceback" not in result.output


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert runner().invoke(app, ["summarize", "-f", "yaml", str(OK_ARTICLE)]).exit_code == 2
    url = "http://127.0.0.1:9/v1"
    bad = runner().invoke(app, ["summarize", "--base-url", url, str(OK_ARTICLE)])
    assert bad.exit_code == 2 and "name the model" in bad.stderr


def test_schema_prompts_backends_and_cache_commands(tmp_path: Path) -> None:
    schema = runner().invoke(app, ["schema"])
    assert json.loads(schema.stdout)["title"] == "ArticleSummary"
    assert runner().invoke(app, ["schema", "Nope"]).exit_code == 2
    prompts = runner().invoke(app, ["prompts"]).stdout
    assert "news\tv3" in prompts and "news-base\tv2" in prompts
    backends = runner().invoke(app, ["backends"]).stdout
    assert "would use: embedded model" in backends
    info = runner().invoke(app, ["cache", "info"]).stdout
    assert "entries: 0" in info
    assert runner().invoke(app, ["cache", "clear"]).exit_code == 0


def test_config_file_below_environment_below_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('base_url = "http://127.0.0.1:1/v1"\nmodel = "from-config"\n')
    monkeypatch.setenv("SUMMARIZER_CONFIG", str(config))
    assert "from-config" in runner().invoke(app, ["backends"]).stdout
    monkeypatch.setenv("SUMMARIZER_MODEL", "from-env")
    assert "from-env" in runner().invoke(app, ["backends"]).stdout
    config.write_text("colour = 1\n")
    result = runner().invoke(app, ["backends"])
    assert result.exit_code == 2 and "colour: unknown setting" in result.stderr


def test_check_any_summary(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Egypt is expected to lead the force, The Guardian reported.\n")
    bad = tmp_path / "bad.txt"
    bad.write_text(
        "Indonesia offered 30,000 soldiers. "
        "Indonesia would commit to sending 20,000 soldiers to Gaza, Hamas said.\n"
    )
    ok = runner().invoke(app, ["check", "-a", str(SEED), "-s", str(good)])
    assert ok.exit_code == 0 and ok.stdout.startswith("support ")
    flagged = runner().invoke(app, ["check", "-a", str(SEED), "-s", str(bad), "-f", "json"])
    assert flagged.exit_code == 1
    report = json.loads(flagged.stdout)
    assert report["unsupported_numbers"] == ["30,000"]
    assert any("attributed to Hamas" in p for p in report["checks"][1]["problems"])
    missing = runner().invoke(app, ["check", "-a", str(SEED), "-s", str(tmp_path / "none.txt")])
    assert missing.exit_code == 2 and "no such file" in missing.stderr


def test_eval_writes_reports_with_baselines(tmp_path: Path) -> None:
    dataset = tmp_path / "eval.jsonl"
    reference = (  # written for this test from the article
        "Six people were hurt in an explosion at a chemical plant in Fujian province. "
        "The blast started a huge fire, provincial authorities said."
    )
    article = OK_ARTICLE.read_text()
    dataset.write_text(
        json.dumps({"id": "fujian", "article": article, "reference_summary": [reference]}) + "\n"
    )
    with replay(OK):
        result = runner().invoke(
            app,
            [
                "eval",
                str(dataset),
                "--backend",
                "embedded",
                "--no-cache",
                "--report-dir",
                str(tmp_path / "r"),
            ],
        )
    assert result.exit_code == 0, result.output
    assert "lead-3" in result.stdout and "summarizer" in result.stdout
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    row = report["rows"][0]
    assert row["error"] is None and row["rouge"]["rouge1"] > 0
    assert 0 < row["baselines"]["lead-3"]["rouge1"] <= 100
    assert (tmp_path / "r" / "scores.png").stat().st_size > 1000
    assert "| lead-3 | 1 |" in (tmp_path / "r" / "report.md").read_text()


def test_eval_resumes_from_its_rows_failures_included(tmp_path: Path) -> None:
    dataset = tmp_path / "eval.jsonl"
    articles = {
        "gaza": ROOT / "seeds" / "gaza-stabilization-force-2025-10-18.txt",
        "seisme": ROOT / "tests" / "fixtures" / "foreign" / "fr-wikinews-seisme-chili-2010.txt",
    }
    with dataset.open("w") as f:
        for name, path in articles.items():
            row = {"id": name, "article": path.read_text(), "reference_summary": "A s."}
            f.write(json.dumps(row) + "\n")
    args = ["eval", str(dataset), "--backend", "embedded", "--report-dir", str(tmp_path / "r")]
    with replay("embedded-gaza", "embedded-fr-wikinews-seisme-chili", tmp=tmp_path):
        first = runner().invoke(app, args)
    assert first.exit_code == 1, first.output  # scored, but one article failed
    assert "earlier run" not in first.stderr
    rows = (tmp_path / "r" / "rows.jsonl").read_text().splitlines()
    # The recorded Gaza answer is valid; the French one names an entity its sentences lack.
    assert len(rows) == 2 and "SummaryValidationError" in rows[1]
    assert json.loads(rows[0])["error"] is None
    # No recording at all now: any model call would fail. Both rows come from the first run.
    empty = tmp_path / "empty.yaml"
    empty.write_text(yaml.safe_dump({"version": 1, "interactions": []}))
    with make_vcr("none").use_cassette(str(empty)):
        second = runner().invoke(app, args)
    assert second.exit_code == 1, second.output  # the same failure, resumed
    assert second.stderr.count("(earlier run)") == 2
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert report["summary"]["failures"] == {"failed validation (entities)": 1}
    assert len((tmp_path / "r" / "rows.jsonl").read_text().splitlines()) == 2


def test_a_large_jsonl_is_many_articles_each_under_the_limit(tmp_path: Path) -> None:
    from summarizer.inputs import items

    article = "The council met on Monday. It voted to close the library. " * 40
    path = tmp_path / "many.jsonl"
    with path.open("w") as f:
        for i in range(600):  # about 1.4 MB in all
            f.write(json.dumps({"id": f"a{i}", "text": article}) + "\n")
        f.write(json.dumps({"id": "huge", "text": "word " * 250_000}) + "\n")
    assert path.stat().st_size > 1_000_000
    found = list(items([str(path)]))
    assert len(found) == 601
    assert all(item.article is not None for item in found[:600])
    assert found[600].error is not None and "too long for one article" in found[600].error


def test_the_inputs_count_their_articles_reading_each_file_once(tmp_path: Path) -> None:
    """For the progress bar's total: files and folders at once, a file of records when it
    is read (a broken one is its one row), stdin as one article."""
    from summarizer.inputs import items

    (tmp_path / "d").mkdir()
    for name in ("a.txt", "b.md", "skip.csv"):
        (tmp_path / "d" / name).write_text("The council met on Monday.")
    (tmp_path / "rows.jsonl").write_text('{"text": "One."}\n\n{"text": "Two."}\n{bad\n')
    (tmp_path / "list.json").write_text('[{"text": "One."}, {"text": "Two."}]')
    (tmp_path / "broken.json").write_text("{")
    plain = items([str(tmp_path / "d"), str(tmp_path / "d" / "a.txt"), "-", "missing.txt"])
    assert plain.total == 5
    assert len(list(plain)) == 5
    found = items([str(tmp_path / n) for n in ("rows.jsonl", "list.json", "broken.json")])
    assert found.total is None
    first = next(found)
    assert found.total is None and first.article is not None  # two files not read yet
    rest = list(found)
    assert found.total == 1 + len(rest) == 6


def test_max_reasks_is_validated_and_the_pre_release_name_is_gone(tmp_path: Path) -> None:
    url = "http://127.0.0.1:9/v1"
    bad = runner().invoke(app, ["summarize", "--base-url", url, "--max-reasks", "-1", "x.txt"])
    assert bad.exit_code == 2
    assert "max_reasks: Input should be greater than or equal to 0" in bad.stderr
    old = runner().invoke(app, ["summarize", "--base-url", url, "--max-retries", "1", "x.txt"])
    assert old.exit_code == 2 and "--max-retries" in old.stderr  # no such option
