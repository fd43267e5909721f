"""The service's Prometheus metrics (`GET /metrics`). Each app has its own registry, so
that several apps in one process (tests) and an embedding application's own metrics do
not collide."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from summarizer.result import SummaryResult

_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 30, 60, 300)


class Metrics:
    """Requests, latencies, cache hits, model calls, tokens and failures."""

    def __init__(self) -> None:
        r = self.registry = CollectorRegistry()
        self.requests = Counter(
            "summarizer_requests", "HTTP requests answered, by route and status",
            ["route", "status"], registry=r,
        )  # fmt: skip
        self.latency = Histogram(
            "summarizer_request_seconds", "Time to answer a request, by route", ["route"],
            registry=r, buckets=_BUCKETS,
        )  # fmt: skip
        self.cache_hits = Counter(
            "summarizer_cache_hits", "Summaries served from the cache", registry=r
        )
        self.model_calls = Counter(
            "summarizer_model_calls", "Model calls made, re-asks included", registry=r
        )
        self.tokens = Counter(
            "summarizer_tokens", "Tokens used by model calls, by kind", ["kind"], registry=r
        )
        self.failures = Counter(
            "summarizer_failures", "Requests that ended in an error, by kind", ["kind"],
            registry=r,
        )  # fmt: skip

    def record(self, result: SummaryResult) -> None:
        """Count what one summary cost."""
        p = result.provenance
        if p.cache_hit:
            self.cache_hits.inc()
        self.model_calls.inc(p.attempts)
        self.tokens.labels(kind="prompt").inc(p.usage.prompt_tokens)
        self.tokens.labels(kind="completion").inc(p.usage.completion_tokens)

    def exposition(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
