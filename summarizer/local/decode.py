"""Grammar-constrained decoding that costs almost nothing when the model behaves.

llama-cpp-python's high-level API applies the grammar to every candidate token of the
vocabulary at every step (Qwen's 151k, Gemma's 262k), several times slower than free
decoding. This decoder does what llama.cpp's own common sampler does: pick the token
freely, ask the grammar about that one token, and only when the grammar rejects it run the
full pass over every candidate. A model that follows its instructions (or, a base model,
its worked example) mostly writes valid JSON, so the full pass is rare.

Generation stops where the grammar is complete: after the final ``}`` only
end-of-generation is allowed, which the full pass then picks.

When the grammar rejects a word the model wanted to start (a token beginning with a
space), a string has reached its limit (at most 15 words, one sentence): the full pass
then closes the string if the grammar allows it, instead of taking the model's next
favourite, which is to glue letters or markup onto the last word ("DonaldTrump'splan",
"diplomats.</b><b>The") to keep copying.

The loop guards (repeats, cycles, endless words, lengths) are in `guards`.
"""

from __future__ import annotations

import ctypes
import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from summarizer.local.guards import (
    ENDABLE,
    LENGTH_MARGIN,
    MAX_DIGITS,
    MAX_WORD_CHARS,
    Openings,
    cycle_continuation,
)
from summarizer.local.vocab import bare_tokens, first_bytes, piece

if TYPE_CHECKING:
    from llama_cpp import Llama

    from summarizer.local.model import LoadedModel
    from summarizer.local.pace import Pace
    from summarizer.local.words import WordGuard


# What the embedded server writes depends on how it decodes, not only on the request: the
# cache key includes this version. Bump it with any change to the caps, the grammar, the
# guards or this module that can change an answer.
DECODER_VERSION = "13"


class DecodeError(RuntimeError):
    """The prompt does not fit, or the grammar admits no token."""


class OutOfTime(DecodeError):
    """The generation took longer than its work allows at the measured pace (`pace`)."""


@dataclass
class Generation:
    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str  # "stop" (grammar complete, end token, or stuck), "length", "cancelled"
    full_passes: int  # steps where the grammar rejected the free choice
    prompt_s: float
    decode_s: float
    reused_tokens: int = 0  # prompt tokens whose evaluation was reused

    @property
    def tokens_per_s(self) -> float:
        return self.completion_tokens / self.decode_s if self.decode_s else 0.0


def _eval_prompt(
    llm: Llama,
    tokens: list[int],
    cancelled: Callable[[], bool] | None = None,
    clock: _Clock | None = None,
) -> int:
    """Evaluate `tokens`, reusing whole batches the context already holds; returns how
    many tokens were reused. `cancelled` is asked before each batch (a batch takes
    seconds on a slow machine): once it says yes, `Cancelled` is raised. Each batch's
    time goes to the `clock`'s pace, which then says whether time is up (`OutOfTime`).

    llama.cpp evaluates a prompt in batches of `n_batch` tokens, and evaluating the same
    text in other batch splits changes the logits in the last bits, which a small model's
    greedy choices follow. So only whole leading batches are reused (the worked example
    fills the first one), and the rest is evaluated in the very batches a fresh context
    would use: the output does not depend on what the process did before.
    """
    n_batch = llm.n_batch
    held = llm.input_ids[: llm.n_tokens]
    keep = 0
    while (
        keep + n_batch < len(tokens)  # always evaluate at least one token: we need logits
        and keep + n_batch <= len(held)
        and np.array_equal(held[keep : keep + n_batch], tokens[keep : keep + n_batch])
    ):
        keep += n_batch
    llm.n_tokens = keep
    for start in range(keep, len(tokens), n_batch):  # the batches `llm.eval` would make
        if cancelled is not None and cancelled():
            raise Cancelled("cancelled while reading the prompt")
        batch = tokens[start : start + n_batch]
        began = time.perf_counter()
        llm.eval(batch)
        if clock is not None:
            clock.read(len(batch), time.perf_counter() - began)
    return keep


