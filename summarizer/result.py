"""What a summarization returns: the validated summary plus where it came from."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from summarizer.checks.report import GroundingReport
from summarizer.salvage import Correction
from summarizer.schema import ArticleSummary


class Usage(BaseModel):
    """Token usage summed over every attempt (re-asks included)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class Provenance(BaseModel):
    """How a summary was made: enough to reproduce or audit it."""

    model_config = ConfigDict(protected_namespaces=())

    backend: str = Field(description="Backend kind: openai, openai-compatible or embedded.")
    base_url: str
    model: str
    mode: str = Field(description="How structured output was requested from the backend.")
    prompt: str = Field(description="Prompt template name.")
    prompt_version: str
    schema_version: str
    cache_key: str
    cache_hit: bool
    attempts: int = Field(description="Model calls made, re-asks included (0 on a cache hit).")
    usage: Usage
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
    """A validated `ArticleSummary` and its provenance."""

    # In JSON the brief is still the key "summary" (output format v1, `schemas/`): renaming
    # it would break every consumer of files already written. Python reads it as `brief`,
    # so its paragraph is `result.brief.summary`, not `result.summary.summary`. Read by
    # name or alias; written by alias.
    model_config = ConfigDict(
        validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )

    brief: ArticleSummary = Field(alias="summary")
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
    def from_stored(cls, stored: dict[str, Any], provenance: Provenance) -> SummaryResult:
        """The result the cache holds (see `stored`), with the provenance of this look-up."""
        grounding = stored.get("grounding")
        return cls(
            summary=ArticleSummary.model_validate(stored["summary"]),
            grounding=GroundingReport.model_validate(grounding) if grounding else None,
            corrections=[Correction.model_validate(c) for c in stored.get("corrections", [])],
            provenance=provenance.model_copy(update={"chunks": int(stored.get("chunks", 1))}),
        )
