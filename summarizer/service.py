"""`summarizer serve`: the summarizer as an HTTP service (FastAPI on uvicorn).

One `Summarizer` serves every request, async end to end. At most `jobs` summaries are
made at once and at most `queue` more wait; beyond that a request gets 429 with
Retry-After, at once, instead of waiting without bound. A client that goes away cancels
its summary. Errors are JSON, ``{"error": {"type": ..., "message": ...}}``, with the same
one-line message as the CLI and a status that says whose fault it is:

| status | when |
|---|---|
| 400 | the article cannot be used (empty, no sentences, a bad date or language) |
| 401 | tokens are configured and the request has no valid bearer token |
| 413 | the request body is larger than `max_request_bytes` |
| 404 | no such route |
| 422 | the request does not match the API's schema |
| 429 | too many requests waiting (Retry-After says when to come back) |
| 502 | the backend refused, failed, or gave no valid summary |
| 504 | the backend did not answer in time |
| 499 | (logged only) the client went away and its summary was cancelled |

Access: bound to a loopback address the service may run open; bound to any other, it
refuses to start without at least one bearer token (the `tokens` setting). No CORS unless
`cors_origins` names the origins allowed.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import datetime as dt
import hmac
import ipaddress
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Optional, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator
from pydantic.fields import FieldInfo
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware

from summarizer import prompts
from summarizer.article import Article
from summarizer.backends import Backend, safe_url
from summarizer.checks.report import GroundingReport
from summarizer.checks.report import check as check_summary
from summarizer.client import one_line
from summarizer.errors import (
    ArticleError,
    BackendError,
    BackendTimeout,
    ConfigError,
    SummarizerError,
    SummaryValidationError,
)
from summarizer.metrics import Metrics
from summarizer.pipeline import Summarizer
from summarizer.pool import Pool
from summarizer.result import SummaryResult
from summarizer.schema_export import public_models
from summarizer.settings import REQUEST_OPTIONS, Settings, SummarizerOptions
from summarizer.view import page, sentences_json

T = TypeVar("T")
RETRY_AFTER_S = 1
log = logging.getLogger("summarizer")
# The prompt templates a request may name: those that ship, read once (not per request).
SERVED_PROMPTS = tuple(prompts.available())


class ArticleIn(BaseModel):
    """An article to summarize: its text and what is known about it."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, description="The article's text (plain text).")
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: dt.date | None = None
    language: str | None = Field(None, description="ISO 639-1 code or name; else detected.")

    def article(self) -> Article:
        """The article, its header lines (``date 2025-10-18``, ``title: ...``) read as
        metadata as the CLI reads them; the fields given in the request win."""
        return Article.from_text(
            self.text,
            title=self.title,
            source=self.source,
            url=self.url,
            published=self.published,
            language=self.language,
        )


class _RequestOptions(BaseModel):
    """Per-request options, as in the Python API: a `Summarizer`'s request options
    (`Summarizer.REQUEST_OPTIONS`), each declared once, in `settings.SummarizerOptions`,
    with its bounds; here each is optional. The backend, its address and its key are the
    service's own: a request cannot send the service's requests elsewhere."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("prompt", check_fields=False)
    @classmethod
    def _served(cls, name: str | None) -> str | None:
        if name is not None and name not in SERVED_PROMPTS:
            served = ", ".join(SERVED_PROMPTS)
            raise ValueError(f"no prompt named {name!r}; the service serves: {served}")
        return name


def _optional(name: str) -> tuple[Any, FieldInfo]:
    """A `Summarizer` option, as a request may give it: the same type and bounds, or none."""
    info = copy.copy(SummarizerOptions.model_fields[name])
    info.default, info.default_factory, info.validation_alias = None, None, None
    if name == "prompt":
        info.description = "One of the prompts the service serves (listed here as an enum)."
        info.json_schema_extra = {"enum": list[Any](SERVED_PROMPTS)}
    return Optional[info.annotation], info  # noqa: UP045 (a type made at run time)


if TYPE_CHECKING:
    Options = _RequestOptions
else:
    Options = create_model(
        "Options",
        __base__=_RequestOptions,
        **{
            name: _optional(name)
            for name in SummarizerOptions.model_fields
            if name in REQUEST_OPTIONS
        },
    )


class SummaryIn(ArticleIn):
    """An article to summarize, and options for this summary."""

    options: Options = Field(default_factory=Options.model_construct)


class CheckIn(BaseModel):
    """An article and any summary of it, to check the summary against the article."""

    model_config = ConfigDict(extra="forbid")

    article: ArticleIn
    summary: str = Field(min_length=1, description="The summary to check, plain text.")


class ErrorDetail(BaseModel):
    type: str = Field(description="The kind of error, e.g. BackendError, busy, too_large.")
    message: str = Field(description="What went wrong, on one line.")


class ErrorBody(BaseModel):
    """Every error the service answers."""

    error: ErrorDetail


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error answers a route documents in the OpenAPI schema."""
    said = {
        400: "The article cannot be used.",
        401: "A valid bearer token is required.",
        413: "The request is too large.",
        422: "The request does not match the schema.",
        429: "Too many requests are waiting; see Retry-After.",
        499: "The client went away.",
        502: "The backend refused, failed or gave no valid summary.",
        504: "The backend did not answer in time.",
    }
    return {code: {"model": ErrorBody, "description": said[code]} for code in statuses}


