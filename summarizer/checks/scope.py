"""The article a summary is validated against, while instructor validates it.

The one context variable of the package, and only because instructor forces it: the
schema's validators run inside instructor, whose own validation context is rendered into
the prompt as a Jinja template, which article text must never go through. Everything else
that the checks need is passed as an argument.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Scope:
    """What validating a summary against one article needs."""

    sentences: tuple[str, ...]  # the article's, as numbered in the prompt (S1 first)
    cite: bool = False  # code finds the sentences each item rests on (a small model's)
    skip: frozenset[str] = frozenset()  # kinds of error not looked for (`language`)
    # The prompt's own lines (`prompts.Prompt.wording`): a small model copies them into a
    # field ("The most important sentences of an article" as a headline).
    prompted: frozenset[str] = frozenset()


_scope: ContextVar[Scope | None] = ContextVar("article_scope", default=None)


@contextmanager
def article_scope(
    sentences: Sequence[str],
    *,
    cite: bool = False,
    skip: Iterable[str] = (),
    prompted: frozenset[str] = frozenset(),
) -> Iterator[Scope]:
    """Validate summaries inside this block against an article with these sentences.

    With `cite`, the sentences each item cites are found by code (`text.support.citations`,
    where a name or figure occurs), replacing the model's: for a small model that writes
    well but cannot keep count of sentence numbers. `skip` names the kinds of error not
    looked for (`checks.rules.ErrorKind` values); `prompted`, the lines of the prompt the
    answer was asked with, which no field may copy."""
    scope = Scope(tuple(sentences), cite, frozenset(skip), prompted)
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


def current() -> Scope | None:
    """The scope validation runs in, or None outside any (only the checks that need no
    article run)."""
    return _scope.get()
