"""The pipeline: article -> prompt -> model call -> validation -> result.

`Summarizer` holds what is reused between articles (settings, backend, client, cache,
prompt); `summarize` and `asummarize` are the one-shot forms. One article goes:
cache look-up -> does its prompt fit the context window (`budget`)? -> model call (re-asks
included, under the article's deadline), or, for a long article, a call per chunk, the
merge and the overview (`chunking`) -> recover (the drop/flag policy, when the last answer
is still invalid) -> result, stored.

Every call is async underneath (see `portal`): the sync methods run the same coroutine.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import copy
import hashlib
import json
import logging
import threading
import time
import weakref
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, replace
from types import TracebackType
from typing import Any, TypeVar, cast

import instructor
import openai
from instructor.v2.core.hooks import Hooks
from pydantic import BaseModel

from summarizer import language as languages
from summarizer import portal, prompts
from summarizer.article import Article
from summarizer.backends import Backend, resolve, safe_url
from summarizer.budget import (
    UNKNOWN_WINDOW,
    Budget,
    estimate_tokens,
    openai_window,
    reported_window,
    sizes,
)
from summarizer.cache import ResultCache
from summarizer.chunking import merge, overview_values, plan
from summarizer.client import make_client, request_headers, translate
from summarizer.errors import (
    BackendTimeout,
    ConfigError,
    LanguageError,
    SummarizerError,
    SummaryValidationError,
)
from summarizer.faithfulness import GroundingReport, ground_summary
from summarizer.keys import cache_key, chunk_key
from summarizer.language import checking, name_of
from summarizer.prompts import fence
from summarizer.result import Provenance, SummaryResult, Usage
from summarizer.retry import article_deadline
from summarizer.salvage import Correction, salvage, unchecked
from summarizer.schema import (
    CHECKS_VERSION,
    SCHEMA_VERSION,
    ArticleSummary,
    Findings,
    Overview,
    article_scope,
)
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
_OVERVIEW_MODEL = instructor.openai_schema(Overview)
_FINDINGS_MODEL = instructor.openai_schema(Findings)
Found = TypeVar("Found", bound=BaseModel)
log = logging.getLogger("summarizer")
_WARNED_WINDOW: set[str] = set()  # backends already warned of an unknown window


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
        self._apply(s, resolve(s))
        self.retry = s.retry
        self._owner = True  # closes its clients and cache (a `variant` does not)
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
        # Asked of the server once per model (`_window`), shared with every `variant`.
        self._served_windows: dict[str, int] = {}
        self._overview_prompt = prompts.load(prompts.OVERVIEW_PROMPT)

    def _apply(self, s: Settings, backend: Backend) -> None:
        """Set what the settings decide about each request."""
        self.settings = s
        self.backend = backend
        self.prompt = prompts.load(s.prompt or backend.default_prompt)
        self.sampling = Sampling(s.temperature, s.top_p, s.seed, s.max_tokens)
        self.max_reasks = s.max_reasks if s.max_reasks is not None else backend.default_reasks
        self.policy = s.policy
        self.timeout = s.timeout or backend.default_timeout
        self.deadline = s.deadline

    # Options that change what is asked, not where or over which connection.
    REQUEST_OPTIONS = frozenset({
        "model", "prompt", "temperature", "top_p", "seed", "max_tokens", "max_reasks",
        "policy", "language", "timeout", "deadline",
    })  # fmt: skip

    def variant(self, **options: Any) -> Summarizer:
        """This summarizer with other request options (`REQUEST_OPTIONS`, already
        validated, as the service's per-request options are): it shares this one's HTTP
        clients and cache, so a new set of options costs no new connection, SDK client or
        window probe. Closing it closes nothing; this one owns what they share."""
        unknown = set(options) - self.REQUEST_OPTIONS
        if unknown:
            raise ConfigError(f"not a request option: {', '.join(sorted(unknown))}")
        if options.get("language") is not None:  # the one option its model does not check
            try:
                options["language"] = languages.code_of(options["language"])
            except LanguageError as exc:
                raise ConfigError(f"language: {exc}") from None
        other = copy.copy(self)  # shares _clients, its lock, the cache
        backend = self.backend
        if options.get("model", backend.model) != backend.model:
            backend = replace(backend, model=options["model"])
        other._apply(self.settings.model_copy(update=options), backend)
        other._owner = False
        return other

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
            "language": self.settings.language,
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
        return key, (self._stored(stored, key, started) if stored is not None else None)

    def _stored(self, stored: dict[str, Any], key: str, started: float) -> SummaryResult:
        """A result from what the cache holds."""
        grounding = stored.get("grounding")
        return self._result(
            ArticleSummary.model_validate(stored["summary"]),
            key,
            hit=True,
            attempts=0,
            usage=Usage(),
            started=started,
            corrections=[Correction.model_validate(c) for c in stored.get("corrections", [])],
            grounding=GroundingReport.model_validate(grounding) if grounding else None,
            chunks=int(stored.get("chunks", 1)),
        )

    def _request(
        self,
        messages: list[dict[str, str]],
        hooks: Hooks,
        response_model: type[BaseModel] = _RESPONSE_MODEL,
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "model": self.backend.model,
            "messages": messages,
            "response_model": response_model,
            "max_retries": self.max_reasks,
            "hooks": hooks,
            "extra_headers": request_headers(self.backend),
            # Per request (a `variant` shares a client made with another timeout); it
            # reaches the retrying transport in the request's extensions.
            "timeout": self.timeout,
            **self.sampling.request_fields(),
        }
        if extra := self.backend.extra_body(response_model.model_json_schema()):
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
        chunks: int = 1,
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
                chunks=chunks,
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
        request = self._request(self.prompt.render(art, self.settings.language), hooks)
        return _Call(art, key, started, calls, request, self.backend.cites_by_code)

    def summarize(self, article: ArticleInput, **metadata: Any) -> SummaryResult:
        """Summarize one article (an `Article`, or text with an optional header)."""
        return portal.run(self.asummarize(article, **metadata))

    async def asummarize(self, article: ArticleInput, **metadata: Any) -> SummaryResult:
        """The async form of `summarize`. Cancelling it abandons the request at once."""
        call = self._begin(article, metadata)
        if isinstance(call, SummaryResult):
            return call
        try:
            with call.checking(), article_deadline(self.deadline):
                async with asyncio.timeout(self.deadline):
                    chunks = await self._plan(call)
                    if chunks is None:
                        return await self._call(call)
                    return await self._chunked(call, chunks)
        except TimeoutError:
            raise BackendTimeout(
                f"{self.backend.describe()} did not finish this article within its "
                f"deadline of {self.deadline:g} s"
            ) from None

    async def _call(self, call: _Call) -> SummaryResult:
        """The model call, re-asks included, then the result or what can be recovered."""
        summary, corrections, usage = await self._ask(call, ArticleSummary)
        return self._success(call, summary, corrections, usage)

    # -- long articles (see `chunking`) --------------------------------------------------

    def _known_window(self) -> int | None:
        """The context window, if known without asking: the setting, what the backend
        knows, what its server said before."""
        if self.settings.context_window is not None:
            return self.settings.context_window
        return self.backend.context_window or self._served_windows.get(self.backend.model)

    async def _window(self) -> int:
        """The context window, asking the server once when it is not known."""
        known = self._known_window()
        if known is not None:
            return known
        window = self._served_windows[self.backend.model] = await self._ask_window()
        return window

    async def _ask_window(self) -> int:
        """What the server reports, else the published window of a model by that name
        (an OpenAI model behind Azure or a proxy), else `UNKNOWN_WINDOW` with a warning,
        once per process and backend."""
        sdk = self._client().client
        if sdk is None:  # pragma: no cover - make_client always wraps an SDK client
            return UNKNOWN_WINDOW
        reachable = True
        try:
            answer = await sdk.with_options(timeout=10.0).models.with_raw_response.list()
            found = reported_window(answer.http_response.json(), self.backend.model)
        except openai.APIConnectionError:  # the summary's own call will say it, once
            found, reachable = None, False
        except Exception:  # no /models, an error, not JSON: the safe default
            found = None
        found = found or openai_window(self.backend.model.rsplit("/", 1)[-1])
        name = self.backend.describe()
        if found is None and reachable and name not in _WARNED_WINDOW:
            _WARNED_WINDOW.add(name)
            log.warning(
                "%s does not report its context window; assuming %d tokens, so a longer "
                "article is summarized in chunks (more calls, fewer re-asks): set "
                "context_window (--context-window) to the model's window",
                name,
                UNKNOWN_WINDOW,
            )
        return found or UNKNOWN_WINDOW

    async def _plan(self, call: _Call) -> list[range] | None:
        """None when the article's prompt fits the context window with room for its answer
        (and as many re-asks as fit: `call.request` is set to those); else the chunks of
        sentences to summarize one by one."""
        answer = self.sampling.max_tokens or self.backend.default_max_tokens
        # The JSON Schema travels with an OpenAI request and counts; a local server turns
        # it into a grammar instead.
        openai = self.backend.kind == "openai"
        extra = json.dumps(ArticleSummary.model_json_schema()) if openai else ""
        messages = call.request["messages"]
        window = self._known_window()
        budget = Budget(window or UNKNOWN_WINDOW, answer, estimate_tokens)
        prompt = budget.tokens(messages, extra)
        roomy = budget.fits(prompt) and budget.reasks(prompt, self.max_reasks) == self.max_reasks
        if window is None and not roomy:  # more than the smallest window holds: ask
            window = await self._window()
            budget = Budget(window, answer, estimate_tokens)
        window = window or UNKNOWN_WINDOW
        if not budget.fits(prompt):  # a high estimate does not fit: count exactly
            count = await asyncio.to_thread(self.backend.token_counter)
            budget = Budget(window, answer, count)
            prompt = budget.tokens(messages, extra) if count is not estimate_tokens else prompt
        if budget.fits(prompt):
            call.request["max_retries"] = budget.reasks(prompt, self.max_reasks)
            return None
        art = call.article
        empty = self.prompt.render(art, self.settings.language, sentences=())
        room = budget.chunk_room(budget.tokens(empty, extra))
        if room == 0:
            raise ConfigError(
                f"a context window of {window} tokens leaves no room for an article after "
                f"the prompt and {answer} tokens for the answer: raise context_window"
            )
        texts = [fence(s.text) for s in art.sentences]
        return plan(await asyncio.to_thread(sizes, texts, budget.count), room)

    async def _chunked(self, call: _Call, chunks: list[range]) -> SummaryResult:
        """Summarize each chunk's findings (cached one by one), merge them, write the
        overview, check the whole against the whole article. A chunk is not re-asked: its
        items stand alone, so the policy drops an invalid one, where a re-ask would resend
        the whole chunk (a minute of reading for the embedded model)."""
        art = call.article
        parts: list[dict[str, Any]] = []
        corrections: list[Correction] = []
        usages: list[Usage] = []
        for n, run in enumerate(chunks, start=1):
            sentences = art.sentences[run.start : run.stop]
            hooks, calls = _counting_hooks()
            messages = self.prompt.render(art, self.settings.language, sentences=sentences)
            request = self._request(messages, hooks, _FINDINGS_MODEL)
            request["max_retries"] = 0
            key = chunk_key(art, self.request_identity(), [(s.id, s.text) for s in sentences])
            part = _Call(art, key, call.started, calls, request, call.cite)
            try:
                found, fixed, usage = await self._findings(part)
            except SummarizerError as exc:  # say which part of the article failed
                where = f"S{sentences[0].id}-S{sentences[-1].id}"
                exc.args = (f"chunk {n} of {len(chunks)} ({where}): {exc}",)
                raise
            parts.append(found)
            corrections += fixed
            usages.append(usage)
            call.calls[0] += calls[0]
        merged = merge(parts)
        overview, fixed, usage = await self._overview(call, merged)
        raw = json.dumps({**overview.model_dump(mode="json"), **merged})
        salvaged = salvage(raw, call.sentences, cite=False, model=ArticleSummary)
        if salvaged is None:
            raise SummaryValidationError(
                f"{self.backend.describe()}: the merged summary of {len(chunks)} chunks is "
                "not valid against the article",
                attempts=call.calls[0], errors=[], last_output=raw,
            )  # fmt: skip
        summary, dropped = salvaged
        total = _sum_usage([*usages, usage])
        return self._success(
            call, summary, corrections + fixed + dropped, total, chunks=len(chunks)
        )

    async def _findings(self, call: _Call) -> tuple[dict[str, Any], list[Correction], Usage]:
        """One chunk's findings: from the cache (keyed by the chunk's sentences), or from
        the model, with what the policy can save of an invalid answer."""
        if self.cache is not None and not self.refresh:
            stored = self.cache.get(call.key)
            if stored is not None:
                fixed = [Correction.model_validate(c) for c in stored.get("corrections", [])]
                return stored["findings"], fixed, Usage()
        found, corrections, usage = await self._ask(call, _FINDINGS_MODEL)
        data = found.model_dump(mode="json")
        if self.cache is not None:
            self.cache.set(
                call.key,
                {"findings": data, "corrections": [c.model_dump(mode="json") for c in corrections]},
            )
        return data, corrections, usage

    async def _ask(self, call: _Call, model: type[Found]) -> tuple[Found, list[Correction], Usage]:
        """A model call for `model` (re-asks included). After the last re-ask, the policy
        decides: drop keeps the valid part of the best answer; flag keeps a summary's last
        answer as it is (the grounding report marks what fails; a chunk's findings or the
        overview are dropped from, as under drop); strict raises the error."""
        create = self._client().chat.completions.create_with_completion
        try:
            with call.scope():
                found, completion = await create(**call.request)
        except Exception as exc:
            error = translate(exc, self.backend, call.calls[0], self.timeout)
            usage = _usage_of(getattr(exc, "total_usage", None))
            if isinstance(error, SummaryValidationError) and self.policy != "strict":
                kept: tuple[Found, list[Correction]] | None
                if self.policy == "flag" and model is ArticleSummary:  # so Found is it
                    as_is = unchecked(error.last_output)
                    kept = cast("tuple[Found, list[Correction]] | None", as_is)
                else:
                    kept = _salvaged(error, call, model)
                if kept is not None:
                    return kept[0], kept[1], usage
            raise error from exc
        plain = model.model_construct(found.model_fields_set, **dict(found))
        return plain, [], _usage(found, completion)

    async def _overview(
        self, call: _Call, merged: dict[str, Any]
    ) -> tuple[Overview, list[Correction], Usage]:
        """The title, TL;DR and summary of the whole, written from the merged key points
        and the sentences they cite, checked against the whole article."""
        values = overview_values(merged, call.article.sentences)
        values["language"] = name_of(self.settings.language or call.article.lang)
        values["sentences"] = [replace(s, text=fence(s.text)) for s in values["sentences"]]
        hooks, calls = _counting_hooks()
        request = self._request(self._overview_prompt.messages(values), hooks, _OVERVIEW_MODEL)
        part = _Call(call.article, call.key, call.started, calls, request, call.cite)
        try:
            return await self._ask(part, _OVERVIEW_MODEL)
        except SummarizerError as exc:
            exc.args = (f"the overview of the chunks: {exc}",)
            raise
        finally:
            call.calls[0] += calls[0]

    def _success(
        self,
        call: _Call,
        summary: ArticleSummary,
        corrections: list[Correction],
        usage: Usage,
        chunks: int = 1,
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
                    "chunks": chunks,
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
            chunks=chunks,
        )

    # -- closing -------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the HTTP clients and the cache (a `variant`: nothing, it owns neither)."""
        if not self._owner:
            return
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

    def checking(self) -> AbstractContextManager[None]:
        """The checks as the article's language allows (see `language.checking`)."""
        return checking(self.article.lang)


