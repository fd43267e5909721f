"""summarizer.segment: how a summary is cut into sentences, in prose or in bullets
(property tests with hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.segment import summary_sentences

NAME = st.text(alphabet=st.characters(min_codepoint=97, max_codepoint=122), min_size=5,
               max_size=9).map(str.capitalize)  # fmt: skip

SENTENCE = st.builds(
    lambda subject, verb, obj: f"{subject} {verb} the {obj}.",
    NAME, st.sampled_from(["leads", "funds", "opened", "closed", "visited"]),
    st.sampled_from(["force", "school", "bridge", "museum", "council"]),
)  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(st.lists(SENTENCE, min_size=1, max_size=6),
       st.sampled_from(["{} ", "{}\n", "- {}\n", "* {}\n", "\u2022 {}\n", "1. {}\n"]))  # fmt: skip
def test_a_summary_has_the_same_sentences_in_prose_lines_or_bullets(
    sentences: list[str], layout: str
) -> None:
    text = "".join(layout.format(s) for s in sentences)
    assert summary_sentences(text) == sentences
