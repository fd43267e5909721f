"""The structured summary the model must return (`ArticleSummary`, schema version 1).

Field descriptions are written for the model: instructor sends them with the request.
Validators that need the article (do the cited sentences exist?) read the sentence count
from the pydantic validation context (key ``sentence_count``) or, failing that, from
`article_scope` (a context variable: instructor renders its own validation context into
the prompt as a Jinja template, which article text must never go through). Their
messages go back to the model on a re-ask, so they say exactly what to fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

SCHEMA_VERSION = "1"

_sentence_count: ContextVar[int | None] = ContextVar("sentence_count", default=None)


@contextmanager
def article_scope(sentence_count: int) -> Iterator[None]:
    """Validate summaries inside this block against an article of `sentence_count` sentences."""
    token = _sentence_count.set(sentence_count)
    try:
        yield
    finally:
        _sentence_count.reset(token)


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _sentence_ids(description: str) -> Any:
    return Field(min_length=1, max_length=8, description=description)


_CITE = "Numbers N of the article sentences labelled [SN] that state this; at least one."

# A sentence ends at . ! or ? after a lowercase letter, digit or closing quote or bracket
# (a closing quote may follow), then a space. Initialisms ("U.S. envoy", a capital before
# the period) do not end sentences; "Mr. Smith" does (rare in news prose, and consistent).
_END = "[a-z0-9%'\u2019\u201d)][.!?]['\u2019\u201d)]?"
_SENTENCE_END = re.compile(_END + " +")

# Patterns in the JSON Schema only, for constrained decoders: a grammar built from the
# schema makes a small model stop at 15 words, or write a second sentence. Validation
# proper is done by the validators below, whose messages say what to fix. The patterns
# leave out straight double quotes, backslashes (grammar converters apply a pattern to
# the JSON text, where those would need escapes) and line breaks.
_WORD = r'[^"\\ \t\n]{1,24}'  # a word of a title or TL;DR: at most 24 characters
# The summary as 2 to 4 sentences of words, by the rule of `_SENTENCE_END`.
_ANY = r'[^"\\\n ]*'
_MID_WORD = f"({_ANY}[^\"\\\\\\n .!?]|{_ANY}[A-Z][.!?])"
_SENTENCE_BODY = f"({_MID_WORD} )*{_ANY}"
_SENTENCE = f"{_SENTENCE_BODY}{_END}"
_TWO_TO_FOUR_SENTENCES = f"^{_SENTENCE}( {_SENTENCE}){{1,3}}$"
_ONE_SENTENCE = f"^{_SENTENCE}$"
_ONE = {"pattern": _ONE_SENTENCE}


def _words_pattern(most: int) -> str:
    return f"^{_WORD}( {_WORD}){{0,{most - 1}}}$"


def count_sentences(text: str) -> int:
    """Sentences in model-written prose, by the rule above."""
    return len(_SENTENCE_END.findall(text.strip())) + 1


def count_words(text: str) -> int:
    return len(text.split())


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False)


class Cited(_Model):
    """Base for every item that cites article sentences (its `sentences` field is declared
    last in each subclass, so the model writes the item before citing it)."""

    @field_validator("sentences", check_fields=False)
    @classmethod
    def _sentences_exist(cls, ids: list[int], info: ValidationInfo) -> list[int]:
        count = (info.context or {}).get("sentence_count", _sentence_count.get())
        if count is None:
            return ids
        missing = [i for i in ids if not 1 <= i <= count]
        if missing:
            shown = ", ".join(f"S{i}" for i in missing)
            raise ValueError(
                f"cites {shown}, which does not exist: the article has sentences S1 to S{count}"
            )
        return list(dict.fromkeys(ids))


class KeyPoint(Cited):
    text: Text = Field(
        max_length=300, description="One key point of the story, one sentence.", json_schema_extra=_ONE
    )
    sentences: list[int] = _sentence_ids(_CITE)


class EntityType(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"
    COUNTRY = "country"
    LOCATION = "location"
    GROUP = "group"
    OTHER = "other"


class Entity(Cited):
    name: Text = Field(max_length=80, description="The name exactly as the article writes it.")
    type: EntityType = Field(description="What kind of entity this is.")
    role: Text = Field(max_length=160, description="Its role in this story, in a few words.")
    sentences: list[int] = _sentence_ids(_CITE)


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
    statement: Text = Field(
        max_length=300, description="What is claimed, in one sentence.", json_schema_extra=_ONE
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
    sentences: list[int] = _sentence_ids(_CITE)


class Figure(Cited):
    value: Text = Field(max_length=40, description="The number exactly as written, e.g. '20,000'.")
    counts: Text = Field(max_length=160, description="What the number counts or measures.")
    sentences: list[int] = _sentence_ids(_CITE)


class OpenQuestion(Cited):
    question: Text = Field(
        max_length=300,
        description="Something the article says is unknown, unclear or disputed.",
        json_schema_extra={"pattern": f"^{_SENTENCE_BODY}[?.]$"},
    )
    sentences: list[int] = _sentence_ids(_CITE)


class ArticleSummary(_Model):
    """A structured summary of one news article; every item cites its sentences."""

    title: Text = Field(
        max_length=120,
        description="A headline of at most 15 words.",
        json_schema_extra={"pattern": _words_pattern(15)},
    )
    tldr: Text = Field(
        max_length=300,
        description="The story in one sentence of at most 40 words.",
        json_schema_extra={"pattern": _words_pattern(40)},
    )
    summary: Text = Field(
        max_length=1200,
        description="A summary of 2 to 4 sentences, faithful to the article.",
        json_schema_extra={"pattern": _TWO_TO_FOUR_SENTENCES},
    )
    key_points: list[KeyPoint] = Field(min_length=3, max_length=7, description="3 to 7 key points.")
    entities: list[Entity] = Field(
        min_length=1, max_length=20, description="The people, organizations and places involved."
    )
    claims: list[Claim] = Field(
        default_factory=list,
        max_length=12,
        description="Who said what: each claim with its source and how sure the article is.",
    )
    figures: list[Figure] = Field(
        default_factory=list, max_length=12, description="Numbers the article gives."
    )
    open_questions: list[OpenQuestion] = Field(
        default_factory=list,
        max_length=6,
        description="What the article says is unknown, unclear or disputed.",
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
        if not 2 <= n <= 4:
            raise ValueError(f"the summary has {n} sentence(s); write 2 to 4")
        return v
