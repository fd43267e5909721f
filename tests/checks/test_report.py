"""summarizer.checks.report: the grounding report of plain and structured summaries."""

from __future__ import annotations

from summarizer import Article
from summarizer.checks.report import SUPPORTED, check, ground_text

ARTICLE = [
    "Egypt is expected to lead the stabilization force, diplomats said.",
    "Indonesia offered 20,000 soldiers for the operation.",
]


def test_each_line_or_bullet_is_a_checked_part() -> None:
    report = ground_text("- Indonesia offered 20,000 soldiers.\n- Brazil sent ships.", ARTICLE)
    assert [c.supported for c in report.checks] == [True, False]
    assert report.unsupported_names == ["Brazil"] and report.share_supported == 0.5
    assert report.checks[1].score < SUPPORTED


def test_skipped_kinds_are_listed_in_the_report() -> None:
    report = ground_text("Brazil sent ships.", ARTICLE, skip=frozenset({"name"}))
    assert report.skipped_checks == ["name"] and report.unsupported_names == []


def test_check_takes_text_or_an_article_and_its_language() -> None:
    article = Article.from_text(" ".join(ARTICLE))
    assert check(article, "Indonesia offered 20,000 soldiers.").share_supported == 1.0
    french = "Le séisme a fait 214 morts au Chili mardi, selon les autorités locales."
    assert check(french, "Le séisme a fait 214 morts.").skipped_checks
