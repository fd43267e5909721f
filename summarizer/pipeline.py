"""The pipeline: article -> prompt -> model call -> validation -> result.

`Summarizer` holds what is reused between articles (settings, backend, client, cache,
prompt); `summarize` and `asummarize` are the one-shot forms. One article goes:
cache look-up -> model call (re-asks included, under the article's deadline) -> recover
(the drop/flag policy, when the last answer is still invalid) -> result, stored.

Every call is async underneath (see `portal`): the sync methods run the same coroutine.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
import weakref
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from types import TracebackType
from typing import Any

import instructor
from instructor.v2.core.hooks import Hooks

from summarizer import portal, prompts
from summarizer.article import Article
from summarizer.backends import Backend, resolve, safe_url
from summarizer.cache import ResultCache, cache_key
from summarizer.client import make_client, request_headers, translate
from summarizer.errors import BackendError, SummaryValidationError
from summarizer.faithfulness import GroundingReport, ground_summary
from summarizer.result import Provenance, SummaryResult, Usage
from summarizer.retry import article_deadline
from summarizer.salvage import Correction, salvage, unchecked
from summarizer.schema import CHECKS_VERSION, SCHEMA_VERSION, ArticleSummary, article_scope
from summarizer.settings import Settings

ArticleInput = Article | str


@dataclass(frozen=True)
class Sampling:
    """Sampling parameters sent to the model; all of them are part of the cache key."""

    temperature: float = 0.0
    top_p: float | None = None
    seed: int | None = None
    max_tokens: int | None = None

    def request_fields(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _schema_digest() -> str:
    schema = json.dumps(ArticleSummary.model_json_schema(), sort_keys=True)
    return hashlib.sha256(schema.encode()).hexdigest()[:16]


_SCHEMA_DIGEST = _schema_digest()
# instructor wraps a plain model in a new class on every request, which costs milliseconds
# (a Pydantic model is built each time); a model it has already wrapped is used as is.
_RESPONSE_MODEL = instructor.openai_schema(ArticleSummary)


def as_article(value: ArticleInput, **metadata: Any) -> Article:
    if isinstance(value, Article):
        return value
    if isinstance(value, str):
        return Article.from_text(value, **metadata)
    raise TypeError(f"expected an Article or a str, got {type(value).__name__}")


class Summarizer:
    """Summarizes articles with one backend, prompt and set of options.

    Options are the `Settings` fields (model, base_url, temperature, timeout, deadline,
    retry, ...); those not given come from the environment, then the config file, then the
    defaults, validated once (a bad value is a `ConfigError` naming it). Reuse one
    instance for many articles: the HTTP client, the cache and (for the embedded backend)
    the loaded model are kept between calls. Close it (or use ``with``/``async with``).
    """

    def __init__(
        self,
        *,
        cache: bool | ResultCache = True,
        refresh: bool = False,
        settings: Settings | None = None,
        **options: Any,
    ) -> None:
        s = settings if settings is not None else Settings.load(**options)
        self.settings = s
        self.backend: Backend = resolve(s)
        self.prompt = prompts.load(s.prompt or self.backend.default_prompt)
        self.sampling = Sampling(s.temperature, s.top_p, s.seed, s.max_tokens)
        self.max_reasks = s.max_reasks if s.max_reasks is not None else self.backend.default_reasks
        self.policy = s.policy
        self.timeout = s.timeout or self.backend.default_timeout
        self.deadline = s.deadline
        self.retry = s.retry
        if isinstance(cache, ResultCache):
            self.cache: ResultCache | None = cache
        else:
            self.cache = ResultCache(s.cache_dir) if cache else None
        self.refresh = refresh
        # One client per event loop: an async HTTP client belongs to the loop it runs on
        # (the portal's for the sync API, the caller's for `asummarize`).
        self._clients: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, instructor.AsyncInstructor
        ] = weakref.WeakKeyDictionary()
        self._clients_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Summarizer({self.backend!r}, prompt={self.prompt.name!r})"

    # -- what identifies a request -------------------------------------------------------

    def request_identity(self) -> dict[str, Any]:
        """Everything but the article that changes the answer; hashed into the cache key."""
        return {
            **self.backend.identity(),
            "sampling": self.sampling.request_fields(),
            "max_reasks": self.max_reasks,
            "policy": self.policy,
            "prompt": [self.prompt.name, self.prompt.version, self.prompt.digest],
            "schema": [SCHEMA_VERSION, _SCHEMA_DIGEST, CHECKS_VERSION],
        }

    # -- clients -------------------------------------------------------------------------

    def _client(self) -> instructor.AsyncInstructor:
        loop = asyncio.get_running_loop()
        with self._clients_lock:
            client = self._clients.get(loop)
            if client is None:
                client = make_client(self.backend, self.retry, self.timeout)
                self._clients[loop] = client
        return client

    # -- the pipeline --------------------------------------------------------------------
    def _lookup(self, article: Article, started: float) -> tuple[str, SummaryResult | None]:
        key = cache_key(article, self.request_identity())
        if self.cache is None or self.refresh:
            return key, None
        stored = self.cache.get(key)
        if stored is None:
            return key, None
        summary = ArticleSummary.model_validate(stored["summary"])
        corrections = [Correction.model_validate(c) for c in stored.get("corrections", [])]
        grounding = stored.get("grounding")
        result = self._result(
            summary,
            key,
            hit=True,
            attempts=0,
            usage=Usage(),
            started=started,
            corrections=corrections,
            grounding=GroundingReport.model_validate(grounding) if grounding else None,
        )
        return key, result

    def _request(self, article: Article, hooks: Hooks) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "model": self.backend.model,
            "messages": self.prompt.render(article),
            "response_model": _RESPONSE_MODEL,
            "max_retries": self.max_reasks,
            "hooks": hooks,
            "extra_headers": request_headers(self.backend),
            **self.sampling.request_fields(),
        }
        if extra := self.backend.extra_body(ArticleSummary.model_json_schema()):
            kwargs["extra_body"] = extra
        return kwargs

    def _result(
        self,
        summary: ArticleSummary,
        key: str,
        *,
        hit: bool,
        attempts: int,
        usage: Usage,
        started: float,
        corrections: list[Correction],
        grounding: GroundingReport | None = None,
    ) -> SummaryResult:
        b = self.backend
        return SummaryResult(
            summary=summary,  # the alias: see SummaryResult
            grounding=grounding,
            corrections=corrections,
            provenance=Provenance(
                backend=b.kind,
                base_url=safe_url(b.base_url),
                model=b.model,
                mode=b.response_format,
                prompt=self.prompt.name,
                prompt_version=self.prompt.version,
                schema_version=SCHEMA_VERSION,
                cache_key=key,
                cache_hit=hit,
                attempts=attempts,
                usage=usage,
                latency_s=time.perf_counter() - started,
            ),
        )

    def _begin(self, article: ArticleInput, metadata: dict[str, Any]) -> _Call | SummaryResult:
        """Everything before the model call: the article, the cache look-up, the request."""
        started = time.perf_counter()
        art = as_article(article, **metadata)
        key, hit = self._lookup(art, started)
        if hit is not None:
            return hit
        hooks, calls = _counting_hooks()
        request = self._request(art, hooks)
        return _Call(art, key, started, calls, request, self.backend.cites_by_code)

    def summarize(self, article: ArticleInput, **metadata: Any) -> SummaryResult:
        """Summarize one article (an `Article`, or text with an optional header)."""
        return portal.run(self.asummarize(article, **metadata))

    async def asummarize(self, article: ArticleInput, **metadata: Any) -> SummaryResult:
        """The async form of `summarize`. Cancelling it abandons the request at once."""
        call = self._begin(article, metadata)
        if isinstance(call, SummaryResult):
            return call
        client = self._client()
        try:
            with call.scope(), article_deadline(self.deadline):
                async with asyncio.timeout(self.deadline):
                    summary, completion = await client.chat.completions.create_with_completion(
                        **call.request
                    )
        except TimeoutError:
            raise BackendError(
                f"{self.backend.describe()} did not finish this article within its "
                f"deadline of {self.deadline:g} s"
            ) from None
        except Exception as exc:
            return self._recover(exc, call)
        return self._success(call, summary, [], _usage(summary, completion))

    def _success(
        self, call: _Call, summary: ArticleSummary, corrections: list[Correction], usage: Usage
    ) -> SummaryResult:
        """Store a validated summary and wrap it with its provenance."""
        # Without what instructor attached (the raw response, usage): a plain value, equal
        # to what a cache hit returns.
        summary = ArticleSummary.model_construct(summary.model_fields_set, **dict(summary))
        grounding = ground_summary(summary, call.sentences)
        if self.cache is not None:
            self.cache.set(
                call.key,
                {
                    "summary": summary.model_dump(mode="json"),
                    "grounding": grounding.model_dump(mode="json"),
                    "corrections": [c.model_dump(mode="json") for c in corrections],
                },
            )
        return self._result(
            summary,
            call.key,
            hit=False,
            attempts=call.calls[0],
            usage=usage,
            started=call.started,
            corrections=corrections,
            grounding=grounding,
        )

    def _recover(self, exc: Exception, call: _Call) -> SummaryResult:
        """After the last re-ask: keep the valid part (policy drop) or raise a clear error."""
        error = translate(exc, self.backend, call.calls[0], self.timeout)
        usage = _usage_of(getattr(exc, "total_usage", None))
        if isinstance(error, SummaryValidationError) and self.policy == "drop":
            # Every answer is the model's: keep the one that needs the fewest corrections
            # (a small model's re-ask can be worse than its first answer), the latest on a tie.
            salvaged = [
                found
                for output in reversed(error.outputs)
                if output and (found := salvage(output, call.sentences, cite=call.cite))
            ]
            if salvaged:
                summary, corrections = min(salvaged, key=lambda found: len(found[1]))
                return self._success(call, summary, corrections, usage)
        if isinstance(error, SummaryValidationError) and self.policy == "flag":
            kept = unchecked(error.last_output)
            if kept is not None:  # the grounding report marks what failed
                return self._success(call, *kept, usage)
        raise error from exc

    # -- closing -------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the HTTP clients and the cache."""
        with self._clients_lock:
            pairs = list(self._clients.items())
            self._clients.clear()
        here = _running_loop()
        for loop, client in pairs:
            sdk = client.client  # the AsyncOpenAI client, which owns the HTTP client
            if sdk is None:
                continue
            if loop is here:
                await sdk.close()
            elif not loop.is_closed() and loop.is_running():
                asyncio.run_coroutine_threadsafe(sdk.close(), loop).result(timeout=5)
        if self.cache is not None:
            self.cache.close()

    def close(self) -> None:
        """Close the HTTP clients and the cache."""
        portal.run(self.aclose())

    def __enter__(self) -> Summarizer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    async def __aenter__(self) -> Summarizer:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


