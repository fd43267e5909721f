"""The synchronous API on top of the asynchronous one.

Every model call is async underneath: ``asyncio.timeout`` bounds a request whatever the
server does, and cancelling a task closes its socket at once. The sync API submits the
same coroutines to one event loop that runs in a daemon thread, and waits for them in
short slices, so Ctrl-C (KeyboardInterrupt, delivered to the main thread) cancels the
work in flight and returns within a second, and a request left behind never holds up
the exit of the process.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")
CANCEL_WAIT_S = 0.5  # after Ctrl-C: how long cancelled work may take to unwind
_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None


def loop() -> asyncio.AbstractEventLoop:
    """The portal's event loop, started on first use."""
    global _loop
    with _lock:
        if _loop is None or _loop.is_closed():
            new = asyncio.new_event_loop()
            threading.Thread(target=new.run_forever, name="summarizer-loop", daemon=True).start()
            _loop = new
        return _loop


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` on the portal's loop and return its result (or raise its exception).
    Interrupted (KeyboardInterrupt, SystemExit), it cancels `coro`, waits up to
    CANCEL_WAIT_S for it to unwind (its `finally` blocks cancel what it started), and
    re-raises."""
    the_loop = loop()
    if _running_on(the_loop):
        coro.close()
        raise RuntimeError("summarizer's sync API was called from its own event loop")
    unwound = threading.Event()

    async def guarded() -> T:
        try:
            return await coro
        finally:
            unwound.set()

    future = asyncio.run_coroutine_threadsafe(guarded(), the_loop)
    try:
        while not future.done():  # short waits: a signal is handled between them
            concurrent.futures.wait([future], timeout=0.2)
        return future.result()
    except BaseException:
        future.cancel()
        # The future says "cancelled" at once; the coroutine's own unwinding (closing
        # sockets, cancelling its tasks, finishing a write) takes a moment more.
        unwound.wait(CANCEL_WAIT_S)
        raise


def _running_on(the_loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is the_loop
    except RuntimeError:
        return False
