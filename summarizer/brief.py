"""The building blocks of a brief: what a schema is made of for its parts to be grounded.

A brief is a Pydantic model that subclasses `Brief`. Its fields are of three kinds, told
apart by their types; the gate, the grounding report, salvage, chunking and the renderers
read them (`layout`) and know no brief by name:

- **prose**: a `GroundedText` field of the brief itself (a title, a TL;DR, a holding). It
  cites nothing: each of its sentences is checked against the article sentences that
  support it best, its names, numbers and quotations against the whole article;
- **cited items**: a `Cited` subclass, or a list of them. Each cites article sentences
  (`sentences`, its first field) and its string fields are checked against those by
  their types: `GroundedText` (numbers, names, quotations, speaker, hedge, negation),
  `NameText` (the name occurs, in one of its forms), `FigureText` (a number, as written or
  by value), `QuoteText` (the words, verbatim), `DescribedText` (a description: its
  support is reported, not gated);
- **anything else** (a `Literal` sentiment, `tags: list[str]`): passed through unchecked.

The built-in brief (in `schema`) is made of these blocks and nothing else.
Field descriptions are written for the model: instructor sends them with the request.
Validators that need the article read its sentences from `checks.scope` (the one route by
which an article reaches them); outside a scope only the checks that need no article run.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import json
import re
import sys
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, NamedTuple, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic.json_schema import (
    DEFAULT_REF_TEMPLATE,
    GenerateJsonSchema,
    JsonSchemaMode,
    SkipJsonSchema,
    model_json_schema,
)

from summarizer.checks import gate, scope
from summarizer.errors import SchemaError
from summarizer.segment import split_prose
from summarizer.shapes import HINTS, schema_text
from summarizer.text.numbers import has_number
from summarizer.text.support import citations, occurrences
from summarizer.text.words import similar

split_sentences = split_prose  # model-written prose, by the rule `segment.PROSE_END` says

Kind = Literal["text", "name", "figure", "quote", "described"]


@dataclass(frozen=True, slots=True)
class Grounds:
    """How a string field is checked against the article: the marker in its type."""

    kind: Kind
    what: str | None = None  # what the gate's messages call it, if not its item's name


def _a_number(value: str) -> str:
    if not has_number(value):
        raise ValueError(f"figure '{value}' is not a number; give the number as written")
    return value


_STRIPPED = StringConstraints(strip_whitespace=True, min_length=1)
Text = Annotated[str, _STRIPPED]
GroundedText = Annotated[str, _STRIPPED, Grounds("text")]
NameText = Annotated[str, _STRIPPED, Grounds("name")]
FigureText = Annotated[str, _STRIPPED, AfterValidator(_a_number), Grounds("figure")]
QuoteText = Annotated[str, _STRIPPED, Grounds("quote")]
DescribedText = Annotated[str, _STRIPPED, Grounds("described")]


def grounds(info: FieldInfo) -> Grounds | None:
    """The field's marker (the last, so `Annotated[NameText, Grounds("name", "source")]`
    renames one), or None for a field that is not checked."""
    found = [m for m in info.metadata if isinstance(m, Grounds)]
    return found[-1] if found else None


class Part(NamedTuple):
    """One checked string of a cited item (a tuple: made for every item checked)."""

    field: str
    kind: Kind
    text: str
    what: str  # its name in the gate's messages


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False)

    @model_validator(mode="after")
    def _shapes(self) -> Any:
        """Values match the `pattern`s the JSON Schema publishes (for constrained decoders),
        so every valid brief is also valid against its published schema."""
        for name, pattern, hint in _patterns(type(self)):
            value = getattr(self, name)
            if isinstance(value, str) and pattern.fullmatch(value) is None:
                raise ValueError(f"{name}: {hint}")
        return self


@functools.cache
def _patterns(model: type[BaseModel]) -> tuple[tuple[str, re.Pattern[str], str], ...]:
    """(field, compiled pattern, hint) of each field with a published `pattern`: found
    once per class, as every item of every answer is checked against them."""
    found = []
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra
        pattern = extra.get("pattern") if isinstance(extra, dict) else None
        if isinstance(pattern, str):
            found.append((name, re.compile(pattern), HINTS.get(pattern, "wrong form")))
    return tuple(found)


_CITE = "Numbers N of the article sentences labelled [SN] that state this; at least one."


def _words_of(name: str) -> str:
    """'OpenQuestion' -> 'open question'."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()


