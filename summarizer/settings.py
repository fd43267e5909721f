"""One settings model for the command line and the Python API.

Precedence, highest first: command-line options or `Summarizer(...)` arguments; the
environment (``SUMMARIZER_<NAME>``, e.g. ``SUMMARIZER_MODEL``, ``SUMMARIZER_JOBS``; also
``OPENAI_BASE_URL``); the config file (``$SUMMARIZER_CONFIG``, else ``config.toml`` in the
user config directory, e.g. ``~/.config/summarizer/config.toml``); built-in defaults.

    # config.toml
    base_url = "http://localhost:11434/v1"
    model = "llama3.1"
    temperature = 0.0
    jobs = 4
    [retry]
    max_attempts = 6

Values are validated once, here; an invalid one is a `ConfigError` of one line that names
the setting and where it came from ("temperature: Input should be greater than or equal
to 0 (from SUMMARIZER_TEMPERATURE)").

API keys: the OpenAI key (``OPENAI_API_KEY``, or the variable `api_key_env` names) goes to
OpenAI only. A server at another base URL gets ``SUMMARIZER_API_KEY``, `api_key`, or the
variable named by an `api_key_env` the user set; never the OpenAI key by default.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import platformdirs
from pydantic import AliasChoices, BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic.dataclasses import dataclass
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from summarizer.cost import Price
from summarizer.errors import ConfigError

if TYPE_CHECKING:
    from summarizer.brief import Brief

ENV_PREFIX = "SUMMARIZER_"
MIN_TOKEN_CHARS = 16
CONFIG_ENV = "SUMMARIZER_CONFIG"


def config_path() -> Path:
    """``$SUMMARIZER_CONFIG``, else config.toml in the user config directory."""
    env = os.environ.get(CONFIG_ENV)
    return Path(env) if env else Path(platformdirs.user_config_dir("summarizer")) / "config.toml"


def read_config(path: Path | None = None) -> dict[str, Any]:
    """The config file's table. A file named by ``$SUMMARIZER_CONFIG`` must exist; the
    default one may be absent."""
    named = path is not None or bool(os.environ.get(CONFIG_ENV))
    path = path or config_path()
    where = f"{CONFIG_ENV}={path}" if os.environ.get(CONFIG_ENV) else str(path)
    if path.is_dir():
        raise ConfigError(f"{where}: is a folder, not a config file")
    if not path.is_file():
        if named:
            raise ConfigError(f"{where}: no such config file")
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise ConfigError(f"{where}: {exc}") from None


class _ConfigFileSource(PydanticBaseSettingsSource):
    """The TOML config file, read when the settings are built (so a changed
    ``$SUMMARIZER_CONFIG`` counts)."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ returns the whole table

    def __call__(self) -> dict[str, Any]:
        return read_config()


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds on retrying one HTTP request."""

    max_attempts: Annotated[int, Field(ge=1, le=100)] = 4
    max_total_s: Annotated[float, Field(gt=0, le=86_400, allow_inf_nan=False)] = 120.0
    backoff_s: Annotated[float, Field(ge=0, le=600, allow_inf_nan=False)] = 0.5
    max_backoff_s: Annotated[float, Field(ge=0, le=3_600, allow_inf_nan=False)] = 20.0


class SummarizerOptions(BaseModel):
    """The options of a `Summarizer`: which backend, how to ask it, how long to wait. The one
    declaration of each option and its bounds: the service's per-request options and the
    CLI's flags are derived from it."""

    backend: Literal["openai", "openai-compatible", "embedded"] | None = Field(
        None,
        description="Which backend [the base URL's; else openai with a key; else embedded].",
    )
    base_url: str | None = Field(
        None,
        validation_alias=AliasChoices("base_url", "SUMMARIZER_BASE_URL", "OPENAI_BASE_URL"),
        description="OpenAI-compatible server, e.g. http://localhost:11434/v1.",
    )
    model: str | None = Field(None, min_length=1, description="Model name.")
    api_key: SecretStr | None = Field(None, description="The key for the chosen server.")
    api_key_env: str | None = Field(
        None, min_length=1, description="Variable holding the API key [OPENAI_API_KEY]."
    )
    response_format: Literal["json_schema", "json_object"] | None = Field(
        None, description="json_schema, or json_object for llama-cpp-python's server."
    )
    prompt: str | None = Field(
        None,
        min_length=1,
        description="Prompt: a name (in prompts_dir, then the built-in ones) or a .j2 file.",
    )
    prompts_dir: Path | None = Field(
        None, description="A folder of your own prompt templates (<name>.user.j2)."
    )
    brief_schema: str | None = Field(
        None,
        min_length=1,
        validation_alias=AliasChoices("brief_schema", "schema", "SUMMARIZER_SCHEMA"),
        description="Your brief's schema: package.module:Class or file.py:Class "
        "[the built-in ArticleSummary].",
    )
    temperature: float = Field(
        0.0, ge=0.0, le=2.0, allow_inf_nan=False, description="Sampling temperature [0]."
    )
    top_p: float | None = Field(
        None, gt=0.0, le=1.0, allow_inf_nan=False, description="Nucleus sampling: 0 < top_p <= 1."
    )
    seed: int | None = Field(None, description="Sampling seed, where the model takes one.")
    max_tokens: int | None = Field(
        None, ge=1, le=1_000_000, description="Most tokens the model may write."
    )
    max_reasks: int | None = Field(
        None, ge=0, le=10,
        description="Re-asks after invalid output [2; embedded 1, base model 0].",
    )  # fmt: skip
    lists: Literal["write", "extract"] | None = Field(
        None,
        description=(
            "How the lists are made: the model writes them, or code proposes every item and "
            "the model chooses by number (for a small model) [write]."
        ),
    )
    policy: Literal["drop", "flag", "strict"] = Field(
        "drop",
        description="After the last re-ask: drop failing items, flag them, or strict [drop].",
    )
    timeout: float | None = Field(
        None, gt=0, le=86_400, allow_inf_nan=False,
        description="Seconds each attempt at a request may take, first byte to last; a "
        "request makes up to retry.max_attempts (4), all within --deadline [120; embedded "
        "300, one attempt].",
    )  # fmt: skip
    deadline: float | None = Field(
        None, gt=0, le=86_400, allow_inf_nan=False,
        description="Seconds one article may take, retries and re-asks included "
        "[600; the embedded model choosing: 120].",
    )  # fmt: skip
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    cache_dir: Path | None = None
    # Not a flag: a Redis URL may hold a password, which a shell's history would keep.
    cache_url: str | None = Field(
        None,
        description="A shared cache: redis://host:6379/0 (rediss://, unix://) [a folder, "
        "cache_dir].",
    )
    price: Price | None = Field(
        None,
        description='US dollars per million tokens, e.g. {"input": 0.15, "output": 0.6, '
        '"cached_input": 0.075} [the price table\'s, for OpenAI and known providers].',
    )
    cache_ttl: float | None = Field(
        None, gt=0, allow_inf_nan=False, description="Seconds a cached result is kept [always]."
    )
    model_path: Path | None = Field(None, description="A GGUF file for the embedded backend.")
    language: str | None = Field(
        None, description="Write the summary in this language (fr, German...) [the article's]."
    )
    context_window: int | None = Field(
        None, ge=1024, le=10_000_000,
        description="Tokens the model reads and writes per request [the backend's].",
    )  # fmt: skip

    @field_validator("language")
    @classmethod
    def _language_code(cls, value: str | None) -> str | None:
        from summarizer.errors import LanguageError
        from summarizer.language import code_of

        if value is None:
            return None
        try:
            return code_of(value)
        except LanguageError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")) or len(value) < 10:
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("cache_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("not a Redis URL: redis://host:6379/0 (or rediss://, unix://)")
        return value


class CliOptions(BaseModel):
    """The command line's own settings."""

    jobs: int = Field(1, ge=1, le=256, description="Articles summarized at once [1].")
    format: Literal["json", "markdown", "text"] | None = Field(
        None, description="json, markdown or text [markdown on a terminal, else json]."
    )


class ServiceOptions(BaseModel):
    """The service's own settings (`summarizer serve`)."""

    tokens: list[SecretStr] = Field(
        default_factory=list, description="Bearer tokens the service accepts (a JSON list)."
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins a browser may call the service from."
    )
    queue: int = Field(64, ge=0, le=100_000, description="Requests that may wait (429 beyond).")
    max_request_bytes: int = Field(
        2_000_000, ge=1024, le=1_000_000_000, description="The largest request body (413)."
    )
    # What a client may ask for in a request's `options` (beyond: 422). A re-ask is a paid
    # model call; a long timeout or deadline holds a job slot.
    request_max_reasks: int = Field(2, ge=0, le=10, description="Most re-asks a request may ask.")
    request_max_tokens: int = Field(
        4096, ge=1, le=1_000_000, description="Most max_tokens a request may ask."
    )
    request_max_timeout: float = Field(
        300.0, gt=0, le=86_400, allow_inf_nan=False,
        description="Longest timeout a request may ask.",
    )  # fmt: skip
    request_max_deadline: float = Field(
        600.0, gt=0, le=86_400, allow_inf_nan=False,
        description="Longest deadline a request may ask.",
    )  # fmt: skip
    head_timeout: float = Field(
        10.0, gt=0, le=3_600, allow_inf_nan=False,
        description="Seconds a connection may take to send its request head (then closed).",
    )  # fmt: skip
    max_connections: int = Field(
        512, ge=8, le=1_000_000,
        description="Open connections at most (the idlest are closed first beyond it).",
    )  # fmt: skip
    forwarded_allow_ips: list[str] = Field(
        default_factory=list,
        description="Proxies whose X-Forwarded-* headers are trusted (none by default).",
    )
    schemas: dict[str, str] = Field(
        default_factory=dict,
        description='Briefs a request may ask for by name: {"earnings": "pkg.mod:Earnings"}.',
    )

    @field_validator("tokens")
    @classmethod
    def _strong_tokens(cls, value: list[SecretStr]) -> list[SecretStr]:
        for token in value:
            secret = token.get_secret_value()
            if len(secret) < MIN_TOKEN_CHARS or secret != secret.strip():
                raise ValueError(
                    f"each token must be at least {MIN_TOKEN_CHARS} characters, without "
                    "surrounding spaces (an empty or short token is easy to guess)"
                )
        return value


class Settings(BaseSettings, ServiceOptions, CliOptions, SummarizerOptions):
    """Every setting, validated: a summarizer's options, the CLI's and the service's.
    `Settings.load` builds one from all sources."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        extra="forbid",
        frozen=True,
        validate_by_name=True,
        env_nested_delimiter="__",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _ConfigFileSource(settings_cls)

    @classmethod
    def load(cls, **given: Any) -> Settings:
        """Settings from `given` (options; None means not given), the environment, the
        config file and the defaults; a `ConfigError` naming the setting and its source."""
        given = {k: v for k, v in given.items() if v is not None}
        try:
            return cls(**given)
        except ValidationError as exc:
            raise ConfigError(_explain(exc, given)) from None
        except SettingsError as exc:  # a list or table setting whose variable is not JSON
            found = re.search(r'field "(\w+)"', str(exc))
            name = found.group(1) if found else "settings"
            raise ConfigError(
                f"{name}: not valid JSON ({_source(name, given)}); give a JSON value, e.g. "
                f"{ENV_PREFIX}{name.upper()}='[\"...\"]'"
            ) from None

    def brief(self) -> type[Brief]:
        """The brief's schema these settings name (`brief.load`), else the built-in one."""
        if self.brief_schema is None:
            from summarizer.schema import ArticleSummary

            return ArticleSummary
        from summarizer.brief import load

        return load(self.brief_schema)

    def api_key_for(self, openai: bool) -> str | None:
        """The key to send: see the module docstring."""
        if self.api_key is not None:
            return self.api_key.get_secret_value() or None
        if self.api_key_env:  # the user named a variable: send what it holds
            return os.environ.get(self.api_key_env) or None
        return (os.environ.get("OPENAI_API_KEY") or None) if openai else None


# A summarizer's options that change what is asked, not where or over which connection: a
# `Summarizer.variant`'s, and what a request to the service may set.
REQUEST_OPTIONS = frozenset({
    "model", "prompt", "temperature", "top_p", "seed", "max_tokens", "max_reasks",
    "policy", "language", "timeout", "deadline", "lists",
})  # fmt: skip


def summarizer_options(options: dict[str, Any]) -> dict[str, Any]:
    """`options` if each is a summarizer's; else a `ConfigError` naming the first that is
    not (the CLI's or the service's own settings are not a `Summarizer`'s)."""
    for name in sorted(set(options) - set(SummarizerOptions.model_fields)):
        if name in CliOptions.model_fields or name in ServiceOptions.model_fields:
            owner = "the CLI" if name in CliOptions.model_fields else "the service"
            raise ConfigError(f"{name}: a setting of {owner}, not an option of a Summarizer")
        raise ConfigError(f"{name}: not an option of a Summarizer")
    return options


def request_options(options: dict[str, Any]) -> dict[str, Any]:
    """`options` if each is a request option (`REQUEST_OPTIONS`); the language as its code."""
    unknown = set(options) - REQUEST_OPTIONS
    if unknown:
        raise ConfigError(f"not a request option: {', '.join(sorted(unknown))}")
    if options.get("language") is not None:  # the one option whose field does not check it
        from summarizer.errors import LanguageError
        from summarizer.language import code_of

        try:
            return {**options, "language": code_of(options["language"])}
        except LanguageError as exc:
            raise ConfigError(f"language: {exc}") from None
    return options


def _source(name: str, given: dict[str, Any]) -> str:
    """Where the value of setting `name` came from, for messages."""
    if name in given:
        return "given as an option"
    field = Settings.model_fields.get(name)
    names = [f"{ENV_PREFIX}{name.upper()}"]
    alias = field.validation_alias if field is not None else None
    if isinstance(alias, AliasChoices):
        names = [str(a) for a in alias.choices if str(a).isupper()] or names
    for var in names:
        if var in os.environ:
            return f"from {var}"
    if any(k.startswith(f"{ENV_PREFIX}{name.upper()}__") for k in os.environ):
        return f"from {ENV_PREFIX}{name.upper()}__*"
    try:
        if name in read_config():
            return f"from the config file {config_path()}"
    except ConfigError:
        pass
    return "the default"


def _explain(exc: ValidationError, given: dict[str, Any]) -> str:
    error = exc.errors(include_url=False)[0]
    loc = [str(p) for p in error["loc"]]
    name = loc[0] if loc else "settings"
    msg = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        known = ", ".join(Settings.model_fields)
        msg = f"unknown setting; known: {known}"
    where = _source(name, given)
    more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    return f"{'.'.join(loc) or name}: {msg} ({where}){more}"