@dataclass
class _Call:
    """One model call in progress: its article, cache key, start time and call counter."""

    article: Article
    key: str
    started: float
    calls: list[int]  # model calls so far, counted by instructor's hooks
    request: dict[str, Any]
    cite: bool = False  # code finds each item's sentences (Backend.cites_by_code)

    @property
    def sentences(self) -> list[str]:
        return [s.text for s in self.article.sentences]

    def scope(self) -> AbstractContextManager[None]:
        return article_scope(self.sentences, cite=self.cite)


def _counting_hooks() -> tuple[Hooks, list[int]]:
    """Hooks that count model calls (first call plus re-asks) for this one request."""
    calls = [0]
    hooks = Hooks()

    def count(*_: Any, **__: Any) -> None:
        calls[0] += 1

    hooks.on("completion:kwargs", count)
    return hooks, calls


def _usage(summary: ArticleSummary, completion: Any) -> Usage:
    """Usage summed over every attempt (instructor's total), else the last response's."""
    return _usage_of(getattr(summary, "_total_usage", None) or getattr(completion, "usage", None))


def _usage_of(total: Any) -> Usage:
    if total is None:
        return Usage()
    return Usage(
        prompt_tokens=getattr(total, "prompt_tokens", 0) or 0,
        completion_tokens=getattr(total, "completion_tokens", 0) or 0,
        total_tokens=getattr(total, "total_tokens", 0) or 0,
    )


