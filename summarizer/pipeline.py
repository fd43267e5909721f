"""The pipeline: article -> prompt -> model call -> validation -> result.

`Summarizer` holds what is reused between articles (settings, backend, clients, cache,
prompt) and conducts the steps of one article: cache look-up -> does its prompt fit the
context window (`chunking.plan_request`, on `budget`)? -> the model call (`call`: re-asks
included, under the article's deadline, and the policy after the last one) or, for a long
article, a call per chunk, the merge and the overview (`chunking.summarize_chunks`) ->
the grounding report (`checks.report`) -> result, stored. The one-shot forms,
`summarize` and `asummarize`, are in `pool`, over its shared summarizers.

Every call is async underneath (see `portal`): the sync methods run the same coroutine.
"""

from __future__ import annotations

import asyncio
import copy
import time
from dataclasses import replace
from types import TracebackType
from typing import Any, TypeVar

import instructor
from pydantic import BaseModel

from summarizer import language as languages
from summarizer import portal, prompts
from summarizer.article import Article
from summarizer.backends import Backend, resolve
from summarizer.brief import Brief, check_schema, schema_digest
from summarizer.budget import Windows
from summarizer.cache import ResultCache, open_cache
from summarizer.call import Caller, Clients, ModelRequest, Sampling
from summarizer.checks.report import ground_brief
from summarizer.choose import summarize_by_choice
from summarizer.choose import supports as choose_supports
from summarizer.chunking import plan_request, summarize_chunks
from summarizer.errors import BackendTimeout
from summarizer.keys import cache_key
from summarizer.result import Provenance, SummaryResult, Usage
from summarizer.salvage import Correction
from summarizer.schema import CHECKS_VERSION, SCHEMA_VERSION
from summarizer.settings import REQUEST_OPTIONS, Settings, request_options, summarizer_options

ArticleInput = Article | str
Found = TypeVar("Found", bound=BaseModel)


