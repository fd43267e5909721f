"""What every command shares: the Typer app, the one-line failure, the settings and the
summarizer as a command makes them, and warnings on stderr."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

app = typer.Typer(
    help="Structured, source-grounded summaries of news articles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
cache_app = typer.Typer(help="Inspect or clear the result cache.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"summarizer: {message}", err=True)
    return typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        from summarizer import __version__

        typer.echo(f"summarizer {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    """Structured, source-grounded summaries of news articles."""


def settings_of(given: dict[str, Any]) -> Any:
    """Options over the environment over the config file (see `summarizer.settings`)."""
    from summarizer.settings import Settings

    return Settings.load(**given)


def summarizer_of(settings: Any, *, cache: bool, refresh: bool) -> Any:
    from summarizer.pipeline import Summarizer

    return Summarizer(settings=settings, cache=cache, refresh=refresh)


def log_to_stderr() -> None:
    """The package's warnings (a cache that went off) as one `summarizer:` line each;
    instructor's per-attempt log lines stay quiet (failures are reported here)."""
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("summarizer: warning: %(message)s"))
    log = logging.getLogger("summarizer")
    log.handlers[:] = [handler]
    log.propagate = False
    logging.getLogger("instructor").setLevel(logging.CRITICAL)
