"""Backends: which server answers, with which model, and how structured output is asked for.

Every backend speaks the OpenAI chat-completions protocol over httpx, so one code path
serves all of them and cassettes record all of them alike. Each is a class that carries
what differs about it (as simonw/llm's model classes do); the pipeline only asks:

- `OpenAIBackend` (``openai``): api.openai.com, key from ``OPENAI_API_KEY`` (sent to OpenAI
  only). Structured output through ``response_format={"type": "json_schema", ...}``
  (instructor's JSON_SCHEMA mode); the schema travels in the request.
- `CompatibleBackend` (``openai-compatible``): any server by base URL (Ollama, vLLM, LM
  Studio, llama.cpp's ``llama-server``): the same JSON_SCHEMA mode, which all of these
  accept. llama-cpp-python's own server (``python -m llama_cpp.server``) accepts only
  ``{"type": "json_object", "schema": ...}``: choose it with ``response_format="json_object"``.
- ``embedded``: the local model in this process, `summarizer.local.backend.EmbeddedBackend`,
  used when nothing else is configured.

Backends are found by name through the ``summarizer.backends`` entry point group, which
this distribution fills with all three: a plugin can add its own the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit, urlunsplit

import httpx2

from summarizer.budget import estimate_tokens, openai_window
from summarizer.errors import ConfigError
from summarizer.settings import Settings

ResponseFormat = Literal["json_schema", "json_object"]

OPENAI_BASE_URL = "https://api.openai.com/v1"
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
REDACTED = "***"
ENTRY_POINTS = "summarizer.backends"


def safe_url(url: str) -> str:
    """`url` with any password in it (``user:password@``) replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", f":{REDACTED}@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