_METADATA_KEYS = ("title", "source", "url", "published")


_SHARED_MAX = 8
_shared: dict[str, Summarizer] = {}  # oldest first
_shared_lock = threading.Lock()


def _split(options: dict[str, Any]) -> tuple[Summarizer, dict[str, Any]]:
    """One `Summarizer` per distinct set of options, so repeated one-shot calls reuse the
    HTTP client, the open cache and the loaded model; the oldest is closed beyond eight."""
    meta = {k: options.pop(k) for k in _METADATA_KEYS if k in options}
    key = json.dumps(options, sort_keys=True, default=repr)  # values need not be hashable
    with _shared_lock:
        summarizer = _shared.pop(key, None)
        if summarizer is None:
            summarizer = Summarizer(**options)
        _shared[key] = summarizer
        evicted = [_shared.pop(k) for k in list(_shared)[: max(0, len(_shared) - _SHARED_MAX)]]
    for old in evicted:
        old.close()
    return summarizer, meta


def summarize(article: ArticleInput, **options: Any) -> SummaryResult:
    """Summarize one article. `options` are `Summarizer`'s keyword arguments, plus article
    metadata (title, source, url, published) when `article` is text."""
    summarizer, meta = _split(options)
    return summarizer.summarize(article, **meta)


async def asummarize(article: ArticleInput, **options: Any) -> SummaryResult:
    """The async form of `summarize`."""
    summarizer, meta = _split(options)
    return await summarizer.asummarize(article, **meta)
