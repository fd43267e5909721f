"""One model call: a typed request, the client it goes through, and what comes back.

`ModelRequest` is everything one call sends (messages, response model, re-asks, the
article's deadline) with the counter of attempts instructor's hooks keep; `Caller` holds
what every call of one summarizer shares (backend, sampling, timeout, policy) and makes the
call: re-asks included, errors translated into this package's one-line errors
(`client.translate`), and, after the last re-ask, the policy's say (`salvage.recover`).
`Clients` keeps one client per event loop.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar

import instructor
from instructor.v2.core.hooks import Hooks
from pydantic import BaseModel

from summarizer.backends import Backend, safe_url
from summarizer.checks.scope import article_scope
from summarizer.client import Layer, causes, make_client, request_headers, translate
from summarizer.cost import Price, cost_of
from summarizer.errors import SummaryValidationError
from summarizer.language import skipped_checks
from summarizer.prompts import Prompt, fence
from summarizer.result import Provenance, Usage
from summarizer.retry import deadline_header
from summarizer.salvage import Correction, Policy, recover
from summarizer.schema import SCHEMA_VERSION
from summarizer.settings import RetryPolicy

if TYPE_CHECKING:
    from summarizer.article import Article

Found = TypeVar("Found", bound=BaseModel)


@functools.cache
def wrapped(model: type[BaseModel]) -> type[BaseModel]:
    """`model` as instructor wraps it, once per model: instructor wraps a plain model in a
    new class on every request, which costs milliseconds (a Pydantic model is built each
    time); a model it has already wrapped is used as is."""
    return instructor.openai_schema(model)


@dataclass(frozen=True)
class Sampling:
    """Sampling parameters sent to the model; all of them are part of the cache key."""

    temperature: float = 0.0
    top_p: float | None = None
    seed: int | None = None
    max_tokens: int | None = None

    def request_fields(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class Attempts:
    """Model calls made for one request (the first and each re-ask), counted by the
    hooks instructor calls before each."""

    count: int = 0

    def hooks(self) -> Hooks:
        hooks = Hooks()
        hooks.on("completion:kwargs", self._one_more)
        return hooks

    def _one_more(self, *_: Any, **__: Any) -> None:
        self.count += 1


@dataclass
class ModelRequest:
    """What one model call sends, and what it needs to check the answer."""

    messages: list[dict[str, str]]
    response_model: type[BaseModel]  # as instructor wrapped it (see `pipeline`)
    max_reasks: int
    sentences: Sequence[str]  # the article's, which the answer is checked against
    shown: Sequence[str] = ()  # the sentences the prompt shows, as it shows them
    until: float | None = None  # the article's deadline (monotonic), for the transport
    cite: bool = False  # code finds each item's sentences (Backend.cites_by_code)
    skip: frozenset[str] = frozenset()  # kinds of error not looked for (`language`)
    prompted: frozenset[str] = frozenset()  # the prompt's own lines (`Prompt.wording`)
    attempts: Attempts = field(default_factory=Attempts)

    def again(
        self,
        messages: list[dict[str, str]],
        model: type[BaseModel],
        shown: Sequence[str],
        prompted: frozenset[str],
    ) -> ModelRequest:
        """Another request for the same article (a chunk's, the overview's), whose prompt
        (of the lines `prompted`) shows the sentences `shown`, with its own count of
        attempts."""
        return replace(
            self,
            messages=messages,
            response_model=model,
            shown=shown,
            prompted=prompted,
            attempts=Attempts(),
        )

    @classmethod
    def for_article(
        cls,
        article: Article,
        messages: list[dict[str, str]],
        max_reasks: int,
        deadline: float | None,
        *,
        cite: bool,
        brief: type[BaseModel],
        prompted: frozenset[str] = frozenset(),
    ) -> ModelRequest:
        """The request for a whole article's `brief`, its deadline counted from now."""
        return cls(
            messages=messages,
            response_model=wrapped(brief),
            max_reasks=max_reasks,
            sentences=[s.text for s in article.sentences],
            shown=[fence(s.text) for s in article.sentences],
            until=None if deadline is None else time.monotonic() + deadline,
            cite=cite,
            skip=skipped_checks(article.lang),
            prompted=prompted,
        )


