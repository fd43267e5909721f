"""The structured summary the model must return (`ArticleSummary`, schema version 1).

Field descriptions are written for the model: instructor sends them with the request.
Validators that need the article (do the cited sentences exist? does the entity occur in
them?) read the article's sentences from `checks.scope.article_scope` (the one route by which
an article reaches them, see there). Outside a
scope only the checks that need no article run.

The article checks are the gate: they fail only on what a reader would call an error
(`ErrorKind`: a number, name or quotation the evidence does not have, a speaker
who is not the source, a hedge made stronger, a negation flipped, a sentence that does not
exist). Each failure goes back to the model on a re-ask, named by its kind and saying
exactly what to fix. How well the wording is supported is graded by the grounding report
(`checks.report`), not gated: a good paraphrase shares few words with its source.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)
from pydantic.json_schema import (
    DEFAULT_REF_TEMPLATE,
    GenerateJsonSchema,
    JsonSchemaMode,
    model_json_schema,
)

from summarizer.checks import gate, scope
from summarizer.segment import split_prose
from summarizer.shapes import (
    HINTS,
    ONE_SENTENCE,
    TWO_TO_FOUR_SENTENCES,
    count_sentences,
    count_words,
    most_sentences,
    schema_text,
    sentence_pattern,
    shaped,
    words_pattern,
)
from summarizer.text.numbers import has_number
from summarizer.text.support import citations, occurrences
from summarizer.text.words import normalize, similar

split_sentences = split_prose  # model-written prose, by the rule `PROSE_END` says

SCHEMA_VERSION = "1"
# Bump when the checks below change what passes: it is part of the cache key, so results
# validated under older rules are not served.
CHECKS_VERSION = "7"

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _sentence_ids(description: str) -> Any:
    return Field(min_length=1, max_length=8, description=description)


_CITE = "Numbers N of the article sentences labelled [SN] that state this; at least one."


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False)

    @model_validator(mode="after")
    def _shapes(self) -> Any:
        """Values match the `pattern`s the JSON Schema publishes (for constrained decoders),
        so every valid summary is also valid against schemas/."""
        for name, info in type(self).model_fields.items():
            extra = info.json_schema_extra
            pattern = extra.get("pattern") if isinstance(extra, dict) else None
            value = getattr(self, name)
            checkable = isinstance(pattern, str) and isinstance(value, str)
            if checkable and re.fullmatch(str(pattern), str(value)) is None:
                raise ValueError(f"{name}: {HINTS.get(str(pattern), 'wrong form')}")
        return self


class Cited(_Model):
    """Base for every item that cites article sentences. `sentences` is the first field of
    each subclass: a model that picks the sentence first then writes from it stays closer
    to the article than one that writes first and looks for a citation afterwards."""

    @model_validator(mode="before")
    @classmethod
    def _cited_by_code(cls, data: Any) -> Any:
        """Inside `article_scope(..., cite=True)`: cite what the item rests on."""
        now = scope.current()
        if now is None or not now.cite or not isinstance(data, dict):
            return data
        found = cls.cite(data, now.sentences)
        return {**data, "sentences": list(found)} if found else data

    @classmethod
    def cite(cls, data: dict[str, Any], article: Sequence[str]) -> tuple[int, ...]:
        """The sentences this item rests on (each kind of item says how to find them)."""
        return ()

    @classmethod
    def identity(cls, data: dict[str, Any]) -> str:
        """The words that say what this item (as JSON) is: by default every text field but
        its citations."""
        return " ".join(str(v) for k, v in data.items() if k != "sentences" and isinstance(v, str))

    @classmethod
    def same(cls, a: dict[str, Any], b: dict[str, Any]) -> bool:
        """Whether two items (as JSON) say the same thing, so that one of them goes (a
        repeat in one answer, or the same item found in two chunks of a long article)."""
        return similar(cls.identity(a), cls.identity(b))

    @field_validator("sentences", check_fields=False)
    @classmethod
    def _sentences_exist(cls, ids: list[int]) -> list[int]:
        return gate.citations_exist(ids)


def _text_cite(field: str) -> Any:
    def cite(cls: type[Cited], data: dict[str, Any], article: Sequence[str]) -> tuple[int, ...]:
        text = data.get(field)
        return citations(text, article) if isinstance(text, str) else ()

    return classmethod(cite)


class KeyPoint(Cited):
    cite = _text_cite("text")

    @classmethod
    def identity(cls, data: dict[str, Any]) -> str:
        return str(data.get("text", ""))

    sentences: list[int] = _sentence_ids(_CITE)
    text: Text = Field(
        max_length=300,
        description="One key point of the story, one sentence.",
        json_schema_extra=ONE_SENTENCE,
    )

    @model_validator(mode="after")
    def _grounded(self) -> KeyPoint:
        gate.grounded(self.text, self.sentences, "key point")
        return self


class EntityType(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"
    COUNTRY = "country"
    LOCATION = "location"
    GROUP = "group"
    OTHER = "other"


class Entity(Cited):
    @classmethod
    def cite(cls, data: dict[str, Any], article: Sequence[str]) -> tuple[int, ...]:
        name = data.get("name")
        return occurrences(name, article)[:3] if isinstance(name, str) else ()

    @classmethod
    def same(cls, a: dict[str, Any], b: dict[str, Any]) -> bool:
        """The same name, however its role is put."""
        return normalize(str(a.get("name", ""))) == normalize(str(b.get("name", "")))

    sentences: list[int] = _sentence_ids(_CITE)
    name: Text = Field(max_length=80, description="The name exactly as the article writes it.")
    type: EntityType = Field(description="What kind of entity this is.")
    role: Text = Field(max_length=160, description="Its role in this story, in a few words.")

    @model_validator(mode="after")
    def _name_occurs(self) -> Entity:
        gate.name_cited(self.name, self.sentences, "entity")
        return self


class SourceKind(StrEnum):
    NAMED_PERSON = "named_person"
    ORGANIZATION = "organization"
    PUBLICATION = "publication"
    ANONYMOUS = "anonymous"
    ARTICLE = "article"


class Hedging(StrEnum):
    STATED = "stated"
    REPORTED = "reported"
    UNCONFIRMED = "unconfirmed"
    SPECULATIVE = "speculative"


class Claim(Cited):
    @classmethod
    def same(cls, a: dict[str, Any], b: dict[str, Any]) -> bool:
        """The same statement from the same source: one statement from two sources is two
        claims (who said what is the point of the list)."""
        same_source = normalize(str(a.get("attributed_to"))) == normalize(
            str(b.get("attributed_to"))
        )
        return same_source and similar(str(a.get("statement")), str(b.get("statement")))

    @classmethod
    def cite(cls, data: dict[str, Any], article: Sequence[str]) -> tuple[int, ...]:
        """The statement's sentences, and the nearest one before them that names its
        source when they do not (news names a speaker, then quotes them)."""
        statement, source = data.get("statement"), data.get("attributed_to")
        if not isinstance(statement, str):
            return ()
        found = citations(statement, article)
        if not found or not isinstance(source, str) or data.get("source_kind") == "article":
            return found
        named = set(occurrences(source, article))
        if named & set(found):
            return found
        before = [i for i in named if found[0] - 2 <= i < found[0]]
        return tuple(sorted({*found, max(before)})) if before else found

    sentences: list[int] = _sentence_ids(_CITE)
    statement: Text = Field(
        max_length=300,
        description="What is claimed, in one sentence.",
        json_schema_extra=ONE_SENTENCE,
    )
    attributed_to: Text = Field(
        max_length=120,
        description=(
            "Who makes the claim, as written in the article (e.g. 'The Guardian', "
            "'three government officials'); 'the article' when it is the writer's own."
        ),
    )
    source_kind: SourceKind = Field(
        description=(
            "named_person, organization, publication (a newspaper or outlet), anonymous "
            "(unnamed officials, diplomats or sources), or article (the writer's own voice)."
        )
    )
    hedging: Hedging = Field(
        description=(
            "stated (said as fact), reported (attributed: 'reportedly', 'according to'), "
            "unconfirmed (the article says it is not confirmed), speculative (expected, may)."
        )
    )

    @model_validator(mode="after")
    def _grounded(self) -> Claim:
        gate.grounded(self.statement, self.sentences, "claim")
        if self.source_kind is not SourceKind.ARTICLE:
            gate.name_cited(self.attributed_to, self.sentences, "source")
        return self


class Figure(Cited):
    @classmethod
    def cite(cls, data: dict[str, Any], article: Sequence[str]) -> tuple[int, ...]:
        value = data.get("value")
        if not isinstance(value, str):
            return ()
        return occurrences(value, article, figure=True)[:2]

    @classmethod
    def same(cls, a: dict[str, Any], b: dict[str, Any]) -> bool:
        """The same number, counting about the same thing."""
        same_value = normalize(str(a.get("value"))) == normalize(str(b.get("value")))
        return same_value and similar(str(a.get("counts")), str(b.get("counts")), 0.5)

    sentences: list[int] = _sentence_ids(_CITE)
    value: Text = Field(max_length=40, description="The number exactly as written, e.g. '20,000'.")
    counts: Text = Field(max_length=160, description="What the number counts or measures.")

    @field_validator("value")
    @classmethod
    def _is_a_number(cls, v: str) -> str:
        if not has_number(v):
            raise ValueError(f"figure '{v}' is not a number; give the number as written")
        return v

    @model_validator(mode="after")
    def _value_occurs(self) -> Figure:
        gate.figure_cited(self.value, self.sentences)
        return self


class OpenQuestion(Cited):
    cite = _text_cite("question")

    @classmethod
    def identity(cls, data: dict[str, Any]) -> str:
        return str(data.get("question", ""))

    sentences: list[int] = _sentence_ids(_CITE)
    question: Text = Field(
        max_length=300,
        description="Something the article says is unknown, unclear or disputed.",
        json_schema_extra=ONE_SENTENCE,
    )

    @model_validator(mode="after")
    def _grounded(self) -> OpenQuestion:
        gate.grounded(self.question, self.sentences, "open question")
        return self


class Overview(_Model):
    """The free text of a summary: title, TL;DR and summary. An `ArticleSummary` begins
    with it; a long article's is written from its chunks' merged key points."""

    @classmethod
    def model_json_schema(
        cls,
        by_alias: bool | None = None,
        ref_template: str = DEFAULT_REF_TEMPLATE,
        schema_generator: type[GenerateJsonSchema] = GenerateJsonSchema,
        mode: JsonSchemaMode = "validation",
        *,
        union_format: Literal["any_of", "primitive_type_array"] = "any_of",
    ) -> dict[str, Any]:
        """Pydantic's JSON Schema, memoized: every request sends it, and generating it
        takes milliseconds. Each caller gets its own copy to change."""
        if schema_generator is not GenerateJsonSchema:  # a custom generator: not memoized
            return model_json_schema(
                cls, by_alias, ref_template, union_format, schema_generator, mode
            )
        return dict(json.loads(schema_text(cls, by_alias, ref_template, mode, union_format)))

    title: Text = Field(
        max_length=120,
        description="A headline of at most 15 words.",
        json_schema_extra=shaped(words_pattern(15), "at most 15 words"),
    )
    tldr: Text = Field(
        max_length=300,
        description="The story in one sentence of at most 40 words.",
        json_schema_extra=shaped(f"^{sentence_pattern(40)}$", "one sentence of at most 40 words"),
    )
    summary: Text = Field(
        max_length=1200,
        description="A summary of 2 to 4 sentences, faithful to the article.",
        json_schema_extra=TWO_TO_FOUR_SENTENCES,
    )

    @field_validator("title")
    @classmethod
    def _short_title(cls, v: str) -> str:
        if count_words(v) > 15:
            raise ValueError(f"the title has {count_words(v)} words; use at most 15")
        return v

    @field_validator("tldr")
    @classmethod
    def _one_sentence(cls, v: str) -> str:
        if count_words(v) > 40:
            raise ValueError(f"the tldr has {count_words(v)} words; use at most 40")
        if count_sentences(v) > 1:
            raise ValueError("the tldr must be a single sentence")
        return v

    @field_validator("summary")
    @classmethod
    def _two_to_four_sentences(cls, v: str) -> str:
        n = count_sentences(v)
        if n > 4 or most_sentences(v) < 2:
            raise ValueError(f"the summary has {n} sentence(s); write 2 to 4")
        return v

    @field_validator("title", "tldr", "summary")
    @classmethod
    def _free_text_grounded(cls, v: str, info: ValidationInfo) -> str:
        """Each sentence against the article (see `checks.gate.prose_grounded`)."""
        gate.prose_grounded(v, str(info.field_name), split_sentences)
        return v


class ArticleSummary(Overview):
    """A structured summary of one news article; every item cites its sentences."""

    key_points: list[KeyPoint] = Field(min_length=3, max_length=7, description="3 to 7 key points.")
    entities: list[Entity] = Field(
        min_length=1, max_length=20, description="The people, organizations and places involved."
    )
    claims: list[Claim] = Field(
        default_factory=list,
        max_length=12,
        description="Who said what: each claim with its source and how sure the article is.",
        # A hint for decoders that bound lists: about one claim per sentence that
        # attributes what it says (see text.attribution.attributions).
        json_schema_extra={"x-one-per": "attribution"},
    )
    figures: list[Figure] = Field(
        default_factory=list, max_length=12, description="Numbers the article gives."
    )
    open_questions: list[OpenQuestion] = Field(
        default_factory=list,
        max_length=6,
        description="What the article says is unknown, unclear or disputed.",
    )


def item_fields(model: type[BaseModel]) -> dict[str, type[Cited]]:
    """The fields of `model` that are lists of cited items, each with its item's model:
    what validation, salvage, chunk merging and the report go through, list by list."""
    out: dict[str, type[Cited]] = {}
    for name, info in model.model_fields.items():
        args = get_args(info.annotation)
        item = args[0] if get_origin(info.annotation) is list and args else None
        if isinstance(item, type) and issubclass(item, Cited):
            out[name] = item
    return out


@functools.cache
def schema_digest() -> str:
    """A digest of `ArticleSummary`'s JSON Schema: part of the cache key."""
    schema = json.dumps(ArticleSummary.model_json_schema(), sort_keys=True)
    return hashlib.sha256(schema.encode()).hexdigest()[:16]


# What a chunk of a long article is asked for (`chunking`): the lists of a summary, each
# with its own checks, without the free text, which is written once for the whole article
# (`Overview`): a chunk's title and summary would be thrown away, after costing decoding
# time and failing validation on their own.
Findings = create_model(
    "Findings",
    __base__=_Model,
    __doc__="The cited items of one part of a long article (an ArticleSummary's lists).",
    **{  # type: ignore[call-overload]
        name: (info.annotation, info)
        for name, info in ArticleSummary.model_fields.items()
        if name not in Overview.model_fields
    },
)
