"""The commands' flags for settings, derived from their one declaration.

Each setting is declared once, with its type, bounds and description, in
`summarizer.settings`; `with_settings` gives a command a flag for each setting it names,
of that type and with that description as its help, and hands the command the flags given
as one dict (`options`), for `Settings.load` to validate with everything else (the bounds
are checked there, once). Nothing here repeats a type, a bound or a help text.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

F = TypeVar("F", bound=Callable[..., Any])

# A summarizer's options a command line may set (not the key itself: only the variable
# holding it, so that it never shows in a shell's history or a process list).
SUMMARIZER_FLAGS = (
    "backend", "base_url", "model", "api_key_env", "response_format", "prompt", "prompts_dir",
    "brief_schema", "language", "context_window", "temperature", "top_p", "seed", "max_tokens",
    "max_reasks", "policy", "timeout", "deadline", "lists",
)  # fmt: skip
SERVICE_FLAGS = ("backend", "base_url", "model", "api_key_env", "response_format", "jobs")
SHORT = {"jobs": "-j", "format": "-f"}
FLAG_NAMES = {"brief_schema": "--schema"}  # a setting whose flag is not its name


def _flag(name: str) -> inspect.Parameter:
    """The keyword parameter typer reads as the flag of setting `name`."""
    from summarizer.settings import Settings

    field = Settings.model_fields[name]
    flag = FLAG_NAMES.get(name, f"--{name.replace('_', '-')}")
    names = [flag, *([SHORT[name]] if name in SHORT else [])]
    option = typer.Option(*names, help=field.description or "", show_default=False)
    kind = field.annotation
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[kind | None, option],  # type: ignore[operator]
    )


def with_settings(*names: str) -> Callable[[F], F]:
    """Give the command a flag for each named setting; it receives those given (not None)
    as `options`."""

    def decorate(command: F) -> F:
        signature = inspect.signature(command, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != "options"]
        params = [*own, *(_flag(name) for name in names)]

        @functools.wraps(command)
        def run(*args: Any, **kwargs: Any) -> Any:
            given = {n: kwargs.pop(n) for n in names if kwargs.get(n) is not None}
            for n in names:
                kwargs.pop(n, None)
            return command(*args, options=given, **kwargs)

        run.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in params}
        return run  # type: ignore[return-value]

    return decorate
