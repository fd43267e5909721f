"""Benchmark: what the pipeline adds per article, against a server that answers at once.

Both sides make the same real HTTP request to a canned OpenAI-compatible server on
127.0.0.1 (benchmarks/_canned.py) and get the same summary back:

- direct: the openai SDK alone (`chat.completions.create` with the json_schema response
  format, then `json.loads` of the answer), the least any caller must do;
- pipeline: `Summarizer.summarize` with the cache off: prompt rendering, instructor,
  the retry transport, Pydantic validation with every grounding check, the grounding
  report and the result.

The article is segmented once beforehand (an `Article` keeps its sentences) so the two
sides compare like for like; segmenting with spaCy, which any call on a new article pays
once, is printed on its own line.
Run: python benchmarks/overhead.py
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

from _canned import MODEL, SEED, canned_server, print_table

ROUNDS = 300


def timed(fn: Callable[[], object], rounds: int) -> list[float]:
    """Milliseconds per call, after a few warm-up calls."""
    for _ in range(5):
        fn()
    out = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> int:
    import json

    import openai
    from _canned import CANNED

    from summarizer import Article, Summarizer
    from summarizer.checks.report import ground_brief as ground_summary
    from summarizer.checks.scope import article_scope
    from summarizer.schema import ArticleSummary

    text = SEED.read_text(encoding="utf-8")
    article = Article.from_text(text)
    article.sentences  # noqa: B018 - segment once, outside the timed calls
    with canned_server() as base_url:
        summarizer = Summarizer(base_url=base_url, model=MODEL, cache=False)
        messages = summarizer.prompt.render(article)
        client = openai.OpenAI(base_url=base_url, api_key="unused", max_retries=0)
        schema = ArticleSummary.model_json_schema()
        response_format = {
            "type": "json_schema",
            "json_schema": {"name": "ArticleSummary", "schema": schema, "strict": True},
        }

        def direct() -> object:
            response = client.chat.completions.create(
                model=MODEL,
                messages=messages,  # type: ignore[arg-type]
                response_format=response_format,  # type: ignore[arg-type]
                temperature=0.0,
            )
            return json.loads(response.choices[0].message.content or "")

        def pipeline() -> object:
            return summarizer.summarize(article)

        # Interleave the two so that drift of the machine affects both alike.
        direct_ms: list[float] = []
        pipeline_ms: list[float] = []
        for _ in range(ROUNDS // 50):
            direct_ms += timed(direct, 50)
            pipeline_ms += timed(pipeline, 50)
        segment_ms = timed(lambda: Article.from_text(text).sentences, 30)

        # Two parts of the pipeline's own work, alone: validation with every grounding
        # check, and the grounding report (the same article, as in the calls above).
        answer = CANNED.read_text()
        sentences = [s.text for s in article.sentences]

        def validate() -> ArticleSummary:
            with article_scope(sentences):
                return ArticleSummary.model_validate_json(answer)

        summary = validate()
        validate_ms = timed(validate, ROUNDS)
        report_ms = timed(lambda: ground_summary(summary, sentences), ROUNDS)

    d, p = statistics.median(direct_ms), statistics.median(pipeline_ms)
    v, r = statistics.median(validate_ms), statistics.median(report_ms)
    print_table(
        f"Pipeline overhead per article (seed article, instant server, {ROUNDS} calls each)",
        [
            ("openai SDK directly, median (ms)", f"{d:.2f}"),
            ("Summarizer.summarize, cache off, median (ms)", f"{p:.2f}"),
            ("added by the pipeline, median (ms)  [target < 2]", f"{p - d:.2f}"),
            ("  of which validation with the grounding checks (ms)", f"{v:.2f}"),
            ("  of which the grounding report (ms)", f"{r:.2f}"),
            (
                "  the rest: instructor, retry transport, cache key, result (ms)",
                f"{p - d - v - r:.2f}",
            ),
            (
                "segmenting the article with spaCy, once per new article (ms)",
                f"{statistics.median(segment_ms):.1f}",
            ),
        ],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
