"""The small-model mode (issue #24): code proposes every item, the model chooses by number
and writes the prose.

Code proposes items of the kinds it knows (`candidates.propose`): the built-in blocks'
(key points, claims, entities, figures, open questions), and for an item of one text field
(a holding, a finding), whole sentences, as for key points. `plan_of` says, for a brief,
which candidates fill each of its lists; a brief with a list of another kind is written by
the model instead (`supports`), under a grammar made from its schema on the embedded
backend.

`choice_model` is what the model answers for one article: the brief's prose (with the
brief's own checks: the gate re-asks on an error there) and its fields that cite nothing,
and for each list the numbers of the candidates it keeps, each number one that exists.
`assemble` builds the brief from the answer and the candidates: every item is one code
found and the gate passed, cited by code.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import re
import time
from collections.abc import Awaitable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import instructor
from pydantic import BaseModel, Field, ValidationError, create_model

from summarizer.brief import Brief, Cited, grounds, layout, overview_of, split_sentences, visible
from summarizer.candidates import Candidates, propose
from summarizer.checks.scope import article_scope
from summarizer.client import one_line
from summarizer.errors import BackendTimeout, SummaryValidationError
from summarizer.prompts import fence
from summarizer.result import Usage
from summarizer.salvage import Correction, salvage, valid
from summarizer.schema import Claim, Entity, Figure, KeyPoint, OpenQuestion, Quotation

if TYPE_CHECKING:
    from summarizer.article import Article
    from summarizer.call import ModelRequest
    from summarizer.chunking import Steps

Asked = TypeVar("Asked")

# Which candidates fill items of each built-in block, in the order the prompt shows them.
PROPOSED: dict[type[Cited], str] = {
    KeyPoint: "key_points", Claim: "claims", Entity: "entities", Figure: "figures",
    Quotation: "quotations", OpenQuestion: "open_questions",
}  # fmt: skip
# Offered, not chosen: all of them, to the cap, in code's order. Who said what, who the
# story is about and its figures are found and ranked by code (`claims`, `entities`,
# `figures`), each item checked: a small model choosing a few by number only dropped
# some of those an editor wants (issue #37), and cost tokens to write.
TAKEN_WHOLE = frozenset({"open_questions", "claims", "entities", "figures"})
# How many of each kind the model chooses (least, most), within the field's bounds. Who
# said what is the point of a news brief: most of the attributions found are kept.
_BOUNDS = {"key_points": (3, 5), "claims": (8, 10), "entities": (4, 6), "figures": (2, 4),
           "quotations": (1, 3)}  # fmt: skip
_ORDER = list(PROPOSED.values())


@dataclass(frozen=True)
class Source:
    """Where a list of a brief comes from: candidates `kind`, each as it is, or (`text`)
    with its text put in the item's one text field."""

    kind: str
    text: str | None = None
    least: int = 0  # the field's own bounds
    most: int = 12


def _kinds(item: type[Cited]) -> dict[str, str | None]:
    """Each field of an item with the kind of check its type asks for."""
    return {n: (g.kind if (g := grounds(f)) else None) for n, f in item.model_fields.items()}


def _source(item: type[Cited]) -> tuple[str, str | None] | None:
    """The candidates of an item of this class: a built-in block's, for a class with the
    same fields checked the same way (its own, or a user's `quote` and `speaker`)."""
    for block, kind in PROPOSED.items():
        if _kinds(item) == _kinds(block):
            return kind, None
    required = [n for n, f in item.model_fields.items() if f.is_required() and n != "sentences"]
    marked = grounds(item.model_fields[required[0]]) if len(required) == 1 else None
    if marked is not None and marked.kind == "text":
        return "key_points", required[0]  # a sentence of the article, as a key point is
    return None


@functools.cache
def plan_of(schema: type[Brief]) -> dict[str, Source] | None:
    """Which candidates fill each list of `schema`, in the order the prompt shows them; or
    None if code cannot propose the items of one of them (or it has no prose to write)."""
    shape = layout(schema)
    if not shape.prose or set(shape.items) != set(shape.lists):
        return None
    plan = {}
    for field, item in shape.items.items():
        found = _source(item)
        if found is None:
            return None
        info = schema.model_fields[field]
        least = next((int(m.min_length) for m in info.metadata if getattr(m, "min_length", 0)), 0)
        plan[field] = Source(found[0], found[1], least, shape.caps[field])
    return dict(sorted(plan.items(), key=lambda kv: _ORDER.index(kv[1].kind)))


