"""Grammar-constrained decoding that costs almost nothing when the model behaves.

llama-cpp-python's high-level API applies the grammar to all 262k candidate tokens of
Gemma's vocabulary at every step, about 4x slower than free decoding here. This decoder
does what llama.cpp's own common sampler does: pick the token freely, ask the grammar
about that one token, and only when the grammar rejects it run the full pass over every
candidate. A base model that has seen a worked example mostly writes valid JSON, so the
full pass is rare.

Generation stops where the grammar is complete: after the final ``}`` only
end-of-generation is allowed, which the full pass then picks.

When the grammar rejects a word the model wanted to start (a token beginning with a
space), a string has reached its limit (at most 15 words, one sentence): the full pass
then closes the string if the grammar allows it, instead of taking the model's next
favourite, which is to glue letters or markup onto the last word ("DonaldTrump'splan",
"diplomats.</b><b>The") to keep copying.

Small models loop: greedy decoding writes the same key point again and again.
`distinct_openings` forbids a JSON string value to open with the same first tokens as an
earlier one, so the model copies a different sentence instead of the same one again. The
values of the prompt's worked example count as earlier ones: a base model otherwise copies
the example's claims, roles and questions into the answer for the real article. Short
cycles are cut the same way, and so are endless "words" with no space in them
("TheGuardian.com,Theguardian.com,...", "1000000000001000..."). (A
general no-repeat-n-gram ban was tried and dropped: in text copied from the article it
forced paraphrases and glued words.)
"""

from __future__ import annotations

import ctypes
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from llama_cpp import Llama

    from summarizer.local.words import WordGuard


class DecodeError(RuntimeError):
    """The prompt does not fit, or the grammar admits no token."""


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


def _eval_prompt(llm: Llama, tokens: list[int]) -> int:
    """Evaluate `tokens`, reusing whole batches the context already holds; returns how
    many tokens were reused.

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
    llm.eval(tokens[keep:])
    return keep


_NOT_TEXT = 2 | 8 | 16  # llama_token_attr: UNKNOWN | CONTROL | USER_DEFINED


def _first_bytes(llm: Llama) -> np.ndarray:
    """The first byte of every token's text: which tokens open with a double quote (they
    can close a JSON string) or a space (they start a new word). Control tokens
    and Gemma's user-defined ones (``<start_of_image>``, HTML tags, runs of newlines or
    spaces), which never belong in compact JSON, get 0; so do tokens with no text.

    Asking llama.cpp about all 262k tokens takes about 2 s, so the table is kept in
    memory and, when `token_table` names a file, on disk beside the model.
    """
    import llama_cpp

    cached: np.ndarray | None = getattr(llm, "_summarizer_first_bytes", None)
    if cached is not None:
        return cached
    path = getattr(llm, "token_table", None)
    if path is not None and path.is_file():
        cached = np.load(path)
    if cached is None or cached.shape != (llm.n_vocab(),) or cached.dtype != np.uint8:
        vocab = llama_cpp.llama_model_get_vocab(llm.model)

        def first(t: int) -> int:
            if llama_cpp.llama_vocab_get_attr(vocab, t) & _NOT_TEXT:
                return 0
            return (llm._model.token_to_piece(t)[:1] or b"\0")[0]

        cached = np.fromiter(map(first, range(llm.n_vocab())), dtype=np.uint8)
        if path is not None:
            with path.open("wb") as f:
                np.save(f, cached)
    llm._summarizer_first_bytes = cached  # type: ignore[attr-defined]
    return cached


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


class _Openings:
    """Tracks the JSON being written: bans the token that would give a string value the
    same first `k` tokens as an earlier one, and counts the characters since the last space
    in a string and the digits in a row, for the loop guards in `generate`."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.seen: set[tuple[int, ...]] = set()
        self.current: list[int] | None = None  # tokens of the value being written
        self.in_string = False
        self.escaped = False
        self.last = ""  # last non-space character outside strings
        self.word = 0  # characters since the last space, in the string being written
        self.value = ""  # the string value written so far
        self.digits = 0  # digits in a row, anywhere
        self.key = ""  # the last object key written (the value being written is its)

    def banned(self) -> set[int]:
        if self.k <= 0 or self.current is None or len(self.current) != self.k - 1:
            return set()
        head = tuple(self.current)
        return {p[-1] for p in self.seen if p[:-1] == head}

    def prime(self, tokens: list[int], pieces: list[str]) -> None:
        """Learn the values already written in the prompt (a worked example's JSON), so
        the model cannot copy them into its answer either; then start afresh."""
        for token, piece in zip(tokens, pieces, strict=True):
            self.add(token, piece)
        self.current, self.in_string, self.escaped, self.last = None, False, False, ""
        self.word = self.digits = 0
        self.value = ""

    def value_text(self, piece: str) -> str | None:
        """The part of `piece` that would be written inside a string value, after the
        current word; None if none of it would be (outside strings, or in a key)."""
        if self.in_string:
            return piece if self.current is not None else None
        if self.last == ":" and '"' in piece:
            return piece.split('"', 1)[1]
        return None

    def add(self, token: int, piece: str) -> None:
        if self.current is not None:
            self.current.append(token)
        for ch in piece:
            self.word = 0 if ch == " " else self.word + 1
            self.digits = self.digits + 1 if ch.isdigit() else 0
            if self.in_string:
                self.value += ch
                if self.escaped:
                    self.escaped = False
                elif ch == "\\":
                    self.escaped = True
                elif ch == '"':
                    self.in_string = False
                    if self.current is None:  # a key, not a value
                        self.key = self.value[:-1]
                    self.value = ""
                    if self.current is not None and len(self.current) >= self.k:
                        self.seen.add(tuple(self.current[: self.k]))
                    self.current = None
            elif ch == '"':
                self.in_string = True
                self.word = 0
                self.value = ""
                self.current = [] if self.last == ":" else None
            elif not ch.isspace():
                self.last = ch


