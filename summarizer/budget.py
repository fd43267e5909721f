"""How many tokens a request may take: the model's context window, and counting a prompt.

Nothing is ever cut to fit. A prompt is counted before it is sent (the model's own
tokenizer where this process has it, the embedded model; a safe estimate otherwise) and,
when the article does not fit, the article is summarized in chunks (`chunking`).

The window is, first found first: the `context_window` setting; what the backend knows
(the embedded model's context, the common OpenAI models); what the server reports about
the model (vLLM's ``max_model_len``, llama.cpp's ``n_ctx``, LM Studio's
``max_context_length``...); else `UNKNOWN_WINDOW`, the smallest default of the common local
servers (Ollama's), which cuts an over-long prompt without a word. A window that small
only costs more chunks; too large a guess would lose text.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openai import AsyncOpenAI

    from summarizer.backends import Backend

log = logging.getLogger("summarizer")

# OpenAI's published context windows, by model-name prefix (the longest prefix wins).
OPENAI_WINDOWS: Mapping[str, int] = {
    "gpt-3.5-turbo": 16_385,
    "gpt-4": 8_192,
    "gpt-4-turbo": 128_000,
    "gpt-4o": 128_000,
    "gpt-4.1": 1_047_576,
    "gpt-4.5": 128_000,
    "gpt-5": 400_000,
    "o1": 200_000,
    "o3": 200_000,
    "o4-mini": 200_000,
}
UNKNOWN_WINDOW = 4096
# Fields in which servers report a model's context window in GET /models (and llama.cpp's
# GET /props), in the order they are trusted: what the server will actually hold first.
_REPORTED = ("max_model_len", "n_ctx", "loaded_context_length", "context_length",
             "max_context_length", "context_window", "n_ctx_train")  # fmt: skip
# Bytes of UTF-8 per token, at the least: English runs about 4.2, other Latin-script
# languages 3 to 3.5, while CJK characters (3 bytes) are often 1 token each: 3 errs safe for
# all but some CJK text, which the margin below covers.
BYTES_PER_TOKEN = 3.0
MARGIN = 1.05  # chat-template tokens and tokenizer differences


def estimate_tokens(text: str) -> int:
    """A safe (high) estimate of the tokens of `text` for a tokenizer we do not have."""
    return math.ceil(len(text.encode("utf-8")) / BYTES_PER_TOKEN)


def openai_window(model: str) -> int | None:
    """The context window of an OpenAI model by its name, if it is a known family."""
    known = [prefix for prefix in OPENAI_WINDOWS if model.startswith(prefix)]
    return OPENAI_WINDOWS[max(known, key=len)] if known else None


def reported_window(payload: Any, model: str) -> int | None:
    """The context window a server reports for `model` in a GET /models (or /props) answer:
    the entry of that model (or the only one), its fields or its ``meta``'s."""
    if not isinstance(payload, dict):
        return None
    data = payload.get("data")
    entries: list[Any] = data if isinstance(data, list) else [payload]
    mine = [e for e in entries if isinstance(e, dict) and e.get("id") == model]
    chosen = mine or (entries if len(entries) == 1 else [])
    for entry in chosen:
        if not isinstance(entry, dict):
            continue
        for where in (entry, entry.get("meta"), entry.get("default_generation_settings")):
            if not isinstance(where, dict):
                continue
            for name in _REPORTED:
                value = where.get(name)
                if isinstance(value, int) and not isinstance(value, bool) and value >= 512:
                    return value
    return None


REASK_TOKENS = 256  # a re-ask's error text, on top of the answer it corrects
MIN_CHUNK = 256  # the fewest tokens of article (a few sentences) worth a model call


