"""The worked examples in `examples/`: each a desk's brief (a schema of the public blocks
and its prompts), run by the embedded model on public-domain texts shipped beside it.
Their model calls are recorded once with this project's own pytest plugin
(`pytest --summarizer-record=once tests/test_examples.py`, cassettes in
`cassettes/test_examples/`) and replayed offline ever after; each result must pass the
gate: every part valid against its article, and no error in its grounding report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from summarizer.article import Article
from summarizer.checks.scope import article_scope

EXAMPLES = Path(__file__).parent.parent / "examples"
CASES = [
    ("economic_release", "EconomicRelease", "bls-employment-situation-2000-09"),
    ("economic_release", "EconomicRelease", "bls-employment-situation-2021-01"),
    ("court_ruling", "CourtRuling", "weedin-v-chin-bow-1927"),
    ("court_ruling", "CourtRuling", "united-states-v-heinszen-1907"),
]


@pytest.mark.parametrize(("example", "schema", "article"), CASES, ids=[c[2] for c in CASES])
def test_an_example_brief_passes_the_gate(
    summarizer_recording: Any, example: str, schema: str, article: str
) -> None:
    folder = EXAMPLES / example
    summarizer = summarizer_recording.summarizer(
        backend="embedded",
        brief_schema=f"{folder / 'brief.py'}:{schema}",
        prompts_dir=str(folder / "prompts"),
    )
    text = (folder / "articles" / f"{article}.txt").read_text(encoding="utf-8")
    result = summarizer.summarize(text)
    brief = result.brief
    assert type(brief).__name__ == schema == result.provenance.brief
    assert result.provenance.prompt == "brief-choose"  # the desk's own, from its folder
    sentences = [s.text for s in Article.from_text(text).sentences]
    with article_scope(sentences):  # every part, checked again against its article
        type(brief).model_validate(brief.model_dump(mode="json"))
    assert result.grounding is not None and not result.grounding.errors
    assert result.grounding.checks, "nothing was checked"
    summarizer_recording.assert_golden(result)


def test_each_example_ships_its_licence() -> None:
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for _, _, article in CASES:
        assert article in readme, f"{article}: no source or licence in examples/README.md"
