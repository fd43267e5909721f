"""The embedded model behind the OpenAI protocol, in-process.

`EmbeddedTransport` is an httpx transport that answers ``POST /v1/chat/completions`` by
running the local model, so the embedded backend goes through the very same code path
as a remote server: openai SDK, instructor, retries, validation. The recorder patches it
as vcrpy patches httpx's own transports (`tests/recording.py`), so cassettes made from
the embedded model are real request/response pairs, replayable without llama-cpp-python.

Layers: this module is the HTTP face (routing, statuses, threads, cancellation);
`chat` turns messages into the model's prompt; `grammar` turns ``response_format``
(``json_schema``, or ``json_object`` with a ``schema``) into a GBNF grammar; `decode`
generates under it, with the `guards` and the `words` guard; `model` finds and loads the
model file.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import ctypes
import functools
import json
import threading
import time
import uuid
import weakref
from pathlib import Path
from typing import Any

import httpx2

from summarizer.errors import BackendTimeout
from summarizer.local.chat import RequestError, chatml, is_chatml, prompt_text
from summarizer.local.grammar import compact, grammar_for, string_limits

DEFAULT_MAX_TOKENS = 1024
# The request field in which the embedded backend gives the article it summarizes
# (`local.backend.EmbeddedBackend.extra_body`): its sentences as the prompt shows them, and
# how many attribute what they say. Given, not scraped out of the prompt, so that
# rewording a template cannot silently switch the word guard off.
ARTICLE_FIELD = "summarizer_article"
DISTINCT_OPENINGS = 4  # see guards.Openings
_lock = threading.Lock()  # one generation at a time: llama.cpp contexts are not re-entrant


def _error(status: int, message: str, kind: str = "invalid_request_error") -> httpx2.Response:
    return httpx2.Response(status, json={"error": {"message": message, "type": kind}})


def _article_of(body: dict[str, Any]) -> tuple[str, int]:
    """The article's sentences (one a line) and how many attribute what they say, as the
    request gives them (`ARTICLE_FIELD`); none for a request that gives none."""
    given = body.get(ARTICLE_FIELD) or {}
    if not isinstance(given, dict):
        raise RequestError(f"{ARTICLE_FIELD} must be a JSON object")
    sentences = given.get("sentences") or []
    attributed = given.get("attributed") or 0
    if not isinstance(sentences, list) or not all(isinstance(s, str) for s in sentences):
        raise RequestError(f"{ARTICLE_FIELD}.sentences must be a list of strings")
    if not isinstance(attributed, int):
        raise RequestError(f"{ARTICLE_FIELD}.attributed must be an integer")
    return "\n".join(sentences), attributed


def _schema_of(body: dict[str, Any], attributed: int = 0) -> dict[str, Any] | None:
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        schema = (fmt.get("json_schema") or {}).get("schema")
    elif fmt.get("type") == "json_object":
        schema = fmt.get("schema")
    else:
        return None
    if schema is not None and not isinstance(schema, dict):
        raise RequestError("response_format schema must be a JSON object")
    return compact(schema, attributed) if schema else None


class Stop(threading.Event):
    """A request's cancellation, which llama.cpp itself also reads (`decode.generate`'s
    `abort`): a prompt batch it is computing stops within milliseconds, not seconds."""

    def __init__(self) -> None:
        super().__init__()
        self.flag = ctypes.create_string_buffer(2)  # see decode._abort_when

    def set(self) -> None:
        self.flag[0] = b"\x01"
        super().set()


def complete(
    body: dict[str, Any], cancel: threading.Event | None = None, given: Path | None = None
) -> dict[str, Any]:
    """Answer one chat-completion request body with the embedded model (`given`: the
    `model_path` setting, a GGUF of the user's own)."""
    from summarizer.local import model
    from summarizer.local.decode import DecodeError, OutOfTime, generate
    from summarizer.local.pace import PACE
    from summarizer.local.words import guard_for

    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RequestError("'messages' must be a non-empty list")
    name = body.get("model")
    # Loaded first: without llama-cpp-python this is the error that says how to install it.
    loaded = model.load(str(name) if name else None, given)
    text = prompt_text(messages)
    article, attributed = _article_of(body)
    schema = _schema_of(body, attributed)
    try:
        grammar = grammar_for(json.dumps(schema)) if schema else None  # key order matters
    except Exception as exc:  # the converter's own errors: a schema it cannot express
        raise RequestError(
            f"the embedded model's grammar cannot express the schema: {type(exc).__name__}: {exc}"
        ) from None
    max_tokens = int(
        body.get("max_tokens") or body.get("max_completion_tokens") or DEFAULT_MAX_TOKENS
    )
    temperature = float(body.get("temperature") or 0.0)
    seed = body.get("seed")
    prompt = chatml(messages) if is_chatml(loaded.llm) else text
    while not _lock.acquire(timeout=0.1):  # one generation at a time; give up if cancelled
        if cancel is not None and cancel.is_set():
            raise RequestError("cancelled")
    try:
        try:
            gen = generate(
                loaded,
                prompt,
                grammar=grammar,
                max_tokens=max_tokens,
                temperature=temperature,
                seed=int(seed) if seed is not None else None,
                distinct_openings=DISTINCT_OPENINGS,
                guard=guard_for(article) if grammar else None,
                cancelled=cancel.is_set if cancel is not None else None,
                limits=string_limits(schema) if schema else None,
                # Bounded by its work at the pace measured as it goes, not by a constant:
                # a loaded machine is slow, not stuck (`local.pace`).
                pace=PACE,
                abort=cancel.flag if isinstance(cancel, Stop) else None,
            )
        except OutOfTime as exc:
            raise BackendTimeout(f"the embedded model {loaded.path.stem} {exc}") from None
        except DecodeError as exc:
            raise RequestError(str(exc)) from exc
    finally:
        _lock.release()
    return _completion(str(name or model.DEFAULT), gen)


def _completion(name: str, gen: Any) -> dict[str, Any]:
    """A chat completion as OpenAI's API writes one, of a `decode.Generation`."""
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": name,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": gen.text},
                "finish_reason": gen.finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": gen.prompt_tokens,
            "completion_tokens": gen.completion_tokens,
            "total_tokens": gen.prompt_tokens + gen.completion_tokens,
        },
    }


