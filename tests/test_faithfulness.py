"""The faithfulness checker on real articles: human reference summaries, modified the way
summaries go wrong (a changed number, an inserted country, a changed speaker), must be
caught where the originals are not.

Reads FRANK's validation split from ../shared/eval by path at run time (research-use
data, never committed); skipped where it is absent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from summarizer import Article
from summarizer.faithfulness import check_text, score_sentence
from summarizer.grounding import STOPWORDS, normalize
from summarizer.schema import split_sentences

FRANK = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "frank_valid.jsonl"
COUNTRIES = ["Portugal", "Norway", "Peru", "Kenya", "Vietnam", "Canada", "Chile", "Greece"]

pytestmark = pytest.mark.skipif(not FRANK.is_file(), reason="FRANK data not present")


def cases(limit: int = 40, first: int = 2) -> Iterator[tuple[list[str], str]]:
    """(article sentences, a sentence of its reference summary) for `limit` articles."""
    for line in FRANK.read_text(encoding="utf-8").splitlines():
        row: dict[str, Any] = json.loads(line)
        sentences = [s.text for s in Article.from_text(row["article"]).sentences]
        for ref in split_sentences(row["reference_summary"])[:first]:
            yield sentences, ref
        limit -= 1
        if limit == 0:
            return


def problems(text: str, sentences: list[str], kind: str) -> list[str]:
    return [p for c in check_text(text, sentences).checks for p in c.problems if kind in p]


def test_a_changed_number_is_caught() -> None:
    tried = caught = 0
    for sentences, ref in cases():
        article = normalize(" ".join(sentences))
        m = re.search(r"\b\d+\b", ref)
        if not m or problems(ref, sentences, "number"):
            continue
        changed = str(int(m.group()) * 3 + 7)
        if changed in article:
            continue
        tried += 1
        caught += bool(problems(ref[: m.start()] + changed + ref[m.end() :], sentences, "number"))
    assert tried >= 5
    assert caught == tried


def test_an_inserted_country_is_caught() -> None:
    tried = caught = 0
    for sentences, ref in cases():
        article = normalize(" ".join(sentences))
        country = next(c for c in COUNTRIES if c.lower() not in article)
        if problems(ref, sentences, "not in the article"):
            continue
        tried += 1
        modified = ref.rstrip(".") + f" in {country}."
        caught += any(country in p for p in problems(modified, sentences, "not in the article"))
    assert tried >= 10
    assert caught == tried


def test_a_changed_speaker_is_caught() -> None:
    tried = caught = 0
    for sentences, ref in cases(limit=135, first=4):
        m = re.search(r"\b([A-Z][a-z]+) (?:said|told|says)\b", ref)
        if not m or problems(ref, sentences, "attributed"):
            continue
        _, evidence = score_sentence(ref, sentences)
        source = normalize(" ".join(sentences[i - 1] for i in evidence))
        # Someone else the article names, who is not the source of this statement.
        others = [
            w for s in sentences for w in re.findall(r"\b[A-Z][a-z]{3,}\b", s)
            if w.lower() not in source and w.lower() not in STOPWORDS
        ]  # fmt: skip
        if not others:
            continue
        tried += 1
        modified = ref[: m.start(1)] + others[0] + ref[m.end(1) :]
        caught += bool(problems(modified, sentences, "attributed to"))
    assert tried >= 3
    assert caught / tried >= 0.8, f"caught {caught} of {tried}"


def test_original_references_score_higher_than_invented_ones() -> None:
    pairs = []
    for sentences, ref in cases(limit=15):
        invented = "The government of Portugal denied the report on Monday, officials said."
        pairs.append((check_text(ref, sentences).score, check_text(invented, sentences).score))
    assert sum(a > b for a, b in pairs) >= 0.9 * len(pairs)
