"""Backends: which server answers, with which model, and how structured output is asked for.

Every backend speaks the OpenAI chat-completions protocol over httpx, so one code path
serves all of them and cassettes record all of them alike:

- ``openai``: api.openai.com, key from ``OPENAI_API_KEY`` (sent to OpenAI only).
  Structured output through ``response_format={"type": "json_schema", ...}``
  (instructor's JSON_SCHEMA mode).
- ``openai-compatible``: any server by base URL (Ollama, vLLM, LM Studio, llama.cpp's
  ``llama-server``): the same JSON_SCHEMA mode, which all of these accept. llama-cpp-python's
  own server (``python -m llama_cpp.server``) accepts only
  ``{"type": "json_object", "schema": ...}``: choose it with ``response_format="json_object"``.
- ``embedded``: the local model in this process (see `summarizer.local`), used when nothing
  else is configured.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import httpx2

from summarizer.budget import estimate_tokens, openai_window
from summarizer.errors import ConfigError
from summarizer.settings import Settings

BackendKind = Literal["openai", "openai-compatible", "embedded"]
ResponseFormat = Literal["json_schema", "json_object"]

OPENAI_BASE_URL = "https://api.openai.com/v1"
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
EMBEDDED_BASE_URL = "http://embedded.summarizer.invalid/v1"  # never resolved: in-process
EMBEDDED_MODEL = "qwen2.5-coder-0.5b-instruct-q4_k_m"  # see summarizer/local/model.py
REDACTED = "***"


def safe_url(url: str) -> str:
    """`url` with any password in it (``user:password@``) replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", f":{REDACTED}@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


@dataclass(frozen=True)
class Backend:
    """A resolved backend: what differs between backends lives here. `describe()` is the
    one-line name used in messages; neither it nor `repr()` shows a key or password."""

    kind: BackendKind
    base_url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    response_format: ResponseFormat = "json_schema"
    model_path: Path | None = None  # embedded: a GGUF of the user's own (setting model_path)

    def __repr__(self) -> str:
        key = REDACTED if self.api_key else None
        return (
            f"Backend(kind={self.kind!r}, base_url={safe_url(self.base_url)!r}, "
            f"model={self.model!r}, api_key={key!r}, response_format={self.response_format!r}, "
            f"model_path={self.model_path!r})"
        )

    def redact(self, text: str) -> str:
        """`text` (an error message, a server's answer) without this backend's secrets."""
        secrets = [self.api_key, urlsplit(self.base_url).password]
        for secret in secrets:
            if secret and len(secret) >= 4:
                text = text.replace(secret, REDACTED)
        return re.sub(r"(?i)\b(bearer|basic)(\s+)[^\s\"',;]+", rf"\1\2{REDACTED}", text)

    @property
    def default_prompt(self) -> str:
        """The prompt this backend gets when none is named: chat models get `news`; an
        embedded base model gets `news-base`, which continues a worked example."""
        if self.kind == "embedded" and not self._chat_model():
            return "news-base"
        return "news"

    @property
    def default_reasks(self) -> int:
        """Re-asks after an invalid answer when none are asked for. A base model ignores a
        re-ask's error text and, at temperature 0, repeats its answer word for word:
        re-asking it only costs time. An instruction-tuned one reads the errors."""
        if self.kind == "embedded":
            return 1 if self._chat_model() else 0
        return 2

    @property
    def default_timeout(self) -> float:
        """Seconds one attempt may take: a remote server answers in seconds; the embedded
        model decodes on this machine's cores, minutes on a slow one."""
        return 300.0 if self.kind == "embedded" else 120.0

    @property
    def retries(self) -> bool:
        """Whether a failed or timed-out attempt is tried again. A server's failures are
        often transient; the in-process model's are not: a timed-out decode would only be
        run again, whole, on the same cores."""
        return self.kind != "embedded"

    @property
    def cites_by_code(self) -> bool:
        """Whether code finds the sentences each item cites (a small local model writes
        well but cannot keep count of sentence numbers), rather than trusting the model."""
        return self.kind == "embedded"

    @property
    def sends_schema(self) -> bool:
        """Whether the JSON Schema travels in the request and counts against the window
        (OpenAI), rather than becoming a grammar on the server."""
        return self.kind == "openai"

    @property
    def context_window(self) -> int | None:
        """Tokens the model reads and writes per request, where the backend knows it: the
        embedded model's context, an OpenAI model's published window. None: ask the server
        (`budget.reported_window`)."""
        if self.kind == "embedded":
            from summarizer.local.model import N_CTX

            return N_CTX
        if self.kind == "openai":
            return openai_window(self.model)
        return None

    @property
    def default_max_tokens(self) -> int:
        """Tokens one answer may take when `max_tokens` is not set (for the budget): the
        embedded decoder's limit; a structured summary is 500 to 1,000 tokens."""
        if self.kind == "embedded":
            from summarizer.local.transport import DEFAULT_MAX_TOKENS

            return DEFAULT_MAX_TOKENS
        return 1024

    def token_counter(self) -> Callable[[str], int]:
        """Counts tokens as this backend's model does: the embedded model's own tokenizer
        (this process has it); a safe estimate for a remote one (`budget.estimate_tokens`)."""
        if self.kind == "embedded":
            from summarizer.local.model import load

            llm = load(self.model, self.model_path).llm
            return lambda text: len(llm.tokenize(text.encode(), add_bos=False, special=False))
        return estimate_tokens

    def identity(self) -> dict[str, Any]:
        """What of this backend changes an answer: part of the cache key."""
        out: dict[str, Any] = {
            "backend": self.kind,
            "base_url": safe_url(self.base_url),
            "model": self.model,
            "response_format": self.response_format,
        }
        if self.kind == "embedded":  # its answers also depend on how it decodes
            from summarizer.local.decode import DECODER_VERSION

            out["decoder"] = DECODER_VERSION
            if self.model_path is not None:
                out["model_path"] = str(self.model_path)
        return out

    def _chat_model(self) -> bool:
        from summarizer.local.model import model_file

        return model_file(self.model).chat

    def describe(self) -> str:
        if self.kind == "embedded":
            return f"embedded model {self.model}"
        return f"{self.kind} backend at {safe_url(self.base_url)} (model {self.model})"

    def extra_body(self, schema: dict[str, Any]) -> dict[str, Any] | None:
        """Request fields that replace instructor's defaults for this backend."""
        if self.response_format == "json_object":
            # The SDK merges extra_body over the request, replacing the json_schema form.
            return {"response_format": {"type": "json_object", "schema": schema}}
        return None

    def transport(self) -> httpx2.AsyncBaseTransport:
        if self.kind == "embedded":
            from summarizer.local import EmbeddedTransport

            return EmbeddedTransport.shared(self.model_path)
        return httpx2.AsyncHTTPTransport()


