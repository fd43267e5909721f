"""Benchmark: the small-model mode (`lists="extract"`, issue #24) beside the model writing
the lists (`lists="write"`), the embedded model, cache off.

For the `.txt` seeds: valid or not, seconds, model calls, output tokens, claims. For the
first N news_dev articles (or lines FIRST:LAST of the file, from 1): valid summaries,
median seconds, claims per summary, output tokens, key points that are fragments (under 6
words), and ROUGE-1 F of the TL;DR and key points against the writers' references beside
Lead-3's (references joined, the same for both); how many had the model's prose replaced
by the article's own sentences. Each failure is printed with its line and one-line error.
Run: python benchmarks/small_model.py [extract|write] [N|FIRST:LAST] [path/to/shared/eval]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    from rouge_score import rouge_scorer

    from summarizer import Article, Summarizer
    from summarizer.errors import SummarizerError

    mode = sys.argv[1] if len(sys.argv) > 1 else "extract"
    lines = sys.argv[2] if len(sys.argv) > 2 else "30"
    first, _, last = lines.rpartition(":")
    first_line, last_line = int(first or 1), int(last)
    evaluation = Path(sys.argv[3]) if len(sys.argv) > 3 else ROOT.parent / "shared" / "eval"
    summarizer = Summarizer(cache=False, lists=mode)
    print(f"lists={mode}")
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        started = time.perf_counter()
        try:
            result = summarizer.summarize(Article.from_text(path.read_text()))
        except SummarizerError as exc:
            took = time.perf_counter() - started
            print(f"  {path.name:<42} FAIL {took:5.1f} s  {exc}"[:160])
            continue
        p = result.provenance
        took = time.perf_counter() - started
        print(f"  {path.name:<42} ok   {took:5.1f} s  calls {p.attempts}  output tokens "
              f"{p.usage.completion_tokens}  claims {len(result.brief.claims)}")  # fmt: skip
    news = evaluation / "news_dev.jsonl"
    if not news.is_file():
        print(f"{news} not present: news_dev skipped")
        return 0
    text = news.read_text().splitlines()[first_line - 1 : last_line]
    rows = [(n, json.loads(line)) for n, line in enumerate(text, first_line)]
    scorer = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)
    valid, seconds, claims, tokens, mine, lead, fragments = 0, [], [], [], [], [], 0
    replaced = 0  # valid with the model's prose replaced by the article's own sentences
    asked_again = fixed = 0  # valid after a re-ask; and with the model's prose kept
    for n, row in rows:
        article = Article.from_text(row["article"])
        started = time.perf_counter()
        try:
            result = summarizer.summarize(article)
        except SummarizerError as exc:
            seconds.append(time.perf_counter() - started)
            print(f"  line {n} FAIL {seconds[-1]:5.1f} s  {exc}"[:300])
            continue
        seconds.append(time.perf_counter() - started)
        valid += 1
        was_replaced = any(c.action == "replaced" for c in result.corrections)
        replaced += was_replaced
        if result.provenance.attempts > 1:
            asked_again += 1
            fixed += not was_replaced
        brief = result.brief
        claims.append(len(brief.claims))
        tokens.append(result.provenance.usage.completion_tokens)
        fragments += sum(1 for k in brief.key_points if len(k.text.split()) < 6)
        reference = row["reference_summary"]
        reference = " ".join(reference) if isinstance(reference, list) else reference
        written = " ".join([brief.tldr, *(k.text for k in brief.key_points)])
        lead3 = " ".join(s.text for s in article.sentences[:3])
        mine.append(scorer.score(reference, written)["rouge1"].fmeasure)
        lead.append(scorer.score(reference, lead3)["rouge1"].fmeasure)
    summarizer.close()
    median = statistics.median(seconds)
    print(f"news_dev, lines {first_line} to {first_line + len(rows) - 1}: valid "
          f"{valid}/{len(rows)}; median {median:.1f} s")  # fmt: skip
    if valid:
        print(f"  prose replaced by the article's sentences in {replaced} of {valid}")
        print(f"  asked again in {asked_again}; the re-ask's prose kept in {fixed}")
        print(f"  claims per summary {statistics.mean(claims):.1f}; output tokens median "
              f"{statistics.median(tokens):.0f}; fragment key points {fragments}")  # fmt: skip
        print(f"  ROUGE-1 F against the references: TL;DR + key points "
              f"{statistics.mean(mine):.3f}, Lead-3 {statistics.mean(lead):.3f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
