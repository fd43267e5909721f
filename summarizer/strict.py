"""A brief's JSON Schema in OpenAI's strict subset, so that OpenAI constrains its answer.

Without ``"strict": true`` OpenAI treats a ``json_schema`` response format as guidance: an
answer can break the schema and cost a re-ask. With it, the schema must keep to a subset
(OpenAI's Structured Outputs guide, "Supported schemas"):

- the root is an object; every object has ``additionalProperties: false`` and lists every
  property in ``required`` (an optional field is one that may be null);
- only these keywords: ``type``, ``properties``, ``required``, ``additionalProperties``,
  ``items``, ``enum``, ``const``, ``anyOf``, ``$ref``, ``$defs``, ``title``,
  ``description``; strings may have ``format`` (a few named formats) and numbers
  ``minimum``, ``maximum``, ``exclusiveMinimum``, ``exclusiveMaximum``, ``multipleOf``;
  arrays ``minItems`` and ``maxItems``. A ``$ref`` stands alone (no keyword beside it);
- at most 10 levels of nesting and 5,000 properties.

`strict_schema` converts (as the openai SDK's `to_strict_json_schema` does, and further:
it also drops what the subset lacks); what it drops, string lengths and the sentence
patterns, is still checked here, by the brief's validators. `violations` lists where a
schema breaks the subset: the tests hold every schema sent to OpenAI to it.
"""

from __future__ import annotations

from typing import Any

ANNOTATIONS = frozenset({"title", "description"})
STRUCTURE = frozenset(
    {"type", "properties", "required", "additionalProperties", "items", "enum", "const",
     "anyOf", "$ref", "$defs"}
)  # fmt: skip
_NUMBER = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"})
BY_TYPE = {
    "string": frozenset({"format"}),
    "number": _NUMBER,
    "integer": _NUMBER,
    "array": frozenset({"minItems", "maxItems"}),
}
FORMATS = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"}
)
MAX_DEPTH = 10
MAX_PROPERTIES = 5000


def _allowed(node: dict[str, Any]) -> frozenset[str]:
    kinds = node.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    extra = frozenset().union(*(BY_TYPE.get(k, frozenset()) for k in kinds if isinstance(k, str)))
    return ANNOTATIONS | STRUCTURE | extra


def strict_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` (a brief's, as Pydantic writes it) in OpenAI's strict subset: a new
    schema; `schema` is left as it was."""
    return dict(_strict(schema, schema.get("$defs", {})))


def _strict(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_strict(v, defs) for v in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node and len(node) > 1:  # a $ref stands alone: inline it, its notes kept
        name = str(node["$ref"]).rsplit("/", 1)[-1]
        notes = {k: v for k, v in node.items() if k in ANNOTATIONS}
        node = {**defs.get(name, {}), **notes}  # (copied below: nothing here is changed)
    if node.get("format") not in (None, *FORMATS):
        node = {k: v for k, v in node.items() if k != "format"}
    allowed = _allowed(node)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key not in allowed:
            continue  # checked by the brief's validators instead (lengths, patterns)
        if key in ("properties", "$defs"):
            out[key] = {k: _strict(v, defs) for k, v in value.items()}
        elif key in ("items", "anyOf"):
            out[key] = _strict(value, defs)
        else:
            out[key] = value
    if out.get("type") == "object" or "properties" in out:
        out["additionalProperties"] = False
        out["required"] = list(out.get("properties", {}))
    return out


def violations(schema: dict[str, Any]) -> list[str]:
    """Where `schema` breaks OpenAI's strict subset (see the module's docstring), as
    JSON paths with what is wrong; empty if it keeps to it."""
    found: list[str] = []
    if schema.get("type") != "object":
        found.append("$: the root is not an object")
    count = [0]
    _check(schema, "$", 0, found, count)
    for name, sub in (schema.get("$defs") or {}).items():
        _check(sub, f"$.$defs.{name}", 0, found, count)
    if count[0] > MAX_PROPERTIES:
        found.append(f"$: {count[0]} properties, more than {MAX_PROPERTIES}")
    return found


def _check(node: Any, path: str, depth: int, found: list[str], count: list[int]) -> None:
    if not isinstance(node, dict):
        found.append(f"{path}: not a schema object")
        return
    if depth > MAX_DEPTH:
        found.append(f"{path}: nested more than {MAX_DEPTH} levels")
    if "$ref" in node and len(node) > 1:
        found.append(f"{path}: a $ref with other keywords beside it")
    for key in sorted(set(node) - _allowed(node)):
        found.append(f"{path}: keyword {key!r} is not in the strict subset")
    if node.get("format") not in (None, *FORMATS):
        found.append(f"{path}: format {node['format']!r} is not supported")
    props = node.get("properties")
    if node.get("type") == "object" or props is not None:
        if node.get("additionalProperties") is not False:
            found.append(f"{path}: an object without additionalProperties: false")
        if sorted(node.get("required", [])) != sorted(props or {}):
            found.append(f"{path}: required does not list every property")
    for key, sub in (props or {}).items():
        count[0] += 1
        _check(sub, f"{path}.{key}", depth + 1, found, count)
    if isinstance(node.get("items"), dict):
        _check(node["items"], f"{path}[]", depth + 1, found, count)
    for i, sub in enumerate(node.get("anyOf") or []):
        _check(sub, f"{path}.anyOf[{i}]", depth, found, count)