@dataclass(frozen=True, repr=False)
class Backend:
    """A resolved backend: an OpenAI-protocol server, with what a remote one does by
    default; each subclass overrides what differs. `describe()` is the one-line name used
    in messages; neither it nor `repr()` shows a key or password."""

    kind: ClassVar[str]

    base_url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    response_format: ResponseFormat = "json_schema"
    model_path: Path | None = None  # embedded: a GGUF of the user's own (setting model_path)

    # What a remote server gets unless its class says otherwise.
    default_prompt: ClassVar[str] = "news"
    default_reasks: ClassVar[int] = 2  # an instruction-tuned model reads a re-ask's errors
    default_timeout: ClassVar[float] = 120.0  # seconds an attempt may take
    # Seconds an article may take, re-asks included; None: no bound but each call's.
    default_deadline: ClassVar[float | None] = 600.0
    # The same when the model only chooses among code's items (lists = "extract"), its
    # answer short by construction; None: the default deadline.
    choosing_deadline: ClassVar[float | None] = None
    choosing_reasks: ClassVar[int | None] = None  # re-asks of a choosing answer; None: default
    default_max_tokens: ClassVar[int] = 1024  # a structured summary is 500 to 1,000 tokens
    retries: ClassVar[bool] = True  # a server's failures are often transient
    cites_by_code: ClassVar[bool] = False  # trust the model's citations
    sends_schema: ClassVar[bool] = False  # a local server turns the schema into a grammar
    default_lists: ClassVar[str] = "write"  # the model writes the lists (see `choose`)

    @classmethod
    def from_settings(cls, s: Settings) -> Backend:
        """This backend as the settings configure it (a `ConfigError` says what is missing)."""
        raise NotImplementedError

    @classmethod
    def for_files(cls, s: Settings) -> Backend:
        """This backend for requests that are only written to a file, never sent (the Batch
        API's `batch_api.prepare`): as `from_settings`, less what only sending needs."""
        return cls.from_settings(s)

    def __repr__(self) -> str:
        key = REDACTED if self.api_key else None
        return (
            f"{type(self).__name__}(base_url={safe_url(self.base_url)!r}, model={self.model!r}, "
            f"api_key={key!r}, response_format={self.response_format!r}, "
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
    def context_window(self) -> int | None:
        """Tokens the model reads and writes per request, where the backend knows it.
        None: ask the server (`budget.reported_window`)."""
        return None

    def token_counter(self) -> Callable[[str], int]:
        """Counts tokens as this backend's model does: a safe estimate for a remote one
        (`budget.estimate_tokens`)."""
        return estimate_tokens

    def identity(self) -> dict[str, Any]:
        """What of this backend changes an answer: part of the cache key."""
        return {
            "backend": self.kind,
            "base_url": safe_url(self.base_url),
            "model": self.model,
            "response_format": self.response_format,
        }

    def price_provider(self) -> tuple[str | None, str | None]:
        """(provider id, API URL) by which the price table (`cost`) finds this backend's
        model; (None, None): it has none."""
        return None, None

    def describe(self) -> str:
        return f"{self.kind} backend at {safe_url(self.base_url)} (model {self.model})"

    def unavailable(self) -> str | None:
        """Why this backend cannot run here (a missing extra), or None."""
        return None

    def notice(self) -> str | None:
        """A line for the CLI to print before it starts (what a user should know)."""
        return None

    def extra_body(self, schema: dict[str, Any], shown: Sequence[str]) -> dict[str, Any] | None:
        """Request fields that replace or add to instructor's (`shown`: the article
        sentences the prompt shows, for a backend that needs them)."""
        if self.response_format == "json_object":
            # The SDK merges extra_body over the request, replacing the json_schema form.
            return {"response_format": {"type": "json_object", "schema": schema}}
        return None

    def transport(self) -> httpx2.AsyncBaseTransport:
        return httpx2.AsyncHTTPTransport()


@dataclass(frozen=True, repr=False)
class OpenAIBackend(Backend):
    """OpenAI's API: its models' windows are published; the schema counts in a request."""

    kind: ClassVar[str] = "openai"
    sends_schema: ClassVar[bool] = True

    def price_provider(self) -> tuple[str | None, str | None]:
        return "openai", None

    def extra_body(self, schema: dict[str, Any], shown: Sequence[str]) -> dict[str, Any] | None:
        """The schema in OpenAI's strict subset, with ``"strict": true``: a constraint on
        its decoding, not a hint (`strict`). What the subset cannot say (string lengths,
        sentence counts) the brief's validators still check."""
        if self.response_format != "json_schema":
            return super().extra_body(schema, shown)
        from summarizer.strict import strict_schema

        name = re.sub(r"[^A-Za-z0-9_-]", "_", str(schema.get("title") or "brief"))[:64]
        form = {"name": name, "schema": strict_schema(schema), "strict": True}
        return {"response_format": {"type": "json_schema", "json_schema": form}}

    @classmethod
    def from_settings(cls, s: Settings) -> Backend:
        backend = cls.for_files(s)
        if not backend.api_key:
            var = s.api_key_env or "OPENAI_API_KEY"
            raise ConfigError(f"the openai backend needs an API key: set {var}")
        return backend

    @classmethod
    def for_files(cls, s: Settings) -> Backend:
        """No key needed: the key is sent with a request, and is no part of it."""
        key = s.api_key_for(openai=True)
        if key and s.base_url and urlsplit(s.base_url).password is not None:
            raise ConfigError(
                f"base_url {safe_url(s.base_url)} carries a password and an API key is also "
                "set: give one of them"
            )
        model = s.model or DEFAULT_OPENAI_MODEL
        return cls(s.base_url or OPENAI_BASE_URL, model, key, s.response_format or "json_schema")

    @property
    def context_window(self) -> int | None:
        return openai_window(self.model)


@dataclass(frozen=True, repr=False)
class CompatibleBackend(Backend):
    """Any server that speaks OpenAI's protocol, by base URL."""

    kind: ClassVar[str] = "openai-compatible"

    def price_provider(self) -> tuple[str | None, str | None]:
        return None, self.base_url  # a hosted provider's URL is in the table; yours is not

    @classmethod
    def from_settings(cls, s: Settings) -> Backend:
        base_url = s.base_url
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
                f"base_url {safe_url(base_url)} carries a password and an API key is also "
                "set: give one of them (remove user:password@ from the URL, or unset the key)"
            )
        return cls(base_url, s.model, key, s.response_format or "json_schema")


def backend_class(kind: str) -> type[Backend]:
    """The backend class registered under `kind` (entry point group ``summarizer.backends``)."""
    found = entry_points(group=ENTRY_POINTS, name=kind)
    if not found:
        known = sorted(ep.name for ep in entry_points(group=ENTRY_POINTS))
        raise ConfigError(
            f"unknown backend {kind!r}: the installed ones are {', '.join(known) or 'none'}"
        )
    cls = next(iter(found)).load()
    if not (isinstance(cls, type) and issubclass(cls, Backend)):
        raise ConfigError(f"backend {kind!r} is not a summarizer Backend class")
    return cls


def resolve(
    settings: Settings | None = None, /, *, sending: bool = True, **options: Any
) -> Backend:
    """Pick the backend from `settings` (or from `options`, the `Settings` fields, with the
    environment and config file below them): an explicit backend or base URL, then an
    OpenAI key in the environment, then the embedded model. `sending` False: its requests
    are only written to a file (`Backend.for_files`)."""
    s = settings if settings is not None else Settings.load(**options)
    kind = s.backend
    if kind is None:
        if s.base_url:
            kind = "openai" if s.base_url == OPENAI_BASE_URL else "openai-compatible"
        elif s.api_key_for(openai=True):
            kind = "openai"
        else:
            kind = "embedded"
    found = backend_class(kind)
    return found.from_settings(s) if sending else found.for_files(s)
