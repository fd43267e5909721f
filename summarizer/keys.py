"""The cache key: everything that changes an answer, hashed.

The key is a SHA-256 over a canonical JSON document of: backend kind, base URL, model,
response format, every sampling parameter, the prompt (name, version and a digest of the
template text), the JSON Schema and schema version, the versions of the sentence
segmenters and the language detector, and the article (text, metadata, and its language
when one was given). The rendered prompt is a pure function of the prompt templates, those
versions and the article, so it is covered without detecting the language or segmenting
the article first, which keeps a cache hit in the low milliseconds.
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import metadata
from typing import Any

from summarizer.article import Article

# What decides the sentences: the detected language picks the segmenter.
_SEGMENTER_DISTS = ("blingfire", "sentencex", "lingua-language-detector")


@functools.cache
def segmenter_id() -> str:
    versions = []
    for dist in _SEGMENTER_DISTS:
        try:
            versions.append(f"{dist}=={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{dist}==?")
    return ",".join(versions)


def cache_key(article: Article, request: dict[str, Any]) -> str:
    """Hash of `request` (backend, model, parameters, prompt, schema) and the article."""
    return _digest(request, "article", {"text": article.text}, article)


def chunk_key(article: Article, request: dict[str, Any], sentences: list[tuple[int, str]]) -> str:
    """Hash of `request`, the article's metadata and one chunk of its sentences (number and
    text): a change elsewhere in the article leaves this chunk's entry valid."""
    return _digest(request, "chunk", {"sentences": sentences}, article)


def _digest(request: dict[str, Any], what: str, content: dict[str, Any], article: Article) -> str:
    document = {
        "request": request,
        "segmenter": segmenter_id(),
        what: {**content, "metadata": article.metadata(), "language": article.language},
    }
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
