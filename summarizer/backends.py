"""Backends: which server answers, with which model, and how structured output is asked for.

Every backend speaks the OpenAI chat-completions protocol over httpx, so one code path
serves all of them and cassettes record all of them alike:

- ``openai``: api.openai.com, key from ``OPENAI_API_KEY``. Structured output through
  ``response_format={"type": "json_schema", ...}`` (instructor's JSON_SCHEMA mode).
- ``openai-compatible``: any server by base URL (Ollama, vLLM, LM Studio, llama.cpp's
  ``llama-server``): the same JSON_SCHEMA mode, which all of these accept. llama-cpp-python's
  own server (``python -m llama_cpp.server``) accepts only
  ``{"type": "json_object", "schema": ...}``: choose it with ``response_format="json_object"``.
- ``embedded``: the local model in this process (see `summarizer.local`), used when nothing
  else is configured.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import httpx2

from summarizer.errors import ConfigError

BackendKind = Literal["openai", "openai-compatible", "embedded"]
ResponseFormat = Literal["json_schema", "json_object"]

OPENAI_BASE_URL = "https://api.openai.com/v1"
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
EMBEDDED_BASE_URL = "http://embedded.summarizer.invalid/v1"  # never resolved: in-process
EMBEDDED_MODEL = "qwen2.5-coder-0.5b-instruct-q4_k_m"  # see summarizer/local/model.py


@dataclass(frozen=True)
class Backend:
    """A resolved backend. `describe()` is the one-line name used in messages."""

    kind: BackendKind
    base_url: str
    model: str
    api_key: str
    response_format: ResponseFormat = "json_schema"

    @property
    def default_prompt(self) -> str:
        """The prompt this backend gets when none is named: chat models get `news`; an
        embedded base model gets `news-base`, which continues a worked example."""
        if self.kind == "embedded":
            from summarizer.local.model import model_file

            if not model_file(self.model).chat:
                return "news-base"
        return "news"

    @property
    def cites_by_code(self) -> bool:
        """Whether code finds the sentences each item cites (a small local model writes
        well but cannot keep count of sentence numbers), rather than trusting the model."""
        return self.kind == "embedded"

    def describe(self) -> str:
        if self.kind == "embedded":
            return f"embedded model {self.model}"
        return f"{self.kind} backend at {self.base_url} (model {self.model})"

    def extra_body(self, schema: dict[str, Any]) -> dict[str, Any] | None:
        """Request fields that replace instructor's defaults for this backend."""
        if self.response_format == "json_object":
            # The SDK merges extra_body over the request, replacing the json_schema form.
            return {"response_format": {"type": "json_object", "schema": schema}}
        return None

    def transport(self) -> httpx2.BaseTransport:
        if self.kind == "embedded":
            from summarizer.local import EmbeddedTransport

            return EmbeddedTransport.shared()
        return httpx2.HTTPTransport()

    def async_transport(self) -> httpx2.AsyncBaseTransport:
        if self.kind == "embedded":
            from summarizer.local import AsyncEmbeddedTransport

            return AsyncEmbeddedTransport.shared()
        return httpx2.AsyncHTTPTransport()


def resolve(
    *,
    backend: BackendKind | None = None,
    base_url: str | None = None,
    model: str | None = None,
    api_key: str | None = None,
    api_key_env: str = "OPENAI_API_KEY",
    response_format: ResponseFormat | None = None,
    env: Mapping[str, str] | None = None,
) -> Backend:
    """Pick the backend: explicit arguments, then the environment, then the embedded model.

    Environment: ``OPENAI_BASE_URL``, ``OPENAI_API_KEY`` (or `api_key_env`),
    ``SUMMARIZER_MODEL``, ``SUMMARIZER_RESPONSE_FORMAT``.
    """
    env = os.environ if env is None else env
    base_url = base_url or env.get("OPENAI_BASE_URL") or None
    api_key = api_key or env.get(api_key_env) or None
    model = model or env.get("SUMMARIZER_MODEL") or None
    fmt = response_format or env.get("SUMMARIZER_RESPONSE_FORMAT") or "json_schema"
    if fmt not in ("json_schema", "json_object"):
        raise ConfigError(f"response format {fmt!r} is not json_schema or json_object")

    if backend is None:
        if base_url:
            is_openai = base_url.rstrip("/") == OPENAI_BASE_URL
            backend = "openai" if is_openai else "openai-compatible"
        elif api_key:
            backend = "openai"
        else:
            backend = "embedded"

    if backend == "embedded":
        return Backend("embedded", EMBEDDED_BASE_URL, model or EMBEDDED_MODEL, "embedded")
    if backend == "openai":
        if not api_key:
            raise ConfigError(f"the openai backend needs an API key: set {api_key_env}")
        return Backend(
            "openai",
            (base_url or OPENAI_BASE_URL).rstrip("/"),
            model or DEFAULT_OPENAI_MODEL,
            api_key,
            fmt,  # type: ignore[arg-type]
        )
    if backend == "openai-compatible":
        if not base_url:
            raise ConfigError("an openai-compatible backend needs a base URL (OPENAI_BASE_URL)")
        if not model:
            raise ConfigError(f"name the model served at {base_url} (--model or SUMMARIZER_MODEL)")
        # Local servers usually ignore the key, but the SDK insists on one.
        return Backend("openai-compatible", base_url.rstrip("/"), model, api_key or "none", fmt)  # type: ignore[arg-type]
    raise ConfigError(f"unknown backend {backend!r}: use openai, openai-compatible or embedded")
