"""JSON Schema export of the public models, for `schemas/` and `summarizer schema`."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from summarizer.brief import Brief
from summarizer.result import result_model
from summarizer.schema import SCHEMA_VERSION, ArticleSummary


def public_models(brief: type[Brief] = ArticleSummary) -> dict[str, type[BaseModel]]:
    """The brief's model (by its class name) and the result that carries it."""
    return {brief.__name__: brief, "SummaryResult": result_model(brief)}


def json_schema(name: str, brief: type[Brief] = ArticleSummary) -> str:
    """The schema of model `name` as stable, pretty JSON (what `schemas/` holds)."""
    schema = public_models(brief)[name].model_json_schema()
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"summarizer/{name}.v{SCHEMA_VERSION}.json",
        **schema,
    }
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def schema_filename(name: str) -> str:
    return f"{name}.v{SCHEMA_VERSION}.json"


def export_schemas(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in public_models():
        path = directory / schema_filename(name)
        path.write_text(json_schema(name), encoding="utf-8")
        written.append(path)
    return written
