"""Summarizing on a Ray cluster: many processes, on many machines, for one run.

One process tops out at what one core does for the pipeline around each model call (its
checks, instructor, the SDK: 10 to 15 ms an article). Here articles fan out to Ray actors,
each a process holding one `Summarizer` (for the embedded backend, one model per actor,
loaded once) with a bounded number of model calls in flight (`per_actor`). The driver
keeps what a run is: the input order, the outputs (`batch.run`'s JSON Lines, ``-o DIR``
with resume), failures per article, the progress bar and the final table. Ray restarts an
actor that dies and runs its articles again (`max_task_retries`); a result is written by
the driver only, so none is lost or written twice. Share the cache with Redis
(`cache_url`) so that every actor sees every other's results.

Ray is an optional extra (``pip install 'grounded-news-summarizer[ray]'``).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, wait
from typing import TYPE_CHECKING, Any

from summarizer import errors, portal
from summarizer.article import Article
from summarizer.errors import ArticleError, ConfigError, SummarizerError
from summarizer.result import ErrorInfo, FailedArticle, InputRef, SummaryResult

if TYPE_CHECKING:
    from summarizer.brief import Brief
    from summarizer.settings import Settings

RETRIES = 3  # runs of an article whose actor died, before it is reported failed


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ConfigError("--ray needs Ray: pip install 'grounded-news-summarizer[ray]'") from None
    return ray


# Articles go to an actor in groups of up to this many, one Ray task each: Ray's own work
# per task (its arguments, its result, the actor's scheduling) cost about 3 ms of the
# actor's core per article when each went alone, a fifth of the pipeline's (#26).
GROUP = 8
# How long the first article queued waits for others to go with it, unless every actor's
# group fills first. Without it most groups held one article: a run starts its next
# article as each result comes in, one turn of the event loop apart (203 of 326 tasks for
# 1,000 articles; 20 ms: 77 to 113 tasks). Short beside any model call.
LINGER = 0.02


class Worker:
    """What each actor runs: one summarizer, its calls on the actor's event loop."""

    def __init__(self, settings: Settings, schema: type[Brief] | None, cache: bool,
                 refresh: bool) -> None:  # fmt: skip
        from summarizer.pipeline import Summarizer

        self.summarizer = Summarizer(settings=settings, schema=schema, cache=cache,
                                     refresh=refresh)  # fmt: skip

    async def summarize(self, articles: list[Article]) -> list[str | dict[str, Any]]:
        """Each article's result as JSON text, or its error as {"type", "message"} (a
        one-line error of this package's, carried to the driver as itself, not as Ray's
        traceback), made concurrently."""
        return list(await asyncio.gather(*(self._one(a) for a in articles)))

    async def _one(self, article: Article) -> str | dict[str, Any]:
        try:
            result = await self.summarizer.asummarize(article)
        except SummarizerError as exc:
            return {"type": type(exc).__name__, "message": str(exc)}
        return result.model_dump_json()

    def ping(self) -> bool:
        return True