class OverLimit(Exception):
    """A request's option beyond what the operator allows (the `request_max_*` settings)."""


def _within_limits(options: dict[str, Any], s: Settings) -> None:
    """Refuse options beyond the operator's caps: each re-ask is a model call, and a long
    timeout or deadline holds a job slot."""
    caps = (
        ("max_reasks", s.request_max_reasks),
        ("max_tokens", s.request_max_tokens),
        ("timeout", s.request_max_timeout),
        ("deadline", s.request_max_deadline),
    )
    for name, most in caps:
        asked = options.get(name)
        if asked is not None and asked > most:
            raise OverLimit(f"options.{name}: at most {most:g} on this service (asked {asked:g})")


class Busy(Exception):
    """More requests are waiting than the queue holds."""


class ClientGone(Exception):
    """The client disconnected before its summary was made; the work was cancelled."""


class _Gatekeeper:
    """ASGI middleware, outermost: the bearer token (401), the body's size (413: refused
    before it is read when it says its length, once it passes the limit when it streams),
    and the requests and latency metrics. Plain ASGI, not Starlette's BaseHTTPMiddleware,
    under which an endpoint cannot see its client go away."""

    def __init__(self, app: Any, limit: int, tokens: list[bytes], metrics: Metrics) -> None:
        self.app, self.limit, self.tokens, self.metrics = app, limit, tokens, metrics

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        await self._guarded(scope, receive, sending)
        route = getattr(scope.get("route"), "path", "other")  # a template: bounded labels
        self.metrics.requests.labels(route=route, status=str(status[0])).inc()
        self.metrics.latency.labels(route=route).observe(time.perf_counter() - started)

    async def _guarded(self, scope: Any, receive: Any, send: Any) -> None:
        headers = dict(scope.get("headers") or [])
        if self.tokens and not _authorized(headers.get(b"authorization", b""), self.tokens):
            refusal = self._error(401, "unauthorized", "a valid bearer token is required")
            refusal.headers["www-authenticate"] = "Bearer"
            await refusal(scope, receive, send)
            return
        declared = headers.get(b"content-length", b"0")
        if not declared.isdigit():
            await self._error(400, "bad_request", "invalid Content-Length")(scope, receive, send)
            return
        if int(declared) > self.limit:
            await self._too_large()(scope, receive, send)
            return
        seen, refused = 0, False

        async def counted() -> Any:
            nonlocal seen, refused
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit and not refused:
                refused = True  # answer 413 now; to the app the client has gone
                await self._too_large()(scope, receive, send)
                return {"type": "http.disconnect"}
            return message

        async def unless_refused(message: Any) -> None:
            if not refused:
                await send(message)

        try:
            await self.app(scope, counted, unless_refused)
        except Exception:
            if not refused:
                raise

    def _error(self, status: int, kind: str, message: str) -> Response:
        return _error(self.metrics, status, kind, message)

    def _too_large(self) -> Response:
        return self._error(413, "too_large", f"the request is larger than {self.limit} bytes")


