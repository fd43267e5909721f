"""Recording and replaying HTTP cassettes of real model calls (vcrpy).

The cases are listed in ``cassettes/cases.json``: a name, an article file and the
`Summarizer` options. ``python -m tests.recording`` (or ``make record``) runs every
case against its real backend, writes ``cassettes/<name>.yaml`` with secrets scrubbed,
and writes the result it got to ``tests/fixtures/<name>.json``. The tests replay each
cassette with record mode ``none`` (no network; a request without a recording fails) and
compare the result with that fixture.

    python -m tests.recording                       # every case
    python -m tests.recording embedded-gaza         # one case
    python -m tests.recording --fixtures-only       # replay the cassettes, rewrite
                                                         # the fixtures (after a change to
                                                         # validation, which sends nothing new)

A case's base URL is part of every recorded request, so an openai-compatible case names
the address its server must listen on while recording (see docs/testing.md).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from summarizer import testing

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
FIXTURES = ROOT / "tests" / "fixtures"


def make_vcr(record_mode: str) -> Any:
    """The project's cassettes, as `summarizer.testing.make_vcr` records and replays them."""
    return testing.make_vcr(CASSETTES, record_mode, rerecord="make record")


def load_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads((CASSETTES / "cases.json").read_text())
    return cases


expected = testing.comparable  # the part of a result a replay must reproduce


def run_case(case: dict[str, Any]) -> dict[str, Any]:
    """Run one case with the cache off; the outcome as fixture data (result or error)."""
    from summarizer.errors import SummarizerError
    from summarizer.inputs import items
    from summarizer.pipeline import Summarizer

    options = {**case.get("options", {}), "cache": False}
    summarizer = Summarizer(**options)
    (item,) = items([str(ROOT / case["article"])])  # read as the CLI reads it
    assert item.article is not None, item.error
    try:
        return expected(summarizer.summarize(item.article))
    except SummarizerError as exc:
        return {"error": {"type": type(exc).__name__, "message": str(exc)}}
    finally:
        summarizer.close()


def record(case: dict[str, Any], *, fixtures_only: bool = False) -> dict[str, Any]:
    cassette = CASSETTES / f"{case['name']}.yaml"
    if not fixtures_only:
        cassette.unlink(missing_ok=True)
    with make_vcr("none" if fixtures_only else "all").use_cassette(cassette.name):
        outcome = run_case(case)
    FIXTURES.mkdir(parents=True, exist_ok=True)
    fixture = FIXTURES / f"{case['name']}.json"
    fixture.write_text(json.dumps(outcome, indent=2, ensure_ascii=False) + "\n")
    return outcome


def main(argv: list[str] | None = None, echo: Callable[[str], Any] = print) -> int:
    parser = argparse.ArgumentParser(description="Record cassettes from real servers.")
    parser.add_argument("names", nargs="*", help="Cases to record (default: all).")
    parser.add_argument(
        "--fixtures-only", action="store_true", help="Replay the cassettes; rewrite the fixtures."
    )
    args = parser.parse_args(argv)
    logging.getLogger("instructor").setLevel(logging.CRITICAL)  # failures are reported below
    cases = load_cases()
    unknown = set(args.names) - {c["name"] for c in cases}
    if unknown:
        echo(f"unknown case(s): {', '.join(sorted(unknown))}")
        return 2
    for case in cases:
        if args.names and case["name"] not in args.names:
            continue
        outcome = record(case, fixtures_only=args.fixtures_only)
        status = outcome.get("error", {}).get("type") or "ok"
        echo(f"{case['name']}: {status}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
