"""What to do when the last answer still fails validation.

Under policy ``drop`` every answer of the model (the first and each re-ask) is salvaged
this way, and the one that needs the fewest corrections is kept.

Policy ``drop`` (the default) works item by item on a brief's lists of cited items (in
the built-in brief: key points, entities, claims, figures, open questions):

1. an item that repeats an earlier one word for word is removed;
2. an item whose content is in the article but whose citation is wrong is re-cited to
   the sentence (or two) that support it best, when that makes it valid;
3. any other failing item is removed.

A sentence of prose (the summary) that fails its check is removed the same way, as long
as what is left still has the sentences the field needs.

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
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from summarizer.brief import Cited, Layout, layout, split_sentences
from summarizer.checks.scope import article_scope
from summarizer.errors import SummaryValidationError
from summarizer.text.support import labels, support

Policy = Literal["drop", "flag", "strict"]


class Correction(BaseModel):
    """A change made to the model's answer so that only valid items are kept."""

    field: str
    action: Literal["dropped", "recited", "replaced"]
    item: dict[str, Any] = {}
    reason: str


Salvaged = TypeVar("Salvaged", bound=BaseModel)


def _text_of(item: dict[str, Any]) -> str:
    return " ".join(str(v) for k, v in item.items() if k != "sentences" and isinstance(v, str))


def valid(model: type[BaseModel], item: dict[str, Any]) -> bool:
    """Whether `item` passes `model`'s checks (inside the article's scope, as called)."""
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
        if valid(model, item):
            return True
    item["sentences"] = original
    return False


def _fix_item(
    model: type[BaseModel], field: str, item: Any, reason: str, sentences: Sequence[str]
) -> Correction | None:
    """Re-cite `item` in place (returning that correction), or None to drop it."""
    if not isinstance(item, dict):
        return None
    before = list(item.get("sentences") or [])
    if _recite(model, item, sentences):
        return Correction(
            field=field,
            action="recited",
            item=dict(item),
            reason=f"cited {labels(before)}: {reason}; now cites {labels(item['sentences'])}",
        )
    return None


def _same(model: type[Cited], a: Any, b: Any) -> bool:
    """Two items are the same as their kind says (`brief.Cited.same`)."""
    if not isinstance(a, dict) or not isinstance(b, dict):
        return bool(a == b)
    return model.same(a, b)


def _drop_duplicates(data: dict[str, Any], shape: Layout) -> list[Correction]:
    corrections = []
    for field in shape.lists:
        items = data.get(field)
        if not isinstance(items, list):
            continue
        model = shape.items[field]
        kept: list[Any] = []
        for item in items:
            earlier = next((i for i, k in enumerate(kept) if _same(model, k, item)), None)
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


def unchecked(raw: str | None, model: type[Salvaged]) -> tuple[Salvaged, list[Correction]] | None:
    """The answer validated for form only (no article checks), for policy ``flag``. A list
    item whose form is invalid (a figure that is not a number) is dropped and listed: the
    grounding report then marks what the article checks find."""
    return _repair(raw, None, model=model)


def _dropped(field: str, item: Any, reason: str) -> Correction:
    return Correction(
        field=field,
        action="dropped",
        item=item if isinstance(item, dict) else {"value": item},
        reason=reason,
    )


# The prose gate names a failing sentence ("sentence 2 of the summary: ...", see
# `checks.gate.prose_grounded`).
_SENTENCE = re.compile(r"^sentence (\d+) of the (\w+): ")
Bad = dict[str, dict[int, str]]


def _item_errors(exc: ValidationError, shape: Layout) -> Bad | None:
    """Errors by list field and item index (a prose field's by sentence index), or None
    if any error is neither an item's nor one sentence's of prose."""
    bad: Bad = {}
    for error in exc.errors(include_url=False, include_input=False):
        loc = error["loc"]
        reason = error["msg"].removeprefix("Value error, ")
        m = _SENTENCE.match(reason)
        if len(loc) == 1 and loc[0] in shape.prose and m and m.group(2) == loc[0]:
            bad.setdefault(str(loc[0]), {}).setdefault(int(m.group(1)) - 1, reason)
            continue
        if len(loc) < 2 or loc[0] not in shape.lists or not isinstance(loc[1], int):
            return None  # not an item-level error: nothing to drop
        bad.setdefault(str(loc[0]), {}).setdefault(loc[1], reason)
    return bad