class _Clock:
    """One generation's time against its work: the tokens it reads and may write, at the
    pace this process measures (`pace.Pace`), which each batch and every few tokens
    update. `check` raises `OutOfTime` once the generation has taken longer than that
    allows, or than `max_seconds` where one is given."""

    EVERY = 16  # tokens decoded between updates of the pace

    def __init__(
        self, pace: Pace | None, to_read: int, to_write: int, max_seconds: float | None
    ) -> None:
        self.pace, self.to_read, self.to_write = pace, to_read, to_write
        self.max_seconds = max_seconds
        self.started = time.perf_counter()
        self.read_n = self.written_n = 0
        self._mark, self._since = self.started, 0

    def read(self, tokens: int, seconds: float) -> None:
        self.read_n += tokens
        if self.pace is not None:
            self.pace.read(tokens, seconds)
        self.check()

    def wrote_one(self) -> None:
        self.written_n += 1
        self._since += 1
        if self._since < self.EVERY:
            return
        now = time.perf_counter()
        if self.pace is not None:
            self.pace.wrote(self._since, now - self._mark)
        self._mark, self._since = now, 0
        self.check()

    def allowed(self) -> float:
        """Seconds this generation may take, as the pace stands now."""
        bounds = [self.max_seconds] if self.max_seconds else []
        if self.pace is not None:
            bounds.append(self.pace.allowance(self.to_read, self.to_write))
        return min(bounds) if bounds else float("inf")

    def check(self) -> None:
        spent, allowed = time.perf_counter() - self.started, self.allowed()
        if spent > allowed:
            raise OutOfTime(
                f"took {spent:.0f} s, longer than the {allowed:.0f} s its work allows at "
                f"this machine's pace ({self.read_n} of {self.to_read} prompt tokens read, "
                f"{self.written_n} written)"
            )


class Cancelled(Exception):
    """The request was cancelled before its answer began."""


def _abort_when(llm: Llama, flag: ctypes.Array[ctypes.c_char] | None) -> None:
    """Have llama.cpp's compute threads stop a batch as soon as `flag`'s first byte is
    set (None: never), so that a cancelled request stops at once, not after the prompt
    batch it is in (seconds on a loaded machine).

    llama.cpp asks its abort callback, a `bool (*)(void *)`, between the graph's
    operations, on its own thread. A Python callback would take the GIL hundreds of times
    a batch; C's `strlen` asks nothing of Python: over the two-byte `flag` it returns 0
    until the first byte is set, then 1, which the callback's bool reads as false, then
    true."""
    import llama_cpp

    data = ctypes.cast(_NEVER if flag is None else flag, ctypes.c_void_p)
    llama_cpp.llama_set_abort_callback(llm.ctx, _strlen(), data)


_NEVER = ctypes.create_string_buffer(2)  # never set: the callback says "go on"


@functools.cache
def _strlen() -> Any:
    """C's strlen as a llama.cpp abort callback (see `_abort_when`)."""
    import llama_cpp

    address = ctypes.cast(ctypes.CDLL(None).strlen, ctypes.c_void_p).value
    assert address is not None
    return llama_cpp.ggml_abort_callback(address)


_TOP_K = 40  # sampling at a temperature above 0 draws from this many best tokens


class _Grammar:
    """A llama.cpp grammar sampler, freed with the object."""

    def __init__(self, llm: Llama, gbnf: str) -> None:
        import llama_cpp

        self._lib = llama_cpp
        vocab = llama_cpp.llama_model_get_vocab(llm.model)
        self.ptr = llama_cpp.llama_sampler_init_grammar(vocab, gbnf.encode(), b"root")
        if not self.ptr:
            raise DecodeError("llama.cpp rejected the grammar")

    def allows(self, token: int, logit: float) -> bool:
        lib = self._lib
        one = (lib.llama_token_data * 1)(lib.llama_token_data(token, logit, 0.0))
        arr = lib.llama_token_data_array(data=one, size=1, selected=-1, sorted=False)
        lib.llama_sampler_apply(self.ptr, ctypes.byref(arr))
        return bool(np.isfinite(one[0].logit))

    def mask(self, logits: np.ndarray, ids: np.ndarray | None = None) -> np.ndarray:
        """`logits` with every token the grammar rejects set to -inf: the full pass, or
        only the candidates `ids` (every other token is then -inf too)."""
        lib = self._lib
        n = logits.shape[0]
        ids = np.arange(n, dtype=np.intc) if ids is None else ids.astype(np.intc)
        data = np.empty(len(ids), dtype=[("id", np.intc), ("logit", np.single), ("p", np.single)])
        data["id"] = ids
        data["logit"] = logits[ids]
        data["p"] = 0.0
        arr = lib.llama_token_data_array(
            data=data.ctypes.data_as(lib.llama_token_data_p),
            size=len(ids),
            selected=-1,
            sorted=False,
        )
        lib.llama_sampler_apply(self.ptr, ctypes.byref(arr))
        if len(ids) == n:
            return np.asarray(data["logit"])
        out = np.full(n, -np.inf, dtype=np.single)
        out[ids] = data["logit"]
        return out

    def accept(self, token: int) -> None:
        self._lib.llama_sampler_accept(self.ptr, token)

    def __del__(self) -> None:
        if getattr(self, "ptr", None):
            self._lib.llama_sampler_free(self.ptr)
            self.ptr = None


