"""The model client: the openai SDK under instructor, over the retrying transport; and the
translation of whatever the call raises into this package's one-line errors."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from typing import Any, cast

import httpx2
import instructor
import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from pydantic import ValidationError

from summarizer.backends import Backend
from summarizer.errors import (
    BackendError,
    BackendTimeout,
    BackendUnreachable,
    SummarizerError,
    SummaryValidationError,
)
from summarizer.retry import NO_ANSWER, RetryTransport
from summarizer.settings import RetryPolicy

Layer = Callable[[httpx2.AsyncBaseTransport], httpx2.AsyncBaseTransport]


def make_client(
    backend: Backend, retry: RetryPolicy, timeout: float, layer: Layer | None = None
) -> instructor.AsyncInstructor:
    """An instructor client for `backend`, over the retrying transport (and `layer` under
    it, around the backend's own: the Batch API's files, `batch_api`)."""
    if not backend.retries:  # see Backend.retries: one attempt, as long as the timeout
        retry = dataclasses.replace(retry, max_attempts=1)
    inner = backend.transport()
    transport = RetryTransport(layer(inner) if layer else inner, retry, timeout)
    http = httpx2.AsyncClient(transport=transport, timeout=timeout)
    raw = openai.AsyncOpenAI(
        http_client=http,
        base_url=backend.base_url,
        # Never None: the SDK would then read OPENAI_API_KEY itself and send it anywhere.
        # With no key, a placeholder satisfies the SDK; `request_headers` leaves it out.
        api_key=backend.api_key or "no-key",
        # RetryTransport does the retrying; the SDK must not multiply it.
        max_retries=0,
        timeout=timeout,
    )
    return instructor.from_openai(raw, mode=instructor.Mode.JSON_SCHEMA)


def request_headers(backend: Backend) -> dict[str, Any]:
    """Per-request headers: with no key, no Authorization header at all."""
    return {} if backend.api_key else {"Authorization": openai.Omit()}


def translate(exc: BaseException, backend: Backend, calls: int, timeout: float) -> Exception:
    """Turn SDK and instructor exceptions into this package's one-line errors; anything
    unexpected (a parser that gives up on a pathological answer) becomes a BackendError
    naming its type, so one article's failure never aborts a batch."""
    cause: BaseException = exc
    if isinstance(exc, InstructorRetryException) and exc.__cause__ is not None:
        cause = exc.__cause__
    name = backend.describe()
    inner: BaseException | None = cause
    while inner is not None:  # e.g. the embedded model is not installed
        if isinstance(inner, SummarizerError):
            return inner
        inner = inner.__cause__
    if isinstance(cause, openai.APIStatusError):
        message = backend.redact(_status_message(name, cause))
        return BackendError(message, status_code=cause.status_code)
    if isinstance(cause, openai.APITimeoutError | httpx2.TimeoutException | TimeoutError):
        # Ours say which bound ended the wait ("... within 120 s (the retry budget)").
        said = next(
            (str(e) for e in causes(cause) if str(e).startswith(NO_ANSWER)),
            f"{NO_ANSWER}{timeout:g} s",
        )
        return BackendTimeout(f"{name} gave {said}")
    if isinstance(cause, openai.APIConnectionError):
        chain = causes(cause)
        lines = str(cause.__cause__ or cause).strip().splitlines() or ["no reason given"]
        # The system's words ("Connection refused"), not httpx's ("All connection attempts
        # failed"); no connection made at all, after the retries, is no server there now.
        errnos = [e.errno for e in chain if isinstance(e, OSError) and isinstance(e.errno, int)]
        reason = next((os.strerror(n) for n in errnos if n > 0), lines[0])
        unmade = any(isinstance(e, httpx2.ConnectError) for e in chain)
        kind = BackendUnreachable if unmade else BackendError
        return kind(backend.redact(f"cannot connect to {name}: {reason}"))
    if isinstance(exc, IncompleteOutputException):
        return SummaryValidationError(
            f"{name} stopped at max_tokens before the JSON was complete; raise max_tokens",
            attempts=calls,
            errors=[],
            last_output=completion_text(exc.last_completion),
        )
    if isinstance(exc, InstructorRetryException):
        errors: list[dict[str, Any]] = []
        for failed in exc.failed_attempts or []:
            errors.extend(error_dicts(failed.attempt_number, failed.exception))
        last = exc.failed_attempts[-1].completion if exc.failed_attempts else None
        first = errors[0]["msg"] if errors else str(exc)
        where = ".".join(str(p) for p in errors[0]["loc"]) if errors else ""
        return SummaryValidationError(
            one_line(
                f"{name} gave no valid summary in {calls} attempt(s); "
                f"{len(errors)} validation error(s), first: {where}: {first}"
            ),
            attempts=calls,
            errors=errors,
            last_output=completion_text(last),
            outputs=[completion_text(f.completion) for f in exc.failed_attempts or []],
        )
    what = one_line(str(cause))[:200] or "no message"
    return BackendError(
        backend.redact(f"{name}: unexpected {type(cause).__name__} handling the answer: {what}")
    )


def causes(exc: BaseException | None) -> list[BaseException]:
    """`exc` and its causes, outermost first."""
    found: list[BaseException] = []
    while exc is not None and exc not in found:
        found.append(exc)
        exc = exc.__cause__ or exc.__context__
    return found


def one_line(text: str) -> str:
    """`text` on one line: line breaks and other control characters escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def completion_text(completion: Any) -> str | None:
    try:
        return cast(str | None, completion.choices[0].message.content)
    except (AttributeError, IndexError, TypeError):
        return None


def error_dicts(attempt: int, exc: BaseException) -> list[dict[str, Any]]:
    if isinstance(exc, ValidationError):
        return [
            {"attempt": attempt, "loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]}
            for e in exc.errors(include_url=False, include_input=False)
        ]
    return [{"attempt": attempt, "loc": [], "msg": str(exc), "type": type(exc).__name__}]


def _status_message(name: str, err: openai.APIStatusError) -> str:
    hints = {
        401: "check the API key",
        403: "the key is not allowed to use this model",
        404: "check the base URL and the model name",
        429: "rate limited; retries were used up",
    }
    detail = one_line(_server_message(err))[:300]
    hint = hints.get(err.status_code) or ("server error" if err.status_code >= 500 else "")
    return f"{name} answered HTTP {err.status_code}: {detail}" + (f" ({hint})" if hint else "")


def _server_message(err: openai.APIStatusError) -> str:
    """What the server said, not the SDK's repr of its body ("Error code: 401 - {...}"):
    OpenAI's ``{"error": {"message": ...}}``, a bare ``{"message"|"detail": ...}``, or text."""
    body: Any = err.body
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        body = body["error"]
    if isinstance(body, dict):
        for key in ("message", "detail", "error"):
            if isinstance(body.get(key), str) and body[key].strip():
                return str(body[key]).strip().splitlines()[0]
    if isinstance(body, str) and body.strip():
        return body.strip().splitlines()[0]
    text = err.response.text.strip() if err.response is not None else ""
    return text.splitlines()[0] if text and not text.startswith("{") else ""