def resolve(settings: Settings | None = None, /, **options: Any) -> Backend:
    """Pick the backend from `settings` (or from `options`, the `Settings` fields, with the
    environment and config file below them): an explicit backend or base URL, then an
    OpenAI key in the environment, then the embedded model."""
    s = settings if settings is not None else Settings.load(**options)
    base_url = s.base_url
    fmt: ResponseFormat = s.response_format or "json_schema"
    backend = s.backend
    if backend is None:
        if base_url:
            backend = "openai" if base_url == OPENAI_BASE_URL else "openai-compatible"
        elif s.api_key_for(openai=True):
            backend = "openai"
        else:
            backend = "embedded"

    if backend == "embedded":
        model = s.model or EMBEDDED_MODEL
        return Backend("embedded", EMBEDDED_BASE_URL, model, None, model_path=s.model_path)
    if backend == "openai":
        key = s.api_key_for(openai=True)
        if not key:
            var = s.api_key_env or "OPENAI_API_KEY"
            raise ConfigError(f"the openai backend needs an API key: set {var}")
        model = s.model or DEFAULT_OPENAI_MODEL
        if base_url and urlsplit(base_url).password is not None:
            raise ConfigError(
                f"base_url {safe_url(base_url)} carries a password and an API key is also "
                "set: give one of them"
            )
        return Backend("openai", base_url or OPENAI_BASE_URL, model, key, fmt)
    if not base_url:
        raise ConfigError("an openai-compatible backend needs a base URL (OPENAI_BASE_URL)")
    if not s.model:
        raise ConfigError(
            f"name the model served at {safe_url(base_url)} (--model or SUMMARIZER_MODEL)"
        )
    # Local servers usually want no key; the OpenAI key never goes to them by default.
    key = s.api_key_for(openai=False)
    if key and urlsplit(base_url).password is not None:
        # httpx would send the URL's user:password as Basic auth in place of the key.
        raise ConfigError(
            f"base_url {safe_url(base_url)} carries a password and an API key is also set: "
            "give one of them (remove user:password@ from the URL, or unset the key)"
        )
    return Backend("openai-compatible", base_url, s.model, key, fmt)
