"""summarizer: structured, source-grounded summaries of news articles.

>>> from summarizer import summarize
>>> result = summarize(open("seeds/gaza-stabilization-force-2025-10-18.txt").read())
>>> result.summary.key_points[0].sentences
"""

from summarizer.article import Article, ArticleError, Sentence
from summarizer.backends import Backend, resolve
from summarizer.errors import BackendError, ConfigError, SummarizerError, SummaryValidationError
from summarizer.pipeline import Summarizer, asummarize, summarize
from summarizer.result import Provenance, SummaryResult, Usage
from summarizer.retry import RetryPolicy
from summarizer.schema import SCHEMA_VERSION, ArticleSummary

__version__ = "0.1.0"

__all__ = [
    "SCHEMA_VERSION",
    "Article",
    "ArticleError",
    "ArticleSummary",
    "Backend",
    "BackendError",
    "ConfigError",
    "Provenance",
    "RetryPolicy",
    "Sentence",
    "Summarizer",
    "SummarizerError",
    "SummaryResult",
    "SummaryValidationError",
    "Usage",
    "__version__",
    "asummarize",
    "resolve",
    "summarize",
]
