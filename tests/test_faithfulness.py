"""The faithfulness checks on real text: professional writers' paraphrases pass the gate;
summaries changed the way summaries go wrong (a number, an inserted country, another
speaker, a hedge dropped, a negation flipped) are caught, each as its own kind of error.

Reads news_dev and FRANK's validation split from ../shared/eval by path at run time
(research-use data, never committed). Skipped where it is absent, except in CI (CI=true),
where shared/ lies beside the checkout and a missing file is a failure.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from summarizer import Article
from summarizer.checks.report import check, ground_text
from summarizer.checks.rules import ErrorKind, free_text_errors
from summarizer.schema import split_sentences
from summarizer.text.names import name_occurs, names
from summarizer.text.support import support
from summarizer.text.words import normalize

EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"
FRANK = EVAL / "frank_valid.jsonl"
NEWS_DEV = EVAL / "news_dev.jsonl"
COUNTRIES = ["Portugal", "Norway", "Peru", "Kenya", "Vietnam", "Canada", "Chile", "Greece"]


def _rows(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing: CI must run the faithfulness tests")
        pytest.skip(f"{path.name} not present")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@cache
def _sentences(text: str) -> list[str]:
    return [s.text for s in Article.from_text(text).sentences]


def cases(limit: int = 40, first: int = 2) -> Iterator[tuple[list[str], str]]:
    """(article sentences, a sentence of its FRANK reference summary)."""
    for row in _rows(FRANK)[:limit]:
        sentences = _sentences(row["article"])
        for ref in split_sentences(row["reference_summary"])[:first]:
            yield sentences, ref


def kinds(text: str, sentences: list[str]) -> set[ErrorKind]:
    return {e.kind for part in split_sentences(text) or [text]
            for e in free_text_errors(part, sentences)}  # fmt: skip


def test_writers_paraphrases_pass_the_gate() -> None:
    """news_dev's freelance writers' summaries are faithful and abstractive: the gate
    that re-asks the model must accept at least 90% of them (the old overlap test: 26%)."""
    accepted = total = 0
    for row in _rows(NEWS_DEV):
        sentences = _sentences(row["article"])
        for ref in row["reference_summary"]:
            total += 1
            accepted += not kinds(ref, sentences)
    assert total > 250
    assert accepted / total >= 0.9, f"{accepted} of {total}"


def test_error_free_frank_summaries_pass_the_gate() -> None:
    accepted = total = 0
    for row in _rows(FRANK):
        sentences = _sentences(row["article"])
        for entry in row["model_summaries"]:
            if entry["human_factuality"] == 1:
                total += 1
                accepted += not kinds(entry["summary"], sentences)
    assert accepted / total >= 0.97, f"{accepted} of {total}"


# The recall tests below count the originals the gate refuses (`refused`) and bound them
# at what is measured today (FRANK's XSum references state things their articles do not):
# a gate grown too strict fails here, rather than shrinking the sample it is tested on.


def test_a_changed_number_is_caught() -> None:
    tried = caught = refused = 0
    for sentences, ref in cases():
        article = normalize(" ".join(sentences))
        m = re.search(r"\b\d+\b", ref)
        if not m:
            continue
        changed = str(int(m.group()) * 3 + 7)
        if changed in article:
            continue
        tried += 1
        if kinds(ref, sentences):
            refused += 1
            continue
        caught += ErrorKind.NUMBER in kinds(ref[: m.start()] + changed + ref[m.end() :], sentences)
    assert tried >= 12
    assert refused <= 5, f"the gate refuses {refused} of {tried} originals (5 measured)"
    assert caught == tried - refused


def test_an_inserted_country_is_caught() -> None:
    tried = caught = refused = 0
    for sentences, ref in cases():
        article = normalize(" ".join(sentences))
        country = next(c for c in COUNTRIES if c.lower() not in article)
        tried += 1
        if kinds(ref, sentences):
            refused += 1
            continue
        found = free_text_errors(ref.rstrip(".") + f" in {country}.", sentences)
        caught += any(e.kind is ErrorKind.NAME and e.found == country for e in found)
    assert tried >= 60
    assert refused <= 11, f"the gate refuses {refused} of {tried} originals (11 measured)"
    assert caught == tried - refused


def _writers() -> Iterator[tuple[list[str], str]]:
    """(article sentences, a news_dev writer's summary sentence)."""
    for row in _rows(NEWS_DEV):
        for summary in row["reference_summary"]:
            for ref in split_sentences(summary):
                yield _sentences(row["article"]), ref


def test_a_changed_speaker_is_caught() -> None:
    # FRANK's references and news_dev's writers' summaries: "X said" is rare in either.
    tried = caught = refused = 0
    for sentences, ref in itertools.chain(cases(limit=135, first=4), _writers()):
        m = re.search(r"\b([A-Z][a-z]+) (?:said|told|says)\b", ref)
        if not m:
            continue
        if kinds(ref, sentences):
            refused += 1
            continue
        first = support(ref, sentences).evidence[0]
        source = normalize(" ".join(sentences[max(0, first - 3) : first]))
        # Someone else the article names (a one-word name: "Muslim" or "Another" opening
        # a sentence is no one), who is not near the source of this statement.
        others = [
            n.text for s in sentences for n in names(s)
            if re.fullmatch(r"[A-Z][a-z]{3,}", n.text)
            and not name_occurs(n.text, source) and n.text.lower() not in normalize(ref)
        ]  # fmt: skip
        # The changed sentence has evidence of its own: the substitute must not be named
        # where that evidence speaks either, or it is no error to catch.
        changed = None
        for other in others:
            candidate = ref[: m.start(1)] + other + ref[m.end(1) :]
            at = support(candidate, sentences).evidence[0]
            if not name_occurs(other, normalize(" ".join(sentences[max(0, at - 3) : at + 1]))):
                changed = candidate
                break
        if changed is None:
            continue
        tried += 1
        caught += ErrorKind.SPEAKER in kinds(changed, sentences)
    assert tried >= 6
    assert refused <= 8, f"the gate refuses {refused} originals with a speaker (8 measured)"
    assert caught / tried >= 0.8, f"caught {caught} of {tried}"


def _article_sentences(pattern: str, limit: int = 12) -> list[tuple[list[str], str]]:
    """Real article sentences matching `pattern`, from news_dev, with their article."""
    found = []
    for row in _rows(NEWS_DEV):
        sentences = _sentences(row["article"])
        for s in sentences:
            if re.search(pattern, s) and 12 <= len(s.split()) <= 40 and '"' not in s:
                found.append((sentences, s))
                break
        if len(found) == limit:
            break
    return found


def test_a_dropped_hedge_is_caught() -> None:
    """A sentence the article hedges ("is expected to", "reportedly", "may") restated
    as fact is a hedge error; restated with its hedge, it is not."""
    pattern = r"\b(reportedly|allegedly|is expected to|are expected to|may|could)\b "
    tried = caught = 0
    for sentences, s in _article_sentences(pattern):
        tried += 1
        if kinds(s, sentences):  # the article's own sentence refused: counted as a miss
            continue
        flat = re.sub(r"\b(reportedly|allegedly) ", "", s)
        flat = re.sub(r"\b(is|are) expected to (\w+)", r"will \2", flat)
        flat = re.sub(r"\b(may|could) (\w+)", r"will \2", flat)
        caught += ErrorKind.HEDGE in kinds(flat, sentences)
    assert tried >= 10
    assert caught / tried >= 0.8, f"caught {caught} of {tried}"


def test_a_flipped_negation_is_caught() -> None:
    tried = caught = 0
    for sentences, s in _article_sentences(r"\b(is|was|are|were|did|does|has|have) not \w+"):
        tried += 1
        if kinds(s, sentences):  # the article's own sentence refused: counted as a miss
            continue
        flipped = re.sub(r"\b(is|was|are|were|did|does|has|have) not ", r"\1 ", s, count=1)
        caught += ErrorKind.NEGATION in kinds(flipped, sentences)
    assert tried >= 10
    assert caught / tried >= 0.8, f"caught {caught} of {tried}"


def test_original_references_score_higher_than_invented_ones() -> None:
    pairs = []
    for sentences, ref in cases(limit=15):
        invented = "The government of Portugal denied the report on Monday, officials said."
        pairs.append((ground_text(ref, sentences).score, ground_text(invented, sentences).score))
    assert sum(a > b for a, b in pairs) >= 0.9 * len(pairs)


# The seed article (seeds/gaza-...): other forms of the same name, number or source.
@pytest.mark.parametrize(
    "sentence",
    [
        "The United States wants the force to have a UN mandate.",  # U.S., U.N.
        "Britain has sent advisers to a small cell run by the US inside Israel.",  # U.K.
        "Indonesia offered twenty thousand soldiers for Gaza.",  # 20,000 in words
        "Indonesia offered about 20,000 troops.",
        "Erdogan told Trump that Ankara was ready to send forces.",  # surnames
        "According to the Times of Israel, Azerbaijan agreed to send troops.",
        "The Guardian reported that Egypt is expected to lead the force.",  # hedge kept
        "Egypt is reportedly set to lead the stabilization force.",
    ],
)
def test_other_forms_of_what_the_seed_says_pass(sentence: str, seed_text: str) -> None:
    assert kinds(sentence, _sentences(seed_text)) == set()


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Indonesia offered 25,000 soldiers for Gaza.", ErrorKind.NUMBER),
        ("Indonesia offered thirty thousand soldiers for Gaza.", ErrorKind.NUMBER),
        ("France is willing to contribute soldiers to the force.", ErrorKind.NAME),
        ("Egypt will lead the International Stabilization Force in Gaza.", ErrorKind.HEDGE),
        ("Hamas said it was mandated to make unilateral decisions.", ErrorKind.NEGATION),
        ('Hamas demanded a "unified Islamic framework" for talks.', ErrorKind.QUOTATION),
        ("Vance said Azerbaijan agreed to send troops to Gaza.", ErrorKind.SPEAKER),
    ],
)
def test_each_kind_of_error_is_named(sentence: str, kind: ErrorKind, seed_text: str) -> None:
    found = kinds(sentence, _sentences(seed_text))
    assert kind in found, found


