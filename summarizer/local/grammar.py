"""The embedded decoder's grammar: a JSON Schema made into GBNF, with the decoding
policy that goes with it (lists capped, string lengths held)."""

from __future__ import annotations

import functools
import json
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
    """GBNF for a JSON Schema (property order kept: it is the order the model writes).

    llama-cpp-python's converter ignores ``uniqueItems``: a list of numbers to choose from
    (``uniqueItems`` over an ``enum``) is written here as a rising sequence instead, so
    each number can be chosen at most once and a small model cannot spend its picks on
    repeats ("figures": [2, 2])."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    choices: list[list[str]] = []
    schema = _unique_choices(json.loads(schema_json), choices)
    gbnf = json_schema_to_gbnf(json.dumps(schema))
    for n in range(len(choices)):
        gbnf = gbnf.replace(json.dumps(json.dumps(_placeholder(n))), f"choice{n}")
    rules = [rule for group in choices for rule in group]
    return _flatten_string_rules("\n".join([gbnf.rstrip("\n"), *rules]) + "\n")


def _placeholder(n: int) -> str:
    return f"@choice{n}@"


def _unique_choices(schema: Any, choices: list[list[str]]) -> Any:
    """`schema` with each list of distinct choices (``uniqueItems`` over an ``enum`` or a
    ``const``) replaced by a placeholder string; the GBNF of each (`rising`) is appended
    to `choices`."""
    if isinstance(schema, list):
        return [_unique_choices(v, choices) for v in schema]
    if not isinstance(schema, dict):
        return schema
    items = schema.get("items")
    if schema.get("type") == "array" and schema.get("uniqueItems") and isinstance(items, dict):
        values = items.get("enum", [items["const"]] if "const" in items else None)
        if values is not None:
            n = len(choices)
            least, most = int(schema.get("minItems", 0)), schema.get("maxItems", len(values))
            choices.append(rising(f"choice{n}", [json.dumps(v) for v in values], least, int(most)))
            return {"const": _placeholder(n)}
    return {k: _unique_choices(v, choices) for k, v in schema.items()}


def rising(name: str, values: list[str], least: int, most: int) -> list[str]:
    """GBNF rules `name` for a JSON list of `least` to `most` of `values`, each at most
    once, in the order given: rule ``name-i-c`` follows value i as the c-th item, and
    offers only the values after it that still leave room for `least` items."""
    n, most = len(values), min(most, len(values))

    def lit(i: int) -> str:
        return json.dumps(values[i])

    def after(i: int, c: int) -> str:
        options = [
            f'"," space {lit(j)} {name}-{j}-{c + 1}'
            for j in range(i + 1, n)
            if c < most and n - j >= least - c
        ]
        if c >= least:
            options.append('"]" space')
        return " | ".join(options)

    firsts = [f"{lit(i)} {name}-{i}-1" for i in range(n) if most > 0 and n - i >= least]
    if least == 0:
        firsts.append('"]" space')
    out = [f'{name} ::= "[" space ({" | ".join(firsts)})']
    out += [
        f"{name}-{i}-{c} ::= {after(i, c)}"
        for c in range(1, most + 1)
        for i in range(c - 1, n)
        if n - i - 1 >= least - c  # reachable: room is left for the least
    ]
    return out


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
