"""Exceptions raised by the public API. Each message is one line a user can act on."""

from __future__ import annotations

from typing import Any


class SummarizerError(Exception):
    """Base class for every error this package raises on purpose."""


class ConfigError(SummarizerError):
    """The options or environment do not describe a usable backend."""


DISTRIBUTION = "grounded-news-summarizer"  # the name to pip install


class MissingExtra(ConfigError):
    """A feature whose optional dependencies (an extra) are not installed."""

    def __init__(self, what: str, extra: str) -> None:
        super().__init__(f"{what} needs the {extra} extra: pip install '{DISTRIBUTION}[{extra}]'")
        self.extra = extra


def require_extra(what: str, extra: str, *modules: str) -> None:
    """Raise `MissingExtra` unless every module of `modules` can be imported."""
    from importlib.util import find_spec

    if not all(find_spec(m) is not None for m in modules):
        raise MissingExtra(what, extra)


class BackendError(SummarizerError):
    """The backend refused the request or could not be reached (after retries)."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class BackendTimeout(BackendError):
    """The backend did not answer in time: an attempt's timeout or the article's deadline."""


class SummaryValidationError(SummarizerError):
    """The model's answers never passed validation, after every re-ask.

    `errors` holds every validation error of every attempt (pydantic's error dicts, with
    the attempt number added), `outputs` the model's raw text of every attempt, and
    `last_output` the last of them.
    """

    def __init__(
        self,
        message: str,
        *,
        attempts: int,
        errors: list[dict[str, Any]],
        last_output: str | None,
        outputs: list[str | None] | None = None,
    ) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.errors = errors
        self.last_output = last_output
        self.outputs = outputs if outputs is not None else [last_output]
