"""The result cache: validated results, under the keys `keys` makes, shared or not.

One small interface (`ResultCache`), two stores:

- `DiskCache` (the default): diskcache in a folder, for the processes of one machine;
- `RedisCache` (``cache_url = "redis://host:6379/0"``): one Redis for many workers and
  service replicas.

Both keep only what the pipeline stores (validated results), with an optional time to
live, and both give single flight (`ResultCache.flight`): when many workers ask for the
same article at once, one claims the key (a short lease, renewed while it works, so a
worker that dies holds the key for one lease at most) and makes the model call; the others
wait for its result. A store that cannot be reached, read or written costs speed, not
answers: the first failure is one warning (logger ``summarizer``) and the cache is off, no
article lost or made twice for it. A folder stays off for the rest of the run; Redis is
tried again every `RedisCache.RETRY_AFTER` seconds, and used again once it answers (a
restart or a failover of Redis must not leave a day-long run of many workers uncached).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import secrets
import shutil
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import diskcache
import platformdirs

from summarizer.errors import ConfigError

if TYPE_CHECKING:
    import redis

log = logging.getLogger("summarizer")
_VALUE_FOLDER = re.compile(r"[0-9a-f]{2}")  # diskcache keeps large values in such folders
LEASE = 30.0  # seconds a claim on a key lasts unless renewed (a dead worker's, at most)


def default_dir() -> Path:
    """The platform's user cache directory (the `cache_dir` setting overrides it)."""
    return Path(platformdirs.user_cache_dir("summarizer")) / "results"


def open_cache(
    directory: str | Path | None = None, url: str | None = None, ttl: float | None = None
) -> ResultCache:
    """The cache the settings name: Redis at `url`, else a folder (default: `default_dir`);
    entries expire after `ttl` seconds, if given."""
    if url:
        return RedisCache(url, ttl=ttl)
    return DiskCache(directory, ttl=ttl)