class _Gate:
    """At most `running` at once, at most `waiting` more in line; beyond that, Busy."""

    def __init__(self, running: int, waiting: int) -> None:
        self._slots = asyncio.Semaphore(running)
        self._waiting = waiting
        self._queued = 0

    async def run(self, work: Callable[[], Awaitable[T]]) -> T:
        if self._slots.locked() and self._queued >= self._waiting:
            raise Busy
        self._queued += 1
        try:
            await self._slots.acquire()
        finally:
            self._queued -= 1
        try:
            return await work()
        finally:
            self._slots.release()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _error(
    metrics: Metrics, status: int, kind: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    """An error answer (see the module's table), counted by kind."""
    metrics.failures.labels(kind=kind).inc()
    body = {"error": {"type": kind, "message": one_line(message)}}
    return JSONResponse(body, status_code=status, headers=headers)


_BACKEND_NAME = re.compile(r"\b(?:openai-compatible|openai) backend at \S+ \(model [^)]*\)")


def _unaddressed(message: str, backend: Backend) -> str:
    """`message` without the backend's address: a caller is told "the backend" failed,
    not where it lives (the operator's log has the whole message)."""
    message = _BACKEND_NAME.sub("the backend", message)
    for url in {backend.base_url, safe_url(backend.base_url)}:
        message = message.replace(url, "the backend")
    return message


def _status_of(exc: SummarizerError) -> int:
    if isinstance(exc, ArticleError | ConfigError):
        return 400
    if isinstance(exc, BackendTimeout):
        return 504
    if isinstance(exc, BackendError | SummaryValidationError):
        return 502
    return 500


async def _until_gone(request: Request, work: Awaitable[T]) -> T:
    """`work`, cancelled if the client goes away first."""
    task = asyncio.ensure_future(work)
    while not task.done():
        done, _ = await asyncio.wait({task}, timeout=0.25)
        if not done and await request.is_disconnected():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            raise ClientGone
    return task.result()


def create_app(summarizer: Summarizer) -> FastAPI:
    """The service around one `Summarizer`, configured by its settings (tokens, CORS,
    limits, `jobs` summaries at once)."""
    s = summarizer.settings
    app = FastAPI(
        title="summarizer",
        summary="Structured, source-grounded summaries of news articles.",
        version="1",
        docs_url=None,  # FastAPI's own loads Swagger UI from a CDN: blank offline
        redoc_url=None,
        # No trailing-slash redirect: its Location is built from the Host header, which
        # any client sets (a redirect off the service's own origin).
        redirect_slashes=False,
    )
    _offline_docs(app)
    gate = _Gate(s.jobs, s.queue)
    # A request's options pick a `variant` of the service's summarizer, which shares its
    # HTTP client and cache (a new set costs no connection and no window probe); the most
    # recently used are kept, so a popular set is not rebuilt each time.
    pool = Pool(lambda given: summarizer.variant(**given) if given else summarizer, most=256)
    tokens = [t.get_secret_value().encode() for t in s.tokens]
    metrics = Metrics()

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return _error(
            metrics,
            422,
            "invalid_request",
            f"{where}: {first.get('msg')}" if where else str(first.get("msg")),
        )

    @app.exception_handler(SummarizerError)
    async def failed(_: Request, exc: SummarizerError) -> Response:
        status = _status_of(exc)
        if status >= 500:  # the operator's log has it whole, the backend's address included
            log.warning("%s: %s", type(exc).__name__, one_line(str(exc)))
        message = _unaddressed(str(exc), summarizer.backend)
        return _error(metrics, status, type(exc).__name__, message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> Response:
        kind = "not_found" if exc.status_code == 404 else "http_error"
        return _error(metrics, exc.status_code, kind, str(exc.detail))

    @app.exception_handler(ClientGone)
    async def gone(_: Request, exc: ClientGone) -> Response:
        return _error(
            metrics, 499, "client_gone", "the client went away; its summary was cancelled"
        )

    @app.exception_handler(OverLimit)
    async def over_limit(_: Request, exc: OverLimit) -> Response:
        return _error(metrics, 422, "invalid_request", str(exc))

    @app.exception_handler(Busy)
    async def busy(_: Request, exc: Busy) -> Response:
        return _error(
            metrics,
            429,
            "busy",
            "too many requests are waiting; try again shortly",
            {"retry-after": str(RETRY_AFTER_S)},
        )

    @app.post(
        "/v1/summaries",
        response_model=SummaryResult,
        response_model_by_alias=True,
        responses=_errors(400, 401, 413, 422, 429, 499, 502, 504),
    )
    async def summaries(body: SummaryIn, request: Request) -> Response:
        """Summarize one article: the `SummaryResult` JSON (`schemas/SummaryResult.v1.json`)."""
        article = body.article()
        given = body.options.model_dump(exclude_none=True)
        _within_limits(given, s)
        chosen, _ = pool.get(given)  # variants: nothing to close
        # Watched from the start: a client that leaves while its request waits in the
        # queue is never sent to the backend (on a paid API, every call costs).
        result = await _until_gone(request, gate.run(lambda: chosen.asummarize(article)))
        metrics.record(result)
        return Response(result.model_dump_json(by_alias=True), media_type="application/json")

    @app.post("/v1/check", response_model=GroundingReport, responses=_errors(400, 401, 413, 422))
    async def check(body: CheckIn) -> GroundingReport:
        """Check any summary against its article: the grounding report."""
        return check_summary(body.article.article(), body.summary)

    @app.get("/v1/schema", responses=_errors(401))
    async def schema() -> dict[str, Any]:
        """The JSON Schemas of `ArticleSummary` and `SummaryResult`."""
        return {name: model.model_json_schema() for name, model in public_models().items()}

    @app.post("/v1/sentences", responses=_errors(400, 401, 413, 422))
    async def sentences(body: ArticleIn) -> dict[str, Any]:
        """The article's numbered sentences, as summaries cite them, and its language."""
        article = body.article()
        return {"language": article.lang, "sentences": sentences_json(article.sentences)}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index() -> HTMLResponse:
        """The page: paste an article, get the brief beside it, see each item's evidence."""
        return HTMLResponse(page())

    @app.get("/healthz", responses=_errors(401))
    async def healthz() -> dict[str, str]:
        """Whether the service is up. It names nothing a caller does not need (the
        backend's address stays in the operator's logs)."""
        return {"status": "ok"}

    @app.get("/metrics", response_class=PlainTextResponse, responses=_errors(401))
    async def prometheus() -> Response:
        """Prometheus text: requests, latencies, cache hits, model calls, tokens, failures."""
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)

    app.add_middleware(_Gatekeeper, limit=s.max_request_bytes, tokens=tokens, metrics=metrics)
    if s.cors_origins:  # outermost (added last): a preflight needs no token, and a 401
        # carries the CORS headers, so a browser on an allowed origin can read it
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(s.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type"],
        )
    return app


def _offline_docs(app: FastAPI) -> None:
    """The API's page at /docs, Swagger UI served from the installed swagger-ui-py package
    (the `serve` extra), so it works on a machine with no internet."""
    from importlib.resources import files

    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.staticfiles import StaticFiles

    assets = files("swagger_ui") / "static"
    app.mount("/docs/assets", StaticFiles(directory=str(assets)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="summarizer API",
            swagger_js_url="/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/docs/assets/swagger-ui.css",
            swagger_favicon_url="/docs/assets/favicon-32x32.png",
        )


def _authorized(header: bytes, tokens: list[bytes]) -> bool:
    scheme, _, given = header.partition(b" ")
    if scheme.lower() != b"bearer" or not given.strip():
        return False
    # Compared in constant time, against every token, so timing says nothing.
    return any([hmac.compare_digest(given.strip(), t) for t in tokens])


def check_access(host: str, summarizer: Summarizer) -> None:
    """Refuse to serve beyond this machine without a token."""
    if not is_loopback(host) and not summarizer.settings.tokens:
        raise ConfigError(
            f"refusing to serve on {host} without a token: set SUMMARIZER_TOKENS (a JSON "
            "list) or tokens in the config file, or bind to 127.0.0.1"
        )
