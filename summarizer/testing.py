"""Recording and replaying a summarizer's HTTP exchanges (vcrpy), for tests that run with
no network: the project's own cassette tests and the pytest plugin (`pytest_plugin`).

Secrets never reach a cassette: the headers in `SECRET_HEADERS` are dropped from requests
and responses, and a URL's ``user:password@`` from its address, before anything is
written. The embedded model's in-process transport is recorded like any server's. Needs
vcrpy (``pip install grounded-news-summarizer[testing]``).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest import mock
from urllib.parse import urlsplit, urlunsplit

from summarizer.errors import NotRecorded

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


def make_vcr(cassettes: Path, record_mode: str, rerecord: str | None = None) -> Any:
    """A `vcr.VCR` for cassettes in folder `cassettes`, the same for recording and for
    replay: record mode ``none`` answers only from the cassette (a request it does not
    hold fails with `NotRecorded`, saying so and giving `rerecord`, the command that
    records it), ``once`` records a cassette that does not exist yet, ``all`` records
    anew."""
    import vcr

    class _VCR(vcr.VCR):  # type: ignore[misc]
        """vcrpy patches httpx's own transports; this also patches the embedded model's
        (`EmbeddedTransport`), the same way, while a cassette is in use; and a request
        the cassette does not hold is a `NotRecorded` that says so, not vcrpy's error
        that the SDK reports as a failed connection."""

        @contextlib.contextmanager
        def use_cassette(self, path: str, **kwargs: Any) -> Iterator[Any]:
            import httpx2
            from vcr.stubs.httpx_stubs import vcr_handle_async_request, vcr_handle_request

            from summarizer.local.transport import EmbeddedTransport as Embedded

            where = Path(self.cassette_library_dir or "") / path
            with super().use_cassette(path, **kwargs) as cassette:
                serve = vcr_handle_async_request(cassette, Embedded.handle_async_request, httpx2)
                answer = vcr_handle_request(cassette, Embedded.handle_request, httpx2)
                said = functools.partial(_said_unrecorded, cassette=where, rerecord=rerecord)
                async_http, http = httpx2.AsyncHTTPTransport, httpx2.HTTPTransport
                with (
                    mock.patch.object(Embedded, "handle_async_request", said(serve, True, True)),
                    mock.patch.object(Embedded, "handle_request", said(answer, True, False)),
                    mock.patch.object(async_http, "handle_async_request",
                                      said(async_http.handle_async_request, False, True)),
                    mock.patch.object(http, "handle_request",
                                      said(http.handle_request, False, False)),
                ):  # fmt: skip
                    yield cassette

    return _VCR(
        cassette_library_dir=str(cassettes),
        record_mode=record_mode,
        match_on=MATCH_ON,
        before_record_request=scrub_request,
        before_record_response=scrub_response,
        decode_compressed_response=True,
    )


def _said_unrecorded(
    handle: Callable[..., Any], embedded: bool, is_async: bool, *, cassette: Path,
    rerecord: str | None,
) -> Callable[..., Any]:  # fmt: skip
    """`handle` (a transport's, as vcrpy patched it), raising `NotRecorded` for a request
    the cassette cannot answer."""
    from vcr.errors import CannotOverwriteExistingCassetteException as Unplayable

    async def handle_async(transport: Any, request: Any) -> Any:
        try:
            return await handle(transport, request)
        except Unplayable as exc:
            raise NotRecorded(unrecorded(exc, cassette, embedded, rerecord)) from exc

    def handle_sync(transport: Any, request: Any) -> Any:
        try:
            return handle(transport, request)
        except Unplayable as exc:
            raise NotRecorded(unrecorded(exc, cassette, embedded, rerecord)) from exc

    return handle_async if is_async else handle_sync


def unrecorded(exc: Any, cassette: Path, embedded: bool, rerecord: str | None) -> str:
    """What `NotRecorded` says: which request, why the cassette cannot answer it, and how
    to record it (vcrpy's `CannotOverwriteExistingCassetteException` is `exc`)."""
    from summarizer import __version__

    asked = exc.failed_request
    url = urlsplit(asked.uri)
    what = f"{asked.method} {url.path}" + (" to the embedded model" if embedded else
                                          f" to {url.scheme}://{url.netloc}")  # fmt: skip
    if exc.reason == "already_played":
        why = "asked again, and the cassette holds its answer once"
    elif exc.reason == "no_match":
        differ = ", ".join(name for name, _ in exc.similar_requests[0][2])
        why = f"the closest one recorded differs in its {differ}"
    else:
        why = "nothing like it was recorded"
    how = rerecord or "record the cassette anew (record mode all)"
    server = "" if embedded else f", with {url.scheme}://{url.netloc} answering"
    return (
        f"a request not in the cassette {cassette}: {what} ({why}); a change of prompt, "
        f"schema or options changes the request, and so may an upgrade of summarizer (now "
        f"{__version__}). Re-record: {how}{server}"
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