class ResultCache:
    """What the pipeline asks of a cache. A subclass implements the `_`-methods, which may
    raise anything its store raises: here each failure turns the cache off, once."""

    location: str  # where it is, in words (a folder, a Redis URL without its password)
    RETRY_AFTER: float | None = None  # seconds off before the store is tried again; None: never

    def __init__(self, ttl: float | None = None) -> None:
        self.ttl = ttl
        self.failure: str | None = None  # why the cache went off, if it did
        self._retry_at: float | None = None  # when the store is tried again (monotonic)

    # -- what a store implements --------------------------------------------------------

    def _get(self, key: str) -> Any:
        raise NotImplementedError

    def _set(self, key: str, value: dict[str, Any]) -> None:
        raise NotImplementedError

    def _claim(self, key: str, token: str, lease: float) -> bool:
        """Hold `key` for `lease` seconds, if no one does: whether this caller got it."""
        raise NotImplementedError

    def _renew(self, key: str, token: str, lease: float) -> None:
        raise NotImplementedError

    def _release(self, key: str, token: str) -> None:
        """Let `key` go, if this caller (`token`) still holds it."""
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError

    @property
    def _on(self) -> bool:
        """Whether to use the store: it works, or it is time to try it again."""
        if self.failure is None:
            return True
        return self._retry_at is not None and time.monotonic() >= self._retry_at

    def _give_up(self, what: str, exc: BaseException) -> None:
        if self.failure is None:  # one warning an outage, however many steps fail in it
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            self.failure = f"the cache at {self.location} {what} ({reason}); going on without it"
            log.warning(self.failure)
        if self.RETRY_AFTER is not None:
            self._retry_at = time.monotonic() + self.RETRY_AFTER
        with contextlib.suppress(Exception):
            self._close()

    def _worked(self) -> None:
        """A step of the store's that worked: if the cache was off, it is on again."""
        if self.failure is not None:
            self.failure = self._retry_at = None
            log.warning(f"the cache at {self.location} answers again; using it")

    # -- results ------------------------------------------------------------------------

    def get(self, key: str) -> dict[str, Any] | None:
        if not self._on:
            return None
        try:
            value = self._get(key)
        except Exception as exc:
            self._give_up("cannot be read", exc)
            return None
        self._worked()
        return value if isinstance(value, dict) else None

    def set(self, key: str, value: dict[str, Any]) -> None:
        if not self._on:
            return
        try:
            self._set(key, value)
        except Exception as exc:
            self._give_up("cannot be written", exc)
            return
        self._worked()

    # -- single flight ------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def flight(self, key: str, lease: float = LEASE) -> AsyncIterator[dict[str, Any] | None]:
        """Make the result of `key` once among all who share this cache: yields the stored
        result when another worker made it meanwhile (having waited for it), else None:
        then the caller makes it, holding the key, and stores it before leaving the block.
        A worker that fails leaves the key to the next in line; the cache off, everyone
        makes their own."""
        token = secrets.token_hex(8)
        wait = 0.02
        while not self._try(self._claim, key, token, lease):
            if (stored := self.get(key)) is not None:
                yield stored
                return
            await asyncio.sleep(wait)
            wait = min(wait * 1.5, 0.5)
        renewing = asyncio.get_running_loop().create_task(self._renewing(key, token, lease))
        try:
            yield self.get(key)  # made by another between the caller's look-up and the claim
        finally:
            renewing.cancel()
            self._try(self._release, key, token)

    async def _renewing(self, key: str, token: str, lease: float) -> None:
        while True:
            await asyncio.sleep(lease / 3)
            self._try(self._renew, key, token, lease)

    def _try(self, step: Callable[..., object], *args: Any) -> bool:
        """A step of single flight; True (go ahead alone) when the cache is or goes off."""
        if not self._on:
            return True
        try:
            went = step(*args) is not False
        except Exception as exc:
            self._give_up("cannot be reached", exc)
            return True
        self._worked()
        return went

    # -- for `summarizer cache` -----------------------------------------------------------

    def clear(self) -> int:
        """Remove every result; how many there were."""
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def volume(self) -> int:
        """Bytes the results take."""
        raise NotImplementedError

    def __bool__(self) -> bool:
        """A cache is a cache, empty or not (`__len__` alone would make an empty one
        falsy, and `cache or default` would then throw it away)."""
        return True

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._close()


class DiskCache(ResultCache):
    """Results in a folder (diskcache: SQLite and files), for the processes of one machine.

    A folder that cannot be opened or written (read-only, a full disk, a path under a
    file) turns the cache off, once, with a warning; a damaged one says how to start it
    afresh (`summarizer cache clear`)."""

    def __init__(self, directory: str | Path | None = None, ttl: float | None = None) -> None:
        super().__init__(ttl)
        self.directory = Path(directory) if directory is not None else default_dir()
        self.location = str(self.directory)
        self._cache: diskcache.Cache | None = None
        try:
            self._cache = diskcache.Cache(str(self.directory))
        except Exception as exc:  # OSError, sqlite3 errors: whatever the disk says
            self._give_up("cannot be opened", exc)

    def _give_up(self, what: str, exc: BaseException) -> None:
        if self.failure is None and isinstance(exc, sqlite3.DatabaseError):
            what += " (if it is damaged, `summarizer cache clear` starts it afresh)"
        super()._give_up(what, exc)
        self._cache = None

    def _store(self) -> diskcache.Cache:
        if self._cache is None:
            raise OSError("closed")
        return self._cache

    def _get(self, key: str) -> Any:
        return self._store().get(key)

    def _set(self, key: str, value: dict[str, Any]) -> None:
        self._store().set(key, value, expire=self.ttl)

    # A claim is an entry beside the result: `add` writes only where there is none, in one
    # SQLite transaction, so of many processes one gets it.
    def _claim(self, key: str, token: str, lease: float) -> bool:
        return bool(self._store().add(f"{key}.claim", token, expire=lease))

    def _renew(self, key: str, token: str, lease: float) -> None:
        self._store().touch(f"{key}.claim", expire=lease)

    def _release(self, key: str, token: str) -> None:
        store = self._store()
        with store.transact():
            if store.get(f"{key}.claim") == token:
                store.delete(f"{key}.claim")

    def _close(self) -> None:
        if self._cache is not None:
            self._cache.close()

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
        self.close()
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

    def volume(self) -> int:
        return int(self._cache.volume()) if self._cache is not None else 0