class Groups:
    """Articles on their way to actors: `put` queues one, and the queue goes out in groups
    of up to `GROUP`, one Ray task each, spread over the actors in turn, when every actor's
    group is full or the first article queued has waited `LINGER`."""

    def __init__(self, actors: list[Any]) -> None:
        self.actors = actors
        self._next = itertools.cycle(actors)
        self._queued: list[tuple[Article, asyncio.Future[str | dict[str, Any]]]] = []
        self._settling: set[asyncio.Task[None]] = set()
        self._timer: asyncio.TimerHandle | None = None

    async def put(self, article: Article) -> str | dict[str, Any]:
        """What the actor answered for `article`: its result as JSON text, or its error."""
        loop = asyncio.get_running_loop()
        found: asyncio.Future[str | dict[str, Any]] = loop.create_future()
        self._queued.append((article, found))
        if len(self._queued) >= GROUP * len(self.actors):
            if self._timer is not None:
                self._timer.cancel()
            self._send()
        elif self._timer is None:
            self._timer = loop.call_later(LINGER, self._send)
        return await found

    def _send(self) -> None:
        self._timer = None
        queued = [(a, found) for a, found in self._queued if not found.done()]  # not cancelled
        self._queued = []
        if not queued:
            return
        size = min(GROUP, max(1, -(-len(queued) // len(self.actors))))  # spread over all
        for start in range(0, len(queued), size):
            group = queued[start : start + size]
            ref = next(self._next).summarize.remote([article for article, _ in group])
            task = asyncio.get_running_loop().create_task(
                self._settle(ref, [found for _, found in group])
            )
            self._settling.add(task)  # held until done: the loop keeps only weak references
            task.add_done_callback(self._settling.discard)

    @staticmethod
    async def _settle(ref: Any, waiting: list[asyncio.Future[Any]]) -> None:
        try:
            answers = await ref
        except Exception as exc:  # its actor died more than RETRIES times: Ray's error
            for found in waiting:
                if not found.done():  # (a caller may have given up: cancelled)
                    found.set_exception(exc)
            return
        for found, answer in zip(waiting, answers, strict=True):
            if not found.done():
                found.set_result(answer)


class Pool:
    """Actors on a Ray cluster, and the way to summarize one article on them (`summarize`,
    through `Groups`)."""

    def __init__(self, settings: Settings, *, address: str | None = "auto",
                 actors: int | None = None, per_actor: int = 4,
                 schema: type[Brief] | None = None, cache: bool = True,
                 refresh: bool = False) -> None:  # fmt: skip
        ray = _ray()
        if not ray.is_initialized():
            _reachable(address)
            try:
                ray.init(address=address, log_to_driver=False, logging_level="ERROR")
            except ConnectionError as exc:
                found = " ".join(str(exc).split())
                if address == "auto":  # Ray's own words name its own flags
                    found = NO_CLUSTER
                raise ConfigError(f"--ray {address}: {found}") from None
        self.ray = ray
        count = actors or max(1, int(ray.cluster_resources().get("CPU", 1)))
        remote = ray.remote(num_cpus=1, max_restarts=-1, max_task_retries=RETRIES)(Worker)
        self.actors = [
            remote.options(max_concurrency=per_actor).remote(settings, schema, cache, refresh)
            for _ in range(count)
        ]
        ray.get([a.ping.remote() for a in self.actors])  # each made (its model loaded)
        self.schema = schema
        self.per_actor = per_actor
        self._groups = Groups(self.actors)

    @property
    def slots(self) -> int:
        """How many articles may be in flight at once: every actor's calls."""
        return len(self.actors) * self.per_actor

    async def summarize(self, article: Article) -> SummaryResult:
        """`article` summarized on the cluster (sent with others: `Groups`)."""
        return self._result(await self._groups.put(article))

    def _result(self, found: str | dict[str, Any]) -> SummaryResult:
        if isinstance(found, dict):
            kind = getattr(errors, found["type"], SummarizerError)
            if not (isinstance(kind, type) and issubclass(kind, SummarizerError)):
                kind = SummarizerError
            raise kind(found["message"])
        context = {"schema": self.schema} if self.schema is not None else None
        return SummaryResult.model_validate_json(found, context=context)

    def close(self) -> None:
        for actor in self.actors:
            self.ray.kill(actor)


def _reachable(address: str | None) -> None:
    """A ConfigError, at once, if nothing listens where `address` points (a HOST:PORT, or
    the one `auto` stands for): Ray would keep trying to reach it for minutes, silently."""
    if address is None or "://" in address:
        return
    if address == "auto":
        found = _auto_address()
        if found is not None and (why := _refused(found)):
            source = "RAY_ADDRESS gives" if os.environ.get("RAY_ADDRESS") else _LEFT
            raise ConfigError(f"--ray auto: no Ray cluster answers at {found} ({why}), the "
                              f"address {source}: {START}")  # fmt: skip
        return
    try:
        why = _refused(address)
    except ValueError:
        raise ConfigError(f"--ray {address}: give auto or HOST:PORT") from None
    if why:
        raise ConfigError(
            f"--ray {address}: cannot connect ({why}): is a Ray head running there "
            "(ray start --head)?"
        )


START = "start one (ray start --head) or give the address of one (--ray HOST:PORT)"
NO_CLUSTER = f"no Ray cluster is running here: {START}"
_LEFT = "the last `ray start` here left in Ray's temp folder"


def _auto_address() -> str | None:
    """The HOST:PORT that `auto` stands for, found as Ray finds it: RAY_ADDRESS; else the
    one cluster running on this machine, if exactly one runs; else the address the last
    `ray start` here wrote to Ray's temp folder (there still when that cluster is gone).
    None when Ray would look elsewhere (a ray:// client address; a Ray without this
    function): `ray.init` decides. A ConfigError when there is none at all."""
    if "://" in os.environ.get("RAY_ADDRESS", ""):
        return None
    try:
        from ray._private.services import canonicalize_bootstrap_address
    except ImportError:
        return None
    try:
        found: str | None = canonicalize_bootstrap_address("auto")
    except ConnectionError:
        raise ConfigError(f"--ray auto: {NO_CLUSTER}") from None
    except ValueError:  # not an address: `ray.init` says so
        return None
    return found


def _refused(address: str) -> str | None:
    """Why nothing answers at HOST:PORT `address` (within 5 s), or None if something does;
    a ValueError if it is no HOST:PORT."""
    host, _, port = address.rpartition(":")
    try:
        socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=5).close()
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def summarize_on_ray(
    articles: Iterable[Article | str] | Any,
    *,
    address: str | None = "auto",
    actors: int | None = None,
    per_actor: int = 4,
    schema: type[Brief] | None = None,
    settings: Settings | None = None,
    cache: bool = True,
    **options: Any,
) -> Iterator[SummaryResult | FailedArticle]:
    """Summarize `articles` (Articles or texts, or a Ray Dataset whose rows have a "text"
    column and any of "title", "published", "source", "url", "language") on the Ray
    cluster at `address`, yielding each one's result, or its failure, in input order.
    `cache` and the summarizer's options as for `Summarizer`."""
    from summarizer.settings import Settings

    s = settings if settings is not None else Settings.load(**options)
    pool = Pool(s, address=address, actors=actors, per_actor=per_actor, schema=schema,
                cache=cache)  # fmt: skip
    loop = portal.loop()  # where the groups are gathered and their answers awaited
    window: deque[tuple[int, Future[SummaryResult]]] = deque()
    try:
        rows = articles.iter_rows() if hasattr(articles, "iter_rows") else articles  # a Dataset
        for n, row in enumerate(rows):
            try:
                article = _article(row)
            except SummarizerError as exc:  # an empty text, a row with none: its failure
                unread: Future[SummaryResult] = Future()
                unread.set_exception(exc)
                window.append((n, unread))
            else:
                made = asyncio.run_coroutine_threadsafe(pool.summarize(article), loop)
                window.append((n, made))
            if len(window) >= pool.slots * 2:
                yield _settled(pool, *window.popleft())
        while window:
            yield _settled(pool, *window.popleft())
    finally:
        for _, left in window:  # the caller stopped early, or was interrupted
            left.cancel()
        pool.close()


def _settled(pool: Pool, n: int, future: Future[SummaryResult]) -> SummaryResult | FailedArticle:
    where = InputRef(name=f"[{n}]")
    try:
        while not future.done():  # short waits: Ctrl-C is handled between them
            wait([future], timeout=0.2)
        return future.result().model_copy(update={"input": where})
    except SummarizerError as exc:
        info = ErrorInfo(type=type(exc).__name__, message=str(exc))
    except pool.ray.exceptions.RayError as exc:  # its actor died more than RETRIES times
        info = ErrorInfo(type="WorkerError", message=" ".join(str(exc).split())[:300])
    return FailedArticle(input=where, error=info)


def _article(row: Any) -> Article:
    """The article of one input: an Article, a text, or a row with a "text" column."""
    if isinstance(row, Article | str):
        return Article.of(row)
    if not isinstance(row, Mapping) or not isinstance(row.get("text"), str):
        raise ArticleError(
            f'expected an Article, a text or a row with a "text" column, got {_shown(row)}'
        )
    meta = {k: row.get(k) for k in ("title", "published", "source", "url", "language")}
    return Article.from_text(row["text"], **meta)


def _shown(row: Any) -> str:
    if isinstance(row, Mapping):
        return f"a row with the columns {sorted(map(str, row))}"
    return f"a {type(row).__name__}"
