"""Benchmark: false alarms of the prose checks (`checks.prose`) on writers' summaries.

Reads `../shared/eval/news_dev.jsonl` at run time (research-use data, never committed):
100 articles, each with freelance writers' reference summaries, good prose an editor
would sign. Every sentence a check flags there is a false alarm. Prints, per check,
sentences flagged / sentences (and summaries flagged / summaries; `dangling` is looked
for in each summary's first sentence only, as the gate does), and the report's
warnings (`rules.prose_warnings`); with --show, what each
flagged. A check joins the gate only at about 1% of sentences or fewer.

Run: python benchmarks/prose_checks.py [path/to/shared/eval] [--show]
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "eval"


def main() -> int:
    from summarizer import Article
    from summarizer.checks.rules import (
        dangling_errors,
        prose_errors,
        prose_warnings,
        repeated_errors,
    )
    from summarizer.schema import split_sentences

    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    show = "--show" in sys.argv
    path = (Path(args[0]) if args else DEFAULT) / "news_dev.jsonl"
    if not path.is_file():
        print(f"no evaluation data at {path}", file=sys.stderr)
        return 2
    news = [json.loads(line) for line in path.open(encoding="utf-8")]
    sentences_flagged: Counter[str] = Counter()
    summaries_flagged: Counter[str] = Counter()
    warned: Counter[str] = Counter()  # the report's warnings, by sentence
    n_sentences = n_summaries = 0
    started = time.perf_counter()
    for r in news:
        article = [s.text for s in Article.from_text(r["article"]).sentences]
        for ref in r["reference_summary"]:
            n_summaries += 1
            parts = split_sentences(ref) or [ref]
            kinds: set[str] = set()
            for i, s in enumerate(parts):
                n_sentences += 1
                found = prose_errors(s, article) + (dangling_errors(s) if i == 0 else [])
                for e in prose_warnings(s, article):
                    warned[str(e.kind)] += 1
                    if show:
                        print(f"warning {e.kind}: {e.found!r} | {s}")
                for e in found:
                    if show:
                        print(f"{e.kind}: {e.found!r} | {s}")
                for k in {str(e.kind) for e in found}:
                    sentences_flagged[k] += 1
                    kinds.add(k)
            for e in repeated_errors(parts):
                if show:
                    print(f"{e.kind}: {e.found!r} | {ref}")
                sentences_flagged[str(e.kind)] += 1
                kinds.add(str(e.kind))
            summaries_flagged.update(kinds)
    seconds = time.perf_counter() - started
    print(f"news_dev: {len(news)} articles, {n_summaries} writer summaries, {n_sentences} "
          f"sentences; {seconds / n_sentences * 1000:.1f} ms a sentence")  # fmt: skip
    print(f"{'check':<16}{'sentences flagged':>22}{'summaries flagged':>22}")
    for kind in ("repeated", "first_person", "about_article", "lesson", "unparsed", "cut",
                 "relation", "dangling"):  # fmt: skip
        s, m = sentences_flagged[kind], summaries_flagged[kind]
        print(f"{kind:<16}{f'{s} ({s / n_sentences:.1%})':>22}"
              f"{f'{m} ({m / n_summaries:.1%})':>22}")  # fmt: skip
    for kind, n in sorted(warned.items()):
        print(f"{kind + ' (warning)':<24}{f'{n} ({n / n_sentences:.1%})':>14}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
