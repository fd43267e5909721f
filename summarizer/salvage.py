"""What to do when the last answer still fails validation.

Under policy ``drop`` every answer of the model (the first and each re-ask) is salvaged
this way, and the one that needs the fewest corrections is kept.

Policy ``drop`` (the default) works item by item on the list fields (key points,
entities, claims, figures, open questions):

1. an item that repeats an earlier one word for word is removed;
2. an item whose content is in the article but whose citation is wrong is re-cited to
   the sentence (or two) that support it best, when that makes it valid;
3. any other failing item is removed.

A sentence of the summary text that fails its check is removed the same way, as long as
the two sentences the summary needs are left.

Every change is recorded as a `Correction` in the result, so nothing is changed silently.
A summary with three grounded entities is useful; one with an invented fourth is not,
and neither is no summary at all. Other errors (the title, the TL;DR, a summary that
would keep fewer than two sentences, too few key points left) still fail, as does
everything under policy ``strict``.

Policy ``flag`` keeps the answer as the model gave it if its form is valid (checks that
need the article are left to the grounding report, which marks every failing part).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any, Literal, TypeVar, cast

from pydantic import BaseModel, ValidationError

from summarizer.checks.scope import article_scope
from summarizer.errors import SummaryValidationError
from summarizer.schema import (
    ArticleSummary,
    item_fields,
    split_sentences,
)
from summarizer.text.support import labels, support

Policy = Literal["drop", "flag", "strict"]
ITEM_MODELS = item_fields(ArticleSummary)


class Correction(BaseModel):
    """A change made to the model's answer so that only valid items are kept."""

    field: str
    action: Literal["dropped", "recited", "replaced"]
    item: dict[str, Any] = {}
    reason: str


Salvaged = TypeVar("Salvaged", bound=BaseModel)


def _text_of(item: dict[str, Any]) -> str:
    return " ".join(str(v) for k, v in item.items() if k != "sentences" and isinstance(v, str))


def _valid(model: type[BaseModel], item: dict[str, Any]) -> bool:
    try:
        model.model_validate(item)
    except ValidationError:
        return False
    return True


def _recite(model: type[BaseModel], item: dict[str, Any], sentences: Sequence[str]) -> bool:
    """Point `item` at the sentence(s) that support it best, if that makes it valid."""
    text = _text_of(item)
    ranked = sorted(
        range(1, len(sentences) + 1),
        key=lambda i: support(text, [sentences[i - 1]]).score,
        reverse=True,
    )
    original = item.get("sentences")
    for ids in ([ranked[0]], sorted(ranked[:2])):
        item["sentences"] = ids
        if _valid(model, item):
            return True
    item["sentences"] = original
    return False


def _fix_item(field: str, item: Any, reason: str, sentences: Sequence[str]) -> Correction | None:
    """Re-cite `item` in place (returning that correction), or None to drop it."""
    if not isinstance(item, dict):
        return None
    before = list(item.get("sentences") or [])
    if _recite(ITEM_MODELS[field], item, sentences):
        return Correction(
            field=field,
            action="recited",
            item=dict(item),
            reason=f"cited {labels(before)}: {reason}; now cites {labels(item['sentences'])}",
        )
    return None


def _same(field: str, a: Any, b: Any) -> bool:
    """Two items are the same as their kind says (`schema.Cited.same`)."""
    if not isinstance(a, dict) or not isinstance(b, dict):
        return bool(a == b)
    return ITEM_MODELS[field].same(a, b)


def _drop_duplicates(data: dict[str, Any]) -> list[Correction]:
    corrections = []
    for field in ITEM_MODELS:
        items = data.get(field)
        if not isinstance(items, list):
            continue
        kept: list[Any] = []
        for item in items:
            earlier = next((i for i, k in enumerate(kept) if _same(field, k, item)), None)
            if earlier is not None:
                corrections.append(
                    Correction(
                        field=field,
                        action="dropped",
                        item=item if isinstance(item, dict) else {"value": item},
                        reason=f"repeats {field} item {earlier + 1}",
                    )
                )
            else:
                kept.append(item)
        data[field] = kept
    return corrections


def unchecked(raw: str | None) -> tuple[ArticleSummary, list[Correction]] | None:
    """The answer validated for form only (no article checks), for policy ``flag``. A list
    item whose form is invalid (a figure that is not a number) is dropped and listed: the
    grounding report then marks what the article checks find."""
    return _repair(raw, None)


def _dropped(field: str, item: Any, reason: str) -> Correction:
    return Correction(
        field=field,
        action="dropped",
        item=item if isinstance(item, dict) else {"value": item},
        reason=reason,
    )


# The summary validator names the failing sentence ("sentence 2 of the summary: ...").
_SUMMARY_SENTENCE = re.compile(r"^sentence (\d+) of the summary: ")
Bad = dict[str, dict[int, str]]


