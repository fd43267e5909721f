"""The embedded decoder's grammar: a JSON Schema made into GBNF, with the decoding
policy that goes with it (lists capped, string lengths held)."""

from __future__ import annotations

import functools
import re
from typing import Any

# A small model fills every list to its maximum, mostly with repeats and inventions that
# validation then removes. The grammar caps each list at its minItems plus SPARE_ITEMS
# (one spare for validation to drop), keeping the output short: every item costs about
# a second and a half of decoding on 2 cores.
SPARE_ITEMS = 1
MAX_PER_ARTICLE = 6  # claims at most, one per attributing sentence (see `compact`)


# llama-cpp-python's converter writes `maxLength: n` as n nested optional rules, which
# llama.cpp refuses once they nest a few hundred deep; `char{m,n}` says the same flatly.
_NESTED_STRING = re.compile(
    r'^(?P<rule>\S+) ::= "\\"" (?P<body>\(?char[ ()?char]*) "\\"" space$', re.M
)


def _flatten_string_rules(gbnf: str) -> str:
    def flat(m: re.Match[str]) -> str:
        body = m.group("body")
        most = body.count("char")
        least = 0 if body.startswith("(") else 1
        return f'{m.group("rule")} ::= "\\"" char{{{least},{most}}} "\\"" space'

    return _NESTED_STRING.sub(flat, gbnf)


@functools.lru_cache(maxsize=16)
def grammar_for(schema_json: str) -> str:
    """GBNF for a JSON Schema (property order kept: it is the order the model writes)."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    return _flatten_string_rules(json_schema_to_gbnf(schema_json))


def compact(schema: Any, attributions: int = 0) -> Any:
    """`schema` with every array capped as above (the grammar's copy only). A list marked
    ``"x-one-per": "attribution"`` (claims) may hold one item per sentence of the article
    that attributes what it says (`attributions`), up to MAX_PER_ARTICLE."""
    if isinstance(schema, list):
        return [compact(v, attributions) for v in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: compact(v, attributions) for k, v in schema.items()}
    if out.get("type") == "array":
        least = int(out.get("minItems", 0))
        cap = least + SPARE_ITEMS
        if out.get("x-one-per") == "attribution":
            cap = max(cap, min(attributions, MAX_PER_ARTICLE))
        out["maxItems"] = min(int(out.get("maxItems", cap)), cap)
    return out


def string_limits(schema: Any, out: dict[str, int] | None = None) -> dict[str, int]:
    """maxLength of every string property of `schema`, by property name (the smallest
    where two share a name): the decoder holds values to them (see decode.generate)."""
    out = {} if out is None else out
    if isinstance(schema, list):
        for v in schema:
            string_limits(v, out)
    elif isinstance(schema, dict):
        for name, prop in (schema.get("properties") or {}).items():
            if isinstance(prop, dict) and isinstance(prop.get("maxLength"), int):
                out[name] = min(out.get(name, prop["maxLength"]), prop["maxLength"])
        for v in schema.values():
            string_limits(v, out)
    return out