def supports(schema: type[Brief]) -> bool:
    """Whether code can propose every item of `schema`'s briefs (see the module's
    docstring)."""
    return plan_of(schema) is not None


def _offered(source: Source, candidates: Candidates) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = getattr(candidates, source.kind)
    if source.text is None:
        return items
    return [{"sentences": c["sentences"], source.text: c["text"]} for c in items]


def _bounds(source: Source, candidates: Candidates) -> tuple[int, int, int]:
    """How many of a list are offered, and how many the answer keeps (least, most)."""
    offered = len(getattr(candidates, source.kind))
    least, most = _BOUNDS.get(source.kind, (1, 3))
    least = min(max(least, source.least), source.most)
    most = max(min(most, source.most), least)
    return offered, min(least, offered), min(most, offered)


def _chosen_lists(plan: dict[str, Source]) -> dict[str, Source]:
    return {f: s for f, s in plan.items() if s.kind not in TAKEN_WHOLE}


@functools.cache
def prose_model(schema: type[Brief]) -> type[Brief]:
    """The part of `schema` the model writes: its prose and fields that cite nothing. The
    class of its own that declares just those where there is one (the built-in brief's
    `Overview`), else the brief with its lists left out (`brief.overview_of`)."""
    shape = layout(schema)
    wanted = {*shape.prose, *shape.plain}
    for base in reversed(schema.__mro__):
        if isinstance(base, type) and issubclass(base, Brief) and set(base.model_fields) == wanted:
            return base
    return overview_of(schema)


def choice_model(candidates: Candidates, schema: type[Brief]) -> type[Brief]:
    """The answer's model for these candidates: prose, then numbers that exist."""
    plan = plan_of(schema) or {}
    fields: dict[str, Any] = {}
    for name, source in _chosen_lists(plan).items():
        offered, least, most = _bounds(source, candidates)
        if offered == 0:
            fields[name] = (list[int], Field(default_factory=list, max_length=0))
            continue
        number = Literal[tuple(range(1, offered + 1))]  # type: ignore[valid-type]
        # Each number once (`assemble` drops repeats; a grammar made from the schema, like
        # the embedded one, never writes them).
        kept = Field(min_length=least, max_length=most, json_schema_extra={"uniqueItems": True})
        fields[name] = (list[number], kept)  # type: ignore[valid-type]
    model: type[Brief] = create_model(
        "Choice",
        __base__=prose_model(schema),
        __doc__="A summary's prose, and its items by number.",
        **fields,
    )
    model.part = "choice"  # a brief's prose: salvaged as such, under every policy
    model.hidden = frozenset()
    return model


def assemble(answer: BaseModel, candidates: Candidates, schema: type[Brief]) -> dict[str, Any]:
    """The brief (JSON) the answer describes: its prose, and the chosen candidates, each
    once, in the article's order."""
    plan = plan_of(schema) or {}
    data = {k: v for k, v in visible(answer).items() if k not in plan}
    for name, source in plan.items():
        offered = _offered(source, candidates)
        if source.kind in TAKEN_WHOLE:
            data[name] = offered[: source.most]
            continue
        chosen = sorted({n for n in getattr(answer, name) if 1 <= n <= len(offered)})
        data[name] = [offered[n - 1] for n in chosen]
    return data


def _topped_up(data: dict[str, Any], schema: type[Brief], sentences: list[str]) -> dict[str, Any]:
    """`data` with each list of whole sentences (key points) that holds fewer than the
    brief needs filled up from the article's other sentences, in its order, each cut at a
    clause where it is too long for one item (a court's syllabus of four long sentences
    has one key point candidate): a brief in the article's words where none could be
    made. Inside the article's scope: each item added passes its checks."""
    from summarizer.claims import statement_of

    shape = layout(schema)
    for name, source in (plan_of(schema) or {}).items():
        items = list(data.get(name) or [])
        if source.kind != "key_points" or len(items) >= source.least:
            continue
        used = {n for item in items for n in item["sentences"]}
        for number, sentence in enumerate(sentences, 1):
            if len(items) >= source.least:
                break
            if number in used:
                continue
            cuts = [sentence, *(_clause(sentence, most) or "" for most in (40, 25, 15))]
            offered = [{"sentences": [number], source.text or "text": t}
                       for t in map(statement_of, cuts) if t]  # fmt: skip
            items += [item for item in offered if valid(shape.items[name], item)][:1]
        data[name] = sorted(items, key=lambda item: item["sentences"][0])
    return data


