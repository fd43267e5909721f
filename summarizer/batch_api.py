"""OpenAI Batch API files: the same requests as live calls, answered within a day at half
the price, and their answers checked exactly as a live call's are.

Both ends go through the pipeline itself, with a transport layer (`BatchLayer`) under the
retrying one that stands in for the model's first answer:

- `prepare` runs each article up to its first model request and writes that request's
  body (its messages and `response_format`, byte for byte a live call's) as a line of the
  input file; the articles themselves go to a manifest beside it (``*.articles.jsonl``),
  which `collect` reads them back from;
- `collect` summarizes each article again, and the layer answers its first request with
  the batch's answer (refusing it if the request is no longer the one prepared: changed
  settings or prompts). Validation, the grounding report, salvage, the cache: all as live.
  What the batch's answer does not settle (a re-ask after the gate, a line that errored or
  expired) is asked live, or, with ``live=False``, written to a follow-up request file
  with its own manifest, to be sent as another batch.

`submit`, `status` and `fetch` drive the Files and Batches endpoints through the SDK.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
from openai.types import CompletionUsage

from summarizer.article import Article
from summarizer.call import Clients, sum_usage, usage_of
from summarizer.errors import InputError, SummarizerError
from summarizer.inputs import Item
from summarizer.pipeline import Summarizer
from summarizer.result import SummaryResult
from summarizer.settings import Settings

ENDPOINT = "/v1/chat/completions"
# The Batch API's limits per input file (platform.openai.com/docs/guides/batch): a file
# past either is split into parts.
MAX_REQUESTS = 50_000
MAX_BYTES = 200 * 1024 * 1024


def digest(body: dict[str, Any]) -> str:
    """A request body's identity: its JSON with sorted keys, hashed."""
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:32]


@dataclass
class Turn:
    """One article's exchange through `BatchLayer`: the answers given in the batch (in
    order, each for the request whose digest is `expected` at the same place), whether
    what comes after them goes to the model (`live`), and the requests that were not."""

    answers: list[dict[str, Any]] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)
    live: bool = False
    held: list[dict[str, Any]] = field(default_factory=list)  # bodies not sent: for a file
    mismatch: bool = False  # a request was not the one prepared
    given: int = 0

    @property
    def settled(self) -> bool:
        return self.given == len(self.answers)


_TURN: ContextVar[Turn | None] = ContextVar("batch_turn", default=None)


