"""What the embedded model's vocabulary holds: each token's text, its first byte (which
tokens close a JSON string or start a word), and the tokens that are one character."""

from __future__ import annotations

import contextlib
import ctypes
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from llama_cpp import Llama

    from summarizer.local.model import LoadedModel

_NOT_TEXT = 2 | 8 | 16  # llama_token_attr: UNKNOWN | CONTROL | USER_DEFINED


def first_bytes(model: LoadedModel) -> np.ndarray:
    """The first byte of every token's text: which tokens open with a double quote (they
    can close a JSON string) or a space (they start a new word). Control tokens
    and Gemma's user-defined ones (``<start_of_image>``, HTML tags, runs of newlines or
    spaces), which never belong in compact JSON, get 0; so do tokens with no text.

    Asking llama.cpp about all 262k tokens takes about 2 s, so the table is kept on the
    loaded model and on disk beside the model file (`LoadedModel.token_table`).
    """
    import llama_cpp

    if model.first_bytes is not None:
        return model.first_bytes
    llm, path = model.llm, model.token_table
    table: np.ndarray | None = np.load(path) if path.is_file() else None
    if table is None or table.shape != (llm.n_vocab(),) or table.dtype != np.uint8:
        vocab = llama_cpp.llama_model_get_vocab(llm.model)

        def first(t: int) -> int:
            if llama_cpp.llama_vocab_get_attr(vocab, t) & _NOT_TEXT:
                return 0
            return (token_bytes(vocab, t)[:1] or b"\0")[0]

        table = np.fromiter(map(first, range(llm.n_vocab())), dtype=np.uint8)
        with contextlib.suppress(OSError), path.open("wb") as f:  # a cache, nothing more
            np.save(f, table)
    model.first_bytes = table
    return table


def token_bytes(vocab: object, token: int) -> bytes:
    """A token's text as bytes (llama.cpp's public ``llama_token_to_piece``)."""
    import llama_cpp

    size = 64
    while True:
        buf = ctypes.create_string_buffer(size)
        n = llama_cpp.llama_token_to_piece(vocab, token, buf, size, 0, False)
        if n >= 0:
            return buf.raw[:n]
        size = -n  # the piece needs this many bytes


def bare_tokens(llm: Llama, chars: str) -> list[int]:
    """The tokens whose whole text is one of `chars`."""
    out = []
    for ch in chars:
        ids = llm.tokenize(ch.encode(), add_bos=False, special=False)
        if len(ids) == 1:
            out.append(ids[0])
    return out


def piece(vocab: object, token: int) -> str:
    return token_bytes(vocab, token).decode("utf-8", errors="replace")