def labels(candidates: Candidates, schema: type[Brief]) -> dict[str, list[str]]:
    """Each chosen list's candidates as the choosing prompt shows them, by field."""
    label = {
        "key_points": lambda c: f"S{c['sentences'][0]}",
        "claims": lambda c: str(c["attributed_to"]),
        "entities": lambda c: str(c["name"]),
        "figures": lambda c: f"{c['value']} {c['counts']}",
        "quotations": lambda c: f"{c['speaker']}: {' '.join(str(c['quote']).split()[:6])}",
    }
    plan = _chosen_lists(plan_of(schema) or {})
    return {
        name: [label[s.kind](_fenced(c)) for c in getattr(candidates, s.kind)]
        for name, s in plan.items()
    }


async def summarize_by_choice(
    steps: Steps, article: Article, request: ModelRequest
) -> tuple[Brief, list[Correction], Usage] | None:
    """The brief made the small-model way, or None when its prompt does not fit the
    context window (the caller then summarizes as usual, in chunks)."""
    from summarizer.chunking import plan_request
    from summarizer.prompts import fields_of

    sentences = list(request.sentences)
    schema = steps.schema
    candidates = await asyncio.to_thread(propose, sentences)
    model = choice_model(candidates, schema)
    shown = {name: [_fenced(item) for item in items] for name, items in candidates.lists().items()}
    values = {"candidates": shown, "lists": labels(candidates, schema),
              "prose": fields_of(prose_model(schema))}  # fmt: skip
    # The prompt shows the sentences offered as key points, the article's most central:
    # a third of a long article's tokens to read, which is most of a small model's time.
    central = [article.sentences[p["sentences"][0] - 1] for p in candidates.key_points]
    messages = steps.choose_prompt.render(
        article, steps.settings.language, sentences=central, extra=values
    )
    wording = steps.choose_prompt.wording
    choosing = request.again(messages, instructor.openai_schema(model), request.shown, wording)
    if await plan_request(steps, article, choosing) is not None:
        return None
    choosing.max_reasks = min(choosing.max_reasks, steps.choosing_reasks)  # as many as fit
    try:
        answer, corrections, usage = await _in_time(steps.ask(choosing, model), request.until)
    except SummaryValidationError as exc:
        salvaged = _salvaged_prose(
            article, candidates, model, exc.last_output, request.skip, wording
        )
        if salvaged is None:
            raise
        (answer, corrections), usage = salvaged, exc.usage or Usage()  # the tokens spent
    except BackendTimeout as exc:
        # The items are code's and checked: without the model's prose and choice, the
        # article still gets a brief, in its own words, marked as made without the model.
        own = _without_model(article, candidates, model, exc)
        if own is None:
            raise
        (answer, corrections), usage = own, Usage()
    finally:
        request.attempts.count += choosing.attempts.count
    data = assemble(answer, candidates, schema)
    with article_scope(sentences, skip=request.skip, prompted=wording):
        data = _topped_up(data, schema, sentences)
        try:
            return schema.model_validate(data), corrections, usage
        except ValidationError:
            pass
    kept = salvage(json.dumps(data), sentences, skip=request.skip, prompted=wording, model=schema)
    if kept is None:
        return None
    return kept[0], corrections + kept[1], usage


# Of an article's deadline, what is kept back from the model's call to build the brief
# without it when the call runs out of time (the lead's parse, the checks, the report).
RESERVE = 0.15
MOST_RESERVED_S = 10.0


async def _in_time(call: Awaitable[Asked], until: float | None) -> Asked:
    """`call`, ended as a `BackendTimeout` where it would leave too little of the article's
    deadline (`until`, monotonic) to build the brief without it."""
    if until is None:
        return await call
    left = until - time.monotonic()
    allowed = left - min(RESERVE * left, MOST_RESERVED_S)
    try:
        async with asyncio.timeout(allowed):
            return await call
    except TimeoutError:
        raise BackendTimeout(
            f"no answer within the {allowed:.0f} s the article's deadline left for it"
        ) from None


