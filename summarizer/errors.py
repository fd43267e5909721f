"""Every exception the package raises on purpose; each message is one line a user can
act on.

    SummarizerError
    ├── ConfigError            a setting or the environment names no usable backend
    │   └── MissingExtra       a feature whose extra is not installed
    ├── ArticleError           the text cannot be an article (empty, no sentences, bad date)
    ├── InputError             a file or record cannot be read as an article
    ├── LanguageError          not a language code or name
    ├── PromptError            no such prompt template, or a malformed one
    ├── SchemaError            a brief's schema that cannot be used, or cannot be found
    ├── ChunkError             a sentence alone is longer than a chunk's room
    ├── BackendError           the backend refused or could not be reached (.status_code)
    │   ├── BackendTimeout     no complete answer in time (timeout, retry budget, deadline)
    │   ├── BackendUnreachable no connection could be made (refused, no such host)
    │   └── NotRecorded        in a replayed test, a request its cassette does not hold
    └── SummaryValidationError no valid answer after every re-ask (.errors, .outputs)

The ones that are also ValueError or LookupError are so that code written against
those builtins keeps working.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from summarizer.result import Usage


class SummarizerError(Exception):
    """Base class for every error this package raises on purpose."""


class ConfigError(SummarizerError):
    """The options or environment do not describe a usable backend."""


class ArticleError(SummarizerError, ValueError):
    """The input cannot be used as an article (empty, no sentences...)."""


class InputError(SummarizerError, ValueError):
    """An input that cannot be summarized, with the reason in one line."""


class PromptError(SummarizerError, LookupError):
    """The named prompt template does not exist or is malformed."""


class SchemaError(SummarizerError, TypeError):
    """A brief's schema that is not one (not a `Brief`, an item without its sentences, a
    type no JSON Schema can express), or a name that finds none."""


class ChunkError(SummarizerError, ValueError):
    """The article cannot be cut to fit: one sentence alone is longer than the room."""


class LanguageError(SummarizerError, ValueError):
    """A language that is not an ISO 639-1 code or a language name lingua knows."""


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


class BackendUnreachable(BackendError):
    """No connection to the backend could be made, after the retries (refused, no such
    host): there is no server there now, so a run of many articles stops (`batch.run`)."""


class NotRecorded(BackendError):
    """A test replaying its cassette (`summarizer.testing`) sent a request the cassette does
    not hold: it says which, and the command that records it."""


class SummaryValidationError(SummarizerError):
    """The model's answers never passed validation, after every re-ask.

    `errors` holds every validation error of every attempt (pydantic's error dicts, with
    the attempt number added), `outputs` the model's raw text of every attempt,
    `last_output` the last of them, and `usage` the tokens they took (None where the
    backend did not say).
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
        self.usage: Usage | None = None
