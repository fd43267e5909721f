"""The article: text, metadata and numbered sentences.

This is the first step of the pipeline. Sentences are numbered S1..Sn once, here; the
prompt shows those numbers to the model, the model cites them, and validation checks the
citations against them.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from summarizer import language as languages
from summarizer.errors import ArticleError, LanguageError
from summarizer.segment import Sentence, segment

# Header lines such as "date 2025-10-18" (the seed's form, where the text may follow on the
# same line) or "title: ..." at the top of a text file become metadata, not text.
_DATE_HEADER = re.compile(r"\A\s*(?:date|published)\s*:?\s*(\d{4}-\d{2}-\d{2})[ \t]*\n?", re.I)
_KEY_HEADER = re.compile(
    r"\A\s*(title|source|url|author|date|published|language)\s*:[ \t]*(.*)\n", re.I
)
# A word: two letters or more. Text without one ("...", "123", "- - -") is a placeholder
# or a fragment, not an article, and a model asked to summarize it invents one.
_WORD = re.compile(r"[^\W\d_]{2,}")


@dataclass(frozen=True)
class Article:
    """Article text plus metadata. Build one with `Article.from_text` or directly."""

    text: str
    title: str | None = None
    published: dt.date | None = None
    source: str | None = None
    url: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    language: str | None = None  # ISO 639-1 code or name; detected when not given

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ArticleError("the article text is empty")
        if self.language is not None:
            try:
                object.__setattr__(self, "language", languages.code_of(self.language))
            except LanguageError as exc:
                raise ArticleError(str(exc)) from None

    @functools.cached_property
    def lang(self) -> str:
        """The article's language as an ISO 639-1 code: the one given, else detected."""
        return self.language or languages.detect(self.text)

    @classmethod
    def of(cls, value: Article | str, **metadata: Any) -> Article:
        """`value` if it is an article, else the article of this text (`from_text`)."""
        if isinstance(value, Article):
            return value
        if isinstance(value, str):
            return cls.from_text(value, **metadata)
        raise TypeError(f"expected an Article or a str, got {type(value).__name__}")

    @classmethod
    def from_text(cls, raw: str, **metadata: Any) -> Article:
        """Parse an optional metadata header off `raw`; keyword arguments override it."""
        meta, text = parse_header(raw)
        meta.update({k: v for k, v in metadata.items() if v is not None})
        raw_date = meta.pop("published", None) or meta.pop("date", None)
        published: dt.date | None = None
        if isinstance(raw_date, dt.date):
            published = raw_date
        elif raw_date:
            try:
                published = dt.date.fromisoformat(str(raw_date).strip())
            except ValueError as exc:
                raise ArticleError(f"invalid date {raw_date!r}: use YYYY-MM-DD") from exc
        known = {k: meta.pop(k, None) for k in ("title", "source", "url", "language")}
        return cls(
            text=text,
            published=published,
            extra={str(k): str(v) for k, v in meta.items() if v},
            **known,
        )

    @functools.cached_property
    def sentences(self) -> tuple[Sentence, ...]:
        """The article's sentences, numbered from 1 (`segment`, in the article's language)."""
        found = segment(self.text, self.lang)
        if not any(_WORD.search(s.text) for s in found):
            shown = " ".join(self.text.split())
            shown = shown if len(shown) <= 40 else shown[:39] + "\u2026"
            raise ArticleError(f"the article has no sentences: no word in {shown!r}")
        return found

    def metadata(self) -> dict[str, str]:
        """Metadata as strings, for prompts and reports; absent fields are left out."""
        meta = {
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "source": self.source,
            "url": self.url,
        }
        return {k: v for k, v in meta.items() if v} | self.extra


def parse_header(raw: str) -> tuple[dict[str, Any], str]:
    """Split leading `key: value` / `date YYYY-MM-DD` header lines from the text."""
    meta: dict[str, Any] = {}
    rest = raw.lstrip("\ufeff")
    while True:
        if m := _DATE_HEADER.match(rest):
            meta["date"] = m.group(1)
        elif m := _KEY_HEADER.match(rest):
            meta[m.group(1).lower()] = m.group(2).strip()
        else:
            break
        rest = rest[m.end() :]
    return meta, rest.strip()