def _without_model(
    article: Article, candidates: Candidates, model: type[Brief], why: BackendTimeout
) -> tuple[Brief, list[Correction]] | None:
    """The answer built without the model, which ran out of time: the article's own words
    as its prose (`_lead_prose`) and the first items offered, a correction for each prose
    field saying so; or None where the article has no words that pass."""
    lead = _lead_prose(article, candidates, model, {})
    if lead is None:
        return None
    reason = f"made without the model, which ran out of time: {one_line(str(why))}"
    fixes = [
        Correction(field=name, action="replaced", item=_OWN, reason=reason)
        for name in layout(model).prose
    ]
    return lead, fixes


def _answer(raw: str | None) -> dict[str, Any]:
    """The model's raw answer as a JSON object; empty where it is none."""
    try:
        data = json.loads(raw or "")
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def _chosen(data: dict[str, Any], model: type[Brief]) -> dict[str, list[int]]:
    """The numbers the model's answer `data` chose, for each list where they are a valid
    choice (numbers offered, each once, as many as the answer must hold): its prose
    failed, not necessarily its choices."""
    out = {}
    for name, info in model.model_fields.items():
        picked = data.get(name)
        bounds = _number_bounds(info)
        if bounds is None:
            continue
        offered, least, most = bounds
        if (
            isinstance(picked, list)
            and all(type(n) is int and 1 <= n <= offered for n in picked)
            and len(set(picked)) == len(picked)
            and least <= len(picked) <= most
        ):
            out[name] = picked
    return out


def _number_bounds(info: Any) -> tuple[int, int, int] | None:
    """(offered, least, most) of a list of numbers to choose in a `choice_model`."""
    extra = info.json_schema_extra
    if not (isinstance(extra, dict) and extra.get("uniqueItems")):
        return None
    args = getattr(info.annotation, "__args__", ())
    offered = len(getattr(args[0], "__args__", ())) if args else 0
    least = next((int(m.min_length) for m in info.metadata if getattr(m, "min_length", None)), 0)
    most = next((int(m.max_length) for m in info.metadata if getattr(m, "max_length", None)), 0)
    return offered, least, most


_OWN = {"with": "the article's own sentences"}


def _field_error(model: type[BaseModel], values: dict[str, Any], name: str,
                 sentences: list[str], skip: frozenset[str],
                 prompted: frozenset[str] = frozenset()) -> str | None:  # fmt: skip
    """The first error of field `name` when `values` are validated as `model` (errors of
    the other fields aside), or None if it has none."""
    try:
        with article_scope(sentences, skip=skip, prompted=prompted):
            model.model_validate(values)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            if error["loc"][:1] == (name,):
                return one_line(error["msg"]).removeprefix("Value error, ")
    return None


def _salvaged_prose(
    article: Article,
    candidates: Candidates,
    model: type[Brief],
    raw: str | None,
    skip: frozenset[str],
    prompted: frozenset[str],
) -> tuple[Brief, list[Correction]] | None:
    """When the model's prose fails the gate (`raw`, its last answer): each field of it
    that passes (its headline, the first field, only if the field it heads passed; a
    field of sentences without those that fail, if enough are left) with the article's
    own words for the rest (`_lead_prose`), and a correction for each field replaced or
    sentence dropped; or None if there are no such words. `prompted`: the lines of the
    prompt, which no field may copy."""
    from summarizer.render import heading

    theirs = _answer(raw)
    lead = _lead_prose(article, candidates, model, _chosen(theirs, model))
    if lead is None:
        return None
    prose = layout(model).prose
    base: type[Brief] = model.__bases__[0]  # the prose part it was made on (`prose_model`)
    sentences = [s.text for s in article.sentences]
    values = {name: getattr(lead, name) for name in prose}
    # A headline says in fewer words what the field after it says: it is checked after
    # that one, and where that failed, the headline rests on the same reading.
    order = [prose[1], prose[0], *prose[2:]] if len(prose) > 1 else list(prose)
    corrections: list[Correction] = []
    for name in order:
        tried = {**values, name: theirs.get(name)}
        if len(prose) > 1 and name == prose[0] and values[prose[1]] != theirs.get(prose[1]):
            why = f"the {heading(model, prose[1])} it goes with failed the checks"
            corrections.append(Correction(field=name, action="replaced", item=_OWN, reason=why))
            continue
        failed = _field_error(base, tried, name, sentences, skip, prompted)
        if failed is None:
            values[name] = tried[name]
            continue
        if len(split_sentences(str(tried[name] or ""))) > 1:  # drop the sentences that fail
            kept = salvage(json.dumps(tried), sentences, skip=skip, prompted=prompted, model=base)
            if kept is not None and getattr(kept[0], name) != values[name]:
                values[name] = getattr(kept[0], name)
                corrections += kept[1]
                continue
        corrections.append(Correction(field=name, action="replaced", item=_OWN, reason=failed))
    # The article's words for the fields replaced, chosen again to go with the model's
    # that stay (the lead's summary was chosen beside the lead's TL;DR, not the model's).
    replaced = {c.field for c in corrections if c.action == "replaced"}
    stay = {n: values[n] for n in prose if n not in replaced}
    if stay and len(stay) < len(prose):
        again = _lead_prose(article, candidates, model, _chosen(theirs, model), given=stay)
        if again is not None:
            values = {name: getattr(again, name) for name in prose}
    plain = {k: v for k, v in theirs.items() if k in layout(model).plain}
    answer = model.model_construct(**{**lead.model_dump(), **plain, **values})
    return answer, corrections