@dataclass(frozen=True)
class Budget:
    """The tokens of one request: the prompt, the answer (`answer` at most), and for each
    re-ask the answer it corrects, its error text and a new answer (a re-ask resends the
    whole conversation)."""

    window: int
    answer: int
    count: Callable[[str], int]

    @property
    def usable(self) -> int:
        return int(self.window / MARGIN)

    def tokens(self, messages: Iterable[Mapping[str, str]], extra: str = "") -> int:
        """Tokens of a chat request's messages (and `extra`, such as its JSON Schema)."""
        return prompt_tokens(messages, extra, self.count)

    def fits(self, prompt: int) -> bool:
        """Does a prompt of `prompt` tokens leave room for its answer?"""
        return prompt + self.answer <= self.usable

    def reasks(self, prompt: int, wanted: int) -> int:
        """How many of the `wanted` re-asks a prompt of `prompt` tokens leaves room for."""
        spare = self.usable - prompt - self.answer
        return max(0, min(wanted, spare // (self.answer + REASK_TOKENS)))

    def chunk_room(self, overhead: int) -> int:
        """Tokens of article per chunk, for chunks whose prompt without sentences is
        `overhead` tokens, answered once (a chunk is not re-asked: see `chunking`); 0 when
        that leaves no chunk worth sending."""
        room = self.usable - overhead - self.answer
        return room if room >= MIN_CHUNK else 0


def prompt_tokens(
    messages: Iterable[Mapping[str, str]],
    extra: str = "",
    count: Callable[[str], int] = estimate_tokens,
) -> int:
    """Tokens of a chat request's messages (and `extra`, such as its JSON Schema): a high
    estimate unless `count` is the model's own tokenizer."""
    return sum(count(m["content"]) + 4 for m in messages) + (count(extra) if extra else 0)


def sizes(texts: Sequence[str], count: Callable[[str], int]) -> list[int]:
    """Tokens of each text as a line of the prompt ("[S12] ...": the label adds a few)."""
    return [count(t) + 6 for t in texts]


class Windows:
    """The context windows of one server's models: the setting, what the backend knows, or
    what the server reports, asked once per model and shared by every `variant` of a
    summarizer (they share this object)."""

    def __init__(self) -> None:
        self._served: dict[str, int] = {}

    def known(self, setting: int | None, backend: Backend) -> int | None:
        """The window if it is known without asking."""
        if setting is not None:
            return setting
        return backend.context_window or self._served.get(backend.model)

    async def get(
        self, setting: int | None, backend: Backend, client: AsyncOpenAI, headers: dict[str, str]
    ) -> int:
        """The window, asking the server once when it is not known (with `headers`: the
        article's deadline holds for the question too)."""
        known = self.known(setting, backend)
        if known is not None:
            return known
        window = self._served[backend.model] = await _ask_window(backend, client, headers)
        return window


_WARNED_WINDOW: set[str] = set()  # backends already warned of an unknown window


async def _ask_window(backend: Backend, client: AsyncOpenAI, headers: dict[str, str]) -> int:
    """What the server reports, else the published window of a model by that name (an
    OpenAI model behind Azure or a proxy), else `UNKNOWN_WINDOW` with a warning, once per
    process and backend."""
    import openai

    reachable = True
    try:
        asking = client.with_options(timeout=10.0).models.with_raw_response
        answer = await asking.list(extra_headers=headers)
        found = reported_window(answer.http_response.json(), backend.model)
    except openai.APIConnectionError:  # the summary's own call will say it, once
        found, reachable = None, False
    except Exception:  # no /models, an error, not JSON: the safe default
        found = None
    found = found or openai_window(backend.model.rsplit("/", 1)[-1])
    name = backend.describe()
    if found is None and reachable and name not in _WARNED_WINDOW:
        _WARNED_WINDOW.add(name)
        log.warning(
            "%s does not report its context window; assuming %d tokens, so a longer "
            "article is summarized in chunks (more calls, fewer re-asks): set "
            "context_window (--context-window) to the model's window",
            name,
            UNKNOWN_WINDOW,
        )
    return found or UNKNOWN_WINDOW
