"""Settings from a config file, below the command line and the environment.

Precedence, highest first: command-line options; environment variables
(``OPENAI_BASE_URL``, ``OPENAI_API_KEY``, ``SUMMARIZER_MODEL``,
``SUMMARIZER_RESPONSE_FORMAT``, ``SUMMARIZER_CACHE_DIR``); the config file
(``$SUMMARIZER_CONFIG``, else ``config.toml`` in the user config directory, e.g.
``~/.config/summarizer/config.toml``); built-in defaults.

    # config.toml
    base_url = "http://localhost:11434/v1"
    model = "llama3.1"
    temperature = 0.0
    jobs = 4
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import platformdirs

from summarizer.errors import ConfigError

KEYS = {
    "backend": str,
    "base_url": str,
    "model": str,
    "api_key_env": str,
    "response_format": str,
    "prompt": str,
    "temperature": float,
    "max_tokens": int,
    "max_reasks": int,
    "policy": str,
    "timeout": float,
    "jobs": int,
    "format": str,
}
# A config-file value for these yields to the environment variable.
ENV = {
    "base_url": "OPENAI_BASE_URL",
    "model": "SUMMARIZER_MODEL",
    "response_format": "SUMMARIZER_RESPONSE_FORMAT",
}


def path() -> Path:
    env = os.environ.get("SUMMARIZER_CONFIG")
    return Path(env) if env else Path(platformdirs.user_config_dir("summarizer")) / "config.toml"


def load(file: Path | None = None) -> dict[str, Any]:
    """The config file's settings (those the environment does not override)."""
    file = file or path()
    if not file.is_file():
        return {}
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: {exc}") from None
    settings: dict[str, Any] = {}
    for key, value in data.items():
        kind = KEYS.get(key)
        if kind is None:
            raise ConfigError(f"{file}: unknown setting {key!r}; known: {', '.join(KEYS)}")
        if not isinstance(value, kind) and not (kind is float and isinstance(value, int)):
            raise ConfigError(f"{file}: {key} must be a {kind.__name__}")
        if key in ENV and os.environ.get(ENV[key]):
            continue
        settings[key] = value
    return settings
