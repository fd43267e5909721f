"""The result cache: validated summaries on disk (diskcache), under the keys `keys` makes.

A cache that cannot be opened or written costs speed, not answers (see `ResultCache`).
"""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import diskcache
import platformdirs

log = logging.getLogger("summarizer")
_VALUE_FOLDER = re.compile(r"[0-9a-f]{2}")  # diskcache keeps large values in such folders


def default_dir() -> Path:
    """The platform's user cache directory (the `cache_dir` setting overrides it)."""
    return Path(platformdirs.user_cache_dir("summarizer")) / "results"


class ResultCache:
    """A thin typed layer over `diskcache.Cache` storing JSON-able dicts.

    A cache that cannot be opened or written (a read-only folder, a full disk, a path
    under a file) costs speed, not answers: the first failure is logged once (logger
    ``summarizer``, a warning) and the cache is off for the rest of the run."""

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_dir()
        self.failure: str | None = None  # why the cache went off, if it did
        self._cache: diskcache.Cache | None = None
        try:
            self._cache = diskcache.Cache(str(self.directory))
        except Exception as exc:  # OSError, sqlite3 errors: whatever the disk says
            self._give_up("cannot be opened", exc)

    def _give_up(self, what: str, exc: BaseException) -> None:
        if self.failure is None:
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            fix = " (if it is damaged, `summarizer cache clear` starts it afresh)"
            self.failure = (
                f"the cache at {self.directory} {what} ({reason}); going on without it"
                + (fix if isinstance(exc, sqlite3.DatabaseError) else "")
            )
            log.warning(self.failure)
        cache, self._cache = self._cache, None
        if cache is not None:
            with contextlib.suppress(Exception):
                cache.close()

    def get(self, key: str) -> dict[str, Any] | None:
        if self._cache is None:
            return None
        try:
            value = self._cache.get(key)
        except Exception as exc:
            self._give_up("cannot be read", exc)
            return None
        return value if isinstance(value, dict) else None

    def set(self, key: str, value: dict[str, Any]) -> None:
        if self._cache is None:
            return
        try:
            self._cache.set(key, value)
        except Exception as exc:
            self._give_up("cannot be written", exc)

    def clear(self) -> int:
        """Remove every entry; how many there were. A cache that cannot be read (its file
        truncated or overwritten) is made anew in place (`reset`), and 0 is returned."""
        if self._cache is not None:
            try:
                return int(self._cache.clear())
            except sqlite3.DatabaseError:
                pass
        self.reset()
        return 0

    def reset(self) -> None:
        """Remove the cache's own files (its database and value folders; nothing else in
        the folder) and open a new, empty cache there. OSError if that is not allowed."""
        if self._cache is not None:
            with contextlib.suppress(Exception):
                self._cache.close()
            self._cache = None
        if self.directory.is_dir():
            for name in ("cache.db", "cache.db-wal", "cache.db-shm"):
                (self.directory / name).unlink(missing_ok=True)
            for sub in self.directory.iterdir():
                if sub.is_dir() and _VALUE_FOLDER.fullmatch(sub.name):
                    shutil.rmtree(sub)
        self._cache = diskcache.Cache(str(self.directory))
        self.failure = None

    def __len__(self) -> int:
        return len(self._cache) if self._cache is not None else 0

    def __bool__(self) -> bool:
        """A cache is a cache, empty or not (`__len__` alone would make an empty one
        falsy, and `cache or default` would then throw it away)."""
        return True

    def volume(self) -> int:
        """Bytes on disk."""
        return int(self._cache.volume()) if self._cache is not None else 0

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
