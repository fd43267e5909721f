"""The `summarizer` command line. Heavy modules are imported inside commands, so `--help`
stays fast."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(
    help="Structured, source-grounded summaries of news articles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EMBEDDED_HINT = (
    "summarizer: using the embedded model {model} (no key, no server; small and weak). "
    "For better summaries set OPENAI_API_KEY, or --base-url/--model for Ollama, vLLM or LM Studio."
)


class OutputFormat(StrEnum):
    json = "json"
    markdown = "markdown"
    text = "text"


def fail(message: str, code: int = 1) -> typer.Exit:
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


@app.command()
def summarize(
    inputs: Annotated[list[str], typer.Argument(help="Text files to summarize, or - for stdin.")],
    output_format: Annotated[
        OutputFormat | None,
        typer.Option("--format", "-f", help="json (default when piped), markdown or text."),
    ] = None,
    model: Annotated[str | None, typer.Option(help="Model name.")] = None,
    base_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible server, e.g. http://localhost:11434/v1")
    ] = None,
    backend: Annotated[
        str | None, typer.Option(help="openai, openai-compatible or embedded.")
    ] = None,
    api_key_env: Annotated[str, typer.Option(help="Variable holding the API key.")] = (
        "OPENAI_API_KEY"
    ),
    response_format: Annotated[
        str | None,
        typer.Option(help="json_schema, or json_object for llama-cpp-python's server."),
    ] = None,
    prompt: Annotated[str | None, typer.Option(help="Prompt template name.")] = None,
    temperature: Annotated[float, typer.Option(help="Sampling temperature.")] = 0.0,
    max_tokens: Annotated[int | None, typer.Option(help="Most tokens the model may write.")] = None,
    max_reasks: Annotated[
        int | None, typer.Option(help="Re-asks after invalid output [default: 2; 0 embedded].")
    ] = None,
    policy: Annotated[
        str, typer.Option(help="After the last re-ask: drop failing items, or strict: fail.")
    ] = "drop",
    timeout: Annotated[float, typer.Option(help="Seconds to wait for one response.")] = 120.0,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither read nor write the cache.")
    ] = False,
    refresh: Annotated[bool, typer.Option(help="Ignore cached results, store fresh ones.")] = False,
) -> None:
    """Summarize articles; print one JSON object (JSON Lines for several) or a brief each."""
    import logging

    from summarizer.article import Article, ArticleError
    from summarizer.errors import SummarizerError
    from summarizer.pipeline import Summarizer
    from summarizer.render import FORMATS

    # instructor logs every failed attempt at ERROR; the CLI reports failures itself.
    logging.getLogger("instructor").setLevel(logging.CRITICAL)
    fmt = output_format or (OutputFormat.markdown if sys.stdout.isatty() else OutputFormat.json)
    try:
        summarizer = Summarizer(
            backend=backend,  # type: ignore[arg-type]
            base_url=base_url,
            model=model,
            api_key_env=api_key_env,
            response_format=response_format,  # type: ignore[arg-type]
            prompt=prompt,
            temperature=temperature,
            max_tokens=max_tokens,
            max_reasks=max_reasks,
            policy=policy,  # type: ignore[arg-type]
            timeout=timeout,
            cache=not no_cache,
            refresh=refresh,
        )
    except (SummarizerError, LookupError, ValueError) as exc:
        raise fail(str(exc), 2) from None
    if summarizer.backend.kind == "embedded":
        typer.echo(EMBEDDED_HINT.format(model=summarizer.backend.model), err=True)

    failed = 0
    for name in inputs:
        try:
            raw = sys.stdin.read() if name == "-" else _read_text(Path(name))
            article = Article.from_text(raw)
            result = summarizer.summarize(article)
        except (SummarizerError, ArticleError, OSError, UnicodeDecodeError) as exc:
            typer.echo(f"summarizer: {name}: {exc}", err=True)
            failed += 1
            continue
        if fmt is OutputFormat.json:
            from summarizer.render import to_json

            typer.echo(to_json(result, indent=None if len(inputs) > 1 else 2))
        else:
            typer.echo(FORMATS[fmt.value](result))
    raise typer.Exit(1 if failed else 0)


def _read_text(path: Path) -> str:
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder")
    data = path.read_bytes()
    if b"\0" in data[:4096]:
        raise UnicodeDecodeError("utf-8", data[:1], 0, 1, "a binary file, not text")
    return data.decode("utf-8-sig")


@app.command()
def schema(
    name: Annotated[str, typer.Argument(help="Model name.")] = "ArticleSummary",
    export: Annotated[
        Path | None, typer.Option(help="Write every public schema into this folder.")
    ] = None,
) -> None:
    """Print a JSON Schema, or export all of them (`--export schemas`)."""
    from summarizer.schema_export import export_schemas, json_schema, public_models

    if export is not None:
        for path in export_schemas(export):
            typer.echo(str(path), err=True)
        return
    if name not in public_models():
        raise fail(f"no schema named {name!r}; available: {', '.join(public_models())}", 2)
    typer.echo(json_schema(name))


def main() -> Any:
    return app()


if __name__ == "__main__":  # pragma: no cover
    main()
