"""Benchmark: items that stand alone (issue #37, item 5).

Reads, by path at run time (research-use data, never committed): news_dev and FRANK
validation in `../shared/eval/`.

Prints (1) how many article sentences each rule of `summarizer.text.furniture` touches, on
both sets, with a sample of each for a reader to judge false hits (`--show N`); (2) on
news_dev lines 33-99 outside the reserved ones (36, 42, ..., 96, 100), the key points code
proposes with a leading pronoun or demonstrative, with first person outside quotation
marks, or with caption furniture, counted by plain patterns (they over-count: "It is not
clear ...", a quotation in single quotes; `--show` prints the hits to judge by hand).

Run: python benchmarks/standing_alone.py [--show N] [path/to/shared/eval]
"""

from __future__ import annotations

import collections
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT = ROOT.parent / "shared" / "eval"
RESERVED = set(range(36, 97, 6)) | {100}
LINES = [n for n in range(33, 101) if n not in RESERVED]

_QUOTED = re.compile(
    r"\"[^\"]*\"|\u201c[^\u201d]*\u201d|(?<!\w)['\u2018][^'\u2019]*['\u2019](?!\w)"
)
_FIRST = re.compile(r"\b(I|me|my|mine|we|us|our|ours|myself|ourselves|We|My|Our)\b")
_LEAD = re.compile(
    r"^(?:(?:But|And|However|Yet|So|Now|Instead),?\s+)?"
    r"(It|He|She|They|This|That|These|Those|His|Her|Its|Their|Him|Them|Such)\b"
)
_CAPTION = re.compile(
    r"pictured|Pictured|\((?:left|right|centre|center|above|below|inset|top|bottom)|"
    r"Scroll down|Read more|Click here|PUBLISHED|UPDATED|^By \.|"
    r"^[A-Z][\w'-]*(?: [\w'-]+){0,3}: [A-Z]"
)


def defects(text: str) -> list[str]:
    found = []
    if _LEAD.match(text):
        found.append("leading pronoun")
    if _FIRST.search(_QUOTED.sub("", text)):
        found.append("first person")
    if _CAPTION.search(text):
        found.append("caption")
    return found


def main(argv: list[str]) -> None:
    from summarizer import Article
    from summarizer.candidates import propose
    from summarizer.text.furniture import proposable, rule_of

    show = int(argv[argv.index("--show") + 1]) if "--show" in argv else 0
    rest = [a for i, a in enumerate(argv) if a != "--show" and (i == 0 or argv[i - 1] != "--show")]
    data = Path(rest[0]) if rest else DEFAULT
    random.seed(1)
    for name in ("news_dev", "frank_valid"):
        rows = [json.loads(line) for line in (data / f"{name}.jsonl").open()]
        hits: dict[str, list[tuple[int, str, str]]] = collections.defaultdict(list)
        total = 0
        for n, row in enumerate(rows, 1):
            for s in Article.from_text(row["article"]).sentences:
                total += 1
                if rule := rule_of(s.text):
                    hits[rule].append((n, s.text, proposable(s.text)))
        print(f"{name}: {total} sentences;", {k: len(v) for k, v in hits.items()})
        for rule, found in hits.items():
            for n, text, left in random.sample(found, min(show, len(found))):
                print(f"  {rule} [{n}] {text[:160]!r} -> {left[:100]!r}")
    rows = [json.loads(line) for line in (data / "news_dev.jsonl").open()]
    counts: collections.Counter[str] = collections.Counter()
    offered = 0
    for n in LINES:
        sentences = [s.text for s in Article.from_text(rows[n - 1]["article"]).sentences]
        for point in propose(sentences).key_points:
            offered += 1
            for kind in defects(point["text"]):
                counts[kind] += 1
                if show:
                    print(f"  {kind} [{n}] {point['sentences']} {point['text'][:140]!r}")
    print(f"news_dev {len(LINES)} articles, {offered} key points offered:", dict(counts))


if __name__ == "__main__":
    main(sys.argv[1:])
