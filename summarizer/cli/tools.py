"""The smaller commands: check, schema, prompts, backends, serve, view, cache."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from summarizer.cli.common import app, cache_app, fail, log_to_stderr, settings_of, summarizer_of
from summarizer.cli.options import SERVICE_FLAGS, with_settings


class ReportFormat(StrEnum):
    """What `check` prints: the report as JSON, or as lines of text."""

    json = "json"
    text = "text"


@app.command()
def check(
    article: Annotated[Path, typer.Option("--article", "-a", help="The article (text file).")],
    summary: Annotated[
        Path, typer.Option("--summary", "-s", help="The summary to check (text, or - for stdin).")
    ],
    output_format: Annotated[
        ReportFormat | None, typer.Option("--format", "-f", help="json or text (default).")
    ] = None,
) -> None:
    """Score the faithfulness of any summary against its article, sentence by sentence.

    Exit 0 when every sentence is supported, 1 when some are not."""
    import json

    from summarizer import inputs as inputs_mod
    from summarizer.checks.report import check
    from summarizer.errors import InputError

    found = list(inputs_mod.items([str(article)]))
    if len(found) != 1 or found[0].article is None:
        reason = found[0].error if len(found) == 1 else "give one article"
        raise fail(f"{article}: {reason}")
    item = found[0]
    assert item.article is not None
    try:
        raw = sys.stdin.buffer.read() if str(summary) == "-" else inputs_mod.read_bytes(summary)
        text = inputs_mod.decode(raw).strip()
    except InputError as exc:
        raise fail(f"{summary}: {exc}") from None
    if not text:
        raise fail(f"{summary}: empty summary")
    report = check(item.article, text)
    if output_format is ReportFormat.json:
        typer.echo(json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        typer.echo(
            f"support {report.score:.2f}; {report.share_supported:.0%} of sentences supported"
        )
        if report.skipped_checks:
            typer.echo(f"not checked in this language: {', '.join(report.skipped_checks)}")
        for c in report.checks:
            verdict = "ok " if c.supported else "NOT"
            evidence = ", ".join(f"S{i}" for i in c.evidence)
            typer.echo(f"{verdict} {c.score:.2f} [{evidence}] {c.text}")
            for problem in c.problems:
                typer.echo(f"      - {problem}")
    raise typer.Exit(0 if not report.unsupported else 1)


@app.command()
def schema(
    name: Annotated[
        str | None, typer.Argument(help="Model name [the brief's: ArticleSummary].")
    ] = None,
    brief: Annotated[
        str | None,
        typer.Option(
            "--schema", help="Your brief: package.module:Class or file.py:Class [built-in]."
        ),
    ] = None,
    export: Annotated[
        Path | None, typer.Option(help="Write every public schema into this folder.")
    ] = None,
) -> None:
    """Print a brief's JSON Schema (or its result's: SummaryResult), or export the
    built-in ones (`--export schemas`)."""
    from summarizer.brief import load
    from summarizer.errors import SummarizerError
    from summarizer.schema import ArticleSummary
    from summarizer.schema_export import export_schemas, json_schema, public_models

    if export is not None:
        for path in export_schemas(export):
            typer.echo(str(path), err=True)
        return
    try:
        model = load(brief) if brief is not None else ArticleSummary
    except SummarizerError as exc:
        raise fail(str(exc)) from None
    name = name or model.__name__
    if name not in public_models(model):
        raise fail(f"no schema named {name!r}; available: {', '.join(public_models(model))}")
    typer.echo(json_schema(name, model), nl=False)


@app.command()
@with_settings("prompts_dir")
def prompts(options: dict[str, Any] | None = None) -> None:
    """List every prompt you may replace: what it is for, its version, digest and blocks;
    with --prompts-dir, yours first, each saying which built-in one it replaces.

    Exit 1 when a template of yours cannot be loaded (its row says why)."""
    from summarizer import prompts as prompts_mod
    from summarizer.errors import SummarizerError

    try:
        folder = settings_of(options or {}).prompts_dir
    except SummarizerError as exc:
        raise fail(str(exc)) from None
    if folder is not None and not folder.is_dir():
        raise fail(f"prompts_dir {str(folder)!r} is not a folder")
    builtin = prompts_mod.builtin_names()
    yours = {n: folder / f"{n}.user.j2" for n in prompts_mod.own_names(folder)} if folder else {}
    broken = False
    for name, where in yours.items():
        try:
            p = prompts_mod.load(name, folder)
        except SummarizerError as exc:
            typer.echo(f"{name}\t-\t-\t{where}\tcannot be loaded: {exc}")
            broken = True
            continue
        what = f"yours: --prompt {name}"
        if name in builtin:
            replaced = prompts_mod.load(name).version
            what = f"yours, in place of the built-in v{replaced}: {prompts_mod.PURPOSES[name]}"
        typer.echo(f"{name}\tv{p.version}\t{p.digest}\t{where}\t{what}")
    for name in builtin:
        if name not in yours:
            p = prompts_mod.load(name)
            what, blocks = prompts_mod.PURPOSES[name], prompts_mod.blocks_of(p)
            what += f" (blocks: {blocks})" if blocks else ""
            typer.echo(f"{name}\tv{p.version}\t{p.digest}\tbuilt-in\t{what}")
    raise typer.Exit(1 if broken else 0)


@app.command()
def backends() -> None:
    """Show what is configured and which backend a summarize would use."""
    from summarizer.backends import resolve
    from summarizer.errors import SummarizerError
    from summarizer.settings import config_path

    path = config_path()
    typer.echo(f"config file: {path}{'' if path.is_file() else ' (none)'}")
    for var in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "SUMMARIZER_API_KEY",
        "SUMMARIZER_MODEL",
        "SUMMARIZER_RESPONSE_FORMAT",
    ):
        value = os.environ.get(var)
        shown = ("set" if var.endswith("KEY") else value) if value else "(unset)"
        typer.echo(f"{var}: {shown}")
    try:
        chosen = resolve(settings_of({}))
    except SummarizerError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"would use: {chosen.describe()} (structured output: {chosen.response_format})")
    from summarizer.local.backend import EmbeddedBackend

    missing = "not installed (pip install 'grounded-news-summarizer[local]')"
    unavailable = EmbeddedBackend.from_settings(settings_of({})).unavailable()
    typer.echo(f"embedded model: {missing if unavailable else 'installed'}")


@app.command()
@with_settings(*SERVICE_FLAGS)
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    options: dict[str, Any] | None = None,
) -> None:
    """Serve the summarizer over HTTP (POST /v1/summaries, POST /v1/check, GET /v1/schema,
    GET /healthz, GET /metrics; the API's page at /docs)."""
    from summarizer.errors import SummarizerError, require_extra

    log_to_stderr()
    try:
        require_extra("summarizer serve", "serve", "fastapi", "uvicorn", "swagger_ui")
    except SummarizerError as exc:
        raise fail(str(exc)) from None
    from summarizer.connections import serve as run_service
    from summarizer.service import check_access, create_app

    try:
        settings = settings_of(options or {})
        summarizer = summarizer_of(settings, cache=True, refresh=False)
        check_access(host, summarizer)
        app = create_app(summarizer)  # loads the schemas it serves: a bad one says so here
    except SummarizerError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"summarizer: serving {summarizer.backend.describe()} on http://{host}:{port}",
               err=True)  # fmt: skip
    run_service(app, host, port, settings)