def handle(
    request: httpx2.Request, cancel: threading.Event | None = None, given: Path | None = None
) -> httpx2.Response:
    """The HTTP face of `complete`: routing, JSON decoding and error statuses."""
    if request.method != "POST" or not request.url.path.endswith("/chat/completions"):
        return _error(
            404, f"the embedded model serves POST /v1/chat/completions, not {request.url.path}"
        )
    try:
        body = json.loads(request.content)
        if not isinstance(body, dict):
            raise RequestError("the request body must be a JSON object")
        return httpx2.Response(200, json=complete(body, cancel, given))
    except (json.JSONDecodeError, RequestError, TypeError, ValueError) as exc:
        return _error(400, str(exc))


async def _handle_async(request: httpx2.Request, given: Path | None) -> httpx2.Response:
    """`handle` in a daemon thread (generation is CPU-bound; the event loop stays free).
    Cancelled, it tells the generation to stop at its next token, and a generation left
    behind never holds up the exit of the process."""
    await request.aread()
    loop = asyncio.get_running_loop()
    done: asyncio.Future[httpx2.Response] = loop.create_future()
    cancel = Stop()

    def settle(response: httpx2.Response | None, error: BaseException | None) -> None:
        if done.done():
            return
        if error is not None:
            done.set_exception(error)
        else:
            done.set_result(response)  # type: ignore[arg-type]

    def work() -> None:
        response, error = None, None
        try:
            response = handle(request, cancel, given)
        except BaseException as exc:
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is waiting
            loop.call_soon_threadsafe(settle, response, error)

    thread = threading.Thread(target=work, name="summarizer-embedded", daemon=True)
    _running[thread] = cancel
    thread.start()
    try:
        return await done
    except asyncio.CancelledError:
        cancel.set()
        raise


# Generations running in threads, and how to stop each. At exit they are stopped and
# waited for: llama.cpp freeing the model while a thread still decodes with it crashes
# the process (a segfault, exit 139, after a deadline or Ctrl-C had already been said).
_running: weakref.WeakKeyDictionary[threading.Thread, threading.Event] = weakref.WeakKeyDictionary()
EXIT_WAIT_S = 10.0  # a generation stops at its next token; a prompt batch takes seconds


def stop_generations(wait_s: float = EXIT_WAIT_S) -> bool:
    """Tell every running generation to stop and wait up to `wait_s` for them; True when
    none is left running (one still loading the model cannot be stopped sooner)."""
    threads = [(t, c) for t, c in list(_running.items()) if t.is_alive()]
    for _, cancel in threads:
        cancel.set()
    until = time.monotonic() + wait_s
    for thread, _ in threads:
        thread.join(max(0.0, until - time.monotonic()))
    return not any(t.is_alive() for t, _ in threads)


@atexit.register
def _at_exit() -> None:
    """Stop what still decodes; then, if nothing does, free the models (`model.unload`)."""
    if stop_generations():
        from summarizer.local import model

        model.unload()


class EmbeddedTransport(httpx2.BaseTransport, httpx2.AsyncBaseTransport):
    """Answers OpenAI chat-completion requests with the embedded model, for sync and async
    clients alike: an httpx transport like any other (the cassette recorder is taught
    about it, `tests/recording.py`)."""

    def __init__(self, model_path: Path | None = None) -> None:
        self.model_path = model_path

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        return handle(request, None, self.model_path)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        return await _handle_async(request, self.model_path)

    @classmethod
    @functools.cache
    def shared(cls, model_path: Path | None = None) -> EmbeddedTransport:
        return cls(model_path)
