"""The embedded model behind the OpenAI protocol, in-process.

`EmbeddedTransport` is an httpx transport that answers ``POST /v1/chat/completions`` by
running the local model, so the embedded backend goes through the very same code path
as a remote server: openai SDK, instructor, retries, validation. It subclasses
`httpx2.MockTransport` (a transport that calls a handler instead of a socket) because
vcrpy records that class like any other, so cassettes made from the embedded model are
real request/response pairs, replayable without llama-cpp-python.

The chat format for a base model with no chat template: message contents are joined as
plain text, and a ``JSON:`` cue ends the prompt unless the text already ends with one.
Structured output follows ``response_format``: ``json_schema`` or ``json_object`` with a
``schema``, turned into a GBNF grammar.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import re
import threading
import time
import uuid
from typing import Any

import httpx2

DEFAULT_MAX_TOKENS = 1024
# What the embedded server writes depends on how it decodes, not only on the request: the
# cache key includes this version. Bump it with any change to the caps, the grammar or
# decode.py that can change an answer.
DECODER_VERSION = "10"
# A small model fills every list to its maximum, mostly with repeats and inventions that
# validation then removes. The grammar caps each list at its minItems plus SPARE_ITEMS
# (one spare for validation to drop), keeping the output short: every item costs about
# a second and a half of decoding on 2 cores.
SPARE_ITEMS = 1
MAX_PER_ARTICLE = 6  # claims at most, one per attributing sentence (see `compact`)
DISTINCT_OPENINGS = 4  # see decode.generate
# A bound on one generation, so a pathological grammar state cannot hang a request. It is
# generous: on a loaded machine (llama.cpp threads fighting for cores) decoding slows a lot.
MAX_DECODE_SECONDS = 600.0
_CUE = "JSON:"
_lock = threading.Lock()  # one generation at a time: llama.cpp contexts are not re-entrant


class RequestError(ValueError):
    """A request the embedded server cannot answer (answered with HTTP 400)."""


def _error(status: int, message: str, kind: str = "invalid_request_error") -> httpx2.Response:
    return httpx2.Response(status, json={"error": {"message": message, "type": kind}})


def prompt_text(messages: list[dict[str, Any]]) -> str:
    parts = []
    for message in messages:
        content = message.get("content")
        if isinstance(content, list):  # content parts: keep the text ones
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        if not isinstance(content, str):
            raise RequestError("each message needs text content")
        parts.append(content.strip())
    text = "\n\n".join(p for p in parts if p)
    if not text:
        raise RequestError("the messages are empty")
    return text if text.endswith(_CUE) else f"{text}\n\n{_CUE}"


# A model whose GGUF carries a ChatML template (Qwen) is an instruction-tuned chat model:
# its messages are framed in ChatML's markers, which are tokenized as special tokens; the
# messages' own text never is, so an article line such as "<|im_start|>system" stays text.
Segment = tuple[str, bool]  # (text, tokenize its special-token markers)


def chatml(messages: list[dict[str, Any]]) -> list[Segment]:
    """The messages as ChatML, ending where the assistant's answer begins."""
    out: list[Segment] = []
    for message in messages:
        role = str(message.get("role") or "user")
        content = prompt_text([message]).removesuffix(_CUE).rstrip()
        out += [(f"<|im_start|>{role}\n", True), (content, False), ("<|im_end|>\n", True)]
    return [*out, ("<|im_start|>assistant\n", True)]


def is_chatml(llm: Any) -> bool:
    template = (getattr(llm, "metadata", None) or {}).get("tokenizer.chat_template") or ""
    return "<|im_start|>" in template


# llama-cpp-python's converter writes `maxLength: n` as n nested optional rules, which
# llama.cpp refuses once they nest a few hundred deep; `char{m,n}` says the same flatly.
_NESTED_STRING = re.compile(
    r'^(?P<rule>\S+) ::= "\\"" (?P<body>\(?char[ ()?char]*) "\\"" space$', re.M
)


def _flatten_string_rules(gbnf: str) -> str:
    def flat(m: re.Match[str]) -> str:
        body = m.group("body")
        most = body.count("char")
        least = 0 if body.startswith("(") else 1
        return f'{m.group("rule")} ::= "\\"" char{{{least},{most}}} "\\"" space'

    return _NESTED_STRING.sub(flat, gbnf)


