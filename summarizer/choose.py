"""The small-model mode (issue #24): code proposes every item, the model chooses by number
and writes the prose.

`choice_model` is what the model answers for one article: the title, TL;DR and summary
(with the checks of an `Overview`: the gate re-asks on an error there), and for each list
the numbers of the candidates it keeps (`candidates.propose`), each number one that
exists. `assemble` builds the `ArticleSummary` from the answer and the candidates: every
item is one code found and the gate passed, cited by code.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import TYPE_CHECKING, Any, Literal

import instructor
from pydantic import BaseModel, Field, ValidationError, create_model

from summarizer.candidates import Candidates, propose
from summarizer.checks.scope import article_scope
from summarizer.client import one_line
from summarizer.errors import SummaryValidationError
from summarizer.prompts import fence
from summarizer.result import Usage
from summarizer.salvage import Correction, salvage
from summarizer.schema import ArticleSummary, Overview

if TYPE_CHECKING:
    from summarizer.article import Article
    from summarizer.call import ModelRequest
    from summarizer.chunking import Steps


CHOSEN = ("key_points", "claims", "entities", "figures")  # open questions: all of them
# How many of each list the model chooses (least, most), within the schema's bounds. Who
# said what is the point of a news brief: most of the attributions found are kept.
_BOUNDS = {"key_points": (3, 5), "claims": (8, 10), "entities": (4, 6), "figures": (2, 4)}


def _bounds(name: str, candidates: Candidates) -> tuple[int, int, int]:
    """How many of list `name` are offered, and how many the answer keeps (least, most)."""
    offered = len(getattr(candidates, name))
    least, most = _BOUNDS[name]
    return offered, min(least, offered), min(most, offered)


def choice_model(candidates: Candidates) -> type[BaseModel]:
    """The answer's model for these candidates: prose, then numbers that exist."""
    fields: dict[str, Any] = {}
    for name in CHOSEN:
        offered, least, most = _bounds(name, candidates)
        if offered == 0:
            fields[name] = (list[int], Field(default_factory=list, max_length=0))
            continue
        number = Literal[tuple(range(1, offered + 1))]  # type: ignore[valid-type]
        # Each number once (`assemble` drops repeats; a grammar made from the schema, like
        # the embedded one, never writes them).
        kept = Field(min_length=least, max_length=most, json_schema_extra={"uniqueItems": True})
        fields[name] = (list[number], kept)  # type: ignore[valid-type]
    model: type[BaseModel] = create_model(
        "Choice", __base__=Overview, __doc__="A summary's prose, and its items by number.", **fields
    )
    return model


def assemble(answer: Overview, candidates: Candidates) -> dict[str, Any]:
    """The summary (JSON) the answer describes: its prose, and the chosen candidates, each
    once, in the article's order."""
    data: dict[str, Any] = {
        "title": answer.title,
        "tldr": answer.tldr,
        "summary": answer.summary,
    }
    for name in CHOSEN:
        offered = getattr(candidates, name)
        chosen = sorted({n for n in getattr(answer, name) if 1 <= n <= len(offered)})
        data[name] = [offered[n - 1] for n in chosen]
    data["open_questions"] = candidates.open_questions[:6]
    return data


async def summarize_by_choice(
    steps: Steps, article: Article, request: ModelRequest
) -> tuple[ArticleSummary, list[Correction], Usage] | None:
    """The summary made the small-model way, or None when its prompt does not fit the
    context window (the caller then summarizes as usual, in chunks)."""
    from summarizer.chunking import plan_request

    sentences = list(request.sentences)
    candidates = await asyncio.to_thread(propose, sentences)
    model = choice_model(candidates)
    shown = {name: [_fenced(item) for item in items] for name, items in candidates.lists().items()}
    values = {"candidates": shown}
    # The prompt shows the sentences offered as key points, the article's most central:
    # a third of a long article's tokens to read, which is most of a small model's time.
    central = [article.sentences[p["sentences"][0] - 1] for p in candidates.key_points]
    messages = steps.choose_prompt.render(
        article, steps.settings.language, sentences=central, extra=values
    )
    choosing = request.again(messages, instructor.openai_schema(model), request.shown)
    if await plan_request(steps, article, choosing) is not None:
        return None
    choosing.max_reasks = min(choosing.max_reasks, steps.choosing_reasks)  # as many as fit
    try:
        answer, corrections, usage = await steps.ask(choosing, model)
    except SummaryValidationError as exc:
        salvaged = _salvaged_prose(article, candidates, model, exc.last_output, request.skip)
        if salvaged is None:
            raise
        (answer, corrections), usage = salvaged, exc.usage or Usage()  # the tokens spent
    finally:
        request.attempts.count += choosing.attempts.count
    data = assemble(answer, candidates)  # type: ignore[arg-type]
    with article_scope(sentences, skip=request.skip):
        try:
            return ArticleSummary.model_validate(data), corrections, usage
        except ValidationError:
            pass
    kept = salvage(json.dumps(data), sentences, skip=request.skip, model=ArticleSummary)
    if kept is None:
        return None
    return kept[0], corrections + kept[1], usage


