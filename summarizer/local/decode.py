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
space), the limit of a string has been reached (at most 15 words, say): the full pass then
prefers tokens that close or punctuate over tokens that would glue letters onto the last
word ("DonaldTrump'splan"), which is what a base model otherwise does to keep copying.

Small models loop: greedy decoding writes the same key point again and again. Like
`no_repeat_ngram_size` in other toolkits, a token that would repeat an n-gram already in
the output is treated as rejected, so the model must move on.
"""

from __future__ import annotations

import ctypes
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from llama_cpp import Llama


class DecodeError(RuntimeError):
    """The prompt does not fit, or the grammar admits no token."""


@dataclass
class Generation:
    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str  # "stop" (grammar complete or end token) or "length"
    full_passes: int  # steps where the grammar rejected the free choice
    prompt_s: float
    decode_s: float

    @property
    def tokens_per_s(self) -> float:
        return self.completion_tokens / self.decode_s if self.decode_s else 0.0


def _eval_prompt(llm: Llama, tokens: list[int]) -> None:
    """Evaluate `tokens`, reusing the KV cache for the prefix shared with the last call
    (the worked example at the head of every base-model prompt)."""
    shared = 0
    limit = min(llm.n_tokens, len(tokens) - 1)  # re-evaluate at least the last token
    cached = llm.input_ids
    while shared < limit and cached[shared] == tokens[shared]:
        shared += 1
    llm.n_tokens = shared
    llm.eval(tokens[shared:])


def _glue_mask(llm: Llama) -> np.ndarray:
    """True for tokens that begin with a letter or digit: they extend the previous word."""
    cached = getattr(llm, "_summarizer_glue", None)
    if cached is None:
        n = llm.n_vocab()
        cached = np.zeros(n, dtype=bool)
        for token in range(n):
            piece = llm._model.token_to_piece(token)
            cached[token] = bool(piece[:1].isalnum())
        llm._summarizer_glue = cached  # type: ignore[attr-defined]
    return cached


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

    def mask(self, logits: np.ndarray) -> np.ndarray:
        """`logits` with every token the grammar rejects set to -inf (the full pass)."""
        lib = self._lib
        n = logits.shape[0]
        data = np.empty(n, dtype=[("id", np.intc), ("logit", np.single), ("p", np.single)])
        data["id"] = np.arange(n, dtype=np.intc)
        data["logit"] = logits
        data["p"] = 0.0
        arr = lib.llama_token_data_array(
            data=data.ctypes.data_as(lib.llama_token_data_p), size=n, selected=-1, sorted=False
        )
        lib.llama_sampler_apply(self.ptr, ctypes.byref(arr))
        return np.asarray(data["logit"])

    def accept(self, token: int) -> None:
        self._lib.llama_sampler_accept(self.ptr, token)

    def __del__(self) -> None:
        if getattr(self, "ptr", None):
            self._lib.llama_sampler_free(self.ptr)
            self.ptr = None


def _choose(logits: np.ndarray, temperature: float, rng: np.random.Generator) -> int:
    if temperature <= 0:
        return int(np.argmax(logits))
    top = np.argpartition(logits, -40)[-40:]  # top-k 40, then softmax at `temperature`
    scaled = (logits[top] - logits[top].max()) / temperature
    probs = np.exp(scaled)
    return int(top[rng.choice(len(top), p=probs / probs.sum())])


class _NgramBan:
    """Remembers the output's n-grams; says which next tokens would repeat one."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.seen: dict[tuple[int, ...], set[int]] = {}

    def banned(self, out: list[int]) -> set[int]:
        if self.n <= 1 or len(out) < self.n - 1:
            return set()
        return self.seen.get(tuple(out[len(out) - self.n + 1 :]), set())

    def add(self, out: list[int]) -> None:
        if self.n > 1 and len(out) >= self.n:
            self.seen.setdefault(tuple(out[-self.n : -1]), set()).add(out[-1])


def generate(
    llm: Llama,
    prompt: str,
    *,
    grammar: str | None,
    max_tokens: int = 1024,
    temperature: float = 0.0,
    seed: int | None = None,
    no_repeat_ngram: int = 0,
) -> Generation:
    """Continue `prompt`; with `grammar` (GBNF), only text the grammar accepts."""
    import llama_cpp

    started = time.perf_counter()
    tokens = llm.tokenize(prompt.encode(), add_bos=True, special=False)
    if len(tokens) + max_tokens > llm.n_ctx():
        max_tokens = llm.n_ctx() - len(tokens)
        if max_tokens < 64:
            raise DecodeError(
                f"the prompt has {len(tokens)} tokens; the model's context holds {llm.n_ctx()}"
            )
    _eval_prompt(llm, tokens)
    prompt_s = time.perf_counter() - started

    gram = _Grammar(llm, grammar) if grammar else None
    glue = _glue_mask(llm) if grammar else None
    vocab = llama_cpp.llama_model_get_vocab(llm.model)
    n_vocab = llm.n_vocab()
    rng = np.random.default_rng(seed)
    out: list[int] = []
    full_passes = 0
    ban = _NgramBan(no_repeat_ngram)
    finish = "length"
    decode_started = time.perf_counter()
    for _ in range(max_tokens):
        ptr = llama_cpp.llama_get_logits_ith(llm.ctx, -1)
        logits = np.ctypeslib.as_array(ptr, shape=(n_vocab,))
        raw = logits
        if banned := ban.banned(out):
            logits = logits.copy()
            logits[list(banned)] = -np.inf
        token = _choose(logits, temperature, rng)
        if gram is not None and not gram.allows(token, float(logits[token])):
            full_passes += 1
            masked = gram.mask(logits)
            if not np.isfinite(masked).any() and banned:
                masked = gram.mask(raw)  # the grammar needs a repeat here: allow it
            if not np.isfinite(masked).any():
                raise DecodeError("the grammar admits no next token")
            if llm._model.token_to_piece(token)[:1] == b" ":
                unglued = np.where(glue, -np.inf, masked)
                if np.isfinite(unglued).any():
                    masked = unglued
            token = _choose(masked, temperature, rng)
        if llama_cpp.llama_vocab_is_eog(vocab, token):
            finish = "stop"
            break
        if gram is not None:
            gram.accept(token)
        out.append(token)
        ban.add(out)
        llm.eval([token])
    decode_s = time.perf_counter() - decode_started
    text = llm.detokenize(out).decode("utf-8", errors="replace")
    return Generation(text, len(tokens), len(out), finish, full_passes, prompt_s, decode_s)
