"""summarizer: structured, source-grounded summaries of news articles.

    >>> from summarizer import summarize
    >>> result = summarize(open("seeds/gaza-stabilization-force-2025-10-18.txt").read())
    >>> result.brief.key_points[0].sentences

Names are imported on first use (PEP 562), so `summarizer --help` does not pay for the
openai SDK, instructor and spaCy.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# instructor logs every failed attempt at ERROR; with no logging configured, Python would
# print those lines to stderr in library use. The errors we raise say what failed; an
# application that configures logging still gets instructor's lines.
logging.getLogger("instructor").addHandler(logging.NullHandler())
# Our own warnings (a cache that went off, an unknown context window) follow the library
# convention: shown by an application that configures logging (the CLI does), not printed
# by Python's last-resort handler in every program that imports us.
logging.getLogger("summarizer").addHandler(logging.NullHandler())

_EXPORTS = {
    "Article": "summarizer.article",
    "Brief": "summarizer.brief",
    "Cited": "summarizer.brief",
    "GroundedText": "summarizer.brief",
    "NameText": "summarizer.brief",
    "FigureText": "summarizer.brief",
    "QuoteText": "summarizer.brief",
    "DescribedText": "summarizer.brief",
    "Grounds": "summarizer.brief",
    "SchemaError": "summarizer.errors",
    "KeyPoint": "summarizer.schema",
    "Entity": "summarizer.schema",
    "Claim": "summarizer.schema",
    "Figure": "summarizer.schema",
    "OpenQuestion": "summarizer.schema",
    "Quotation": "summarizer.schema",
    "SourceKind": "summarizer.schema",
    "Hedging": "summarizer.schema",
    "EntityType": "summarizer.schema",
    "result_model": "summarizer.result",
    "ArticleError": "summarizer.errors",
    "Sentence": "summarizer.segment",
    "Backend": "summarizer.backends",
    "resolve": "summarizer.backends",
    "BackendError": "summarizer.errors",
    "BackendTimeout": "summarizer.errors",
    "BackendUnreachable": "summarizer.errors",
    "ConfigError": "summarizer.errors",
    "InputError": "summarizer.errors",
    "MissingExtra": "summarizer.errors",
    "PromptError": "summarizer.errors",
    "SummarizerError": "summarizer.errors",
    "SummaryValidationError": "summarizer.errors",
    "Summarizer": "summarizer.pipeline",
    "asummarize": "summarizer.pool",
    "summarize": "summarizer.pool",
    "FailedArticle": "summarizer.result",
    "InputRef": "summarizer.result",
    "Provenance": "summarizer.result",
    "SummaryResult": "summarizer.result",
    "Usage": "summarizer.result",
    "RetryPolicy": "summarizer.settings",
    "Settings": "summarizer.settings",
    "Correction": "summarizer.salvage",
    "GroundingReport": "summarizer.checks.report",
    "check": "summarizer.checks.report",
    "SCHEMA_VERSION": "summarizer.schema",
    "ArticleSummary": "summarizer.schema",
}

__all__ = [
    "SCHEMA_VERSION",
    "Article",
    "ArticleError",
    "ArticleSummary",
    "Backend",
    "BackendError",
    "BackendTimeout",
    "BackendUnreachable",
    "Brief",
    "Cited",
    "Claim",
    "ConfigError",
    "Correction",
    "DescribedText",
    "Entity",
    "EntityType",
    "FailedArticle",
    "Figure",
    "FigureText",
    "GroundedText",
    "GroundingReport",
    "Grounds",
    "Hedging",
    "InputError",
    "InputRef",
    "KeyPoint",
    "MissingExtra",
    "NameText",
    "OpenQuestion",
    "PromptError",
    "Provenance",
    "Quotation",
    "QuoteText",
    "RetryPolicy",
    "SchemaError",
    "Sentence",
    "Settings",
    "SourceKind",
    "Summarizer",
    "SummarizerError",
    "SummaryResult",
    "SummaryValidationError",
    "Usage",
    "__version__",
    "asummarize",
    "check",
    "resolve",
    "result_model",
    "summarize",
]

if TYPE_CHECKING:
    from summarizer.article import Article
    from summarizer.backends import Backend, resolve
    from summarizer.brief import (
        Brief,
        Cited,
        DescribedText,
        FigureText,
        GroundedText,
        Grounds,
        NameText,
        QuoteText,
    )
    from summarizer.checks.report import GroundingReport, check
    from summarizer.errors import (
        ArticleError,
        BackendError,
        BackendTimeout,
        BackendUnreachable,
        ConfigError,
        InputError,
        MissingExtra,
        PromptError,
        SchemaError,
        SummarizerError,
        SummaryValidationError,
    )
    from summarizer.pipeline import Summarizer
    from summarizer.pool import asummarize, summarize
    from summarizer.result import (
        FailedArticle,
        InputRef,
        Provenance,
        SummaryResult,
        Usage,
        result_model,
    )
    from summarizer.salvage import Correction
    from summarizer.schema import (
        SCHEMA_VERSION,
        ArticleSummary,
        Claim,
        Entity,
        EntityType,
        Figure,
        Hedging,
        KeyPoint,
        OpenQuestion,
        Quotation,
        SourceKind,
    )
    from summarizer.segment import Sentence
    from summarizer.settings import RetryPolicy, Settings


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'summarizer' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