# Release a claim only if it is still ours (it may have expired and gone to another).
_IF_OURS = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call"
_RELEASE = _IF_OURS + "('del', KEYS[1]) end"
_RENEW = _IF_OURS + "('pexpire', KEYS[1], ARGV[2]) end"


class RedisCache(ResultCache):
    """Results in Redis, shared by every worker and replica that names the same URL: each
    a JSON string under ``summarizer:result:<key>``, a claim under ``summarizer:claim:<key>``
    (``SET NX PX``, released only by its holder). Redis down or gone: one warning, then
    uncached (a short socket timeout, so a dead server costs seconds once, not per call),
    and tried again every `RETRY_AFTER` seconds."""

    PREFIX = "summarizer:"
    RETRY_AFTER = 30.0  # an outage costs a try (at most the 2 s timeout) this often

    def __init__(self, url: str, ttl: float | None = None, timeout: float = 2.0) -> None:
        super().__init__(ttl)
        try:
            import redis
        except ImportError:
            raise ConfigError(
                "cache_url: a Redis cache needs the redis package: "
                "pip install 'grounded-news-summarizer[redis]'"
            ) from None
        try:
            self._redis: redis.Redis = redis.Redis.from_url(
                url, socket_timeout=timeout, socket_connect_timeout=timeout
            )
        except ValueError as exc:
            raise ConfigError(f"cache_url: {exc}") from None
        kwargs = self._redis.connection_pool.connection_kwargs
        where = kwargs.get("path") or f"{kwargs.get('host')}:{kwargs.get('port')}"
        self.location = f"redis://{where}/{kwargs.get('db', 0)}"  # never its password

    def _result(self, key: str) -> str:
        return f"{self.PREFIX}result:{key}"

    def _claimed(self, key: str) -> str:
        return f"{self.PREFIX}claim:{key}"

    def _get(self, key: str) -> Any:
        raw = self._redis.get(self._result(key))
        return None if raw is None else json.loads(raw)

    def _set(self, key: str, value: dict[str, Any]) -> None:
        ttl = None if self.ttl is None else max(1, round(self.ttl * 1000))
        self._redis.set(self._result(key), json.dumps(value), px=ttl)

    def _claim(self, key: str, token: str, lease: float) -> bool:
        return bool(self._redis.set(self._claimed(key), token, nx=True, px=round(lease * 1000)))

    def _renew(self, key: str, token: str, lease: float) -> None:
        self._redis.eval(_RENEW, 1, self._claimed(key), token, round(lease * 1000))

    def _release(self, key: str, token: str) -> None:
        self._redis.eval(_RELEASE, 1, self._claimed(key), token)

    def _close(self) -> None:
        self._redis.close()

    def _keys(self) -> list[bytes]:
        return list(self._redis.scan_iter(match=f"{self.PREFIX}result:*", count=1000))

    def clear(self) -> int:
        """Remove every result (this package's keys only: the database may be shared)."""
        keys = self._keys()
        for start in range(0, len(keys), 1000):
            self._redis.delete(*keys[start : start + 1000])
        return len(keys)

    def __len__(self) -> int:
        return len(self._keys())

    def volume(self) -> int:
        return sum(int(self._redis.memory_usage(k) or 0) for k in self._keys())