def _answer(raw: str | None) -> dict[str, Any]:
    """The model's raw answer as a JSON object; empty where it is none."""
    try:
        data = json.loads(raw or "")
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def _chosen(data: dict[str, Any], candidates: Candidates) -> dict[str, list[int]]:
    """The numbers the model's answer `data` chose, for each list where they are a valid
    choice (numbers offered, each once, as many as the answer must hold): its prose
    failed, not necessarily its choices."""
    out = {}
    for name in CHOSEN:
        picked = data.get(name)
        offered, least, most = _bounds(name, candidates)
        if (
            isinstance(picked, list)
            and all(type(n) is int and 1 <= n <= offered for n in picked)
            and len(set(picked)) == len(picked)
            and least <= len(picked) <= most
        ):
            out[name] = picked
    return out


_PROSE = ("tldr", "title", "summary")  # the TL;DR first: the title goes with it
_OWN = {"with": "the article's own sentences"}


def _salvaged_prose(
    article: Article,
    candidates: Candidates,
    model: type[BaseModel],
    raw: str | None,
    skip: frozenset[str],
) -> tuple[Overview, list[Correction]] | None:
    """When the model's prose fails the gate (`raw`, its last answer): each part of it
    that passes (its TL;DR, its title if its TL;DR passed, its summary without the
    sentences that fail if two are left) with the article's own words for the rest
    (`_lead_prose`), and a correction for each part replaced or sentence dropped; or None
    if there are no such words."""
    theirs = _answer(raw)
    lead = _lead_prose(article, candidates, model, _chosen(theirs, candidates))
    if lead is None:
        return None
    sentences = [s.text for s in article.sentences]
    values = {name: getattr(lead, name) for name in _PROSE}
    corrections: list[Correction] = []
    for name in _PROSE:
        tried = {**values, name: theirs.get(name)}
        if name == "title" and values["tldr"] != theirs.get("tldr"):
            # A headline says in fewer words what the TL;DR says: where the model's TL;DR
            # failed, its headline rests on the same reading ("Mayor Sack's Police Chief").
            why = "the TL;DR it goes with failed the checks"
            corrections.append(Correction(field=name, action="replaced", item=_OWN, reason=why))
            continue
        try:
            with article_scope(sentences, skip=skip):
                Overview.model_validate(tried)
            values[name] = tried[name]
            continue
        except ValidationError as exc:
            why = one_line(exc.errors(include_url=False)[0]["msg"]).removeprefix("Value error, ")
        if name == "summary":  # its failing sentences dropped, if two are left
            kept = salvage(json.dumps(tried), sentences, skip=skip, model=Overview)
            if kept is not None:
                values[name] = kept[0].summary
                corrections += kept[1]
                continue
        corrections.append(Correction(field=name, action="replaced", item=_OWN, reason=why))
    answer = model.model_construct(**{**lead.model_dump(), **values})
    return answer, corrections  # type: ignore[return-value]


def _lead_prose(
    article: Article, candidates: Candidates, model: type[BaseModel], chosen: dict[str, list[int]]
) -> Overview | None:
    """Prose in the article's own words, as a wire editor would cut them (the title from
    the article's header, else its first key point cut as a headline; the TL;DR and
    summary from the first key points), with the lists the model `chosen`, else the first
    items offered; or None if they do not make the shapes a summary needs."""
    points = [p["text"] for p in candidates.key_points]
    short = [p for p in points if len(p.split()) <= 40]
    if len(points) < 2 or not short:
        return None
    title = article.title or _headline(short[0])
    prose = {"title": title, "tldr": short[0], "summary": " ".join(points[:2])}
    try:
        with article_scope([s.text for s in article.sentences]):
            Overview.model_validate(prose)
    except ValidationError:
        return None
    # The lists: the model's choice, else the first items offered, as many as it must hold.
    for name in CHOSEN:
        least = _bounds(name, candidates)[1]
        prose[name] = chosen.get(name) or list(range(1, least + 1))
    return model.model_construct(**prose)  # type: ignore[return-value]


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
