"""Turning command-line inputs into articles: files, folders, globs and stdin, in the
formats .txt/.md (optional `key: value` header), .html (main text and metadata extracted
by trafilatura), .json (an object or a list of objects) and .jsonl (one object a line).

Each input becomes one or more `Item`s; an input that cannot be read becomes an `Item`
with an `error` saying why, so a batch can report it and go on.
"""

from __future__ import annotations

import glob
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from summarizer.article import Article
from summarizer.errors import ArticleError, InputError, MissingExtra, require_extra
from summarizer.result import InputRef

TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
JSON_SUFFIXES = (".json", ".jsonl")
SUPPORTED = TEXT_SUFFIXES + HTML_SUFFIXES + JSON_SUFFIXES
MAX_BYTES = 1_000_000  # a news article is 2 to 50 kB; anything this big is not one
MAX_COLLECTION_BYTES = 1_000_000_000  # a .json/.jsonl file of many articles (each <= MAX_BYTES)
METADATA_FIELDS = ("title", "source", "url", "published", "date")


@dataclass
class Item:
    """One article to summarize, or the reason it cannot be."""

    name: str  # shown in messages: a path, "-", or "path:LINE" for JSON Lines
    stem: str  # base name of its output file under --out
    article: Article | None = None
    error: str | None = None
    id: str | None = None  # a JSON record's id field (--id-field)

    def ref(self) -> InputRef:
        """The identity every output row of this input carries."""
        art = self.article
        return InputRef(
            name=self.name,
            id=self.id,
            title=art.title if art is not None else None,
            url=art.url if art is not None else None,
        )


@dataclass(frozen=True)
class Fields:
    """Which JSON fields hold the text and the metadata."""

    text: str = "text"
    id: str = "id"


def expand(specs: list[str]) -> Iterator[tuple[str, Path | None, str]]:
    """(name, path or None for stdin, output stem) for each input spec, in order. A folder
    that cannot be listed is yielded as its own name, and reported as unreadable."""
    for spec in specs:
        if spec == "-":
            yield "-", None, "stdin"
            continue
        path = Path(spec)
        if path.is_dir():
            found = False
            for p, unreadable in _walk(path):
                found = True
                stem = p.name if unreadable else _stem(p.relative_to(path).with_suffix(""))
                yield str(p), p, stem
            if not found:
                yield spec, path, path.name  # reported as an error below
        elif any(ch in spec for ch in "*?[") and not path.exists():
            matches = sorted(glob.glob(spec, recursive=True))
            if not matches:
                yield spec, path, path.name
            for m in matches:
                yield m, Path(m), _stem(Path(m).with_suffix(""))
        else:
            yield spec, path, _stem(Path(path.name).with_suffix(""))


def _walk(root: Path) -> Iterator[tuple[Path, bool]]:
    """Supported files under `root` in sorted order, and (path, True) for each folder that
    cannot be listed (Path.rglob skips those without a word)."""
    unreadable: list[Path] = []

    def note(error: OSError) -> None:
        unreadable.append(Path(error.filename))

    found: list[tuple[Path, bool]] = []
    for folder, dirs, files in os.walk(root, onerror=note):
        dirs.sort()
        for name in files:
            p = Path(folder) / name
            if p.suffix.lower() in SUPPORTED:
                found.append((p, False))
    found += [(p, True) for p in unreadable]
    yield from sorted(found)


def _stem(path: Path) -> str:
    return re.sub(r"[^\w.-]+", "_", "__".join(path.parts)) or "article"


def read_bytes(source: Path | BinaryIO) -> bytes:
    if isinstance(source, Path):
        if source.is_dir() and not os.access(source, os.R_OK | os.X_OK):
            raise InputError("cannot read this folder: permission denied")
        if source.is_dir():
            raise InputError(f"no {', '.join(SUPPORTED)} files in this folder")
        if not source.exists():
            raise InputError("no such file")
        size = source.stat().st_size
        if source.suffix.lower() in (".json", ".jsonl"):
            if size > MAX_COLLECTION_BYTES:
                raise InputError(f"{size / 1e9:.1f} GB: too large a file of articles (limit 1 GB)")
        elif size > MAX_BYTES:
            raise InputError(f"{size / 1e6:.1f} MB is too long for one article (limit 1 MB)")
        data = source.read_bytes()
    else:
        data = source.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise InputError("the input is too long for one article (limit 1 MB)")
    if b"\0" in data[:8192]:
        raise InputError("a binary file, not text")
    return data


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text (byte {exc.start}); convert it first, e.g. iconv -f latin1 -t utf-8"
        ) from None


def _article(text: str, **meta: Any) -> Article:
    if not text.strip():
        raise InputError("empty: no article text")
    try:
        return Article.from_text(text, **{k: v for k, v in meta.items() if v})
    except ArticleError as exc:
        raise InputError(str(exc)) from None


def from_text(text: str, suffix: str) -> Article:
    meta: dict[str, Any] = {}
    if suffix == ".md":  # a leading "# Heading" is the title
        m = re.match(r"\A\s*#\s+(.+)\n", text)
        if m:
            meta["title"], text = m.group(1).strip(), text[m.end() :]
    return _article(text, **meta)