class BatchLayer(httpx2.AsyncBaseTransport):
    """Answers an article's chat requests from its `Turn` (set by `collect` or `prepare`
    for the task that summarizes it); passes anything else on to `inner`. A request it
    holds back gets a 400 with a message saying so: the pipeline reports it as a failure,
    which `prepare` and `collect` expect."""

    def __init__(self, inner: httpx2.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        turn = _TURN.get()
        chat = request.method == "POST" and request.url.path.endswith("/chat/completions")
        if turn is None or not chat:
            return await self.inner.handle_async_request(request)
        body = json.loads(await request.aread())
        if not turn.settled:
            n = turn.given
            turn.given += 1
            if n >= len(turn.expected) or digest(body) != turn.expected[n]:
                turn.mismatch = True
                return _held("not the request that was prepared")
            return httpx2.Response(200, json=turn.answers[n])
        if turn.live:
            return await self.inner.handle_async_request(request)
        turn.held.append(body)
        return _held("held for a batch file")

    async def aclose(self) -> None:
        await self.inner.aclose()


def _held(why: str) -> httpx2.Response:
    return httpx2.Response(400, json={"error": {"message": f"summarizer batch: {why}"}})


@contextlib.contextmanager
def _turn(turn: Turn) -> Iterator[Turn]:
    token = _TURN.set(turn)
    try:
        yield turn
    finally:
        _TURN.reset(token)


def files_summarizer(settings: Settings, *, sending: bool, cache: bool = True) -> Summarizer:
    """The summarizer of a batch's files: the settings' backend, or OpenAI's where they name
    none (without a key that would be the embedded model, which has no batch); made
    without a key unless it is `sending` requests: `prepare` sends none, nor does
    `collect` with ``live=False`` (submit, status and fetch need one)."""
    if settings.backend is None and not settings.base_url:
        settings = settings.model_copy(update={"backend": "openai"})
    return Summarizer(settings=settings, cache=cache, sending=sending)


def batch_summarizer(summarizer: Summarizer) -> Summarizer:
    """`summarizer` itself, its model calls routed through `BatchLayer` from now on."""
    if summarizer.backend.kind == "embedded":
        raise SummarizerError(
            "batch files are for a server (OpenAI, or vLLM's run-batch): the embedded "
            "model has none"
        )
    if summarizer.lists == "extract":
        raise SummarizerError(
            "batch files hold the model's whole brief: use lists=write (the small-model "
            "way asks in two steps)"
        )
    s = summarizer
    s.clients = Clients(s.backend, s.retry, s.timeout, layer=BatchLayer)
    return s


# -- the manifest: the articles of a request file ------------------------------------------


def article_record(article: Article) -> dict[str, Any]:
    return {
        "text": article.text,
        "title": article.title,
        "published": article.published.isoformat() if article.published else None,
        "source": article.source,
        "url": article.url,
        "extra": article.extra,
        "language": article.language,
    }


def article_of(record: dict[str, Any]) -> Article:
    import datetime as dt

    published = record.get("published")
    return Article(
        text=record["text"],
        title=record.get("title"),
        published=dt.date.fromisoformat(published) if published else None,
        source=record.get("source"),
        url=record.get("url"),
        extra=dict(record.get("extra") or {}),
        language=record.get("language"),
    )


def manifest_path(requests: Path) -> Path:
    """requests.jsonl -> requests.articles.jsonl."""
    return requests.with_name(requests.name.removesuffix(".jsonl") + ".articles.jsonl")


def _part_path(first: Path, n: int) -> Path:
    """The `n`th file of a split request file: requests.jsonl, requests.2.jsonl, ..."""
    return first if n == 1 else first.with_name(f"{first.name.removesuffix('.jsonl')}.{n}.jsonl")


@dataclass
class Prepared:
    files: list[Path]
    manifest: Path
    requests: int = 0
    cached: int = 0  # in the cache already: no request needed
    failed: list[tuple[str, str]] = field(default_factory=list)  # name, why
    estimated_usd: float | None = 0.0


async def prepare(summarizer: Summarizer, items: Iterable[Item], out: Path) -> Prepared:
    """Write the Batch API input file(s) for `items` at `out` (split at the API's limits),
    and its manifest. An article already cached needs no request; the same article twice
    is one request; an article too long for one request is a failure (summarize it live)."""
    from summarizer.cost import request_cost

    s = batch_summarizer(summarizer)
    done = Prepared(files=[], manifest=manifest_path(out))
    lines: list[str] = []
    manifest: list[str] = []
    written: dict[str, list[str]] = {}  # custom_id: its request's digest
    for item in items:
        if item.article is None:
            done.failed.append((item.name, item.error or "unreadable"))
            continue
        art, key = item.article, s.key_of(item.article)
        entry: dict[str, Any] = {"custom_id": key, "input": item.ref().model_dump(),
                                 "stem": item.stem, "article": article_record(art),
                                 "expected": [], "answers": []}  # fmt: skip
        if key in written:  # the same article again: its answer will serve both
            manifest.append(json.dumps({**entry, "expected": written[key]}))
            continue
        if s.cache is not None and s.cache.get(key) is not None:
            done.cached += 1
            manifest.append(json.dumps(entry))
            continue
        try:
            body = await capture(s, art)
        except SummarizerError as exc:
            done.failed.append((item.name, str(exc)))
            continue
        written[key] = entry["expected"] = [digest(body)]
        manifest.append(json.dumps(entry))
        lines.append(json.dumps({"custom_id": key, "method": "POST", "url": ENDPOINT,
                                 "body": body}))  # fmt: skip
        if done.estimated_usd is not None:  # the request itself, as it will be sent
            schema = json.dumps(body.get("response_format") or "")
            cost = request_cost(s, body["messages"], schema, batch=True)
            done.estimated_usd = None if cost is None else done.estimated_usd + cost
    done.requests = len(lines)
    done.files = _write_parts(lines, out)
    done.manifest.write_text("".join(m + "\n" for m in manifest), encoding="utf-8")
    return done


async def capture(s: Summarizer, article: Article) -> dict[str, Any]:
    """The body of the request a live call would send first for `article` (`s` through
    `BatchLayer`); an `InputError` if one request cannot hold it."""
    from summarizer.chunking import plan_request

    request = s._first_request(article, s._deadline_of(article))
    if await plan_request(s, article, request) is not None:
        raise InputError("too long for one request: summarize it live (in chunks)")
    with _turn(Turn()) as turn, contextlib.suppress(SummarizerError):
        await s.ask(request, s.schema)
    if not turn.held:
        raise InputError("no request reached the model: nothing to put in a batch")
    return turn.held[0]


def _write_parts(lines: list[str], out: Path) -> list[Path]:
    """The request lines in files of at most MAX_REQUESTS lines and MAX_BYTES bytes."""
    from summarizer.batch import write_atomically

    parts: list[list[str]] = [[]]
    size = 0
    for line in lines:
        n = len(line.encode()) + 1
        if parts[-1] and (len(parts[-1]) >= MAX_REQUESTS or size + n > MAX_BYTES):
            parts.append([])
            size = 0
        parts[-1].append(line)
        size += n
    paths = []
    for n, part in enumerate(parts, 1):
        if part or n == 1:
            path = _part_path(out, n)
            write_atomically(path, "".join(f"{line}\n" for line in part))
            paths.append(path)
    return paths


# -- collect ----------------------------------------------------------------------------


@dataclass
class Answers:
    """The batch's output and error files, by custom_id: each line's completion body, or
    why it has none (its error, or `expired`)."""

    bodies: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, paths: Iterable[Path]) -> Answers:
        found = cls()
        for path in paths:
            for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if not raw.strip():
                    continue
                try:
                    line = json.loads(raw)
                    custom_id = line["custom_id"]
                except (json.JSONDecodeError, KeyError, TypeError):
                    raise InputError(f"{path}:{n}: not a line of a batch's output") from None
                response, error = line.get("response"), line.get("error")
                if error:
                    code = error.get("code") or "error"
                    found.errors[custom_id] = f"{code}: {error.get('message') or ''}".strip()
                elif response and response.get("status_code") == 200:
                    found.bodies[custom_id] = response["body"]
                else:
                    status = (response or {}).get("status_code")
                    message = ((response or {}).get("body") or {}).get("error", {}).get("message")
                    found.errors[custom_id] = f"status {status}: {message or 'no answer'}"
        return found


