"""A memo bounded by the text it holds, not by its number of entries.

The checks ask the same questions of the same sentences many times per summary, so their
answers are memoized. `functools.lru_cache` bounds entries, and an entry can hold a whole
article (a tuple of its sentences, or its text normalized): a service fed a stream of
distinct 1 MB articles grew by hundreds of MiB. `bounded` counts the characters of the
strings in each key and answer, evicts the least recently used beyond its budget, and does
not keep an entry larger than a quarter of it: memory stays flat, however large or many
the articles.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])
_DEPTH = 3  # a key is strings, tuples of strings, or tuples of those
_CLEARS: list[Callable[[], None]] = []  # every memo's cache_clear, for `clear_all`


def _chars(value: Any, depth: int = _DEPTH) -> int:
    """About how many characters `value` holds (strings in tuples, lists, sets, dicts)."""
    if isinstance(value, str):
        return len(value)
    if depth and isinstance(value, tuple | list | frozenset | set):
        return sum(_chars(v, depth - 1) for v in value) + len(value)
    if depth and isinstance(value, dict):
        return sum(_chars(k, depth - 1) + _chars(v, depth - 1) for k, v in value.items())
    return 8


def clear_all() -> None:
    """Empty every memo (a benchmark's run then costs what a new article costs)."""
    for clear in _CLEARS:
        clear()


def bounded(max_chars: int) -> Callable[[F], F]:
    """Memoize a function of hashable arguments, holding at most about
    `max_chars` characters of keys and answers. `.cache_clear()` empties it and
    `.cache_chars()` says how much it holds."""

    def decorate(function: F) -> F:
        entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        held = 0
        lock = threading.Lock()

        @functools.wraps(function)
        def memoized(*args: Hashable, **kwargs: Hashable) -> Any:
            nonlocal held
            key: Hashable = (args, tuple(sorted(kwargs.items()))) if kwargs else args
            # A hit takes no lock: `get` and `move_to_end` are each one call into C, atomic
            # under the GIL, and the checks make tens of hits per part checked (the lock
            # was a tenth of their time). A writer may evict the key in between: then it is
            # simply not moved.
            found = entries.get(key)
            if found is not None:
                try:  # noqa: SIM105 (contextlib.suppress costs more than this hit saves)
                    entries.move_to_end(key)
                except KeyError:
                    pass
                return found[0]
            answer = function(*args, **kwargs)
            size = _chars(key) + _chars(answer) + 64
            if size * 4 > max_chars:  # too big to keep: it would evict everything else
                return answer
            with lock:
                if key not in entries:
                    entries[key] = (answer, size)
                    held += size
                while held > max_chars:
                    _, (_, freed) = entries.popitem(last=False)
                    held -= freed
            return answer

        def cache_clear() -> None:
            nonlocal held
            with lock:
                entries.clear()
                held = 0

        _CLEARS.append(cache_clear)
        memoized.cache_clear = cache_clear  # type: ignore[attr-defined]
        memoized.cache_chars = lambda: held  # type: ignore[attr-defined]
        return cast(F, memoized)

    return decorate
