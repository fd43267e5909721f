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
replay fails for that, the report says so and how to re-record.
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
_UNRECORDED = (  # what vcrpy says when a request is not in the cassette (7.x, 8.x)
    "CannotOverwriteExistingCassetteException",
    "Can't overwrite existing cassette",
    "Can't play back this request",
)


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
        assert found == stored, f"the result differs from {self.golden}"

    def close(self) -> None:
        for made in self._made:
            made.close()


def _record_hint(nodeid: str) -> str:
    return f"record it against a real server: pytest --summarizer-record=once '{nodeid}'"


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
        with make_vcr(recording.folder, mode).use_cassette(recording.cassette.name):
            yield recording
    finally:
        recording.close()


_USED = pytest.StashKey[Recording]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A replay that met a request its cassette does not hold: say why that happens and
    how to re-record, under the failure."""
    report: Any = yield
    recording = item.stash.get(_USED, None)
    if (
        recording is not None
        and report.failed
        and any(s in str(report.longrepr) for s in _UNRECORDED)
    ):
        from summarizer import __version__

        report.sections.append((
            "summarizer cassette",
            f"summarizer sent a request that {recording.cassette} does not hold. A change of "
            f"prompt, schema or options changes the request, and so may an upgrade of "
            f"summarizer (now {__version__}): its prompts are part of every request. "
            f"Re-record: pytest --summarizer-record=all '{item.nodeid}'",
        ))  # fmt: skip
    return report  # type: ignore[no-any-return]
