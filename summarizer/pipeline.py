"""The pipeline: article -> prompt -> model call -> validation -> result.

`Summarizer` holds what is reused between articles (backend, HTTP client, cache, prompt,
options); `summarize` and `asummarize` are the one-shot forms.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from typing import Any, cast

import httpx2
import instructor
import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from instructor.v2.core.hooks import Hooks
from pydantic import ValidationError

from summarizer import prompts
from summarizer.article import Article
from summarizer.backends import Backend, BackendKind, ResponseFormat, resolve
from summarizer.cache import ResultCache, cache_key
from summarizer.errors import BackendError, SummarizerError, SummaryValidationError
from summarizer.faithfulness import GroundingReport, check_summary
from summarizer.result import Provenance, SummaryResult, Usage
from summarizer.retry import AsyncRetryTransport, RetryPolicy, RetryTransport
from summarizer.salvage import Correction, Policy, salvage, unchecked
from summarizer.schema import CHECKS_VERSION, SCHEMA_VERSION, ArticleSummary, article_scope

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


def _embedded_decoder() -> str:
    from summarizer.local.transport import DECODER_VERSION

    return DECODER_VERSION


def as_article(value: ArticleInput, **metadata: Any) -> Article:
    if isinstance(value, Article):
        return value
    if isinstance(value, str):
        return Article.from_text(value, **metadata)
    raise TypeError(f"expected an Article or a str, got {type(value).__name__}")


class Summarizer:
    """Summarizes articles with one backend, prompt and set of options.

    Reuse one instance for many articles: the HTTP client, the cache and (for the embedded
    backend) the loaded model are kept between calls.
    """

    def __init__(
        self,
        *,
        backend: BackendKind | None = None,
        base_url: str | None = None,
        model: str | None = None,
        api_key: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        response_format: ResponseFormat | None = None,
        prompt: str | None = None,
        temperature: float = 0.0,
        top_p: float | None = None,
        seed: int | None = None,
        max_tokens: int | None = None,
        max_reasks: int | None = None,
        policy: Policy = "drop",
        timeout: float = 120.0,
        retry: RetryPolicy | None = None,
        cache: bool | ResultCache = True,
        cache_dir: str | None = None,
        refresh: bool = False,
    ) -> None:
        self.backend: Backend = resolve(
            backend=backend,
            base_url=base_url,
            model=model,
            api_key=api_key,
            api_key_env=api_key_env,
            response_format=response_format,
        )
        self.prompt = prompts.load(prompt or prompts.default_for(self.backend))
        self.sampling = Sampling(temperature, top_p, seed, max_tokens)
        if max_reasks is None:
            # A base model ignores the error text of a re-ask, and at temperature 0 it
            # repeats its answer word for word: re-asking it only costs time.
            max_reasks = 0 if self.backend.kind == "embedded" else 2
        if max_reasks < 0:
            raise ValueError("max_reasks must be 0 or more")
        if policy not in ("drop", "flag", "strict"):
            raise ValueError(f"policy must be drop, flag or strict, not {policy!r}")
        self.max_reasks = max_reasks
        self.policy = policy
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        if isinstance(cache, ResultCache):
            self.cache: ResultCache | None = cache
        else:
            self.cache = ResultCache(cache_dir) if cache else None
        self.refresh = refresh
        self._client: instructor.Instructor | None = None
        self._aclient: instructor.AsyncInstructor | None = None
        self._transport: RetryTransport | None = None
        self._atransport: AsyncRetryTransport | None = None

    # -- what identifies a request -------------------------------------------------------

    def request_identity(self) -> dict[str, Any]:
        """Everything but the article that changes the answer; hashed into the cache key."""
        b = self.backend
        identity: dict[str, Any] = {
            "backend": b.kind,
            "base_url": b.base_url,
            "model": b.model,
            "response_format": b.response_format,
            "sampling": self.sampling.request_fields(),
            "max_reasks": self.max_reasks,
            "policy": self.policy,
            "prompt": [self.prompt.name, self.prompt.version, self.prompt.digest],
            "schema": [SCHEMA_VERSION, _SCHEMA_DIGEST, CHECKS_VERSION],
        }
        if b.kind == "embedded":  # its answers also depend on how it decodes
            identity["decoder"] = _embedded_decoder()
        return identity

    # -- clients -------------------------------------------------------------------------

    def _openai_kwargs(self) -> dict[str, Any]:
        # max_retries=0: RetryTransport does the retrying; the SDK must not multiply it.
        return {
            "base_url": self.backend.base_url,
            "api_key": self.backend.api_key,
            "max_retries": 0,
            "timeout": self.timeout,
        }

    def _sync_client(self) -> instructor.Instructor:
        if self._client is None:
            self._transport = RetryTransport(self.backend.transport(), self.retry)
            http = httpx2.Client(transport=self._transport, timeout=self.timeout)
            raw = openai.OpenAI(http_client=http, **self._openai_kwargs())
            self._client = instructor.from_openai(raw, mode=instructor.Mode.JSON_SCHEMA)
        return self._client

    def _async_client(self) -> instructor.AsyncInstructor:
        if self._aclient is None:
            self._atransport = AsyncRetryTransport(self.backend.async_transport(), self.retry)
            http = httpx2.AsyncClient(transport=self._atransport, timeout=self.timeout)
            raw = openai.AsyncOpenAI(http_client=http, **self._openai_kwargs())
            self._aclient = instructor.from_openai(raw, mode=instructor.Mode.JSON_SCHEMA)
        return self._aclient

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
            summary=summary,
            grounding=grounding,
            corrections=corrections,
            provenance=Provenance(
                backend=b.kind,
                base_url=b.base_url,
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
        call = self._begin(article, metadata)
        if isinstance(call, SummaryResult):
            return call
        try:
            with call.scope():
                summary, completion = self._sync_client().chat.completions.create_with_completion(
                    **call.request
                )
        except Exception as exc:
            return self._recover(exc, call)
        return self._success(call, summary, [], _usage(summary, completion))

    async def asummarize(self, article: ArticleInput, **metadata: Any) -> SummaryResult:
        """The async form of `summarize`."""
        call = self._begin(article, metadata)
        if isinstance(call, SummaryResult):
            return call
        client = self._async_client()
        try:
            with call.scope():
                summary, completion = await client.chat.completions.create_with_completion(
                    **call.request
                )
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
        grounding = check_summary(summary, call.sentences)
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
        error = self._translate(exc, call.calls[0])
        usage = _usage_of(getattr(exc, "total_usage", None))
        if isinstance(error, SummaryValidationError) and self.policy == "drop":
            salvaged = salvage(error.last_output, call.sentences, cite=call.cite)
            if salvaged is not None:
                summary, corrections = salvaged
                return self._success(call, summary, corrections, usage)
        if isinstance(error, SummaryValidationError) and self.policy == "flag":
            kept = unchecked(error.last_output)
            if kept is not None:  # the grounding report marks what failed
                return self._success(call, *kept, usage)
        raise error from exc

    # -- errors --------------------------------------------------------------------------

    def _translate(self, exc: Exception, calls: int) -> Exception:
        """Turn SDK and instructor exceptions into this package's one-line errors."""
        cause: BaseException = exc
        if isinstance(exc, InstructorRetryException) and exc.__cause__ is not None:
            cause = exc.__cause__
        name = self.backend.describe()
        inner: BaseException | None = cause
        while inner is not None:  # e.g. the embedded model is not installed
            if isinstance(inner, SummarizerError):
                return inner
            inner = inner.__cause__
        if isinstance(cause, openai.APIStatusError):
            return BackendError(_status_message(name, cause), status_code=cause.status_code)
        if isinstance(cause, openai.APITimeoutError):
            return BackendError(f"{name} did not answer within {self.timeout:g} s")
        if isinstance(cause, openai.APIConnectionError):
            reason = str(cause.__cause__ or cause).strip().splitlines() or ["no reason given"]
            return BackendError(f"cannot connect to {name}: {reason[0]}")
        if isinstance(exc, IncompleteOutputException):
            return SummaryValidationError(
                f"{name} stopped at max_tokens before the JSON was complete; raise max_tokens",
                attempts=calls,
                errors=[],
                last_output=_completion_text(exc.last_completion),
            )
        if isinstance(exc, InstructorRetryException):
            errors: list[dict[str, Any]] = []
            for failed in exc.failed_attempts or []:
                errors.extend(_error_dicts(failed.attempt_number, failed.exception))
            last = exc.failed_attempts[-1].completion if exc.failed_attempts else None
            first = errors[0]["msg"] if errors else str(exc)
            where = ".".join(str(p) for p in errors[0]["loc"]) if errors else ""
            return SummaryValidationError(
                f"{name} gave no valid summary in {calls} attempt(s); "
                f"{len(errors)} validation error(s), first: {where}: {first}",
                attempts=calls,
                errors=errors,
                last_output=_completion_text(last),
            )
        return exc

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
        if self.cache is not None:
            self.cache.close()


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


