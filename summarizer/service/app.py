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
| 404 | no such route, or a request for a schema the service does not serve |
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
import ipaddress
import logging
import re
from collections.abc import Awaitable
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware

from summarizer.backends import Backend, safe_url
from summarizer.brief import Brief, load
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
from summarizer.render import page_layout
from summarizer.result import SummaryResult
from summarizer.schema_export import public_models
from summarizer.service.gate import (
    Busy,
    ClientGone,
    Gate,
    Gatekeeper,
    OverLimit,
    error_response,
    within_limits,
)
from summarizer.service.models import ArticleIn, CheckIn, SummaryIn, error_responses
from summarizer.settings import Settings
from summarizer.view import page, sentences_json

T = TypeVar("T")
RETRY_AFTER_S = 1  # seconds a 429 asks a client to wait
log = logging.getLogger("summarizer")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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


def create_app(summarizer: Summarizer, settings: Settings | None = None) -> FastAPI:
    """The service around one `Summarizer`, configured by `settings` (default: the
    summarizer's): tokens, CORS, limits, `jobs` summaries at once."""
    s = settings if settings is not None else summarizer.settings
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
    metrics = Metrics()
    _answer_errors(app, metrics, summarizer.backend)
    briefs = served_briefs(summarizer, s)
    _summaries(app, summarizer, s, metrics, briefs)
    _other_routes(app, metrics, briefs, summarizer.schema.__name__)
    tokens = [t.get_secret_value().encode() for t in s.tokens]
    app.add_middleware(Gatekeeper, limit=s.max_request_bytes, tokens=tokens, metrics=metrics)
    if s.cors_origins:  # outermost (added last): a preflight needs no token, and a 401
        # carries the CORS headers, so a browser on an allowed origin can read it
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(s.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type"],
        )
    return app


