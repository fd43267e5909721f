"""What a result cost, in US dollars, from its tokens.

Prices come from a maintained table (genai-prices: OpenAI's models by name, other hosted
providers by their API's URL), with cached input and the Batch API's discount where the
table has them; a `price` in the settings overrides it (what you pay, per million
tokens). A model the table does not know, on a server it does not know (a vLLM of your
own): the cost is unknown (None), never a guess. The embedded model costs nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from summarizer.article import Article
    from summarizer.backends import Backend
    from summarizer.pipeline import Summarizer
    from summarizer.result import Usage

MILLION = 1_000_000


class Price(BaseModel):
    """US dollars per million tokens (the setting ``price``, e.g.
    ``{"input": 0.15, "output": 0.6}``): what you pay, batch or live alike."""

    model_config = ConfigDict(extra="forbid")

    input: float = Field(ge=0, allow_inf_nan=False, description="Per million input tokens.")
    output: float = Field(ge=0, allow_inf_nan=False, description="Per million output tokens.")
    cached_input: float | None = Field(
        default=None,
        ge=0,
        allow_inf_nan=False,
        description="Per million cached input tokens [input].",
    )

    def cost(self, usage: Usage) -> float:
        cached = min(usage.cached_tokens, usage.prompt_tokens)
        per_cached = self.input if self.cached_input is None else self.cached_input
        fresh = usage.prompt_tokens - cached
        return (
            fresh * self.input + cached * per_cached + usage.completion_tokens * self.output
        ) / MILLION


def cost_of(
    usage: Usage, backend: Backend, price: Price | None = None, *, batch: bool = False
) -> float | None:
    """The dollars `usage` cost on `backend` (through the Batch API, if `batch`): by
    `price` if given, else the table's; 0 for no tokens or the embedded model; None if
    the price is not known."""
    if price is not None:
        return price.cost(usage)
    if backend.kind == "embedded" or not (usage.prompt_tokens or usage.completion_tokens):
        return 0.0
    return _tabled(
        usage.prompt_tokens, usage.cached_tokens, usage.completion_tokens,
        backend.model, *backend.price_provider(), batch,
    )  # fmt: skip


def known(backend: Backend, price: Price | None = None) -> bool:
    """Whether costs on `backend` are known (to stop a run at a budget, they must be)."""
    if price is not None or backend.kind == "embedded":
        return True
    return _tabled(1000, 0, 1000, backend.model, *backend.price_provider(), False) is not None


@functools.lru_cache(maxsize=4096)
def _tabled(
    prompt: int, cached: int, completion: int, model: str,
    provider_id: str | None, api_url: str | None, batch: bool,
) -> float | None:  # fmt: skip
    if provider_id is None and api_url is None:
        return None
    import genai_prices  # 0.2 s to import its table: only when a cost is asked for

    usage = genai_prices.Usage(
        input_tokens=prompt, cache_read_tokens=cached or None, output_tokens=completion
    )
    context = {"processing": "batch"} if batch else None
    try:
        if provider_id is not None:
            found = genai_prices.calc_price(
                usage, model, provider_id=provider_id, price_context=context
            )
        else:
            found = genai_prices.calc_price(
                usage, model, provider_api_url=api_url, price_context=context
            )
    except LookupError:
        return None
    return float(found.total_price)


def estimate(summarizer: Summarizer, article: Article) -> float | None:
    """The dollars one article would cost before it is made: its prompt and the JSON
    Schema sent with it, counted as `chunking.plan_request` counts them (high), and an
    answer of the most tokens the request allows; None if the price is not known. Re-asks
    are not foreseen: a run's budget learns them (`RunBudget`)."""
    import json

    messages = summarizer.prompt.render(article, summarizer.settings.language,
                                        brief=summarizer.schema)  # fmt: skip
    sent = summarizer.backend.sends_schema
    extra = json.dumps(summarizer.schema.model_json_schema()) if sent else ""
    return request_cost(summarizer, messages, extra)


def request_cost(
    summarizer: Summarizer,
    messages: Iterable[Mapping[str, str]],
    extra: str = "",
    *,
    batch: bool = False,
) -> float | None:
    """The dollars a request of these messages (and `extra`, its schema) may cost: its
    prompt, and an answer of the most tokens the request allows."""
    from summarizer.budget import prompt_tokens
    from summarizer.result import Usage

    prompt = prompt_tokens(messages, extra)
    answer = summarizer.sampling.max_tokens or summarizer.backend.default_max_tokens
    usage = Usage(prompt_tokens=prompt, completion_tokens=answer, total_tokens=prompt + answer)
    return cost_of(usage, summarizer.backend, summarizer.caller.price, batch=batch)


@dataclass
class RunBudget:
    """A run's spending limit (`--max-cost`): an article starts only if what is spent,
    what the articles in flight may cost and what it may cost stay within `limit`. An
    article's cost is foreseen as the mean of those made so far (re-asks and all), and
    before any, from its prompt (`estimate`)."""

    limit: float
    spent: float = 0.0
    made: int = 0  # articles that called the model
    reserved: dict[int, float] = field(default_factory=dict)  # in flight, by task id

    def foreseen(self, first: Callable[[], float | None]) -> float:
        if self.made:
            return self.spent / self.made
        return first() or 0.0

    def start(self, task: int, foreseen: float) -> bool:
        """Reserve `foreseen` for `task`, if the limit allows it."""
        if self.spent + sum(self.reserved.values()) + foreseen > self.limit:
            return False
        self.reserved[task] = foreseen
        return True

    def finish(self, task: int, cost: float | None, made: bool) -> None:
        self.reserved.pop(task, None)
        self.spent += cost or 0.0
        self.made += made


def cost_line(dollars: float, unknown: int) -> str:
    """A run's total for its final table: "$0.0123", with how many results had no price."""
    total = f"${dollars:.4f}"
    if unknown and not dollars:
        return f"unknown: no price is known for the model (set price) ({unknown} results)"
    return f"{total} (+ {unknown} results at no known price)" if unknown else total
