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
import contextlib
import json
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
FIXTURES = ROOT / "tests" / "fixtures"
MATCH_ON = ("method", "uri", "body")

# Never written into a cassette, in either direction.
SECRET_HEADERS = (
    "authorization",
    "api-key",
    "x-api-key",
    "cookie",
    "set-cookie",
    "openai-organization",
    "openai-project",
    "x-request-id",
)


def _drop_headers(headers: Any) -> None:
    for name in list(headers):
        if name.lower() in SECRET_HEADERS:
            del headers[name]


def scrub_request(request: Any) -> Any:
    """The request without secret headers, and its URI without a ``user:password@``
    (httpx sends it as Basic auth, and vcrpy would record the URI as it was given)."""
    _drop_headers(request.headers)
    parts = urlsplit(request.uri)
    if parts.username is not None or parts.password is not None:
        request.uri = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    _drop_headers(response.get("headers", {}))
    return response


def make_vcr(record_mode: str) -> Any:
    """A vcr.VCR configured the same way for recording and for replay."""
    import vcr

    class _VCR(vcr.VCR):  # type: ignore[misc]
        """vcrpy patches httpx's own transports; this also patches the embedded model's
        (`EmbeddedTransport`), the same way, while a cassette is in use."""

        @contextlib.contextmanager
        def use_cassette(self, path: str, **kwargs: Any) -> Iterator[Any]:
            import httpx2
            from vcr.stubs.httpx_stubs import vcr_handle_async_request, vcr_handle_request

            from summarizer.local.transport import EmbeddedTransport as Embedded

            with super().use_cassette(path, **kwargs) as cassette:
                serve = vcr_handle_async_request(cassette, Embedded.handle_async_request, httpx2)
                answer = vcr_handle_request(cassette, Embedded.handle_request, httpx2)
                with (
                    mock.patch.object(Embedded, "handle_async_request", serve),
                    mock.patch.object(Embedded, "handle_request", answer),
                ):
                    yield cassette

    return _VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode=record_mode,
        match_on=MATCH_ON,
        before_record_request=scrub_request,
        before_record_response=scrub_response,
        decode_compressed_response=True,
    )


def load_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads((CASSETTES / "cases.json").read_text())
    return cases


def expected(result: Any) -> dict[str, Any]:
    """The part of a `SummaryResult` that a replay must reproduce exactly."""
    p = result.provenance
    return {
        "summary": result.brief.model_dump(mode="json"),
        "corrections": [c.model_dump(mode="json") for c in result.corrections],
        "grounding": result.grounding.model_dump(mode="json") if result.grounding else None,
        "provenance": {
            "backend": p.backend,
            "base_url": p.base_url,
            "model": p.model,
            "mode": p.mode,
            "prompt": p.prompt,
            "prompt_version": p.prompt_version,
            "schema_version": p.schema_version,
            "attempts": p.attempts,
            "usage": p.usage.model_dump(),
            "chunks": p.chunks,
        },
    }


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