def _completion_text(completion: Any) -> str | None:
    try:
        return cast(str | None, completion.choices[0].message.content)
    except (AttributeError, IndexError, TypeError):
        return None


def _error_dicts(attempt: int, exc: BaseException) -> list[dict[str, Any]]:
    if isinstance(exc, ValidationError):
        return [
            {"attempt": attempt, "loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]}
            for e in exc.errors(include_url=False, include_input=False)
        ]
    return [{"attempt": attempt, "loc": [], "msg": str(exc), "type": type(exc).__name__}]


def _status_message(name: str, err: openai.APIStatusError) -> str:
    hints = {
        401: "check the API key",
        403: "the key is not allowed to use this model",
        404: "check the base URL and the model name",
        429: "rate limited; retries were used up",
    }
    detail = err.message.splitlines()[0] if err.message else ""
    hint = hints.get(err.status_code) or ("server error" if err.status_code >= 500 else "")
    return f"{name} answered HTTP {err.status_code}: {detail}" + (f" ({hint})" if hint else "")


_METADATA_KEYS = ("title", "source", "url", "published")


@functools.lru_cache(maxsize=8)
def _shared(options: tuple[tuple[str, Any], ...]) -> Summarizer:
    """One `Summarizer` per distinct set of options, so repeated one-shot calls reuse the
    HTTP client, the open cache and the loaded model."""
    return Summarizer(**dict(options))


def _split(options: dict[str, Any]) -> tuple[Summarizer, dict[str, Any]]:
    meta = {k: options.pop(k) for k in _METADATA_KEYS if k in options}
    return _shared(tuple(sorted(options.items()))), meta


def summarize(article: ArticleInput, **options: Any) -> SummaryResult:
    """Summarize one article. `options` are `Summarizer`'s keyword arguments, plus article
    metadata (title, source, url, published) when `article` is text."""
    summarizer, meta = _split(options)
    return summarizer.summarize(article, **meta)


async def asummarize(article: ArticleInput, **options: Any) -> SummaryResult:
    """The async form of `summarize`."""
    summarizer, meta = _split(options)
    return await summarizer.asummarize(article, **meta)