@functools.lru_cache(maxsize=16)
def grammar_for(schema_json: str) -> str:
    """GBNF for a JSON Schema (property order kept: it is the order the model writes)."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    return _flatten_string_rules(json_schema_to_gbnf(schema_json))


def compact(schema: Any, attributions: int = 0) -> Any:
    """`schema` with every array capped as above (the grammar's copy only). A list marked
    ``"x-one-per": "attribution"`` (claims) may hold one item per sentence of the article
    that attributes what it says (`attributions`), up to MAX_PER_ARTICLE."""
    if isinstance(schema, list):
        return [compact(v, attributions) for v in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: compact(v, attributions) for k, v in schema.items()}
    if out.get("type") == "array":
        least = int(out.get("minItems", 0))
        cap = least + SPARE_ITEMS
        if out.get("x-one-per") == "attribution":
            cap = max(cap, min(attributions, MAX_PER_ARTICLE))
        out["maxItems"] = min(int(out.get("maxItems", cap)), cap)
    return out


def attributed_sentences(article: str) -> int:
    """How many of the article's sentences (one a line) attribute what they say."""
    from summarizer.matching import attributions

    return sum(1 for line in article.splitlines() if attributions(line))


def string_limits(schema: Any, out: dict[str, int] | None = None) -> dict[str, int]:
    """maxLength of every string property of `schema`, by property name (the smallest
    where two share a name): the decoder holds values to them (see decode.generate)."""
    out = {} if out is None else out
    if isinstance(schema, list):
        for v in schema:
            string_limits(v, out)
    elif isinstance(schema, dict):
        for name, prop in (schema.get("properties") or {}).items():
            if isinstance(prop, dict) and isinstance(prop.get("maxLength"), int):
                out[name] = min(out.get(name, prop["maxLength"]), prop["maxLength"])
        for v in schema.values():
            string_limits(v, out)
    return out


def _schema_of(body: dict[str, Any], article: str = "") -> dict[str, Any] | None:
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        schema = (fmt.get("json_schema") or {}).get("schema")
    elif fmt.get("type") == "json_object":
        schema = fmt.get("schema")
    else:
        return None
    if schema is not None and not isinstance(schema, dict):
        raise RequestError("response_format schema must be a JSON object")
    return compact(schema, attributed_sentences(article)) if schema else None


def complete(body: dict[str, Any], cancel: threading.Event | None = None) -> dict[str, Any]:
    """Answer one chat-completion request body with the embedded model."""
    from summarizer.local import model
    from summarizer.local.decode import DecodeError, generate
    from summarizer.local.words import article_text, guard_for

    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RequestError("'messages' must be a non-empty list")
    text = prompt_text(messages)
    article = article_text(text)
    schema = _schema_of(body, article)
    grammar = grammar_for(json.dumps(schema)) if schema else None  # key order matters
    max_tokens = int(
        body.get("max_tokens") or body.get("max_completion_tokens") or DEFAULT_MAX_TOKENS
    )
    temperature = float(body.get("temperature") or 0.0)
    seed = body.get("seed")
    name = body.get("model")
    llm = model.load(str(name) if name else None)
    prompt: str | list[Segment] = chatml(messages) if is_chatml(llm) else text
    while not _lock.acquire(timeout=0.1):  # one generation at a time; give up if cancelled
        if cancel is not None and cancel.is_set():
            raise RequestError("cancelled")
    try:
        try:
            gen = generate(
                llm,
                prompt,
                grammar=grammar,
                max_tokens=max_tokens,
                temperature=temperature,
                seed=int(seed) if seed is not None else None,
                distinct_openings=DISTINCT_OPENINGS,
                max_seconds=MAX_DECODE_SECONDS,
                guard=guard_for(article) if grammar else None,
                cancelled=cancel.is_set if cancel is not None else None,
                limits=string_limits(schema) if schema else None,
            )
        except DecodeError as exc:
            raise RequestError(str(exc)) from exc
    finally:
        _lock.release()
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": str(name or model.DEFAULT),
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


def handle(request: httpx2.Request, cancel: threading.Event | None = None) -> httpx2.Response:
    """The HTTP face of `complete`: routing, JSON decoding and error statuses."""
    if request.method != "POST" or not request.url.path.endswith("/chat/completions"):
        return _error(
            404, f"the embedded model serves POST /v1/chat/completions, not {request.url.path}"
        )
    try:
        body = json.loads(request.content)
        if not isinstance(body, dict):
            raise RequestError("the request body must be a JSON object")
        return httpx2.Response(200, json=complete(body, cancel))
    except (json.JSONDecodeError, RequestError, TypeError, ValueError) as exc:
        return _error(400, str(exc))


class EmbeddedTransport(httpx2.MockTransport):
    """Answers OpenAI chat-completion requests with the embedded model (sync)."""

    def __init__(self) -> None:
        super().__init__(handle)

    @classmethod
    @functools.cache
    def shared(cls) -> EmbeddedTransport:
        return cls()


async def _handle_async(request: httpx2.Request) -> httpx2.Response:
    """`handle` in a daemon thread (generation is CPU-bound; the event loop stays free).
    Cancelled, it tells the generation to stop at its next token, and a generation left
    behind never holds up the exit of the process."""
    await request.aread()
    loop = asyncio.get_running_loop()
    done: asyncio.Future[httpx2.Response] = loop.create_future()
    cancel = threading.Event()

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
            response = handle(request, cancel)
        except BaseException as exc:
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is waiting
            loop.call_soon_threadsafe(settle, response, error)

    threading.Thread(target=work, name="summarizer-embedded", daemon=True).start()
    try:
        return await done
    except asyncio.CancelledError:
        cancel.set()
        raise


class AsyncEmbeddedTransport(httpx2.MockTransport):
    """Answers OpenAI chat-completion requests with the embedded model (async)."""

    def __init__(self) -> None:
        super().__init__(_handle_async)

    @classmethod
    @functools.cache
    def shared(cls) -> AsyncEmbeddedTransport:
        return cls()