@dataclass
class FollowUps:
    """Requests `collect` did not send live (``live=False``): a request file and its
    manifest, for another batch."""

    path: Path
    lines: list[str] = field(default_factory=list)
    manifest: list[str] = field(default_factory=list)

    def add(self, entry: dict[str, Any], answers: list[dict[str, Any]], body: dict[str, Any],
            expected: list[str]) -> None:  # fmt: skip
        custom_id = f"{entry['custom_id'][:40]}-{len(answers) + 1}"
        self.lines.append(json.dumps({"custom_id": custom_id, "method": "POST",
                                      "url": ENDPOINT, "body": body}))  # fmt: skip
        self.manifest.append(json.dumps({**entry, "custom_id": custom_id,
                                         "expected": [*expected, digest(body)],
                                         "answers": answers}))  # fmt: skip

    def write(self) -> list[Path]:
        if not self.lines:
            return []
        files = _write_parts(self.lines, self.path)
        manifest_path(self.path).write_text("".join(m + "\n" for m in self.manifest))
        return [*files, manifest_path(self.path)]


class Collector:
    """Summarizes a manifest's articles with the batch's answers (see the module's
    docstring): `summarize` is what `batch.run` calls for each."""

    def __init__(self, summarizer: Summarizer, entries: list[dict[str, Any]],
                 answers: Answers, live: bool, follow_ups: FollowUps) -> None:  # fmt: skip
        self.summarizer = batch_summarizer(summarizer)
        self.entries = entries  # in input order; the same article twice shares its answer
        self.by_key = {e["custom_id"]: e for e in entries}
        self.answers, self.live, self.follow_ups = answers, live, follow_ups
        self.article_keys: dict[int, str] = {}

    def items(self) -> Iterator[Item]:
        for entry in self.entries:
            ref = entry["input"]
            article = article_of(entry["article"])
            self.article_keys[id(article)] = entry["custom_id"]
            yield Item(name=ref["name"], stem=entry["stem"], article=article, id=ref.get("id"))

    async def summarize(self, article: Article) -> SummaryResult:
        from summarizer.cost import cost_of
        from summarizer.result import Usage

        key = self.article_keys.pop(id(article))  # (its Item holds it alive till now)
        entry = self.by_key[key]
        answer = self.answers.bodies.get(key)
        given = [*entry["answers"], *([answer] if answer else [])]
        expected = entry["expected"][: len(given)]
        missing = len(given) < len(entry["expected"])  # its line errored, expired or is absent
        if missing and self.live:
            turn = Turn(live=True)  # asked live, from the start
        else:
            turn = Turn(answers=given, expected=expected, live=self.live)
        with _turn(turn):
            try:
                result = await self.summarizer.asummarize(article)
            except SummarizerError:
                if turn.mismatch:
                    raise InputError(
                        "its request is not the one prepared (other settings or prompts?): "
                        "collect with the settings it was prepared with"
                    ) from None
                if not turn.held:
                    raise
                self.follow_ups.add(entry, given, turn.held[0], expected)
                why = self.answers.errors.get(key, "not in its output")
                said = (
                    f"no answer in the batch ({why}); its request"
                    if missing
                    else "the batch's answer failed the checks; its re-ask"
                )
                raise InputError(f"{said} is in {self.follow_ups.path}") from None
        # The batch's answers at the batch price, what was asked live at the live price.
        p = result.provenance
        if not p.cache_hit and given:
            batch = sum_usage([usage_of(CompletionUsage.model_validate(b["usage"]))
                               for b in given if b.get("usage")])  # fmt: skip
            live = Usage(
                prompt_tokens=max(0, p.usage.prompt_tokens - batch.prompt_tokens),
                completion_tokens=max(0, p.usage.completion_tokens - batch.completion_tokens),
            )
            b, price = self.summarizer.backend, self.summarizer.caller.price
            parts = [cost_of(batch, b, price, batch=True), cost_of(live, b, price)]
            cost = None if None in parts else sum(c or 0.0 for c in parts)
            result = result.model_copy(
                update={"provenance": p.model_copy(update={"cost_usd": cost})}
            )
        return result