def _salvaged(
    error: SummaryValidationError, call: _Call, model: type[Found]
) -> tuple[Found, list[Correction]] | None:
    """Of every answer the model gave, the valid part of the one that needs the fewest
    corrections (a small model's re-ask can be worse than its first answer), the latest on
    a tie; None if no answer has a valid part."""
    kept = [
        found
        for output in reversed(error.outputs)
        if output and (found := salvage(output, call.sentences, cite=call.cite, model=model))
    ]
    return min(kept, key=lambda found: len(found[1])) if kept else None


def _counting_hooks() -> tuple[Hooks, list[int]]:
    """Hooks that count model calls (first call plus re-asks) for this one request."""
    calls = [0]
    hooks = Hooks()

    def count(*_: Any, **__: Any) -> None:
        calls[0] += 1

    hooks.on("completion:kwargs", count)
    return hooks, calls


def _usage(summary: BaseModel, completion: Any) -> Usage:
    """Usage summed over every attempt (instructor's total), else the last response's."""
    return _usage_of(getattr(summary, "_total_usage", None) or getattr(completion, "usage", None))


def _sum_usage(usages: list[Usage]) -> Usage:
    return Usage(
        prompt_tokens=sum(u.prompt_tokens for u in usages),
        completion_tokens=sum(u.completion_tokens for u in usages),
        total_tokens=sum(u.total_tokens for u in usages),
    )


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


@atexit.register
def _close_shared() -> None:
    """The one-shot functions' summarizers hold HTTP connections and the cache's files
    until the process ends: close them then, not leave them to the garbage collector
    (a ResourceWarning for each)."""
    with _shared_lock:
        kept = list(_shared.values())
        _shared.clear()
    for summarizer in kept:
        with contextlib.suppress(Exception):
            summarizer.close()


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