def _lead_prose(
    article: Article,
    candidates: Candidates,
    model: type[Brief],
    chosen: dict[str, list[int]],
    given: dict[str, Any] | None = None,
) -> Brief | None:
    """Prose in the article's own words, as a wire editor would cut them: for each prose
    field, the first of these that passes its checks: the article's title, its first key
    point cut as a headline, that key point, the first two; then, for a lead too long or
    too few key points, a key point cut at a clause and the article's first sentences;
    with the lists the model `chosen`, else the first items offered; or None if a field
    takes none of them. `given`: prose fields already had (the model's that passed), which
    the others are chosen to go with (a summary may not say a given TL;DR again)."""
    points = [p["text"] for p in candidates.key_points]
    short = [p for p in points if len(p.split()) <= 40] or points  # a field's checks decide
    if not short:
        return None
    sentences = [s.text for s in article.sentences]
    base: type[Brief] = model.__bases__[0]  # the prose part it was made on (`prose_model`)
    # The first prose field is a headline: the article's, or one cut from its lead; the
    # second, the lead (what the headline heads); any after them, longer: the first two
    # key points. Each falls back on the others' words.
    lead, two = short[0], " ".join(points[:2])
    headlines = [o for o in (article.title, _headline(lead)) if o]
    # Where none of those passes (too long for the field, say), the other key points.
    rest = [p for p in short[1:]]
    cut = [c for c in (_clause(p, TLDR_WORDS) for p in short) if c]
    opening = [" ".join(sentences[:n]) for n in (2, 3, 4) if n <= len(sentences)]
    # ... and those after the lead, which a TL;DR cut from it would say again.
    opening += [" ".join(sentences[1:n]) for n in (3, 4, 5) if n <= len(sentences)]
    # ... each cut at a clause where too long for a summary's sentence (a court's syllabus).
    clauses = [c for c in (_clause(t, SENTENCE_WORDS) or t for t in sentences[1:5])
               if len(c.split()) <= SENTENCE_WORDS]  # fmt: skip
    opening += [" ".join(clauses[:n]) for n in (2, 3, 4) if n <= len(clauses)]
    # A summary may not say its TL;DR again (`checks.prose.repeats`): where the lead is
    # the TL;DR, the two key points after it.
    after = " ".join(points[1:3])
    ranked = [[*headlines, lead, two, *map(_headline, rest), *rest], [lead, two, *rest, *cut],
              [two, after, lead, *rest, *opening]]  # fmt: skip
    # A summary's sentences are each of a sentence's length (the schemas' shapes: 45 words).
    ranked[2] = [o for o in ranked[2]
                 if all(len(t.split()) <= SENTENCE_WORDS for t in split_sentences(o))]  # fmt: skip
    prose: dict[str, Any] = {}
    for n, name in enumerate(layout(model).prose):
        if given and name in given:
            prose[name] = given[name]
            continue
        # Where none of those passes, a summary of any two that do (`_pairs`).
        options = ranked[n] if n < 2 else itertools.chain(ranked[2], _pairs(short, sentences))
        for option in options:
            if _field_error(base, {**prose, name: option}, name, sentences, frozenset()) is None:
                prose[name] = option
                break
        else:
            return None
    # The lists: the model's choice, else the first items offered, as many as it must hold.
    for name, info in model.model_fields.items():
        bounds = _number_bounds(info)
        if bounds is not None:
            prose[name] = chosen.get(name) or list(range(1, bounds[1] + 1))
    return model.model_construct(**prose)


