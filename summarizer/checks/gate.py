"""The gate: the rules' verdicts on one part of a summary, raised as the message of a
re-ask (a `ValueError` inside the schema's validators, which instructor sends back).

Each function reads the article from the validation scope (`checks.scope`) and does
nothing outside one: only the checks that need no article run there. The grounding report
(`checks.report`) reaches the same verdicts through the same rules (`checks.rules`); the
gate's messages add what to do about them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from summarizer.checks import scope
from summarizer.checks.rules import (
    Error,
    ErrorKind,
    cited_errors,
    copies_description,
    dangling_errors,
    figure_missing,
    free_text_errors,
    name_missing,
    quote_missing,
    repeated_errors,
)
from summarizer.text.support import labels

_FIX = "cite the sentence where it occurs, write it as the article does, or remove it"


def reject(errors: Sequence[Error], what: str) -> None:
    """Raise the errors found, each named by its kind, as one re-ask message."""
    if errors:
        found = "; ".join(f"{e.kind}: {e.message}" for e in errors)
        raise ValueError(f"{what}: {found}; write only what the article says")


def citations_exist(ids: list[int]) -> list[int]:
    """`ids` without repeats, if every one is a sentence of the article."""
    now = scope.current()
    if now is None:
        return ids
    count = len(now.sentences)
    missing = [i for i in ids if not 1 <= i <= count]
    if missing:
        shown = ", ".join(f"S{i}" for i in missing)
        raise ValueError(
            f"{ErrorKind.CITATION}: cites {shown}, which does not exist: "
            f"the article has sentences S1 to S{count}"
        )
    return list(dict.fromkeys(ids))


def part_cited(
    kind: str, text: str, ids: list[int], what: str, now: scope.Scope, prompted: frozenset[str]
) -> None:
    """One checked part of a cited item (`brief.Cited.parts`), by its kind, against the
    sentences the item cites: none of the brief's field descriptions (`prompted`) or of
    the prompt's lines copied; a text with
    no error there; a name there in one of its forms; a figure there, as written or by
    value; a quotation there, verbatim (an ellipsis may join two parts). A description
    (an entity's role) is reported, not gated."""
    article = now.sentences
    if kind in ("text", "quote"):  # (a name or figure copied from the prompt fails below)
        _not_copied(text, prompted, what, now)
    if kind == "text":
        reject(cited_errors(text, ids, article, labels(ids), skip=now.skip), what)
    elif kind == "name" and name_missing(text, ids, article):
        raise ValueError(
            f"{ErrorKind.NAME}: {what} '{text}' does not occur in {labels(ids)}; {_FIX}"
        )
    elif kind == "figure" and figure_missing(text, ids, article):
        raise ValueError(
            f"{ErrorKind.NUMBER}: figure '{text}' does not occur in {labels(ids)}; {_FIX}"
        )
    elif kind == "quote" and quote_missing(text, ids, article):
        raise ValueError(
            f"{ErrorKind.QUOTATION}: {what} \u201c{text}\u201d is not in {labels(ids)}; "
            "copy the words exactly as the article prints them, or remove it"
        )


def _not_copied(text: str, descriptions: frozenset[str], what: str, now: scope.Scope) -> None:
    """The text is none of its brief's field descriptions, nor a line of the prompt it
    was asked with, copied."""
    if copies_description(text, descriptions, now.sentences):
        message = "copies the words of a field's description, not the article's"
        reject([Error(ErrorKind.ECHO, text, message)], what)
    if now.prompted and copies_description(text, now.prompted, now.sentences):
        message = "copies the words of the prompt's instructions, not the article's"
        reject([Error(ErrorKind.ECHO, text, message)], what)


def prose_grounded(
    text: str,
    field: str,
    split: Callable[[str], list[str]],
    prompted: frozenset[str] = frozenset(),
    *,
    headline: bool = False,
    earlier: Sequence[str] = (),
) -> None:
    """Free text cites nothing: each of its sentences is checked against the article
    sentences that support it best (numbers, names and quotations against the whole
    article), and is none of the `prompted` field descriptions, nor of the prompt's
    lines, copied; none says again what one before it says. `headline`: the brief's
    title (it needs no verb). `earlier`: the prose fields before it but the headline (a
    TL;DR), which it may not say again."""
    now = scope.current()
    if now is None:
        return
    # A headline is one, whatever its stops ("United States v. Heinszen & Co.").
    parts = [text] if headline else split(text) or [text]
    for n, sentence in enumerate(parts, start=1):
        # Salvage drops one sentence of many by this name (`salvage._SENTENCE`).
        what = f"sentence {n} of the {field}" if len(parts) > 1 else field
        _not_copied(sentence, prompted, what, now)
        errors = free_text_errors(
            sentence, now.sentences, skip=now.skip, alone=len(parts) == 1, headline=headline
        )
        if n == 1 and not headline:  # a TL;DR, a summary: read with nothing before it
            errors += dangling_errors(sentence, now.skip)
        reject(errors, what)
    if ErrorKind.REPEATED.value not in now.skip:
        # An article of no more sentences than this field has left it nothing else to say.
        before = (
            [s for e in earlier for s in split(e) or [e]] if len(now.sentences) > len(parts) else []
        )
        for error in repeated_errors(parts, before):
            n = parts.index(error.found) + 1
            reject([error], f"sentence {n} of the {field}" if len(parts) > 1 else field)
