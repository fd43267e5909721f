"""Prompt templates: find them, render them, and say which version produced a prompt.

A prompt is a pair of Jinja templates in `prompts/`: `<name>.system.j2` (optional) and
`<name>.user.j2`. Each declares its version in a first-line comment `{# version: N #}`.
The cache key holds each prompt's name, version and a digest of its templates' text
(`keys`), so editing a template never serves a result made with the old text.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import jinja2.nodes
from pydantic import BaseModel

from summarizer.article import Article
from summarizer.errors import PromptError
from summarizer.language import name_of
from summarizer.resources import data_dir
from summarizer.segment import Sentence

DEFAULT_PROMPT = "news"
OVERVIEW_PROMPT = "news-overview"  # a long article's title, TL;DR and summary (`chunking`)
# Prose, and the lists' items by number (`choose`): the built-in brief's, and any brief's.
CHOOSE_PROMPTS = ("news-choose", "brief-choose")
_VERSION = re.compile(r"\{#\s*version:\s*([\w.-]+)\s*#\}")
# What each built-in prompt is for: a template of the same name in `prompts_dir` replaces
# it (`summarizer prompts` lists them; a test keeps this to the templates that ship).
PURPOSES = {
    DEFAULT_PROMPT: "an article's messages to the model, the default prompt",
    "news-base": "the same for a base model, not instruction-tuned: a worked example first",
    "news-choose": "the small-model mode's (the embedded model's default) for the built-in "
    "brief: the prose written, the items chosen by number",
    "brief-choose": "the small-model mode's for a brief of your own (--schema)",
    OVERVIEW_PROMPT: "a long article's, summarized in chunks: the prose from their merged items",
}

Message = dict[str, str]


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    system: jinja2.Template | None
    user: jinja2.Template
    digest: str
    # Its own words: each line (or the part of one between variables) of three words or
    # more of its templates' text. A small model copies them into an answer's fields,
    # which the checks then reject (`checks.scope.Scope.prompted`).
    wording: frozenset[str] = frozenset()

    def render(
        self,
        article: Article,
        language: str | None = None,
        sentences: Sequence[Sentence] | None = None,
        extra: dict[str, Any] | None = None,
        *,
        brief: type[BaseModel] | None = None,
    ) -> list[Message]:
        """The chat messages for `article`. The templates' variables: `metadata` and
        `sentences` (all, or those of one chunk, under their own numbers; each `id` and
        `text`), each `fence`d; `language`, the name of the summary's language (an ISO
        639-1 code given, default: the article's); `fields`, the fields of the `brief`
        (default: the built-in one) by name with their descriptions. `extra`: more values
        for the template (fenced already)."""
        return self.messages(
            {
                "metadata": {k: fence(str(v)) for k, v in article.metadata().items()},
                "sentences": [
                    replace(s, text=fence(s.text))
                    for s in (article.sentences if sentences is None else sentences)
                ],
                "language": name_of(language or article.lang),
                "fields": fields_of(brief),
                **(extra or {}),
            }
        )

    def messages(self, values: dict[str, Any]) -> list[Message]:
        """The chat messages of this template with `values` (text in them already fenced)."""
        messages = []
        try:
            if self.system is not None:
                system = self.system.render(values).strip()
                messages.append({"role": "system", "content": system})
            messages.append({"role": "user", "content": self.user.render(values).strip()})
        except jinja2.TemplateError as exc:  # an undefined variable, a failing filter
            raise PromptError(f"prompt {self.name!r}: {' '.join(str(exc).split())}") from None
        return messages


@functools.cache
def fields_of(brief: type[BaseModel] | None = None) -> dict[str, str]:
    """A brief's fields (default: the built-in brief's; a part's without those it leaves
    out) and their descriptions, for a template to explain them."""
    if brief is None:
        from summarizer.schema import ArticleSummary

        brief = ArticleSummary
    hidden = getattr(brief, "hidden", ())
    return {n: f.description or "" for n, f in brief.model_fields.items() if n not in hidden}


# What in an article could pass for the prompt's own structure: a sentence label, a chat
# template's special token, the article fence.
_MARKUP = re.compile(r"\[S(\d+)\]|<\|[^|<>]{0,40}\|>|</?article>", re.IGNORECASE)


def fence(text: str) -> str:
    """Article text made safe to place inside the prompt: on one line (so no line of it
    can start like a numbered sentence "[S9] ..."), with sentence labels, special tokens
    ("<|im_start|>") and the article fence written so they no longer read as markup."""

    def defuse(m: re.Match[str]) -> str:
        if m.group(1) is not None:
            return f"(S{m.group(1)})"
        return m.group(0).replace("<", "\u2039").replace(">", "\u203a")

    return _MARKUP.sub(defuse, " ".join(text.split()))


def prompt_dir() -> Path:
    return data_dir("prompts")


# The built-in templates stay reachable under this prefix from a user's template that
# shadows one of their names ({% extends "builtin/news.user.j2" %}).
BUILTIN = "builtin"


def _env(directory: Path | None) -> jinja2.Environment:
    return _env_of(prompt_dir(), directory)


@functools.cache
def _env_of(builtins: Path, directory: Path | None) -> jinja2.Environment:
    """Templates from `directory` (a user's), then the built-in ones: a user's template
    may extend or include a built-in one by its file name."""
    builtin = jinja2.FileSystemLoader(builtins)
    searched: list[jinja2.BaseLoader] = [builtin]
    if directory is not None:
        searched.insert(0, jinja2.FileSystemLoader(directory))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.PrefixLoader({BUILTIN: builtin}), *searched]),
        undefined=jinja2.StrictUndefined,  # a misspelt variable is an error, not ""
        keep_trailing_newline=True,
        autoescape=False,  # plain-text prompts, never HTML
    )


def available(directory: Path | None = None) -> list[str]:
    """Names of the prompts for an article: a user's in `directory`, then those that ship
    with the package (not the overview and choice prompts, which the chunked path and the
    small-model mode use on their own)."""
    folders = [prompt_dir()] if directory is None else [directory, prompt_dir()]
    names = {p.name.removesuffix(".user.j2") for d in folders for p in d.glob("*.user.j2")}
    return sorted(n for n in names if n not in (OVERVIEW_PROMPT, *CHOOSE_PROMPTS))


def builtin_names() -> list[str]:
    """Every built-in prompt, the overview and choice prompts included: each may be
    replaced by a template of the same name in `prompts_dir`."""
    return sorted(p.name.removesuffix(".user.j2") for p in prompt_dir().glob("*.user.j2"))


def own_names(directory: Path) -> list[str]:
    """The prompts in a user's folder (each ``<name>.user.j2``)."""
    return sorted(p.name.removesuffix(".user.j2") for p in directory.glob("*.user.j2"))


def blocks_of(prompt: Prompt) -> str:
    """The blocks a template extending this prompt may replace, by message."""
    parts = [("user", prompt.user), ("system", prompt.system)]
    found = [f"{role}: {', '.join(t.blocks)}" for role, t in parts if t is not None and t.blocks]
    return "; ".join(found)


_NAME = re.compile(r"[A-Za-z0-9][\w-]*")  # a template's name: never a path


def is_path(prompt: str) -> bool:
    """Does the `prompt` setting name a template file rather than a prompt?"""
    return prompt.endswith(".j2") or "/" in prompt or "\\" in prompt


def load(name: str = DEFAULT_PROMPT, directory: Path | None = None) -> Prompt:
    """The prompt `name`: a template file (`is_path`: its text is the user message; a
    ``<stem>.system.j2`` beside a ``<stem>.user.j2`` is the system one), or a name, looked
    up in the user's prompt folder `directory`, then among the built-in prompts."""
    if is_path(name):
        return _load_file(Path(name).expanduser().resolve())
    if not _NAME.fullmatch(name):
        raise PromptError(f"no prompt named {name!r}; available: {', '.join(available())}")
    if directory is not None and not directory.is_dir():
        raise PromptError(f"prompts_dir {str(directory)!r} is not a folder")
    return _load(name, directory.resolve() if directory is not None else None)


@functools.cache
def _load(name: str, directory: Path | None) -> Prompt:
    found = next(
        (d for d in (directory, prompt_dir()) if d and (d / f"{name}.user.j2").is_file()), None
    )
    if found is None:
        known = ", ".join(available(directory))
        raise PromptError(f"no prompt named {name!r}; available: {known}")
    builtin = found == prompt_dir()
    system = f"{name}.system.j2" if (found / f"{name}.system.j2").is_file() else None
    return _compile(name, _env(None if builtin else found), f"{name}.user.j2", system, builtin)


@functools.cache
def _load_file(path: Path) -> Prompt:
    if not path.is_file():
        raise PromptError(f"prompt template {str(path)!r} does not exist")
    stem = path.name.removesuffix(".j2").removesuffix(".user")
    system = f"{stem}.system.j2" if path.name.endswith(".user.j2") else None
    if system is not None and not (path.parent / system).is_file():
        system = None
    return _compile(stem, _env(path.parent), path.name, system, builtin=False)


def _compile(
    name: str, env: jinja2.Environment, user: str, system: str | None, builtin: bool
) -> Prompt:
    """The prompt of templates `user` and `system` in `env`: its version from the user
    template's ``{# version: N #}`` comment (required of the built-in ones; "0" for a
    user's without one), its digest over every template it extends or includes."""
    try:
        sources = _sources(env, [user, *([system] if system else [])])
        if loop := _loop(sources, user):
            raise PromptError(
                f"prompt {name!r}: {loop[0]} extends itself ({' -> '.join(loop)}): a template "
                f"named as a built-in one reaches that one as {BUILTIN}/{loop[-1]}"
            )
        match = _VERSION.search(sources[user][0])
        if match is None and builtin:
            raise PromptError(f"{user} has no '{{# version: N #}}' comment")
        return Prompt(
            name=name,
            version=match.group(1) if match else "0",
            system=env.get_template(system) if system else None,
            user=env.get_template(user),
            digest=_digest(sources),
            wording=_wording(sources),
        )
    except jinja2.TemplateSyntaxError as exc:
        raise PromptError(f"{exc.filename or user}, line {exc.lineno}: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        missing = f"no template {exc.name!r} to extend or include"
        raise PromptError(f"prompt {name!r}: {missing}") from None


def _sources(
    env: jinja2.Environment, names: list[str]
) -> dict[str, tuple[str, jinja2.nodes.Template]]:
    """The text and the parse of these templates and of every template they extend,
    include or import (a syntax error names its file, as loading it would)."""
    assert env.loader is not None
    seen: dict[str, tuple[str, jinja2.nodes.Template]] = {}
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        text, filename, _ = env.loader.get_source(env, name)
        seen[name] = (text, env.parse(text, name, filename))
        todo += [t for t in jinja2.meta.find_referenced_templates(seen[name][1]) if t]
    return seen


def _loop(seen: dict[str, tuple[str, jinja2.nodes.Template]], start: str) -> list[str] | None:
    """A chain of templates from `start` that comes back to one of them (a folder's
    news.user.j2 extending "news.user.j2" is itself; jinja would recurse until Python
    stops it), or None."""
    chain: list[str] = []

    def walk(name: str) -> list[str] | None:
        if name in chain:
            return [*chain[chain.index(name) :], name]
        chain.append(name)
        for used in jinja2.meta.find_referenced_templates(seen[name][1]):
            if used and (found := walk(used)):
                return found
        chain.pop()
        return None

    return walk(start)


def _digest(seen: dict[str, tuple[str, jinja2.nodes.Template]]) -> str:
    """A digest of the templates' text, theirs and every one they reuse (`_sources`), so
    that a change to a built-in block a user's template reuses changes it."""
    joined = "\0".join(f"{n}\0{seen[n][0]}" for n in sorted(seen))
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def _wording(seen: dict[str, tuple[str, jinja2.nodes.Template]]) -> frozenset[str]:
    """The templates' own words (`Prompt.wording`): their literal text, never a value."""
    found = set()
    for _, parsed in seen.values():
        for data in parsed.find_all(jinja2.nodes.TemplateData):
            found |= {" ".join(ln.split()) for ln in data.data.splitlines() if len(ln.split()) >= 3}
    return frozenset(found)