def _drop_sentences(
    data: dict[str, Any], field: str, reasons: dict[int, str]
) -> list[Correction] | None:
    """The prose `field` without its failing sentences, or None if none would be left (if
    too few are, the field's own validator says so next)."""
    text = data.get(field)
    if not isinstance(text, str):
        return None
    parts = split_sentences(text)
    kept = [p for i, p in enumerate(parts) if i not in reasons]
    if not kept:
        return None
    data[field] = " ".join(kept)
    return [
        _dropped(field, {"sentence": parts[i]}, reason)
        for i, reason in sorted(reasons.items())
        if i < len(parts)
    ]


def salvage(
    raw: str | None,
    sentences: Sequence[str],
    *,
    cite: bool = False,
    skip: frozenset[str] = frozenset(),
    prompted: frozenset[str] = frozenset(),
    model: type[Salvaged],
) -> tuple[Salvaged, list[Correction]] | None:
    """The valid part of `raw` (the model's last answer), or None if there is none. With
    `cite`, code finds each item's sentences; `skip` names the kinds of error not looked for,
    `prompted` the prompt's lines (see `checks.scope.article_scope`). `model` is what `raw`
    answers: a brief, or a part of one (a long article's chunk's findings, its overview)."""
    return _repair(raw, sentences, cite, model=model, skip=skip, prompted=prompted)


def recover(
    error: SummaryValidationError,
    policy: Policy,
    model: type[Salvaged],
    sentences: Sequence[str],
    cite: bool = False,
    skip: frozenset[str] = frozenset(),
    prompted: frozenset[str] = frozenset(),
) -> tuple[Salvaged, list[Correction]] | None:
    """What the policy keeps when the last re-ask still fails: under drop, of every answer
    the model gave, the valid part of the one that needs the fewest corrections (a small
    model's re-ask can be worse than its first answer), the latest on a tie; under flag, a
    brief's last answer as it is (the grounding report marks what fails; a part of a brief,
    such as a long article's findings, is dropped from, as under drop); under strict,
    nothing. None: the error stands."""
    if policy == "strict":
        return None
    if policy == "flag" and getattr(model, "part", "") is None:
        return unchecked(error.last_output, model)
    kept: list[tuple[Salvaged, list[Correction]]] = []
    for output in reversed(error.outputs):  # (an empty one salvages nothing)
        found = salvage(output, sentences, cite=cite, skip=skip, prompted=prompted, model=model)
        if found is not None:
            kept.append(found)
    return min(kept, key=lambda found: len(found[1])) if kept else None


def _repair(
    raw: str | None,
    sentences: Sequence[str] | None,
    cite: bool = False,
    *,
    model: type[Salvaged],
    skip: frozenset[str] = frozenset(),
    prompted: frozenset[str] = frozenset(),
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
    shape = layout(model)
    corrections = _drop_duplicates(data, shape) if against else []
    scope = (
        nullcontext()
        if sentences is None
        else article_scope(sentences, cite=cite, skip=skip, prompted=prompted)
    )
    with scope:
        for _ in range(8):  # a pass per failing sentence of prose (the gate names one)
            try:
                return model.model_validate(data), corrections
            except ValidationError as exc:
                bad = _item_errors(exc, shape)
                if bad is None:
                    return None
                for field, reasons in bad.items():
                    if field in shape.prose:
                        dropped = _drop_sentences(data, field, reasons)
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
                            fixed = _fix_item(
                                shape.items[field], field, items[index], reasons[index], sentences
                            )
                        if fixed is None:
                            fixed = _dropped(field, items.pop(index), reasons[index])
                        corrections.append(fixed)
                if against:
                    corrections.extend(_drop_duplicates(data, shape))  # re-citing can make repeats
    return None
