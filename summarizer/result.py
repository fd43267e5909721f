"""What a summarization returns: the validated summary plus where it came from."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializeAsAny,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    create_model,
    field_validator,
)

from summarizer.brief import Brief
from summarizer.checks.report import GroundingReport
from summarizer.salvage import Correction


class Usage(BaseModel):
    """Token usage summed over every attempt (re-asks included)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cached_tokens: int = Field(
        default=0, description="Of the prompt tokens, those the server had cached."
    )


class Provenance(BaseModel):
    """How a summary was made: enough to reproduce or audit it."""

    model_config = ConfigDict(protected_namespaces=())

    backend: str = Field(description="Backend kind: openai, openai-compatible or embedded.")
    base_url: str
    model: str
    mode: str = Field(description="How structured output was requested from the backend.")
    prompt: str = Field(description="Prompt template name.")
    prompt_version: str
    schema_version: str = Field(description="The version of this output format.")
    brief: str = Field(default="ArticleSummary", description="The brief's schema: its class name.")
    cache_key: str
    cache_hit: bool
    attempts: int = Field(description="Model calls made, re-asks included (0 on a cache hit).")
    usage: Usage
    cost_usd: float | None = Field(
        None,
        description="What its tokens cost, in US dollars (0 on a cache hit and with the "
        "embedded model; null where the price is not known).",
    )
    latency_s: float = Field(description="Wall time of this call, cache look-up included.")
    chunks: int = Field(
        default=1,
        description=(
            "How many chunks the article was summarized in: more than 1 when it did not fit "
            "the model's context window (each chunk summarized, the results merged)."
        ),
    )


class InputRef(BaseModel):
    """Which input a result (or a failure) came from, so that every row of a batch can be
    matched to its input: the path as given, with the record for JSON Lines and lists."""

    name: str = Field(
        description="The input as named: a path, '-' for stdin, 'path:LINE' for JSON Lines, "
        "'path[N]' for a JSON list."
    )
    id: str | None = Field(default=None, description="The record's id field, if it has one.")
    title: str | None = None
    url: str | None = None


class ErrorInfo(BaseModel):
    """Why an article has no summary."""

    type: str = Field(description="The kind of error, e.g. BackendTimeout, InputError.")
    message: str = Field(description="What went wrong, on one line.")


class FailedArticle(BaseModel):
    """The row a batch writes for an article that could not be summarized, in place of
    its result: the input's identity and the error."""

    input: InputRef
    error: ErrorInfo


class SummaryResult(BaseModel):
    """A validated brief (an `ArticleSummary`, or a brief of your own schema) and its
    provenance. Read from JSON, the brief is an `ArticleSummary` unless the validation
    context names another schema (``context={"schema": MyBrief}``; or use
    `result_model(MyBrief)`)."""

    # In JSON the brief is still the key "summary" (output format v1, `schemas/`): renaming
    # it would break every consumer of files already written. Python reads it as `brief`,
    # so its paragraph is `result.brief.summary`, not `result.summary.summary`. Read by
    # name or alias; written by alias.
    model_config = ConfigDict(
        validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )

    if TYPE_CHECKING:  # to a type checker, any schema's brief (an `ArticleSummary` unless
        # you asked for another): typed as the base, `result.brief.key_points` would not pass
        brief: Any = Field(alias="summary")
    else:
        brief: SerializeAsAny[Brief] = Field(alias="summary")
    provenance: Provenance
    grounding: GroundingReport | None = Field(
        default=None,
        description="Each part of the summary checked against the article, with evidence.",
    )
    corrections: list[Correction] = Field(
        default_factory=list,
        description=(
            "Changes made to the model's last answer after it failed validation: items "
            "dropped, or re-cited to the sentences that support them."
        ),
    )
    input: InputRef | None = Field(
        default=None, description="Which input this is, when it came from a batch (the CLI)."
    )

    @field_validator("brief", mode="wrap")
    @classmethod
    def _of_its_schema(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> Any:
        """A brief as made (of any schema); JSON as the context's schema."""
        if isinstance(value, Brief):
            return value
        schema = (info.context or {}).get("schema") or _brief_type(cls)
        return schema.model_validate(value, context=info.context)

    @property
    def cache_hit(self) -> bool:
        return self.provenance.cache_hit

    def stored(self) -> dict[str, Any]:
        """What the cache keeps of this result: all but its provenance (and input)."""
        return {
            "summary": self.brief.model_dump(mode="json"),
            "grounding": self.grounding.model_dump(mode="json") if self.grounding else None,
            "corrections": [c.model_dump(mode="json") for c in self.corrections],
            "chunks": self.provenance.chunks,
        }

    @classmethod
    def from_stored(
        cls, stored: dict[str, Any], provenance: Provenance, brief: type[Brief]
    ) -> SummaryResult:
        """The result the cache holds (see `stored`), with the provenance of this look-up."""
        grounding = stored.get("grounding")
        return cls(
            summary=brief.model_validate(stored["summary"]),
            grounding=GroundingReport.model_validate(grounding) if grounding else None,
            corrections=[Correction.model_validate(c) for c in stored.get("corrections", [])],
            provenance=provenance.model_copy(update={"chunks": int(stored.get("chunks", 1))}),
        )


def _brief_type(model: type[SummaryResult]) -> type[Brief]:
    """The brief type a result model reads JSON as (`result_model`'s, else the built-in)."""
    annotation = model.model_fields["brief"].annotation
    if isinstance(annotation, type) and issubclass(annotation, Brief) and annotation is not Brief:
        return annotation
    from summarizer.schema import ArticleSummary

    return ArticleSummary


@functools.cache
def result_model(brief: type[Brief]) -> type[SummaryResult]:
    """`SummaryResult` whose brief is a `brief`: its JSON Schema names the brief's fields,
    and it reads JSON as one."""
    model: type[SummaryResult] = create_model(
        "SummaryResult",
        __base__=SummaryResult,
        __doc__=SummaryResult.__doc__,
        brief=(brief, Field(alias="summary")),
    )
    return model
