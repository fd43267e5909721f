"""JSON Schema export of the public models, for `schemas/` and `summarizer schema`."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from summarizer.result import SummaryResult
from summarizer.schema import SCHEMA_VERSION, ArticleSummary


def public_models() -> dict[str, type[BaseModel]]:
    return {"ArticleSummary": ArticleSummary, "SummaryResult": SummaryResult}


def json_schema(name: str) -> str:
    """The schema of model `name` as stable, pretty JSON (what `schemas/` holds)."""
    schema = public_models()[name].model_json_schema()
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