def read_manifest(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    try:
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError:
        raise InputError(f"{path}: not a manifest written by `summarizer batch prepare`") from None


# -- the Files and Batches endpoints ---------------------------------------------------------


def submit(client: Any, files: list[Path], window: str = "24h") -> list[str]:
    """Upload each request file and start a batch of it; the batches' ids."""
    ids = []
    for path in files:
        with path.open("rb") as f:
            uploaded = client.files.create(file=f, purpose="batch")
        made = client.batches.create(
            input_file_id=uploaded.id, endpoint=ENDPOINT, completion_window=window,
            metadata={"made_by": "summarizer", "file": path.name},
        )  # fmt: skip
        ids.append(made.id)
    return ids


def status(client: Any, batch_id: str) -> Any:
    return client.batches.retrieve(batch_id)


def fetch(client: Any, batch_id: str, folder: Path) -> list[Path]:
    """Download a finished batch's output and error files into `folder`."""
    from summarizer.batch import write_atomically

    batch = client.batches.retrieve(batch_id)
    if batch.status not in ("completed", "expired", "cancelled", "failed"):
        raise SummarizerError(f"batch {batch_id} is {batch.status}: not finished yet")
    found = []
    for kind, file_id in (("output", batch.output_file_id), ("errors", batch.error_file_id)):
        if file_id:
            path = folder / f"{batch_id}.{kind}.jsonl"
            write_atomically(path, client.files.content(file_id).text)
            found.append(path)
    return found