class Cited(_Model):
    """Base for an item that cites article sentences. `sentences` comes first: a model
    that picks the sentence first, then writes from it, stays closer to the article than
    one that writes first and looks for a citation afterwards. Subclasses say what
    differs about their kind: which parts are checked (`parts`), which sentences code
    cites for them (`cite`), when two are the same (`same`)."""

    what: ClassVar[str] = "item"  # its name in messages: the class name, in words

    sentences: list[int] = Field(min_length=1, max_length=8, description=_CITE)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "what" not in cls.__dict__:
            cls.what = _words_of(cls.__name__)

    @classmethod
    def unchecked(cls, data: Mapping[str, Any]) -> frozenset[str]:
        """The checked fields this item (its fields, or its JSON) leaves unchecked: none,
        unless its kind says otherwise (a claim in the writer's voice names no source)."""
        return frozenset()

    @classmethod
    def parts(cls, data: Mapping[str, Any]) -> list[Part]:
        """The checked strings of an item (its fields, or its JSON), in field order."""
        skipped = cls.unchecked(data)
        return [
            Part(name, kind, value, what)
            for name, kind, what in part_specs(cls)
            if isinstance(value := data.get(name), str) and name not in skipped
        ]

    @classmethod
    def main(cls, data: Mapping[str, Any]) -> Part | None:
        """The part that says what the item is (`main_of`)."""
        return main_of(cls.parts(data))

    @model_validator(mode="before")
    @classmethod
    def _cited_by_code(cls, data: Any) -> Any:
        """Inside `article_scope(..., cite=True)`: cite what the item rests on."""
        now = scope.current()
        if now is None or not now.cite or not isinstance(data, dict):
            return data
        found = cls.cite(data, now.sentences)
        return {**data, "sentences": list(found)} if found else data

    @classmethod
    def cite(cls, data: Mapping[str, Any], article: Sequence[str]) -> tuple[int, ...]:
        """The sentences this item rests on, found by code: its text's (`citations`),
        and the nearest one before them that names its source or speaker when they do not
        (news names a speaker, then quotes them); for an item without text, where its
        name or figure occurs."""
        parts = cls.parts(data)
        main = main_of(parts)
        if main is None:
            return ()
        if main.kind == "name":
            return occurrences(main.text, article)[:3]
        if main.kind == "figure":
            return occurrences(main.text, article, figure=True)[:2]
        found = citations(main.text, article)
        named = {i for p in parts if p.kind == "name" for i in occurrences(p.text, article)}
        if not found or not named or named & set(found):
            return found
        before = [i for i in named if found[0] - 2 <= i < found[0]]
        return tuple(sorted({*found, max(before)})) if before else found

    @classmethod
    def identity(cls, data: Mapping[str, Any]) -> str:
        """The words that say what this item (as JSON) is: its main part, else every text
        field but its citations."""
        main = cls.main(data)
        if main is not None:
            return main.text
        return " ".join(str(v) for k, v in data.items() if k != "sentences" and isinstance(v, str))

    @classmethod
    def same(cls, a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
        """Whether two items (as JSON) say the same thing, so that one of them goes (a
        repeat in one answer, or the same item found in two chunks of a long article)."""
        return similar(cls.identity(a), cls.identity(b))

    @field_validator("sentences")
    @classmethod
    def _sentences_exist(cls, ids: list[int]) -> list[int]:
        return gate.citations_exist(ids)

    @model_validator(mode="after")
    def _grounded(self) -> Any:
        """Each checked part against the sentences the item cites (`checks.gate`)."""
        now = scope.current()
        if now is None:  # no article to check against: nothing to do
            return self
        cls, data = type(self), self.__dict__  # the fields' values, by name
        described, ids, skipped = _descriptions(cls), self.sentences, cls.unchecked(data)
        for name, kind, what in part_specs(cls):  # as `parts` says, without building them
            value = data[name]
            if isinstance(value, str) and name not in skipped:
                gate.part_cited(kind, value, ids, what, now, described)
        return self


def main_of(parts: Sequence[Part]) -> Part | None:
    """Of an item's checked parts, the one that says what it is: its first text or
    quotation, else its first that is gated (a name, a figure; not a description)."""
    gated = [p for p in parts if p.kind != "described"]
    return next((p for p in gated if p.kind in ("text", "quote")), gated[0] if gated else None)


@functools.cache
def part_specs(model: type[Cited]) -> tuple[tuple[str, Kind, str], ...]:
    """(field, kind, name in messages) of each checked field: the item's own name for its
    first, the field's name in words for the others, unless its type names it."""
    return tuple(
        (name, g.kind, g.what or (model.what if n == 0 else name.replace("_", " ")))
        for n, (name, g) in enumerate(_grounded_fields(model))
    )


@functools.cache
def _grounded_fields(model: type[BaseModel]) -> tuple[tuple[str, Grounds], ...]:
    return tuple(
        (name, g) for name, info in model.model_fields.items() if (g := grounds(info)) is not None
    )


class Brief(_Model):
    """Base for a brief: subclass it, with fields of the types this module defines (see
    its docstring). Its `GroundedText` fields are prose, checked sentence by sentence
    against the article; its `Cited` items are checked against the sentences they cite."""

    # A part of a brief asked for alone (`findings_of`, `overview_of`), or None for a
    # whole one: what salvage's policy ``flag`` applies to.
    part: ClassVar[str | None] = None
    hidden: ClassVar[frozenset[str]] = frozenset()  # the fields a part leaves out
    # The prompt of the small-model way (`choose`): the model writes the prose and
    # chooses the items by number among those code proposes.
    choose_prompt: ClassVar[str] = "brief-choose"

    @classmethod
    def model_json_schema(
        cls,
        by_alias: bool | None = None,
        ref_template: str = DEFAULT_REF_TEMPLATE,
        schema_generator: type[GenerateJsonSchema] = GenerateJsonSchema,
        mode: JsonSchemaMode = "validation",
        *,
        union_format: Literal["any_of", "primitive_type_array"] = "any_of",
    ) -> dict[str, Any]:
        """Pydantic's JSON Schema, memoized: every request sends it, and generating it
        takes milliseconds. Each caller gets its own copy to change."""
        if schema_generator is not GenerateJsonSchema:  # a custom generator: not memoized
            return model_json_schema(
                cls, by_alias, ref_template, union_format, schema_generator, mode
            )
        return dict(json.loads(schema_text(cls, by_alias, ref_template, mode, union_format)))

    @field_validator("*")
    @classmethod
    def _prose_grounded(cls, value: Any, info: ValidationInfo) -> Any:
        """Prose cites nothing: each sentence against the article (`checks.gate`)."""
        if isinstance(value, str) and info.field_name in _prose_of(cls):
            prose = layout(cls).prose
            before = prose[: prose.index(str(info.field_name))]
            gate.prose_grounded(
                value, str(info.field_name), split_sentences, _descriptions(cls),
                headline=len(prose) > 1 and not before,
                # The headline is not read as a sentence of what follows it.
                earlier=[v for n in before[1:] if isinstance(v := info.data.get(n), str)],
            )  # fmt: skip
        return value


@functools.cache
def _descriptions(model: type[BaseModel]) -> frozenset[str]:
    """The descriptions of a brief's fields, which the prompt shows: a small model copies
    them into any field. (A frozenset: it keeps its hash, and every part is looked up by
    it.)"""
    return frozenset(info.description for info in model.model_fields.values() if info.description)


@functools.cache
def _prose_of(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(layout(model).prose)


# -- the layout of a brief: what each field is ------------------------------------------


@dataclass(frozen=True)
class Layout:
    """A brief's fields by kind, in field order."""

    prose: tuple[str, ...]
    items: dict[str, type[Cited]]  # item fields, each with its item's model
    lists: tuple[str, ...]  # the item fields that are lists
    caps: dict[str, int]  # a list's most items
    plain: tuple[str, ...]  # passed through unchecked


def unwrapped(annotation: Any) -> tuple[Any, bool]:
    """(the item type, is it a list) of `X`, `list[X]`, `X | None`, `list[X] | None`."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return unwrapped(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        rest = [a for a in get_args(annotation) if a is not type(None)]
        return unwrapped(rest[0]) if len(rest) == 1 else (annotation, False)
    if origin is list and get_args(annotation):
        inner, _ = unwrapped(get_args(annotation)[0])
        return inner, True
    return annotation, False


def _cap(info: FieldInfo) -> int | None:
    return next((int(m.max_length) for m in info.metadata if getattr(m, "max_length", None)), None)


@functools.cache
def layout(model: type[BaseModel]) -> Layout:
    """The fields of `model` by kind (see the module's docstring)."""
    prose, plain, items, lists, caps = [], [], {}, [], {}
    for name, info in model.model_fields.items():
        if name in getattr(model, "hidden", ()):
            continue
        item, many = unwrapped(info.annotation)
        g = grounds(info)
        if isinstance(item, type) and issubclass(item, Cited):
            items[name] = item
            if many:
                lists.append(name)
                caps[name] = _cap(info) or 12
        elif g is not None and g.kind == "text" and not many:
            prose.append(name)
        else:
            plain.append(name)
    return Layout(tuple(prose), items, tuple(lists), caps, tuple(plain))


# -- the parts of a brief asked for alone (a long article's, `chunking`) ----------------


def _part(brief: type[Brief], name: str, keep: set[str], doc: str) -> type[Brief]:
    """`brief` with only the fields `keep`: the others hidden (not in its JSON Schema,
    not allowed in an answer), its own validators kept."""
    hidden = {n for n in brief.model_fields if n not in keep}
    fields: dict[str, Any] = {n: (SkipJsonSchema[None], None) for n in hidden}  # type: ignore[misc]
    model: type[Brief] = create_model(name, __base__=brief, __doc__=doc, **fields)
    model.part = name.lower()
    model.hidden = frozenset(hidden)
    return model


@functools.cache
def findings_of(brief: type[Brief]) -> type[Brief]:
    """What a chunk of a long article is asked for: the brief's cited items, without its
    prose and plain fields, which are written once for the whole article (`overview_of`):
    a chunk's title would be thrown away after costing decoding time."""
    keep = set(layout(brief).items)
    return _part(brief, "Findings", keep, "The cited items of one part of a long article.")


@functools.cache
def overview_of(brief: type[Brief]) -> type[Brief]:
    """What a long article's whole is asked for after its chunks: the brief's prose and
    plain fields, written from the chunks' merged items."""
    keep = set(layout(brief).prose) | set(layout(brief).plain)
    return _part(brief, "Overview", keep, "The prose of a brief, from its merged items.")


def visible(brief: BaseModel) -> dict[str, Any]:
    """A brief (or a part of one) as JSON, without the fields its part leaves out."""
    return brief.model_dump(mode="json", exclude=set(getattr(brief, "hidden", ())))


@functools.cache
def schema_digest(brief: type[BaseModel]) -> str:
    """A digest of a brief's JSON Schema: part of the cache key."""
    schema = json.dumps(brief.model_json_schema(), sort_keys=True)
    return hashlib.sha256(schema.encode()).hexdigest()[:16]


# -- a user's brief: checked, and found by name -----------------------------------------


def check_schema(model: Any, name: str | None = None) -> type[Brief]:
    """`model` if it can be a brief, else a one-line `SchemaError` saying why."""
    name = name or getattr(model, "__name__", repr(model))
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise SchemaError(f"schema {name}: not a Pydantic model (subclass summarizer.Brief)")
    if not issubclass(model, Brief):
        raise SchemaError(
            f"schema {name}: a Pydantic model, but not a brief: subclass summarizer.Brief "
            "(and summarizer.Cited for items that cite sentences)"
        )
    shape = layout(model)
    if not shape.prose and not shape.items:
        raise SchemaError(
            f"schema {name}: nothing in it is checked against the article: give it a "
            "GroundedText field or a field of Cited items"
        )
    for field, item in shape.items.items():
        info = item.model_fields.get("sentences")
        if info is None or unwrapped(info.annotation) != (int, True):
            raise SchemaError(
                f"schema {name}: {field}: {item.__name__} must keep `sentences: list[int]`, "
                "the article sentences it cites"
            )
    try:
        model.model_json_schema()
    except Exception as exc:  # pydantic's errors name the type it cannot express
        raise SchemaError(f"schema {name}: no JSON Schema for it: {_one_line(exc)}") from None
    return model


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split("\n\n")[0].split())


def load(spec: str) -> type[Brief]:
    """The brief named `package.module:Class` or `path/to/file.py:Class`."""
    where, colon, attr = spec.rpartition(":")
    if not colon or not where or not attr:
        raise SchemaError(
            f"schema {spec!r}: name it as package.module:Class or path/to/file.py:Class"
        )
    try:
        if where.endswith(".py") or "/" in where or "\\" in where:
            module = _from_file(Path(where), spec)
        else:
            module = importlib.import_module(where)
    except SchemaError:
        raise
    except ModuleNotFoundError as exc:
        if exc.name and (where == exc.name or where.startswith(f"{exc.name}.")):
            raise SchemaError(f"schema {spec!r}: {_not_found(where, attr, exc.name)}") from None
        raise SchemaError(f"schema {spec!r}: cannot import {where}: {_one_line(exc)}") from None
    except ImportError as exc:
        raise SchemaError(f"schema {spec!r}: cannot import {where}: {_one_line(exc)}") from None
    except Exception as exc:  # the user's module failed while it ran
        kind = type(exc).__name__
        raise SchemaError(f"schema {spec!r}: {where} failed: {kind}: {_one_line(exc)}") from None
    if not hasattr(module, attr):
        raise SchemaError(f"schema {spec!r}: {where} has no {attr}")
    return check_schema(getattr(module, attr), repr(spec))


def _not_found(where: str, attr: str, missing: str) -> str:
    """Why module `where` is not found (`missing`: it, or a package above it), naming the
    folders Python searched: the `summarizer` command puts its own folder on the path, not
    the current one, so a module beside the user is found only through PYTHONPATH (or
    named as a file)."""
    import os

    stdlib = Path(os.__file__).resolve().parent  # not named: no brief of a user's is there
    searched: list[Path] = []
    for entry in sys.path:
        folder = Path(entry or os.curdir).resolve()
        if not folder.is_dir() or folder in searched:
            continue
        if folder.is_relative_to(stdlib) and folder.name not in ("site-packages", "dist-packages"):
            continue
        searched.append(folder)
    here, top = Path.cwd().resolve(), where.partition(".")[0]
    folders = ", ".join(map(str, searched))
    file = f"{where.replace('.', '/')}.py:{attr}"
    if here not in searched and ((here / top).is_dir() or (here / f"{top}.py").is_file()):
        return (
            f"cannot import {where}: {top} is in the current folder, {here}, which is not "
            f"searched (searched: {folders}): run with PYTHONPATH=. or name the file: {file}"
        )
    return (
        f"cannot import {where}: no module {missing} in the folders searched ({folders}): put "
        f"the folder that holds it on PYTHONPATH, or name the file (path/to/{file})"
    )


def _from_file(path: Path, spec: str) -> types.ModuleType:
    if not path.is_file():
        raise SchemaError(f"schema {spec!r}: no such file: {path}")
    name = "summarizer_user_schema_" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:8]
    if name in sys.modules:
        return sys.modules[name]
    found = importlib.util.spec_from_file_location(name, path)
    if found is None or found.loader is None:
        raise SchemaError(f"schema {spec!r}: cannot load {path} as Python")
    module = importlib.util.module_from_spec(found)
    sys.modules[name] = module  # dataclasses and pydantic look the module up while it runs
    try:
        found.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