class Summarizer:
    """Summarizes articles into briefs of one schema with one backend, prompt and set of
    options.

    `schema` is the brief's Pydantic model: a `Brief` of your own, or the settings' (a
    ``package.module:Class`` or ``file.py:Class``), else the built-in one (`schema`).
    Options are the `Settings` fields (model, base_url, temperature, timeout, deadline,
    retry, ...); those not given come from the environment, then the config file, then the
    defaults, validated once (a bad value is a `ConfigError` naming it). Reuse one
    instance for many articles: the HTTP client, the cache and (for the embedded backend)
    the loaded model are kept between calls. Close it (or use ``with``/``async with``).
    `sending=False`: its requests are only written to files (`batch_api.prepare`), so a
    backend that needs a key only to send them is made without one.
    """

    def __init__(
        self,
        *,
        cache: bool | ResultCache = True,
        refresh: bool = False,
        settings: Settings | None = None,
        schema: type[Brief] | None = None,
        sending: bool = True,
        **options: Any,
    ) -> None:
        s = settings if settings is not None else Settings.load(**summarizer_options(options))
        self.schema = check_schema(schema) if schema is not None else s.brief()
        backend = resolve(s, sending=sending)
        self._apply(s, backend)
        self.retry = s.retry
        self._owner = True  # closes its clients and cache (a `variant` does not)
        if isinstance(cache, ResultCache):
            self.cache: ResultCache | None = cache
        else:
            self.cache = open_cache(s.cache_dir, s.cache_url, s.cache_ttl) if cache else None
        self.refresh = refresh
        self.clients = Clients(backend, s.retry, self.timeout)
        self.windows = Windows()  # asked of the server once per model, shared by variants

    def _apply(self, s: Settings, backend: Backend) -> None:
        """Set what the settings decide about each request."""
        self.settings = s
        self.backend = backend
        self.prompt = prompts.load(s.prompt or backend.default_prompt, s.prompts_dir)
        # Those of the long-article and small-model ways: a folder of the user's may hold
        # its own, by the same names (`prompts.OVERVIEW_PROMPT`, the brief's choose_prompt).
        self.overview_prompt = prompts.load(prompts.OVERVIEW_PROMPT, s.prompts_dir)
        self.choose_prompt = prompts.load(self.schema.choose_prompt, s.prompts_dir)
        self.sampling = Sampling(s.temperature, s.top_p, s.seed, s.max_tokens)
        self.max_reasks = s.max_reasks if s.max_reasks is not None else backend.default_reasks
        # The small-model way's answer: the setting, else the backend's for it, if any.
        choosing = backend.choosing_reasks if s.max_reasks is None else None
        self.choosing_reasks = self.max_reasks if choosing is None else choosing
        self.policy = s.policy
        self.timeout = s.timeout or backend.default_timeout
        self.deadline = s.deadline  # None: the backend's, by how the article is summarized
        # A prompt of the user's asks for the whole summary: in extract mode the choosing
        # prompt would answer instead, and the user's would go unused. Code proposes
        # items of the kinds it knows (`choose.supports`); a brief of other kinds is
        # written, under a grammar made from its schema on the embedded backend.
        extract = backend.default_lists == "extract" and choose_supports(self.schema)
        self.lists = s.lists or ("write" if s.prompt or not extract else "extract")
        self.caller = Caller(backend, self.sampling, self.timeout, s.policy, s.price)

    REQUEST_OPTIONS = REQUEST_OPTIONS

    def variant(self, *, schema: type[Brief] | None = None, **options: Any) -> Summarizer:
        """This summarizer with another brief's `schema` or other request options
        (`REQUEST_OPTIONS`, already validated, as the service's per-request options are):
        it shares this one's HTTP clients and cache, so a new set of options costs no new
        connection, SDK client or window probe. Closing it closes nothing; this one owns
        what they share."""
        options = request_options(options)
        other = copy.copy(self)  # shares _clients, its lock, the cache
        if schema is not None:
            other.schema = check_schema(schema)
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
        # Every prompt that may make the answer: which one does is the article's to decide
        # (its length, its language), so a change to any of them is a change of answer.
        used = [self.prompt, self.overview_prompt]
        if self.lists == "extract":
            used.append(self.choose_prompt)
        return {
            **self.backend.identity(),
            "sampling": self.sampling.request_fields(),
            "max_reasks": [self.max_reasks, self.choosing_reasks],
            "policy": self.policy,
            "prompt": [[p.name, p.version, p.digest] for p in used],
            "language": self.settings.language,
            "lists": self.lists,
            "schema": [SCHEMA_VERSION, schema_digest(self.schema), CHECKS_VERSION],
        }

    def key_of(self, article: Article) -> str:
        """The cache key of `article`'s summary by this summarizer."""
        return cache_key(article, self.request_identity())

    # -- the steps of one article ------------------------------------------------------

    def summarize(self, article: ArticleInput, **metadata: Any) -> SummaryResult:
        """Summarize one article (an `Article`, or text with an optional header)."""
        return portal.run(self.asummarize(article, **metadata))

    async def asummarize(self, article: ArticleInput, **metadata: Any) -> SummaryResult:
        """The async form of `summarize`. Cancelling it abandons the request at once."""
        started = time.perf_counter()
        art = Article.of(article, **metadata)
        key = self.key_of(art)
        hit = self._lookup(key, started, art)
        if hit is not None:
            return hit
        if self.cache is None or self.refresh:
            return await self._make(art, key, started)
        # One call for all who ask for this article at once, across processes and
        # machines sharing the cache: the others wait for its result (`cache.flight`).
        async with self.cache.flight(key) as stored:
            if stored is not None:
                return self._hit(stored, started, art, key)
            return await self._make(art, key, started)

    async def _make(self, art: Article, key: str, started: float) -> SummaryResult:
        """The steps after a cache miss: the model call(s), checks, the report, storing."""
        deadline = self._deadline_of(art)
        try:
            async with asyncio.timeout(deadline):
                # The transport's deadline (for its messages and retries) is set after this
                # block's, so that this block's, which names the deadline, ends first.
                request = self._first_request(art, deadline)
                found, chunks, prompt = await self._made(art, request)
        except TimeoutError:
            raise BackendTimeout(
                f"{self.backend.describe()} did not finish this article within its "
                f"deadline of {deadline or 0:g} s"
            ) from None
        summary, corrections, usage = found
        made = self.caller.provenance(
            prompt, key, request.attempts.count, usage, started, chunks, brief=self.schema_name
        )
        return self._success(request, summary, corrections, made)

    @property
    def schema_name(self) -> str:
        return self.schema.__name__

    async def _made(
        self, art: Article, request: ModelRequest
    ) -> tuple[tuple[Brief, list[Correction], Usage], int, prompts.Prompt]:
        """The summary (small-model mode: chosen among code's items), how many chunks it was
        made in, and the prompt that made it."""
        if self._by_choice(art):
            chosen = await summarize_by_choice(self, art, request)
            if chosen is not None:  # else its prompt is too long: as usual, in chunks
                return chosen, 1, self.choose_prompt
        chunks = await plan_request(self, art, request)
        if chunks is None:
            return await self.ask(request, self.schema), 1, self.prompt
        return await summarize_chunks(self, art, request, chunks), len(chunks), self.prompt

    def _by_choice(self, art: Article) -> bool:
        """Whether the model chooses among code's items (English only: the claims' parse)."""
        return self.lists == "extract" and art.lang == languages.ENGLISH

    def _deadline_of(self, art: Article) -> float | None:
        """The article's deadline: the setting, else the backend's for how it is made
        (None: each model call is bounded, not the article)."""
        if self.deadline is not None:
            return self.deadline
        if self._by_choice(art) and self.backend.choosing_deadline is not None:
            return self.backend.choosing_deadline
        return self.backend.default_deadline

    def _first_request(self, article: Article, deadline: float | None) -> ModelRequest:
        """The request for a whole article's summary."""
        messages = self.prompt.render(article, self.settings.language, brief=self.schema)
        return ModelRequest.for_article(
            article, messages, self.max_reasks, deadline,
            cite=self.backend.cites_by_code, brief=self.schema, prompted=self.prompt.wording,
        )  # fmt: skip

    def client(self) -> instructor.AsyncInstructor:
        return self.clients.get()

    async def ask(
        self, request: ModelRequest, model: type[Found]
    ) -> tuple[Found, list[Correction], Usage]:
        """A model call for `model`, re-asks included (see `call.Caller.ask`)."""
        return await self.caller.ask(self.clients.get(), request, model)

    def _lookup(self, key: str, started: float, art: Article) -> SummaryResult | None:
        if self.cache is None or self.refresh:
            return None
        stored = self.cache.get(key)
        return None if stored is None else self._hit(stored, started, art, key)

    def _hit(self, stored: dict[str, Any], started: float, art: Article, key: str) -> SummaryResult:
        prompt = self.choose_prompt if self._by_choice(art) else self.prompt
        made = self.caller.provenance(prompt, key, 0, Usage(), started, brief=self.schema_name)
        return SummaryResult.from_stored(stored, made, self.schema)

    def _success(
        self,
        request: ModelRequest,
        summary: Brief,
        corrections: list[Correction],
        provenance: Provenance,
    ) -> SummaryResult:
        """Check a validated brief (the grounding report), store it, wrap it."""
        # Without what instructor attached (the raw response, usage): a plain value, equal
        # to what a cache hit returns.
        summary = self.schema.model_construct(summary.model_fields_set, **dict(summary))
        grounding = ground_brief(summary, request.sentences, skip=request.skip)
        result = SummaryResult(
            summary=summary, grounding=grounding, corrections=corrections, provenance=provenance
        )  # `summary`: the alias, see SummaryResult
        if self.cache is not None:
            self.cache.set(provenance.cache_key, result.stored())
        return result

    # -- closing -------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the HTTP clients and the cache (a `variant`: nothing, it owns neither)."""
        if not self._owner:
            return
        await self.clients.aclose()
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
