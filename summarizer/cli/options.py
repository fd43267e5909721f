"""The commands' flags for settings, derived from their one declaration.

Each setting is declared once, with its type, bounds and description, in
`summarizer.settings`; `with_settings` gives a command a flag for each setting it names,
of that type and with that description as its help, and hands the command the flags given
as one dict (`options`), for `Settings.load` to validate with everything else (the bounds
are checked there, once). Nothing here repeats a type, a bound or a help text. The flags
are made when a command's own help or a run needs them (`SettingsCommand`), so that
`summarizer --help` imports no settings.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from typer.core import TyperCommand

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
SETTINGS = "summarizer_settings"  # a command's settings (attribute), their values (ctx.meta)
_CONTEXT = "summarizer_context"  # the hidden parameter typer passes the click context in


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


def _flags(names: tuple[str, ...]) -> Any:
    """The flags of settings `names`, made by typer as for any command: a click command
    whose `params` they are and whose callback returns the values given, converted."""

    def given(**values: Any) -> dict[str, Any]:
        return values

    given.__signature__ = inspect.Signature([_flag(n) for n in names])  # type: ignore[attr-defined]
    holder = typer.Typer(add_completion=False)
    holder.command()(given)
    return typer.main.get_command(holder)


class SettingsCommand(TyperCommand):
    """A command with flags for settings (`with_settings`), made the first time its
    parameters are read (its own help, a run, a completion), not when the CLI starts:
    they come from `summarizer.settings`, whose import (pydantic-settings) took longer
    than the rest of `summarizer --help`, which lists the commands without them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.settings: tuple[str, ...] = ()
        self._flags: Any = None
        super().__init__(*args, **kwargs)
        self.settings = getattr(self.callback, SETTINGS, ())

    @property
    def params(self) -> list[Any]:
        if self._flags is None and self.settings:
            self._flags = _flags(self.settings)
            self._params.extend(self._flags.params)
        return self._params

    @params.setter
    def params(self, value: list[Any]) -> None:
        self._params = value

    def invoke(self, ctx: Any) -> Any:  # typer's click Context
        """The settings' flags given, converted by typer, to the command as `options`."""
        raw = {n: ctx.params.pop(n) for n in self.settings if n in ctx.params}
        values = self._flags.callback(**raw) if self._flags is not None else {}
        ctx.meta[SETTINGS] = {n: v for n, v in values.items() if v is not None}
        return super().invoke(ctx)


def with_settings(*names: str) -> Callable[[F], F]:
    """Give the command a flag for each named setting; it receives those given (not None)
    as `options`. Registered as a `SettingsCommand` (`lazy_flags`), which makes the flags
    when they are needed."""

    def decorate(command: F) -> F:
        signature = inspect.signature(command, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != "options"]
        context = inspect.Parameter(_CONTEXT, inspect.Parameter.KEYWORD_ONLY,
                                    annotation=typer.Context)  # fmt: skip
        params = [*own, context]

        @functools.wraps(command)
        def run(*args: Any, **kwargs: Any) -> Any:
            ctx: typer.Context = kwargs.pop(_CONTEXT)
            return command(*args, options=dict(ctx.meta.get(SETTINGS, {})), **kwargs)

        run.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in params}
        setattr(run, SETTINGS, names)
        return run  # type: ignore[return-value]

    return decorate


def lazy_flags(app: typer.Typer) -> None:
    """Make each command of `app` (its groups' too) that has settings' flags a
    `SettingsCommand`: `with_settings` runs before the `@app.command` over it, so this
    is done once every command is registered."""
    for info in app.registered_commands:
        if info.callback is not None and hasattr(info.callback, SETTINGS):
            info.cls = SettingsCommand
    for group in app.registered_groups:
        if group.typer_instance is not None:
            lazy_flags(group.typer_instance)