def test_check_reports_kinds_evidence_and_score(seed_text: str) -> None:
    report = check(
        seed_text,
        "Egypt is expected to lead the force, The Guardian reported. "
        "Indonesia offered 30,000 soldiers.",
    )
    first, second = report.checks
    assert first.supported and first.errors == [] and first.evidence[0] == 1
    assert first.score >= 0.55
    assert not second.supported
    assert [e.kind for e in second.errors] == [ErrorKind.NUMBER]
    assert report.unsupported_numbers == ["30,000"]


# Planted bugs no test caught (#22): each of these fails when its rule is loosened.
@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Azerbaijan did not agree to send troops to Gaza.", ErrorKind.NEGATION),  # a "not" added
        ("Hamas never agreed to the first stage of Trump's proposal.", ErrorKind.NEGATION),
        ("Indonesia offered about 26,000 troops.", ErrorKind.NUMBER),  # 30% off: past "about"
        ("Indonesia offered nearly 14,000 troops.", ErrorKind.NUMBER),
        ("Egypt will lead the force; write only what the article says.", ErrorKind.ECHO),
        ("Egypt is not in the article, a validation error says.", ErrorKind.ECHO),
    ],
)
def test_what_a_loosened_rule_would_let_through_is_caught(
    sentence: str, kind: ErrorKind, seed_text: str
) -> None:
    found = kinds(sentence, _sentences(seed_text))
    assert kind in found, found


@pytest.mark.parametrize(
    "sentence",
    [
        "Indonesia offered about 21,000 troops.",  # within 15% of the article's 20,000
        "Indonesia offered nearly 20,000 troops.",
        "Azerbaijan agreed to send troops to Gaza, Times of Israel reported.",
    ],
)
def test_what_a_tightened_rule_would_refuse_passes(sentence: str, seed_text: str) -> None:
    assert kinds(sentence, _sentences(seed_text)) == set()