def _choose(logits: np.ndarray, temperature: float, rng: np.random.Generator) -> int:
    if temperature <= 0:
        return int(np.argmax(logits))
    top = np.argpartition(logits, -_TOP_K)[-_TOP_K:]  # top-k, then softmax at `temperature`
    scaled = (logits[top] - logits[top].max()) / temperature
    probs = np.exp(scaled)
    return int(top[rng.choice(len(top), p=probs / probs.sum())])


# A full grammar pass over a whole vocabulary is slow (tens of ms). The model's best
# allowed token is nearly always among its top candidates, and when one of them is
# allowed it is the best allowed token of all: so these are asked first.
TOP_CANDIDATES = 2048


def _constrain(
    gram: _Grammar,
    logits: np.ndarray,
    wants_word: bool,
    closers: np.ndarray | None,
    temperature: float,
) -> np.ndarray:
    """`logits` masked by the grammar, over the top candidates when that decides the
    choice exactly as the full pass would, else over the whole vocabulary."""
    top = np.argpartition(logits, -TOP_CANDIDATES)[-TOP_CANDIDATES:]
    masked = gram.mask(logits, top)
    allowed = np.isfinite(masked)
    enough = allowed.sum() >= (1 if temperature <= 0 else _TOP_K)
    # The string-closing preference needs to know whether any closer is allowed at all.
    closer_known = not wants_word or closers is None or bool((allowed & closers).any())
    if enough and closer_known:
        return masked
    return gram.mask(logits)


# How many of the model's choices the word guard may pass over at one step.
GUARD_TRIES = 16


def generate(
    model: LoadedModel,
    prompt: str | Sequence[tuple[str, bool]],
    *,
    grammar: str | None,
    max_tokens: int = 1024,
    temperature: float = 0.0,
    seed: int | None = None,
    distinct_openings: int = 0,
    max_seconds: float | None = None,
    guard: WordGuard | None = None,
    cancelled: Callable[[], bool] | None = None,
    limits: dict[str, int] | None = None,
    pace: Pace | None = None,
    abort: ctypes.Array[ctypes.c_char] | None = None,
) -> Generation:
    """Continue `prompt`; with `grammar` (GBNF), only text the grammar accepts. Stops with
    finish_reason "length" after `max_tokens` tokens. Raises `OutOfTime` after
    `max_seconds`, or after what its work allows at the measured `pace`, which its own
    prompt batches and tokens update as it goes (`_Clock`). With
    `guard`, a string value's capitalized words and numbers are the article's (see
    `words.WordGuard`). `limits` caps a string value's characters by its key (the
    schema's maxLength, which a grammar built from a pattern cannot also enforce): near
    the cap the value ends its sentence and closes. `cancelled` is asked before every
    token: once it says yes, generation stops (finish_reason "cancelled"). `abort`, two
    zero bytes (`ctypes.create_string_buffer(2)`), stops it sooner, inside the batch
    llama.cpp is computing, once its first byte is set (see `_abort_when`)."""
    llm = model.llm
    started = time.perf_counter()
    segments = [(prompt, False)] if isinstance(prompt, str) else list(prompt)
    tokens: list[int] = []
    for text, special in segments:  # markers as special tokens, text as text
        tokens += llm.tokenize(text.encode(), add_bos=not tokens, special=special)
    if len(tokens) + max_tokens > llm.n_ctx():
        max_tokens = llm.n_ctx() - len(tokens)
        if max_tokens < 64:
            raise DecodeError(
                f"the prompt has {len(tokens)} tokens; the model's context holds {llm.n_ctx()}"
            )
    clock = _Clock(pace, len(tokens), max_tokens, max_seconds)
    decoder = _Decoder(model, grammar, temperature, seed, guard, limits, distinct_openings)
    _abort_when(llm, abort)
    try:
        reused = _eval_prompt(llm, tokens, cancelled, clock)
        prompt_s = time.perf_counter() - started
        if distinct_openings and grammar:
            decoder.openings.prime(tokens, [piece(decoder.vocab, t) for t in tokens])
        decode_started = time.perf_counter()
        finish = decoder.run(max_tokens, clock, cancelled)
    except (Cancelled, RuntimeError) as exc:
        # llama.cpp's decode fails ("llama_decode returned 2") when the flag aborted it.
        if isinstance(exc, RuntimeError) and not (abort is not None and abort[0] != b"\0"):
            raise
        return Generation("", len(tokens), 0, "cancelled", 0, time.perf_counter() - started, 0.0)
    finally:
        _abort_when(llm, None)
    decode_s = time.perf_counter() - decode_started
    text = llm.detokenize(decoder.out).decode("utf-8", errors="replace")
    return Generation(
        text, len(tokens), len(decoder.out), finish, decoder.full_passes, prompt_s, decode_s,
        reused,
    )  # fmt: skip


