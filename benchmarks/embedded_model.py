"""Benchmark: the embedded model on the seed article.

Prints prompt tokens, output tokens, decoding speed free vs grammar-constrained (this
project's decoder, and llama-cpp-python's own grammar sampling for comparison), and the
end-to-end time of `summarize` with the cache off. Run: python benchmarks/embedded_model.py
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "gaza-stabilization-force-2025-10-18.txt"
OTHER = ROOT / "seeds" / "weedin-v-chin-bow-1927.txt"


def main() -> int:
    import logging

    from rich.console import Console
    from rich.table import Table

    from summarizer import Article, Summarizer, SummaryValidationError, prompts
    from summarizer.backends import resolve
    from summarizer.local import model
    from summarizer.local.chat import chatml, is_chatml, prompt_text
    from summarizer.local.decode import generate
    from summarizer.local.grammar import compact, grammar_for
    from summarizer.local.transport import DISTINCT_OPENINGS
    from summarizer.local.words import article_text, guard_for
    from summarizer.schema import ArticleSummary

    logging.getLogger("instructor").setLevel(logging.CRITICAL)  # the model fails often
    started = time.perf_counter()
    loaded = model.load()
    llm = loaded.llm
    load_s = time.perf_counter() - started
    article = Article.from_text(SEED.read_text(encoding="utf-8"))
    messages = prompts.load(resolve(backend="embedded").default_prompt).render(article)
    text = prompt_text(messages)
    prompt = chatml(messages) if is_chatml(llm) else text
    flat = prompt if isinstance(prompt, str) else "".join(t for t, _ in prompt)
    guard = guard_for(article_text(text))
    grammar = grammar_for(json.dumps(compact(ArticleSummary.model_json_schema())))

    # Same prompt, same number of tokens: free decoding vs this project's constrained
    # decoding. The constrained run goes first; the free run then decodes as many tokens.
    # The constrained run uses the embedded server's own settings. A short warm-up first,
    # so that neither run pays for paging the weights in.
    generate(loaded, prompt, grammar=None, max_tokens=32)
    llm.n_tokens = 0  # the prompt is evaluated in full below, as for a first article
    constrained = generate(
        loaded,
        prompt,
        grammar=grammar,
        max_tokens=1024,
        distinct_openings=DISTINCT_OPENINGS,
        guard=guard,
    )
    free = generate(loaded, prompt, grammar=None, max_tokens=constrained.completion_tokens)
    # llama-cpp-python's high-level API with the same grammar (full grammar pass per token).
    from llama_cpp import LlamaGrammar

    n = min(200, constrained.completion_tokens)
    t0 = time.perf_counter()
    out = llm.create_completion(
        flat,
        max_tokens=n,
        temperature=0.0,
        grammar=LlamaGrammar.from_string(grammar, verbose=False),
    )
    highlevel_s = time.perf_counter() - t0
    highlevel_tokens = out["usage"]["completion_tokens"]  # type: ignore[index]

    # End to end, twice: from an empty context (the first article a process summarizes)
    # and right after another article (in a batch, the worked example's first batch of
    # prompt tokens is reused). A first call warms the imports (openai, instructor).
    summarizer = Summarizer(cache=False)

    def fill_context() -> None:
        # Only here to fill the context: the small model often fails on this article.
        with contextlib.suppress(SummaryValidationError):
            summarizer.summarize(OTHER.read_text(encoding="utf-8"))

    fill_context()
    llm.n_tokens = 0
    t0 = time.perf_counter()
    result = summarizer.summarize(SEED.read_text(encoding="utf-8"))
    end_to_end = time.perf_counter() - t0
    fill_context()
    t0 = time.perf_counter()
    summarizer.summarize(SEED.read_text(encoding="utf-8"))
    end_to_end_batch = time.perf_counter() - t0

    table = Table(title="Embedded model on the seed article (2 cores)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    rows = [
        ("model load (s)", f"{load_s:.2f}"),
        ("prompt tokens", str(constrained.prompt_tokens)),
        ("prompt evaluation (s)", f"{constrained.prompt_s:.2f}"),
        ("output tokens (constrained)", str(constrained.completion_tokens)),
        ("free decoding (tokens/s)", f"{free.tokens_per_s:.1f}"),
        ("constrained, this decoder (tokens/s)", f"{constrained.tokens_per_s:.1f}"),
        ("constrained / free", f"{constrained.tokens_per_s / free.tokens_per_s:.0%}"),
        ("grammar full passes", str(constrained.full_passes)),
        (
            "constrained, llama-cpp-python API (tokens/s, incl. prompt)",
            f"{highlevel_tokens / highlevel_s:.1f}",
        ),
        ("summarize() end to end, empty context (s)", f"{end_to_end:.1f}"),
        ("summarize() end to end, after another article (s)", f"{end_to_end_batch:.1f}"),
        ("  of which model calls", str(result.provenance.attempts)),
        ("  corrections after validation", str(len(result.corrections))),
    ]
    for row in rows:
        table.add_row(*row)
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