@dataclass(frozen=True)
class Caller:
    """Makes model calls for one summarizer's backend and options."""

    backend: Backend
    sampling: Sampling
    timeout: float
    policy: Policy
    price: Price | None = None  # the settings' (`cost`): else the price table's

    def kwargs(self, request: ModelRequest) -> dict[str, Any]:
        """The keyword arguments of instructor's `create` for `request`."""
        kwargs: dict[str, Any] = {
            "model": self.backend.model,
            "messages": request.messages,
            "response_model": request.response_model,
            "max_retries": request.max_reasks,
            "hooks": request.attempts.hooks(),
            "extra_headers": {**request_headers(self.backend), **deadline_header(request.until)},
            # Per request (a `variant` shares a client made with another timeout); it
            # reaches the retrying transport in the request's extensions.
            "timeout": self.timeout,
            **self.sampling.request_fields(),
        }
        schema = request.response_model.model_json_schema()
        if extra := self.backend.extra_body(schema, request.shown):
            kwargs["extra_body"] = extra
        return kwargs

    async def ask(
        self, client: instructor.AsyncInstructor, request: ModelRequest, model: type[Found]
    ) -> tuple[Found, list[Correction], Usage]:
        """The answer to `request` as a `model` (re-asks included), with the corrections
        the policy made after the last re-ask (see `salvage.recover`)."""
        create = client.chat.completions.create_with_completion
        try:
            with article_scope(
                request.sentences, cite=request.cite, skip=request.skip, prompted=request.prompted
            ):
                found, completion = await create(**self.kwargs(request))
        except Exception as exc:
            error = translate(exc, self.backend, request.attempts.count, self.timeout)
            usage = usage_of(getattr(exc, "total_usage", None))
            if isinstance(error, SummaryValidationError):
                scope = (request.sentences, request.cite, request.skip, request.prompted)
                kept = recover(error, self.policy, model, *scope)
                if kept is not None:
                    return kept[0], kept[1], usage
                error.usage = usage  # spent all the same: for the caller's account
            # Ours, raised under the SDK, keeps its own cause: `from exc` would make a loop of
            # causes (exc's lead back to it), which code walking them never leaves.
            raise error from (error.__cause__ if error in causes(exc) else exc)
        plain = model.model_construct(found.model_fields_set, **dict(found))
        total = getattr(found, "_total_usage", None) or getattr(completion, "usage", None)
        return plain, [], usage_of(total)

    def provenance(
        self,
        prompt: Prompt,
        key: str,
        attempts: int,
        usage: Usage,
        started: float,
        chunks: int = 0,
        *,
        brief: str,
    ) -> Provenance:
        """How a `brief` was made with `prompt` (`chunks` 0: a cache hit; the cache says
        how many chunks it was made in)."""
        b = self.backend
        return Provenance(
            backend=b.kind,
            base_url=safe_url(b.base_url),
            model=b.model,
            mode=b.response_format,
            prompt=prompt.name,
            prompt_version=prompt.version,
            schema_version=SCHEMA_VERSION,
            brief=brief,
            cache_key=key,
            cache_hit=chunks == 0,
            attempts=attempts,
            usage=usage,
            cost_usd=cost_of(usage, b, self.price),
            latency_s=time.perf_counter() - started,
            chunks=max(1, chunks),
        )


class Clients:
    """One instructor client per event loop: an async HTTP client belongs to the loop it
    runs on (the portal's for the sync API, the caller's for `asummarize`)."""

    def __init__(
        self, backend: Backend, retry: RetryPolicy, timeout: float, layer: Layer | None = None
    ) -> None:
        self.backend, self.retry, self.timeout, self.layer = backend, retry, timeout, layer
        self._made: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, instructor.AsyncInstructor
        ] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def get(self) -> instructor.AsyncInstructor:
        """The running loop's client, made on first use."""
        loop = asyncio.get_running_loop()
        with self._lock:
            client = self._made.get(loop)
            if client is None:
                client = make_client(self.backend, self.retry, self.timeout, self.layer)
                self._made[loop] = client
        return client

    async def aclose(self) -> None:
        """Close every client, each on its own loop."""
        with self._lock:
            pairs = list(self._made.items())
            self._made.clear()
        here = _running_loop()
        for loop, client in pairs:
            sdk = client.client  # the AsyncOpenAI client, which owns the HTTP client
            if sdk is None:
                continue
            if loop is here:
                await sdk.close()
            elif not loop.is_closed() and loop.is_running():
                asyncio.run_coroutine_threadsafe(sdk.close(), loop).result(timeout=5)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def usage_of(total: Any) -> Usage:
    """The token counts of an SDK usage object (None: zero)."""
    if total is None:
        return Usage()
    details = getattr(total, "prompt_tokens_details", None)
    return Usage(
        prompt_tokens=getattr(total, "prompt_tokens", 0) or 0,
        completion_tokens=getattr(total, "completion_tokens", 0) or 0,
        total_tokens=getattr(total, "total_tokens", 0) or 0,
        cached_tokens=getattr(details, "cached_tokens", 0) or 0,
    )


def sum_usage(usages: Sequence[Usage]) -> Usage:
    return Usage(
        prompt_tokens=sum(u.prompt_tokens for u in usages),
        completion_tokens=sum(u.completion_tokens for u in usages),
        total_tokens=sum(u.total_tokens for u in usages),
        cached_tokens=sum(u.cached_tokens for u in usages),
    )