# A full grammar pass over Gemma's 262k tokens takes about 60 ms. The model's best
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


# Greedy decoding also falls into cycles inside one value ("TheGuardian.com," or "0" again
# and again) until max_tokens. A unit of at most MAX_CYCLE tokens that has just repeated
# so that the run spans CYCLE_RUN tokens (and at least three times) may not go on.
MAX_CYCLE = 16
CYCLE_RUN = 12
# Longer cycles hide in one endless "word" ("100000000000100000000000..."): a string may
# not go on for more than MAX_WORD_CHARS characters without a space.
MAX_WORD_CHARS = 40
MAX_DIGITS = 15  # nor write more digits in a row than any real figure has (also in numbers)


def _cycle_continuation(out: list[int]) -> set[int]:
    """The token that would extend a cycle at the end of `out`, if there is one."""
    for period in range(1, MAX_CYCLE + 1):
        repeats = max(3, -(-CYCLE_RUN // period))
        run = period * repeats
        if len(out) < run - 1:
            break
        tail = out[-(run - 1) :]
        # out + [next] would be `repeats` copies of a `period`-token unit
        if all(tail[i] == tail[i + period] for i in range(len(tail) - period)):
            return {tail[-period]}
    return set()


# Characters left before a string's maxLength when it must start to end: from there, at
# the first point where a period can end the sentence, it does, and the string closes.
LENGTH_MARGIN = 16
# A character after which a period ends a sentence (schema._END).
_ENDABLE = re.compile("[a-z0-9%')\u2019\u201d]")


def _bare_tokens(llm: Llama, chars: str) -> list[int]:
    """The tokens whose whole text is one of `chars`."""
    out = []
    for ch in chars:
        ids = llm.tokenize(ch.encode(), add_bos=False, special=False)
        if len(ids) == 1:
            out.append(ids[0])
    return out


# How many of the model's choices the word guard may pass over at one step.
GUARD_TRIES = 16


def _piece(llm: Llama, token: int) -> str:
    # llama-cpp-python hands back its whole 32-byte buffer, padded with NULs
    return llm._model.token_to_piece(token).rstrip(b"\0").decode("utf-8", errors="replace")


def generate(
    llm: Llama,
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
) -> Generation:
    """Continue `prompt`; with `grammar` (GBNF), only text the grammar accepts. Stops with
    finish_reason "length" after `max_tokens` tokens or `max_seconds` of decoding. With
    `guard`, a string value's capitalized words and numbers are the article's (see
    `words.WordGuard`). `limits` caps a string value's characters by its key (the
    schema's maxLength, which a grammar built from a pattern cannot also enforce): near
    the cap the value ends its sentence and closes. `cancelled` is asked before every
    token: once it says yes, generation stops (finish_reason "cancelled")."""
    import llama_cpp

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
    reused = _eval_prompt(llm, tokens)
    prompt_s = time.perf_counter() - started

    gram = _Grammar(llm, grammar) if grammar else None
    first = _first_bytes(llm)
    closers = first == ord('"') if grammar else None
    # At the word limit: close the string or start a word; or end the sentence with a bare
    # period where one can end it (a string whose pattern wants a final period could
    # otherwise never close). Near a string's maxLength (`limits`, by key): only close, or
    # end the sentence first.
    ends = _bare_tokens(llm, ".!?")
    breakers = (first == ord('"')) | (first == ord(" "))
    closers_only = first == ord('"')
    breakers_or_end, enders = breakers.copy(), closers_only.copy()
    breakers_or_end[ends] = True
    enders[ends] = True
    not_digits = (first < ord("0")) | (first > ord("9"))
    # Control and user-defined tokens never belong in the JSON. (End-of-generation is one:
    # when the grammar is complete and allows nothing else, the fallback below lets it in.)
    usable = first != 0
    vocab = llama_cpp.llama_model_get_vocab(llm.model)
    n_vocab = llm.n_vocab()
    rng = np.random.default_rng(seed)
    out: list[int] = []
    full_passes = 0
    openings = _Openings(distinct_openings)
    if distinct_openings and grammar:
        openings.prime(tokens, [_piece(llm, t) for t in tokens])
    finish = "length"

    def pick(scores: np.ndarray) -> int:
        """The chosen token, passed over while it would write a name or number that the
        guard refuses. If none of the model's next GUARD_TRIES choices is allowed, the
        string closes there if it can ("Nick Scholfield" rather than "Nick
        ScholfieldName"); otherwise the first choice stands: further down are only junk
        tokens, which derail the rest of the answer (validation still checks the name)."""
        first = token = _choose(scores, temperature, rng)
        for _ in range(GUARD_TRIES):
            text = openings.value_text(_piece(llm, token)) if guard is not None else None
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
        if closers is not None and openings.in_string:
            closing = np.where(closers, scores, -np.inf)
            if np.isfinite(closing).any():
                return int(np.argmax(closing))
        return first

    decode_started = time.perf_counter()
    deadline = decode_started + max_seconds if max_seconds else None
    for _ in range(max_tokens):
        if deadline is not None and time.perf_counter() > deadline:
            break
        if cancelled is not None and cancelled():
            finish = "cancelled"
            break
        ptr = llama_cpp.llama_get_logits_ith(llm.ctx, -1)
        logits = np.ctypeslib.as_array(ptr, shape=(n_vocab,))
        raw = logits
        restricted = False
        if gram is not None:
            logits = np.where(usable, logits, -np.inf)
            restricted = True
        if banned := openings.banned() | _cycle_continuation(out):
            logits = logits.copy()
            logits[list(banned)] = -np.inf
            restricted = True
        word_limit = gram is not None and openings.in_string and openings.word >= MAX_WORD_CHARS
        can_end = _ENDABLE.match(openings.value[-1:]) is not None
        if word_limit:
            logits = np.where(breakers_or_end if can_end else breakers, logits, -np.inf)
            restricted = True
        most = limits.get(openings.key) if limits and openings.current is not None else None
        near = most is not None and len(openings.value) >= most - LENGTH_MARGIN
        if gram is not None and near and (can_end or len(openings.value) >= (most or 0) - 2):
            logits = np.where(enders if can_end else closers_only, logits, -np.inf)
            restricted = word_limit = True
        if gram is not None and openings.digits >= MAX_DIGITS:
            logits = np.where(not_digits, logits, -np.inf)
            restricted = True
        token = pick(logits)
        if gram is not None and not gram.allows(token, float(logits[token])):
            full_passes += 1
            wants_word = closers is not None and llm._model.token_to_piece(token)[:1] == b" "
            masked = _constrain(gram, logits, wants_word, closers, temperature)
            if not np.isfinite(masked).any() and word_limit:
                # The grammar has no way to end this string: give up here rather than babble
                # to max_tokens. The answer is incomplete JSON, reported as such.
                finish = "stop"
                break
            if not np.isfinite(masked).any() and restricted:
                masked = gram.mask(raw)  # the grammar needs what was banned: allow it
            if not np.isfinite(masked).any():
                raise DecodeError("the grammar admits no next token")
            if wants_word and closers is not None:
                closing = np.where(closers, masked, -np.inf)
                if np.isfinite(closing).any():
                    masked = closing
            token = pick(masked)
        if llama_cpp.llama_vocab_is_eog(vocab, token):
            finish = "stop"
            break
        if gram is not None:
            gram.accept(token)
        out.append(token)
        openings.add(token, _piece(llm, token))
        llm.eval([token])
    decode_s = time.perf_counter() - decode_started
    text = llm.detokenize(out).decode("utf-8", errors="replace")
    return Generation(
        text, len(tokens), len(out), finish, full_passes, prompt_s, decode_s, reused
    )
