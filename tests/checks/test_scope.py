"""summarizer.checks.scope: the one context variable, and only while validating."""

from __future__ import annotations

from summarizer.checks.scope import Scope, article_scope, current


def test_a_scope_holds_inside_its_block_and_nests() -> None:
    assert current() is None
    with article_scope(["A."], cite=True, skip=["name"]) as outer:
        assert current() == outer == Scope(("A.",), True, frozenset({"name"}))
        with article_scope(["B."]):
            assert current() == Scope(("B.",))
        assert current() is outer
    assert current() is None