@app.command()
def view(
    result: Annotated[Path, typer.Argument(help="A result: summarize's JSON output.")],
    article: Annotated[
        Path | None, typer.Argument(help="Its article, to show each item's evidence in it.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="The HTML file [RESULT with .html].")
    ] = None,
    brief: Annotated[
        str | None,
        typer.Option("--schema", help="The result's brief: package.module:Class or file.py:Class."),
    ] = None,
) -> None:
    """Write the page that shows each claim beside its evidence, for one result: one HTML
    file that opens from disk, with no server and no network."""
    from pydantic import ValidationError

    from summarizer import inputs as inputs_mod
    from summarizer.brief import load
    from summarizer.errors import InputError, SummarizerError
    from summarizer.result import SummaryResult
    from summarizer.view import static_page

    try:
        schema = load(brief) if brief is not None else None
        raw = inputs_mod.read_bytes(result)
        schema = _schema_of_result(raw, result, schema)
        data = SummaryResult.model_validate_json(raw, context={"schema": schema})
    except SummarizerError as exc:  # a file that cannot be read, a schema that is none
        raise fail(f"{result}: {exc}" if isinstance(exc, InputError) else str(exc)) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise fail(f"{result}: not a summarizer result ({where}: {first['msg']})") from None
    sentences = None
    if article is not None:
        found = inputs_mod.items([str(article)], inputs_mod.Fields())
        item = next(iter(found), None)
        if item is None or item.article is None:
            raise fail(f"{article}: {item.error if item else 'no article'}")
        try:
            sentences = item.article.sentences
        except SummarizerError as exc:
            raise fail(f"{article}: {exc}") from None
    target = out or result.with_suffix(".html")
    try:
        from summarizer.batch import write_atomically

        write_atomically(target, static_page(data, sentences))
    except OSError as exc:
        raise fail(f"{target}: cannot write ({exc.strerror or exc})") from None
    typer.echo(f"summarizer: wrote {target}", err=True)


def _schema_of_result(raw: bytes, result: Path, given: Any) -> Any:
    """The brief a result was made with, by the class name its provenance records: the
    one `--schema` gives, the built-in one, or one the settings name (the `schema`
    setting, the service's `schemas`); else one line saying to name it with --schema.
    Never a module the file names: a result's JSON is not trusted to import code."""
    import json

    from summarizer.brief import load
    from summarizer.schema import ArticleSummary

    try:
        recorded = json.loads(raw)["provenance"]["brief"]
    except (ValueError, TypeError, KeyError):
        return given  # not a result: validation says what is wrong with it
    if not isinstance(recorded, str) or recorded == (given or ArticleSummary).__name__:
        return given
    if given is not None:
        raise fail(f"{result}: its brief is {recorded}, not {given.__name__} (--schema)")
    settings = settings_of({})
    for spec in [settings.brief_schema, *settings.schemas.values()]:
        if spec is not None and spec.rpartition(":")[2] == recorded:
            return load(spec)
    raise fail(
        f"{result}: its brief is {recorded}, not the built-in one: name its schema, "
        f"--schema package.module:{recorded} (or path/to/file.py:{recorded})"
    )


@cache_app.command("info")
def cache_info() -> None:
    """Where the cache is (a folder, or Redis), how many results it holds, and their size."""
    cache = _cache()
    try:
        entries, size = len(cache), cache.volume()
    except Exception as exc:  # Redis down or refusing: whatever its client raises
        raise fail(f"cannot read the cache at {cache.location}: {_said(exc)}", 1) from None
    typer.echo(f"location: {cache.location}")
    typer.echo(f"entries: {entries}")
    typer.echo(f"size: {size / 1e6:.1f} MB")
    if cache.ttl is not None:
        typer.echo(f"kept for: {cache.ttl:g} s")


@cache_app.command("clear")
def cache_clear() -> None:
    """Remove every cached result (a damaged cache folder is made anew)."""
    cache = _cache()
    broken = cache.failure is not None
    try:
        removed = cache.clear()
    except OSError as exc:
        reason = exc.strerror or exc
        raise fail(f"cannot clear the cache at {cache.location}: {reason}", 1) from None
    except Exception as exc:  # Redis down or refusing
        raise fail(f"cannot clear the cache at {cache.location}: {_said(exc)}", 1) from None
    if broken:
        typer.echo(f"the cache at {cache.location} could not be read; made a new one", err=True)
    else:
        typer.echo(f"removed {removed} entries", err=True)


def _said(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _cache() -> Any:
    from summarizer.cache import open_cache
    from summarizer.errors import SummarizerError

    log_to_stderr()  # a cache that cannot be opened says so, and how to fix it
    try:
        settings = settings_of({})
        return open_cache(settings.cache_dir, settings.cache_url, settings.cache_ttl)
    except SummarizerError as exc:
        raise fail(str(exc)) from None