def _pairs(points: Sequence[str], sentences: Sequence[str], most: int = 8) -> Iterator[str]:
    """Two sentences of the article, each of a summary sentence's length: the key points
    after the lead, then its opening sentences, earlier pairs first; `most` of them at
    most are paired (28 pairs): where the first choices fail (one sentence said again,
    one in a speaker's first person), a summary is still the article's own words."""
    pool = [p for p in dict.fromkeys([*points[1:], *sentences[1:12]])
            if len(p.split()) <= SENTENCE_WORDS]  # fmt: skip
    pool = pool[:most]
    for i, first in enumerate(pool):
        for second in pool[i + 1 :]:
            yield f"{first} {second}"


TLDR_WORDS = 40  # the built-in TL;DR's bound; a field's own checks decide in the end
SENTENCE_WORDS = 40  # a summary sentence's, under the schemas' 45; likewise
# Where a sentence may be cut, the ends of clauses first (before a conjunction, a
# semicolon, a dash), then any comma: "..., and the fact that, at the time ..." is cut
# before its "and", not after its "time".
_JOINTS = (
    re.compile(r",?\s(?:and|but|while|whereas|although)\s|;\s|\s[-\u2013\u2014]\s"),
    re.compile(r",\s"),
)


def _clause(sentence: str, most: int) -> str | None:
    """`sentence` cut to its longest head of at most `most` words that ends where a clause
    does (`_JOINTS`, the stronger first) and holds the sentence's main verb ("Congress ...
    may delegate legislative authority to such agencies as it may select."); None where
    it is short enough already or has no such head."""
    from summarizer.claims import parser

    if len(sentence.split()) <= most:
        return None
    doc = parser()(sentence)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None:
        return None
    for joints in _JOINTS:
        heads = [sentence[: m.start()] for m in joints.finditer(sentence) if m.start() > root.idx]
        fits = [h.rstrip(",;: ") for h in heads if 4 <= len(h.split()) <= most]
        if fits:
            return f"{fits[-1]}."
    return None


def _headline(sentence: str) -> str:
    """A sentence cut as a headline: up to its first comma or dash where that part holds
    the sentence's main verb and four to 15 words ("Baltimore's mayor has sacked the US
    city's police chief, saying ..."), else its first 15 words."""
    from summarizer.claims import parser

    words = sentence.rstrip(".!?").split()
    clause = re.split(r",\s|\s[-\u2013\u2014]\s", " ".join(words), maxsplit=1)[0]
    doc = parser()(sentence)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is not None and root.idx < len(clause) and 4 <= len(clause.split()) <= 15:
        return clause
    # Else up to the end of a noun phrase within 15 words, after a verb ("Six people were
    # hurt after an explosion at a controversial chemical plant").
    verb = next((t.i for t in doc if t.pos_ in ("VERB", "AUX")), None)
    if verb is not None:
        ends = [
            len(sentence[: chunk.end_char].split())
            for chunk in doc.noun_chunks
            if chunk.start > verb and 4 <= len(sentence[: chunk.end_char].split()) <= 15
        ]
        if ends:
            return " ".join(words[: max(ends)]).rstrip(",;:")
    # 15 words, not ending inside a name ("... U.S. President Donald") or on a small word.
    cut = words[:15]
    while len(cut) > 4:
        inside_name = (
            len(cut) < len(words) and cut[-1][:1].isupper() and words[len(cut)][:1].isupper()
        )
        if not inside_name and cut[-1].lower() not in _SMALL:
            break
        cut.pop()
    return " ".join(cut)


_SMALL = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "by",
        "with",
        "and",
        "or",
        "but",
        "from",
        "as",
    ]
)


def _fenced(item: dict[str, Any]) -> dict[str, Any]:
    return {k: fence(v) if isinstance(v, str) else v for k, v in item.items()}
