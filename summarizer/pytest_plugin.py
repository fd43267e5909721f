"""Test your briefs in CI without network: a pytest plugin (entry point ``pytest11``).

The fixture `summarizer_recording` records a test's model calls once, against a real
server (or the embedded model), and replays them offline ever after::

    def test_earnings_brief(summarizer_recording):
        summarizer = summarizer_recording.summarizer(base_url=..., model=..., prompt=...)
        result = summarizer.summarize(Path("articles/q3.txt").read_text())
        summarizer_recording.assert_golden(result)  # the brief as stored, timing aside

    pytest --summarizer-record=once   # record what is missing (a server must answer)
    pytest                            # replay only: a request not recorded fails

Cassettes go to ``<rootdir>/cassettes/<test module>/<test>.yaml`` (ini option
``summarizer_cassettes`` names another folder), with secrets scrubbed before anything is
written (`testing.SECRET_HEADERS`, a URL's password). It removes what trips a plain
recording: each test gets its own empty result cache (a warm cache records no cassette,
and the test then fails in CI), and the context-window probe (``GET /models``) is
recorded with the rest. A changed prompt, schema or option changes the request; when a
replay fails for that, or its result differs from the golden file, the failure says so in
one line, with the command that records it again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from summarizer.pipeline import Summarizer
    from summarizer.result import SummaryResult

_MODES = ("none", "once", "all")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("summarizer")
    group.addoption(
        "--summarizer-record",
        choices=_MODES,
        default="none",
        help="Record summarizer cassettes: none (replay only) [none], once (what is "
        "missing), all (anew).",
    )
    parser.addini("summarizer_cassettes", "Folder of summarizer cassettes.", default="cassettes")


class Recording:
    """One test's recording: summarizers whose calls go to (or come from) its cassette,
    each with a result cache of the test's own, and its golden file."""

    def __init__(self, folder: Path, name: str, mode: str, nodeid: str, cache: Path) -> None:
        self.folder, self.name, self.mode, self.nodeid = folder, name, mode, nodeid
        self.cassette = folder / f"{name}.yaml"
        self.golden = folder / f"{name}.golden.json"
        self._cache = cache
        self._made: list[Summarizer] = []

    def summarizer(self, **options: Any) -> Summarizer:
        """A `Summarizer` with these options and a result cache of this test's own."""
        from summarizer.pipeline import Summarizer

        options.setdefault("cache_dir", str(self._cache))
        made = Summarizer(**options)
        self._made.append(made)
        return made

    def assert_golden(self, result: SummaryResult) -> None:
        """`result` is the one stored beside the cassette (its brief, corrections,
        grounding and provenance; not its timing or cache key). Recording writes it."""
        from summarizer.testing import comparable

        found = comparable(result)
        if self.mode == "all" or (self.mode == "once" and not self.golden.is_file()):
            self.golden.parent.mkdir(parents=True, exist_ok=True)
            self.golden.write_text(json.dumps(found, indent=2, ensure_ascii=False) + "\n")
            return
        if not self.golden.is_file():
            pytest.fail(f"no golden file at {self.golden}: {_record_hint(self.nodeid)}")
        stored = json.loads(self.golden.read_text())
        if found != stored:
            pytest.fail(self._differs(found, stored), pytrace=False)

    def _differs(self, found: Any, stored: Any) -> str:
        """Where the result and its golden file differ, and how to store the new one: the
        cassette still answers, so no server is needed."""
        where = differences(found, stored)
        first, more = where[0], len(where) - 1
        return (
            f"the result differs from {self.golden} at {first}"
            + (f" (and {more} more)" if more else "")
            + f"; if the new result is right, store it: rm '{self.golden}' && pytest "
            f"--summarizer-record=once '{self.nodeid}' (its cassette replayed; "
            "--summarizer-record=all asks the model anew)"
        )

    def close(self) -> None:
        for made in self._made:
            made.close()


def _record_hint(nodeid: str) -> str:
    return f"record it against a real server: pytest --summarizer-record=once '{nodeid}'"


def differences(found: Any, stored: Any, at: str = "") -> list[str]:
    """Each place where `found` and `stored` (JSON values) differ: its path, and both
    values, shortened."""
    if isinstance(found, dict) and isinstance(stored, dict):
        return [
            d
            for key in [*stored, *(k for k in found if k not in stored)]
            for d in differences(found.get(key), stored.get(key), f"{at}.{key}" if at else key)
        ]
    if isinstance(found, list) and isinstance(stored, list) and len(found) == len(stored):
        return [d for i, pair in enumerate(zip(found, stored, strict=True))
                for d in differences(*pair, f"{at}[{i}]")]  # fmt: skip
    if found == stored:
        return []
    return [f"{at or 'the top'}: {_short(found)} now, {_short(stored)} recorded"]


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


@pytest.fixture
def summarizer_recording(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Recording]:
    """This test's recording (see the module's docstring)."""
    try:
        import vcr  # noqa: F401
    except ImportError:  # pragma: no cover - vcrpy missing
        pytest.fail("summarizer_recording needs vcrpy: install grounded-news-summarizer[testing]")
    from summarizer.testing import make_vcr

    config = request.config
    root = Path(str(config.rootpath)) / str(config.getini("summarizer_cassettes"))
    module = Path(str(request.node.path)).stem
    name = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
    mode = str(config.getoption("--summarizer-record"))
    recording = Recording(root / module, name, mode, request.node.nodeid, tmp_path / "cache")
    if mode == "none" and not recording.cassette.is_file():
        pytest.fail(f"no cassette at {recording.cassette}: {_record_hint(request.node.nodeid)}")
    recording.folder.mkdir(parents=True, exist_ok=True)
    request.node.stash[_USED] = recording
    try:
        rerecord = f"pytest --summarizer-record=all '{request.node.nodeid}'"
        with make_vcr(recording.folder, mode, rerecord).use_cassette(recording.cassette.name):
            yield recording
    finally:
        recording.close()


_USED = pytest.StashKey[Recording]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A replay that sent a request its cassette does not hold fails with that one line
    (`NotRecorded`: which request, why, the command that records it), not the traceback
    of the SDK's connection error it went through."""
    report: Any = yield
    if item.stash.get(_USED, None) is None or not report.failed or call.excinfo is None:
        return report  # type: ignore[no-any-return]
    from summarizer.client import causes
    from summarizer.errors import NotRecorded

    error = next((e for e in causes(call.excinfo.value) if isinstance(e, NotRecorded)), None)
    if error is not None:
        report.longrepr = f"summarizer: {error}"
    return report  # type: ignore[no-any-return]