def from_html(html: str) -> Article:
    try:
        require_extra("HTML input", "html", "trafilatura", "lxml_html_clean")
    except MissingExtra as exc:
        raise InputError(str(exc)) from None
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or len(text.split()) < 20:
        raise InputError("no article text found in this HTML page")
    title = getattr(doc, "title", None)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if title and lines and lines[0] == title.strip():
        lines = lines[1:]  # the headline, repeated as the first line of the text
    return _article(
        "\n\n".join(lines),  # trafilatura writes one paragraph a line
        title=title,
        url=getattr(doc, "url", None),
        source=getattr(doc, "sitename", None),
        published=getattr(doc, "date", None),
    )


def _record(obj: Any, fields: Fields) -> Article:
    if not isinstance(obj, dict):
        raise InputError("a JSON record must be an object")
    text = obj.get(fields.text)
    if not isinstance(text, str):
        raise InputError(f"no text field {fields.text!r} (set another with --text-field)")
    if len(text) > MAX_BYTES:
        raise InputError(f"{len(text) / 1e6:.1f} MB is too long for one article (limit 1 MB)")
    meta = {k: obj[k] for k in METADATA_FIELDS if isinstance(obj.get(k), str)}
    if "date" in meta:
        meta["published"] = meta.pop("date")
    return _article(text, **meta)


def items(specs: list[str], fields: Fields = Fields(), stdin: BinaryIO | None = None) -> Items:
    """Every article named by `specs`, in order, each with its error if it has one."""
    return Items(specs, fields, stdin)


class Items(Iterator[Item]):
    """The articles of `items`, read one input at a time as they are asked for, and their
    number (`total`), for a progress bar: the inputs are listed first (folders walked,
    globs matched), each one article (stdin too) but a .json or .jsonl file, whose
    records are counted when it is read; so it is known at once for files and folders,
    and once the last file of records is read otherwise (None until then)."""

    def __init__(self, specs: list[str], fields: Fields, stdin: BinaryIO | None) -> None:
        sources = list(expand(specs))
        self._unread = sum(1 for _, path, _ in sources if _records(path))
        self._counted = len(sources) - self._unread
        self._items = self._read(sources, fields, stdin)

    @property
    def total(self) -> int | None:
        return None if self._unread else self._counted

    def __next__(self) -> Item:
        return next(self._items)

    def _count(self, records: int) -> None:
        """One file of records read: `records` articles (or its one error)."""
        self._unread -= 1
        self._counted += records

    def _read(
        self, sources: list[tuple[str, Path | None, str]], fields: Fields, stdin: BinaryIO | None
    ) -> Iterator[Item]:
        for name, path, stem in sources:
            counted = not _records(path)  # one article, counted from the start
            try:
                if path is None:
                    if stdin is None:
                        raise InputError("no standard input")
                    text = decode(read_bytes(stdin))
                    yield Item(name, stem, article=from_text(text, ".txt"))
                    continue
                suffix = path.suffix.lower()
                if suffix and suffix not in SUPPORTED and path.is_file():
                    raise InputError(
                        f"cannot read {suffix} files; give {', '.join(SUPPORTED)} "
                        "(or save the article as .txt)"
                    )
                text = decode(read_bytes(path))
                if suffix in HTML_SUFFIXES:
                    yield Item(name, stem, article=from_html(text))
                elif suffix in JSON_SUFFIXES:
                    found, rows = (_json_lines if suffix == ".jsonl" else _json)(
                        text, name, stem, fields
                    )
                    self._count(found)
                    counted = True
                    yield from rows
                else:
                    yield Item(name, stem, article=from_text(text, suffix))
            except (InputError, OSError) as exc:  # OSError: permission denied, an I/O error...
                if not counted:  # a file of records that cannot be read: its one row
                    self._count(1)
                said = (
                    str(exc)
                    if isinstance(exc, InputError)
                    else f"cannot read: {exc.strerror or exc}"
                )
                yield Item(name, stem, error=said)


def _records(path: Path | None) -> bool:
    """Whether the input at `path` is a file of records (any number of articles)."""
    return path is not None and path.suffix.lower() in JSON_SUFFIXES


def _json(text: str, name: str, stem: str, fields: Fields) -> tuple[int, Iterator[Item]]:
    """How many records a .json file holds (an object, or a list of them), and its items."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg} at line {exc.lineno}") from None
    records = data if isinstance(data, list) else [data]

    def rows() -> Iterator[Item]:
        for n, obj in enumerate(records, start=1):
            label = f"{name}[{n}]" if isinstance(data, list) else name
            yield _item(obj, label, stem if not isinstance(data, list) else f"{stem}-{n}", fields)

    return len(records), rows()


def _json_lines(text: str, name: str, stem: str, fields: Fields) -> tuple[int, Iterator[Item]]:
    """How many records a .jsonl file holds (its lines that are not blank), and its items,
    each parsed when it is asked for."""
    lines = text.splitlines()

    def rows() -> Iterator[Item]:
        for n, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Item(f"{name}:{n}", f"{stem}-{n}", error=f"invalid JSON: {exc.msg}")
                continue
            yield _item(obj, f"{name}:{n}", f"{stem}-{n}", fields)

    return sum(1 for line in lines if line.strip()), rows()


def _item(obj: Any, name: str, stem: str, fields: Fields) -> Item:
    record_id = None
    if isinstance(obj, dict) and isinstance(obj.get(fields.id), str | int):
        record_id = str(obj[fields.id])
        stem = _stem(Path(record_id))
    try:
        return Item(name, stem, article=_record(obj, fields), id=record_id)
    except InputError as exc:
        return Item(name, stem, error=str(exc), id=record_id)