def _answer_errors(app: FastAPI, metrics: Metrics, backend: Backend) -> None:
    """Every error as JSON with the status of the service's table."""

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        message = f"{where}: {first.get('msg')}" if where else str(first.get("msg"))
        return error_response(metrics, 422, "invalid_request", message)

    @app.exception_handler(SummarizerError)
    async def failed(_: Request, exc: SummarizerError) -> Response:
        status = _status_of(exc)
        if status >= 500:  # the operator's log has it whole, the backend's address included
            log.warning("%s: %s", type(exc).__name__, one_line(str(exc)))
        message = _unaddressed(str(exc), backend)
        return error_response(metrics, status, type(exc).__name__, message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> Response:
        kind = "not_found" if exc.status_code == 404 else "http_error"
        return error_response(metrics, exc.status_code, kind, str(exc.detail))

    @app.exception_handler(ClientGone)
    async def gone(_: Request, exc: ClientGone) -> Response:
        message = "the client went away; its summary was cancelled"
        return error_response(metrics, 499, "client_gone", message)

    @app.exception_handler(OverLimit)
    async def over_limit(_: Request, exc: OverLimit) -> Response:
        return error_response(metrics, 422, "invalid_request", str(exc))

    @app.exception_handler(Busy)
    async def busy(_: Request, exc: Busy) -> Response:
        message = "too many requests are waiting; try again shortly"
        return error_response(metrics, 429, "busy", message, {"retry-after": str(RETRY_AFTER_S)})


def served_briefs(summarizer: Summarizer, s: Settings) -> dict[str, type[Brief]]:
    """The briefs a request may name: the summarizer's own, by its class name, and those
    of the `schemas` setting (each loaded now: a bad one stops the start, in one line)."""
    briefs: dict[str, type[Brief]] = {summarizer.schema.__name__: summarizer.schema}
    briefs.update({name: load(spec) for name, spec in s.schemas.items()})
    return briefs


def _summaries(
    app: FastAPI,
    summarizer: Summarizer,
    s: Settings,
    metrics: Metrics,
    briefs: dict[str, type[Brief]],
) -> None:
    """POST /v1/summaries: through the queue, with the request's options and schema."""
    gate = Gate(s.jobs, s.queue)
    own = summarizer.schema.__name__

    def make(given: dict[str, Any]) -> Summarizer:
        name = given.pop("schema", own)
        if not given and name == own:
            return summarizer
        return summarizer.variant(schema=briefs[name], **given)

    # A request's options pick a `variant` of the service's summarizer, which shares its
    # HTTP client and cache (a new set costs no connection and no window probe); the most
    # recently used are kept, so a popular set is not rebuilt each time.
    pool = Pool(make, most=256)

    @app.post(
        "/v1/summaries",
        response_model=SummaryResult,
        response_model_by_alias=True,
        responses=error_responses(400, 401, 404, 413, 422, 429, 499, 502, 504),
    )
    async def summaries(body: SummaryIn, request: Request) -> Response:
        """Summarize one article: the `SummaryResult` JSON (`schemas/SummaryResult.v1.json`)."""
        article = body.article()
        given = body.options.model_dump(exclude_none=True)
        within_limits(given, s)
        if body.schema_name is not None and body.schema_name not in briefs:
            raise StarletteHTTPException(
                404,
                f"no schema named {body.schema_name!r}; the service serves: {', '.join(briefs)}",
            )
        chosen, _ = pool.get({**given, "schema": body.schema_name or own})
        # Watched from the start: a client that leaves while its request waits in the
        # queue is never sent to the backend (on a paid API, every call costs).
        result = await _until_gone(request, gate.run(lambda: chosen.asummarize(article)))
        metrics.record(result)
        return Response(result.model_dump_json(by_alias=True), media_type="application/json")


def _other_routes(app: FastAPI, metrics: Metrics, briefs: dict[str, type[Brief]], own: str) -> None:
    """The check, the schemas, an article's sentences, the page, health and metrics."""

    @app.post(
        "/v1/check", response_model=GroundingReport, responses=error_responses(400, 401, 413, 422)
    )
    async def check(body: CheckIn) -> GroundingReport:
        """Check any summary against its article: the grounding report."""
        return check_summary(body.article.article(), body.summary)

    @app.get("/v1/schema", responses=error_responses(401))
    async def schema() -> dict[str, Any]:
        """The JSON Schemas of the service's own brief and of `SummaryResult`."""
        return {n: m.model_json_schema() for n, m in public_models(briefs[own]).items()}

    @app.get("/v1/schemas", responses=error_responses(401))
    async def schemas() -> dict[str, Any]:
        """The briefs a request may name (``"schema": NAME``), each with its JSON Schema;
        `default` is the one a request that names none gets."""
        return {
            "default": own,
            "schemas": {name: brief.model_json_schema() for name, brief in briefs.items()},
            "layouts": {name: page_layout(brief) for name, brief in briefs.items()},
        }

    @app.post("/v1/sentences", responses=error_responses(400, 401, 413, 422))
    async def sentences(body: ArticleIn) -> dict[str, Any]:
        """The article's numbered sentences, as summaries cite them, and its language."""
        article = body.article()
        return {"language": article.lang, "sentences": sentences_json(article.sentences)}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index() -> HTMLResponse:
        """The page: paste an article, get the brief beside it, see each item's evidence."""
        return HTMLResponse(page())

    @app.get("/healthz", responses=error_responses(401))
    async def healthz() -> dict[str, str]:
        """Whether the service is up. It names nothing a caller does not need (the
        backend's address stays in the operator's logs)."""
        return {"status": "ok"}

    @app.get("/metrics", response_class=PlainTextResponse, responses=error_responses(401))
    async def prometheus() -> Response:
        """Prometheus text: requests, latencies, cache hits, model calls, tokens, failures."""
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)


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


def check_access(host: str, summarizer: Summarizer) -> None:
    """Refuse to serve beyond this machine without a token."""
    if not is_loopback(host) and not summarizer.settings.tokens:
        raise ConfigError(
            f"refusing to serve on {host} without a token: set SUMMARIZER_TOKENS (a JSON "
            "list) or tokens in the config file, or bind to 127.0.0.1"
        )
