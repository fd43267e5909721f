"""The service's request and error bodies; a request's options derived from a
`Summarizer`'s (`settings.SummarizerOptions`)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import TYPE_CHECKING, Any, Optional

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator
from pydantic.fields import FieldInfo

from summarizer import prompts
from summarizer.article import Article
from summarizer.settings import REQUEST_OPTIONS, SummarizerOptions

# The prompt templates a request may name: those that ship, read once (not per request).
SERVED_PROMPTS = tuple(prompts.available())


class ArticleIn(BaseModel):
    """An article to summarize: its text and what is known about it."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, description="The article's text (plain text).")
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: dt.date | None = None
    language: str | None = Field(None, description="ISO 639-1 code or name; else detected.")

    def article(self) -> Article:
        """The article, its header lines (``date 2025-10-18``, ``title: ...``) read as
        metadata as the CLI reads them; the fields given in the request win."""
        return Article.from_text(
            self.text,
            title=self.title,
            source=self.source,
            url=self.url,
            published=self.published,
            language=self.language,
        )


class _RequestOptions(BaseModel):
    """Per-request options, as in the Python API: a `Summarizer`'s request options
    (`Summarizer.REQUEST_OPTIONS`), each declared once, in `settings.SummarizerOptions`,
    with its bounds; here each is optional. The backend, its address and its key are the
    service's own: a request cannot send the service's requests elsewhere."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("prompt", check_fields=False)
    @classmethod
    def _served(cls, name: str | None) -> str | None:
        if name is not None and name not in SERVED_PROMPTS:
            served = ", ".join(SERVED_PROMPTS)
            raise ValueError(f"no prompt named {name!r}; the service serves: {served}")
        return name


def _optional(name: str) -> tuple[Any, FieldInfo]:
    """A `Summarizer` option, as a request may give it: the same type and bounds, or none."""
    info = copy.copy(SummarizerOptions.model_fields[name])
    info.default, info.default_factory, info.validation_alias = None, None, None
    if name == "prompt":
        info.description = "One of the prompts the service serves (listed here as an enum)."
        info.json_schema_extra = {"enum": list[Any](SERVED_PROMPTS)}
    return Optional[info.annotation], info  # noqa: UP045 (a type made at run time)


if TYPE_CHECKING:
    Options = _RequestOptions
else:
    Options = create_model(
        "Options",
        __base__=_RequestOptions,
        **{
            name: _optional(name)
            for name in SummarizerOptions.model_fields
            if name in REQUEST_OPTIONS
        },
    )


class SummaryIn(ArticleIn):
    """An article to summarize, and options for this summary."""

    options: Options = Field(default_factory=Options.model_construct)
    schema_name: str | None = Field(
        None,
        alias="schema",
        min_length=1,
        description="The brief to make, by name: one the service serves (GET /v1/schemas).",
    )


def _article_or_text(schema: dict[str, Any]) -> None:
    """`CheckIn.article`'s JSON Schema: an article object, or its text."""
    ref = schema.pop("$ref")
    schema["anyOf"] = [{"$ref": ref}, {"type": "string", "minLength": 1}]


class CheckIn(BaseModel):
    """An article and any summary of it, to check the summary against the article."""

    model_config = ConfigDict(extra="forbid")

    article: ArticleIn = Field(
        description='The article as /v1/summaries takes it ({"text": ..., "published": '
        "...}), or only its text.",
        json_schema_extra=_article_or_text,
    )
    summary: str = Field(min_length=1, description="The summary to check, plain text.")

    @field_validator("article", mode="before")
    @classmethod
    def _text_alone(cls, value: Any) -> Any:
        """`"article": "text"` is unambiguous: the article's text, with nothing else known."""
        return {"text": value} if isinstance(value, str) else value


class ErrorDetail(BaseModel):
    type: str = Field(description="The kind of error, e.g. BackendError, busy, too_large.")
    message: str = Field(description="What went wrong, on one line.")


class ErrorBody(BaseModel):
    """Every error the service answers."""

    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error answers a route documents in the OpenAPI schema."""
    said = {
        400: "The article cannot be used.",
        401: "A valid bearer token is required.",
        404: "No schema of that name is served (GET /v1/schemas lists them).",
        413: "The request is too large.",
        422: "The request does not match the schema.",
        429: "Too many requests are waiting; see Retry-After.",
        499: "The client went away.",
        502: "The backend refused, failed or gave no valid summary.",
        504: "The backend did not answer in time.",
    }
    return {code: {"model": ErrorBody, "description": said[code]} for code in statuses}
