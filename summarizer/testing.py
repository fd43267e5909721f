"""Recording and replaying a summarizer's HTTP exchanges (vcrpy), for tests that run with
no network: the project's own cassette tests and the pytest plugin (`pytest_plugin`).

Secrets never reach a cassette: the headers in `SECRET_HEADERS` are dropped from requests
and responses, and a URL's ``user:password@`` from its address, before anything is
written. The embedded model's in-process transport is recorded like any server's. Needs
vcrpy (``pip install grounded-news-summarizer[testing]``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest import mock
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from summarizer.result import SummaryResult

# What a request must match to be answered from a cassette.
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


def make_vcr(cassettes: Path, record_mode: str) -> Any:
    """A `vcr.VCR` for cassettes in folder `cassettes`, the same for recording and for
    replay: record mode ``none`` answers only from the cassette (a request it does not
    hold fails), ``once`` records a cassette that does not exist yet, ``all`` records
    anew."""
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
        cassette_library_dir=str(cassettes),
        record_mode=record_mode,
        match_on=MATCH_ON,
        before_record_request=scrub_request,
        before_record_response=scrub_response,
        decode_compressed_response=True,
    )


_USAGE = ("prompt_tokens", "completion_tokens", "total_tokens")


def comparable(result: SummaryResult) -> dict[str, Any]:
    """The part of a result that a replay must reproduce exactly: the brief, its
    corrections and grounding, and the provenance without what varies from run to run
    (timing, the cache key and whether it was hit)."""
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
            # The counts golden files have always held: a field added to `Usage` later
            # (cached_tokens) must not fail every golden file recorded before it.
            "usage": {k: getattr(p.usage, k) for k in _USAGE},
            "chunks": p.chunks,
        },
    }