def _item_errors(exc: ValidationError) -> Bad | None:
    """Errors by list field and item index ("summary" by sentence index), or None if any
    error is neither an item's nor one sentence's of the summary."""
    bad: Bad = {}
    for error in exc.errors(include_url=False, include_input=False):
        loc = error["loc"]
        reason = error["msg"].removeprefix("Value error, ")
        if loc == ("summary",) and (m := _SUMMARY_SENTENCE.match(reason)):
            bad.setdefault("summary", {}).setdefault(int(m.group(1)) - 1, reason)
            continue
        if len(loc) < 2 or loc[0] not in ITEM_MODELS or not isinstance(loc[1], int):
            return None  # not an item-level error: nothing to drop
        bad.setdefault(str(loc[0]), {}).setdefault(loc[1], reason)
    return bad


def _drop_sentences(data: dict[str, Any], reasons: dict[int, str]) -> list[Correction] | None:
    """The summary without its failing sentences, or None if fewer than two would be left."""
    text = data.get("summary")
    if not isinstance(text, str):
        return None
    parts = split_sentences(text)
    kept = [p for i, p in enumerate(parts) if i not in reasons]
    if len(kept) < 2:
        return None
    data["summary"] = " ".join(kept)
    return [
        _dropped("summary", {"sentence": parts[i]}, reason)
        for i, reason in sorted(reasons.items())
        if i < len(parts)
    ]


def salvage(
    raw: str | None,
    sentences: Sequence[str],
    *,
    cite: bool = False,
    skip: frozenset[str] = frozenset(),
    model: type[Salvaged] = ArticleSummary,  # type: ignore[assignment]
) -> tuple[Salvaged, list[Correction]] | None:
    """The valid part of `raw` (the model's last answer), or None if there is none. With
    `cite`, code finds each item's sentences; `skip` names the kinds of error not looked for
    (see `checks.scope.article_scope`). `model` is what `raw` answers: a summary, or a long
    article's chunk's `Findings` or `Overview`."""
    return _repair(raw, sentences, cite, model, skip)


def recover(
    error: SummaryValidationError,
    policy: Policy,
    model: type[Salvaged],
    sentences: Sequence[str],
    cite: bool = False,
    skip: frozenset[str] = frozenset(),
) -> tuple[Salvaged, list[Correction]] | None:
    """What the policy keeps when the last re-ask still fails: under drop, of every answer
    the model gave, the valid part of the one that needs the fewest corrections (a small
    model's re-ask can be worse than its first answer), the latest on a tie; under flag, a
    summary's last answer as it is (the grounding report marks what fails; a long
    article's findings or overview are dropped from, as under drop); under strict,
    nothing. None: the error stands."""
    if policy == "strict":
        return None
    if policy == "flag" and model is ArticleSummary:
        return cast("tuple[Salvaged, list[Correction]] | None", unchecked(error.last_output))
    kept = [
        found
        for output in reversed(error.outputs)
        if output and (found := salvage(output, sentences, cite=cite, skip=skip, model=model))
    ]
    return min(kept, key=lambda found: len(found[1])) if kept else None


def _repair(
    raw: str | None,
    sentences: Sequence[str] | None,
    cite: bool = False,
    model: type[Salvaged] = ArticleSummary,  # type: ignore[assignment]
    skip: frozenset[str] = frozenset(),
) -> tuple[Salvaged, list[Correction]] | None:
    """Drop (or, against an article's `sentences`, first try to re-cite) the items of `raw`
    that fail validation, until the rest validates; None if an error is not an item's."""
    try:
        data = json.loads(raw or "")
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    against = sentences is not None
    corrections = _drop_duplicates(data) if against else []
    scope = nullcontext() if sentences is None else article_scope(sentences, cite=cite, skip=skip)
    with scope:
        for _ in range(3):
            try:
                return model.model_validate(data), corrections
            except ValidationError as exc:
                bad = _item_errors(exc)
                if bad is None:
                    return None
                for field, reasons in bad.items():
                    if field == "summary":
                        dropped = _drop_sentences(data, reasons)
                        if dropped is None:
                            return None
                        corrections += dropped
                        continue
                    items = data.get(field)
                    if not isinstance(items, list):
                        return None
                    for index in sorted(reasons, reverse=True):
                        if index >= len(items):
                            continue
                        fixed = None
                        if sentences is not None:
                            fixed = _fix_item(field, items[index], reasons[index], sentences)
                        if fixed is None:
                            fixed = _dropped(field, items.pop(index), reasons[index])
                        corrections.append(fixed)
                if against:
                    corrections.extend(_drop_duplicates(data))  # re-citing can make repeats
    return None