class _Decoder:
    """One generation's token loop: what the grammar, the word guard and the limits allow
    at each step, and the token chosen among it."""

    def __init__(
        self,
        model: LoadedModel,
        grammar: str | None,
        temperature: float,
        seed: int | None,
        guard: WordGuard | None,
        limits: dict[str, int] | None,
        distinct_openings: int,
    ) -> None:
        import llama_cpp

        self.lib = llama_cpp
        self.llm = llm = model.llm
        self.vocab = llama_cpp.llama_model_get_vocab(llm.model)
        self.gram = _Grammar(llm, grammar) if grammar else None
        self.temperature, self.guard, self.limits = temperature, guard, limits
        self.rng = np.random.default_rng(seed)
        self.openings = Openings(distinct_openings)
        self.out: list[int] = []
        self.full_passes = 0
        self.n_vocab = llm.n_vocab()
        first = self.first = first_bytes(model)
        self.closers = first == ord('"') if grammar else None
        # At the word limit: close the string or start a word; or end the sentence with a
        # bare period where one can end it (a string whose pattern wants a final period
        # could otherwise never close). Near a string's maxLength (`limits`, by key): only
        # close, or end the sentence first.
        ends = bare_tokens(llm, ".!?")
        self.breakers = (first == ord('"')) | (first == ord(" "))
        self.closers_only = first == ord('"')
        self.breakers_or_end, self.enders = self.breakers.copy(), self.closers_only.copy()
        self.breakers_or_end[ends] = True
        self.enders[ends] = True
        self.sentence_ends = np.zeros_like(self.breakers)
        self.sentence_ends[ends] = True
        self.not_digits = (first < ord("0")) | (first > ord("9"))
        # Control and user-defined tokens never belong in the JSON. (End-of-generation is
        # one: when the grammar is complete and allows nothing else, the fallback in
        # `_constrained` lets it in.)
        self.usable = first != 0

    def run(self, max_tokens: int, clock: _Clock, cancelled: Callable[[], bool] | None) -> str:
        """Decode up to `max_tokens`; the finish reason. `clock` may end it (`OutOfTime`)."""
        lib, llm, gram = self.lib, self.llm, self.gram
        for _ in range(max_tokens):
            if cancelled is not None and cancelled():
                return "cancelled"
            ptr = lib.llama_get_logits_ith(llm.ctx, -1)
            raw = np.ctypeslib.as_array(ptr, shape=(self.n_vocab,))
            logits, restricted, word_limit = self._restricted(raw)
            token = self._pick(logits)
            if gram is not None and not gram.allows(token, float(logits[token])):
                allowed = self._constrained(token, logits, raw, restricted, word_limit)
                if allowed is None:
                    return "stop"
                token = allowed
            if lib.llama_vocab_is_eog(self.vocab, token):
                return "stop"
            if gram is not None:
                gram.accept(token)
            self.out.append(token)
            self.openings.add(token, piece(self.vocab, token))
            llm.eval([token])
            clock.wrote_one()
        return "length"

    def _restricted(self, raw: np.ndarray) -> tuple[np.ndarray, bool, bool]:
        """The logits with what may not come next at -inf (control tokens, banned
        openings and cycles, past a word's or a value's length, too many digits), whether
        anything was, and whether a word or value is at its limit."""
        gram, openings = self.gram, self.openings
        logits, restricted = raw, False
        if gram is not None:
            logits = np.where(self.usable, logits, -np.inf)
            restricted = True
        if banned := openings.banned() | cycle_continuation(self.out):
            logits = logits.copy()
            logits[list(banned)] = -np.inf
            restricted = True
        word_limit = gram is not None and openings.in_string and openings.word >= MAX_WORD_CHARS
        can_end = ENDABLE.match(openings.value[-1:]) is not None
        if word_limit:
            logits = np.where(self.breakers_or_end if can_end else self.breakers, logits, -np.inf)
            restricted = True
        limits = self.limits
        most = limits.get(openings.key) if limits and openings.current is not None else None
        near = most is not None and len(openings.value) >= most - LENGTH_MARGIN
        if gram is not None and near and (can_end or len(openings.value) >= (most or 0) - 2):
            logits = np.where(self.enders if can_end else self.closers_only, logits, -np.inf)
            restricted = word_limit = True
        if gram is not None and openings.digits >= MAX_DIGITS:
            logits = np.where(self.not_digits, logits, -np.inf)
            restricted = True
        return logits, restricted, word_limit

    def _constrained(
        self, token: int, logits: np.ndarray, raw: np.ndarray, restricted: bool, word_limit: bool
    ) -> int | None:
        """The grammar rejected the free choice `token`: the best token it allows (a full
        pass), or None where it has no way to end a string at its limit."""
        gram, closers = self.gram, self.closers
        assert gram is not None
        self.full_passes += 1
        wants_word = closers is not None and self.first[token] == ord(" ")
        masked = _constrain(gram, logits, wants_word, closers, self.temperature)
        if not np.isfinite(masked).any() and word_limit:
            # The grammar has no way to end this string: give up here rather than babble
            # to max_tokens. The answer is incomplete JSON, reported as such.
            return None
        if not np.isfinite(masked).any() and restricted:
            masked = gram.mask(raw)  # the grammar needs what was banned: allow it
        if not np.isfinite(masked).any():
            raise DecodeError("the grammar admits no next token")
        if wants_word and closers is not None:
            # The model wants a new word where the grammar allows none (a sentence at its
            # word cap): close the string if it may close, else end the sentence with a
            # bare period after a word that can end one. Left to its favourite allowed
            # token, the model glues its next words onto this one
            # ("tomakeilateralDecisions"). (Not where a value opens: "!" is a word too.)
            openings = self.openings
            word_ends = openings.in_string and ENDABLE.match(openings.value[-1:]) is not None
            for preferred in (closers, self.sentence_ends) if word_ends else (closers,):
                ending = np.where(preferred, masked, -np.inf)
                if np.isfinite(ending).any():
                    masked = ending
                    break
        return self._pick(masked)

    def _pick(self, scores: np.ndarray) -> int:
        """The chosen token, passed over while it would write a name or number that the
        guard refuses. If none of the model's next GUARD_TRIES choices is allowed, the
        string closes there if it can ("Nick Scholfield" rather than "Nick
        ScholfieldName"); otherwise the first choice stands: further down are only junk
        tokens, which derail the rest of the answer (validation still checks the name)."""
        guard, openings, temperature, rng = self.guard, self.openings, self.temperature, self.rng
        first = token = _choose(scores, temperature, rng)
        for _ in range(GUARD_TRIES):
            text = openings.value_text(piece(self.vocab, token)) if guard is not None else None
            if guard is None or text is None:
                return token
            current = openings.value if openings.in_string else ""
            if guard.continues(current, text):
                return token
            scores = scores.copy()
            scores[token] = -np.inf
            if not np.isfinite(scores).any():
                break
            token = _choose(scores, temperature, rng)
        if self.closers is not None and openings.in_string:
            closing = np.where(self.closers, scores, -np.inf)
            if np.isfinite(closing).any():
                return int(np.argmax(closing))
        return first
